"""Per-worker caches for what is costly to compute and the same for every reader, on ``cachetools``.

Each gunicorn worker keeps its own entries in memory: nothing to run beside the app, nothing shared to
invalidate. Callers put whatever decides the result into the key (ids, change stamps, locale, today's
date), so a change shows at once; the time to live only bounds how long a change the key cannot see
(a renamed department, say) may take to appear. Past ``max_entries`` the least recently used entry goes.
"""

from collections.abc import Callable, Hashable
from threading import Lock
from time import monotonic
from typing import Any

from cachetools import TTLCache
from flask import current_app

MAX_ENTRIES = 512
_MISSING = object()


class WorkerCache:
    """A ``cachetools.TTLCache`` (time- and size-limited, least recently used first) behind one lock."""

    def __init__(self, ttl: float, max_entries: int = MAX_ENTRIES, timer: Callable[[], float] = monotonic) -> None:
        self.ttl = ttl
        self._entries: TTLCache | None = TTLCache(max_entries, ttl, timer=timer) if ttl > 0 else None
        self._lock = Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value for ``key`` if younger than the time to live; otherwise ``compute()``, remembered."""
        if self._entries is None:
            return compute()
        with self._lock:
            hit = self._entries.get(key, _MISSING)
        if hit is not _MISSING:
            return hit
        value = compute()  # outside the lock: two threads may both compute a miss, which is harmless
        with self._lock:
            self._entries[key] = value
        return value

    def get(self, key: Hashable) -> Any:
        """The cached value for ``key`` if younger than the time to live, else None."""
        if self._entries is None:
            return None
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        if self._entries is not None:
            with self._lock:
                self._entries[key] = value

    def pop(self, key: Hashable) -> None:
        if self._entries is not None:
            with self._lock:
                self._entries.pop(key, None)

    def clear(self) -> None:
        if self._entries is not None:
            with self._lock:
                self._entries.clear()


def worker_cache(name: str, ttl: float) -> WorkerCache:
    """The app's cache called ``name`` (one per app and process), keeping entries ``ttl`` seconds (0: never)."""
    caches = current_app.extensions.setdefault("consult.caches", {})
    cache = caches.get((name, ttl))
    if cache is None:
        cache = caches.setdefault((name, ttl), WorkerCache(ttl))
    return cache
