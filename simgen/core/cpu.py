"""How many cores this process may use: all usable ones, or its share when it is one of a pool's
workers (the pool sets ``SIMGEN_THREADS`` in each worker's environment), and how much CPU time
it has spent."""

from __future__ import annotations

import os
import platform
import re
import resource
from functools import cache
from pathlib import Path

SHARE_VARIABLE = "SIMGEN_THREADS"


@cache
def cpu_model() -> str:
    """The processor's model name: benchmark figures and worker loads hold for it alone."""
    try:
        names = re.findall(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    except OSError:  # not Linux
        names = []
    return names[0].strip() if names else (platform.processor() or platform.machine())


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def thread_share() -> int:
    """Threads this process should keep busy at once; 1 means do everything in sequence, since a
    helper thread would only take time from another worker."""
    value = os.environ.get(SHARE_VARIABLE, "")
    return max(1, int(value)) if value.isdigit() else usable_cores()


def cpu_seconds(children: bool = False) -> float:
    """User + system CPU time of this process, every thread included; with ``children``, also
    that of its children that have ended and been waited for (a pool's finished workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    if children:
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        total += kids.ru_utime + kids.ru_stime
    return total


def waited_for_a_core() -> float | None:
    """Seconds the calling thread has spent runnable but waiting for a core (the kernel's
    run-queue delay, ``/proc/thread-self/schedstat``): what other processes' load added to its
    wall time. None where the kernel does not tell."""
    try:
        fields = Path("/proc/thread-self/schedstat").read_text().split()
        return int(fields[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


def limit_threads(share: int) -> None:
    """Cap the thread pools of the libraries a worker loads to ``share`` threads: the environment
    the pool sets covers OpenMP, BLAS, numexpr and llvmpipe at import, OpenCV needs a call."""
    import cv2
    import numexpr

    cv2.setNumThreads(share)
    numexpr.set_num_threads(share)
