"""This process's peak resident memory, as the reports of training runs and benchmarks give it."""

from __future__ import annotations

import resource

__all__ = ["peak_rss_mb"]


def peak_rss_mb() -> float:
    """Peak RSS of this process in MB, from ``VmHWM``.

    ``ru_maxrss`` is not used where ``/proc`` exists: Linux carries the parent's peak over
    ``fork`` + ``exec``, so a worker started by a launcher that had loaded torch would report at
    least the launcher's size.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
