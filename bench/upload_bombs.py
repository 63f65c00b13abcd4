"""What inspecting a zip bomb costs an upload worker: peak memory and time of ``sniff_content_type``.

    .venv/bin/python -m bench.upload_bombs            # every bomb of tests/hostile_payloads.py
    .venv/bin/python -m bench.upload_bombs honest-1gib

Each bomb is built in memory and inspected in a fresh process, which reports the peak of Python's
allocations (tracemalloc), the growth of its resident set (``ru_maxrss``), the wall time and the outcome
(a type, None, or the error that refused it).
"""

import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(kind: str) -> dict:
    """Inspect one bomb in this process and return the figures."""
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from hostile_payloads import zip_bomb

    from consult.uploads import sniff_content_type

    data = zip_bomb(kind)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome = repr(sniff_content_type(data))
    except Exception as error:  # the figures are wanted whatever the outcome
        outcome = f"{type(error).__name__}: {str(error)[:80]}"
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    return {"bomb": kind, "bytes": len(data), "outcome": outcome, "seconds": round(seconds, 3),
            "peak_traced_mib": round(peak / 2**20, 1), "rss_growth_mib": round(rss_growth / 1024, 1)}


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(argv[1])))
        return
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from hostile_payloads import ZIP_BOMBS

    for kind in argv or ZIP_BOMBS:
        result = subprocess.run([sys.executable, "-m", "bench.upload_bombs", "--one", kind], cwd=ROOT,
                                capture_output=True, text=True, check=True)
        figures = json.loads(result.stdout)
        print(f"{figures['bomb']:<15} {figures['bytes'] / 2**20:5.1f} MB  {figures['seconds']:7.3f} s  "
              f"peak {figures['peak_traced_mib']:7.1f} MiB  RSS +{figures['rss_growth_mib']:7.1f} MiB  "
              f"{figures['outcome']}")


if __name__ == "__main__":
    main(sys.argv[1:])
