"""A small per-worker cache for what is costly to compute and the same for every reader.

Each gunicorn worker keeps its own entries in memory: nothing to run beside the app, nothing shared to
invalidate. Callers put whatever decides the result into the key (ids, change stamps, locale, today's
date), so a change shows at once; the time to live only bounds how long a change the key cannot see
(a renamed department, say) may take to appear. Entries are evicted oldest-used first past ``max_entries``.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from time import monotonic
from typing import Any

from flask import current_app


class WorkerCache:
    """Time-limited, size-limited memo of values by key, for one process."""

    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = Lock()

    def get_or_compute(self, key: Hashable, ttl: float, compute: Callable[[], Any]) -> Any:
        """The cached value for ``key`` if younger than ``ttl`` seconds; otherwise ``compute()``, remembered."""
        if ttl <= 0:
            return compute()
        now = monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] <= ttl:
                self._entries.move_to_end(key)
                return hit[1]
        value = compute()  # outside the lock: two threads may both compute a miss, which is harmless
        with self._lock:
            self._entries[key] = (now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value


def worker_cache(name: str) -> WorkerCache:
    """The app's cache called ``name`` (one per app and process)."""
    caches = current_app.extensions.setdefault("consult.caches", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches.setdefault(name, WorkerCache())
    return cache
