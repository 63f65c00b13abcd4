"""The per-worker cache behind the draft page and the public statistics: bounded in time and in size."""

from consult import cache
from consult.cache import WorkerCache


def test_an_entry_is_recomputed_once_its_time_is_up(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(cache, "monotonic", lambda: clock[0])
    store, computed = WorkerCache(), []

    def compute():
        computed.append(clock[0])
        return len(computed)

    assert store.get_or_compute("k", 60, compute) == 1
    clock[0] += 60
    assert store.get_or_compute("k", 60, compute) == 1
    clock[0] += 1
    assert store.get_or_compute("k", 60, compute) == 2
    assert store.get_or_compute("k", 0, compute) == 3  # a time to live of 0: never cached


def test_the_least_recently_used_entry_goes_first_when_full():
    store = WorkerCache(max_entries=2)
    store.get_or_compute("a", 60, lambda: "A")
    store.get_or_compute("b", 60, lambda: "B")
    store.get_or_compute("a", 60, lambda: "A again")  # a hit: "a" is now the most recently used
    store.get_or_compute("c", 60, lambda: "C")  # evicts "b"
    assert store.get_or_compute("a", 60, lambda: "recomputed") == "A"
    assert store.get_or_compute("b", 60, lambda: "recomputed") == "recomputed"
