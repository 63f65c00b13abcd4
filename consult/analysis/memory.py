"""How much memory the process holds, for the figures of each step of an analysis (light: no NumPy).

The peak is the process's own high-water mark (``VmHWM`` in ``/proc/self/status``), not
``getrusage().ru_maxrss``: on Linux a process started by ``fork``/``vfork`` and ``exec`` inherits in
``ru_maxrss`` the peak of the process that started it (a job started by a command that had loaded 100,000
comments reported that command's 623 MB). Where ``/proc`` is missing, ``ru_maxrss`` is all there is.
"""

import resource


def memory_mb(step: str) -> dict[str, float]:
    """``<step>_peak_rss_mb``: the process's peak resident memory so far (the step that raises it holds the
    peak), and, where ``/proc`` tells it, ``<step>_rss_mb``: what it holds at the end of the step."""
    peak, current = process_memory_mb()
    figures = {f"{step}_peak_rss_mb": peak}
    if current is not None:
        figures[f"{step}_rss_mb"] = current
    return figures


def process_memory_mb() -> tuple[float, float | None]:
    """(peak, current) resident memory of this process in MB; current is None where ``/proc`` is missing."""
    values = {}
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    name, kilobytes = line.split()[:2]
                    values[name] = round(int(kilobytes) / 1024, 1)
    except (OSError, ValueError):
        pass
    if "VmHWM:" in values and "VmRSS:" in values:
        return values["VmHWM:"], values["VmRSS:"]
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), None
