"""How many cores this process may use: all usable ones, or its share when it is one of a pool's
workers (the pool sets ``SIMGEN_THREADS`` in each worker's environment)."""

from __future__ import annotations

import os

SHARE_VARIABLE = "SIMGEN_THREADS"


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
