"""The per-worker cache behind whole public pages and the public statistics: bounded in time and in size."""

from consult.cache import WorkerCache


def test_an_entry_is_recomputed_once_its_time_is_up():
    clock = [100.0]
    store, computed = WorkerCache(60, timer=lambda: clock[0]), []

    def compute():
        computed.append(clock[0])
        return len(computed)

    assert store.get_or_compute("k", compute) == 1
    clock[0] += 59
    assert store.get_or_compute("k", compute) == 1
    clock[0] += 1
    assert store.get_or_compute("k", compute) == 2


def test_a_time_to_live_of_zero_never_keeps_anything():
    store, computed = WorkerCache(0), []
    assert store.get_or_compute("k", lambda: computed.append(1) or len(computed)) == 1
    assert store.get_or_compute("k", lambda: computed.append(1) or len(computed)) == 2


def test_the_least_recently_used_entry_goes_first_when_full():
    store = WorkerCache(60, max_entries=2)
    store.get_or_compute("a", lambda: "A")
    store.get_or_compute("b", lambda: "B")
    store.get_or_compute("a", lambda: "A again")  # a hit: "a" is now the most recently used
    store.get_or_compute("c", lambda: "C")  # evicts "b"
    assert store.get_or_compute("a", lambda: "recomputed") == "A"
    assert store.get_or_compute("b", lambda: "recomputed") == "recomputed"
