"""The figures every bench reports from timed samples: one timing loop and one percentile rule."""

import time
from collections.abc import Callable


def percentile(sorted_values: list[float], q: float) -> float:
    """The sample at rank ``q`` (0–1) of ``sorted_values``, nearest rank over ``n - 1`` (p50 of 4 samples is the
    2nd or 3rd, never an average; p99 of 100 is the 99th, not the maximum); 0.0 for no samples."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def latency_ms(samples: list[float]) -> dict:
    """p50 and p99 of durations in seconds, in milliseconds rounded to 0.01."""
    ordered = sorted(samples)
    return {"p50_ms": round(percentile(ordered, 0.50) * 1000, 2), "p99_ms": round(percentile(ordered, 0.99) * 1000, 2)}


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """The duration in seconds of each of ``repeat`` calls of ``fn``."""
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out
