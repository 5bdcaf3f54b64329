"""``--workers auto``: as many workers as the cores hold without oversubscribing them.

One worker is not one core: beside its main thread it develops the RGB on a thread, encodes on
another, and Open3D's Embree, llvmpipe, numexpr and OpenCV have threads of their own. A worker
with every core to itself keeps about 1.6 of 2 cores busy here, 1.9 on a 16-core host. So

    workers = max(1, floor(usable cores / cores one worker keeps busy)), at most one per shard.

Where the figure comes from, most trusted first:
- this machine's own record (``~/.cache/simgen/worker-load.json``, or under
  ``$XDG_CACHE_HOME``): every ``--workers 1`` render of shards of at least
  ``MIN_STEADY_FRAMES`` frames after the first adds its process's CPU time over wall time,
  threads included; the largest of the last few is used, since other users' load on a shared
  machine can only make a figure smaller;
- otherwise ``DEFAULT_BUSY_CORES``, the largest figure measured so far (an overestimate only
  costs parallelism where many cores are free; an underestimate costs oversubscription).

Only one-worker runs are recorded: a pool worker is given a smaller thread share, so it keeps
fewer cores busy than a worker alone, and its figure would overcount how many fit. A first
shard rendered alone as a calibration was not chosen: it leaves every other core idle for a
shard's time on a many-core host, and measures whatever else the machine runs just then.
"""

from __future__ import annotations

import json
import os
import platform
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from simgen.core.atomic import write_text_atomic
from simgen.core.cpu import usable_cores

DEFAULT_BUSY_CORES = 1.9  # one worker alone: 1.6 on the 2-core machine, 1.9 on a 16-core host
KEPT = 5  # figures kept per machine


@dataclass(frozen=True)
class WorkerChoice:
    """How many workers ``auto`` chose, and from what."""

    workers: int
    usable: int
    busy_per_worker: float  # cores one worker keeps busy when it has all of them
    source: str  # "measured on this machine" or "default figure"
    shards: int | None = None  # the plan's shards, when they capped the count

    def reason(self) -> str:
        why = f"{self.usable} usable cores, one worker keeps {self.busy_per_worker:.1f} busy"
        why += f", {self.source}"
        if self.shards is not None:
            why += f"; only {self.shards} shard{'s' * (self.shards != 1)}"
        return f"workers: {self.workers} ({why})"


def cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "simgen" / "worker-load.json"


def machine_key(usable: int | None = None) -> str:
    """The CPU model and usable cores: a figure holds for the machine it was measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        names = re.findall(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = names[0].strip() if names else cpu
    except OSError:  # pragma: no cover - not Linux
        pass
    return f"{cpu} / {usable or usable_cores()} cores"


def _read(path: Path) -> dict[str, list[float]]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: the default holds
    if not isinstance(data, dict):
        return {}
    return {
        str(k): [float(x) for x in v if isinstance(x, int | float) and x > 0]
        for k, v in data.items()
        if isinstance(v, list)
    }


def measured_busy_cores(path: Path | None = None, usable: int | None = None) -> float | None:
    """The largest recent figure recorded for this machine, or None."""
    figures = _read(path or cache_file()).get(machine_key(usable), [])
    return max(figures) if figures else None


def record_busy_cores(
    figures: Iterable[float | None], path: Path | None = None, usable: int | None = None
) -> float | None:
    """Add what one-worker shards measured (their median) to this machine's record."""
    values = sorted(f for f in figures if f is not None and f > 0)
    if not values:
        return None
    figure = values[len(values) // 2]
    path = path or cache_file()
    data = _read(path)
    key = machine_key(usable)
    data[key] = [*data.get(key, []), round(figure, 3)][-KEPT:]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(data, indent=1, sort_keys=True) + "\n")
    except OSError:  # a read-only home: the figure is an optimisation, not an output
        return None
    return figure


def choose_workers(
    shards: int | None = None, usable: int | None = None, path: Path | None = None
) -> WorkerChoice:
    """``auto``: floor(usable cores / cores one worker keeps busy), at least 1, at most one per
    shard (a larger thread share for each worker is then worth more than an idle one)."""
    usable = usable or usable_cores()
    measured = measured_busy_cores(path, usable)
    busy = measured if measured is not None else DEFAULT_BUSY_CORES
    # a worker cannot keep more cores busy than it has
    busy = min(max(busy, 1.0), float(usable))
    workers = max(1, int(usable / busy + 1e-9))
    capped = shards is not None and shards < workers
    if capped:
        workers = max(1, shards or 1)
    source = "measured on this machine" if measured is not None else "default figure"
    return WorkerChoice(workers, usable, busy, source, shards if capped else None)


def parse_workers(value: str | int | None) -> int | None:
    """``auto`` (or None) -> None, a count >= 1 -> that count; anything else is a ValueError."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
        return None
    count = int(value)
    if count < 1:
        raise ValueError(f"{value}: at least 1 worker")
    return count
