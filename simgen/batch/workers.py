"""``--workers auto``: as many workers as the cores hold without oversubscribing them.

One worker is not one core: beside its main thread it develops the RGB on a thread, encodes on
another, and Open3D's Embree, llvmpipe, numexpr and OpenCV have threads of their own. A worker
with every core to itself keeps about 1.6 of 2 cores busy here, 1.9 on a 16-core host. So

    workers = max(1, floor(usable cores / cores one worker keeps busy)), at most one per shard.

Where the figure comes from, most trusted first:
- this machine's own record for the plan's scenarios (``~/.cache/simgen/worker-load.json``, or
  under ``$XDG_CACHE_HOME``): every one-worker render of shards of more than
  ``MIN_STEADY_FRAMES`` frames adds, per scenario, its process's CPU time over wall time,
  threads included, with the render thread's waits for a core taken off the wall time (a shard
  that mostly waited is not measured); the largest of the last few is used, since other users'
  load on a shared machine can only make a figure smaller;
- otherwise ``DEFAULT_BUSY_CORES``, the largest figure measured so far, or this machine's
  largest figure for any scenario when larger (a small scene keeps fewer cores busy than a large
  one, so its figure is not used for another). An overestimate only costs parallelism where
  many cores are free; an underestimate costs oversubscription, and a slower batch.

Only one-worker runs are recorded: a pool worker is given a smaller thread share, so it keeps
fewer cores busy than a worker alone, and its figure would overcount how many fit. A first
shard rendered alone as a calibration was not chosen: it leaves every other core idle for a
shard's time on a many-core host, and measures whatever else the machine runs just then.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from simgen.core.atomic import write_text_atomic
from simgen.core.cpu import cpu_model, usable_cores

DEFAULT_BUSY_CORES = 1.9  # one worker alone: 1.6 on the 2-core machine, 1.9 on a 16-core host
KEPT = 5  # figures kept per machine


@dataclass(frozen=True)
class WorkerChoice:
    """How many workers ``auto`` chose, and from what."""

    workers: int
    usable: int
    busy_per_worker: float  # cores one worker keeps busy when it has all of them
    source: str  # where the figure comes from: this machine's record or the default
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
    return f"{cpu_model()} / {usable or usable_cores()} cores"


Figures = dict[str, dict[str, list[float]]]  # machine -> scenario -> recent figures


def _read(path: Path) -> Figures:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: the default holds
    if not isinstance(data, dict):
        return {}
    figures: Figures = {}
    for machine, scenarios in data.items():
        if not isinstance(scenarios, dict):
            continue
        figures[str(machine)] = {
            str(name): [float(x) for x in values if isinstance(x, int | float) and x > 0]
            for name, values in scenarios.items()
            if isinstance(values, list)
        }
    return figures


def measured_busy_cores(
    scenarios: Collection[str], path: Path | None = None, usable: int | None = None
) -> tuple[float, str] | None:
    """The figure for a plan of ``scenarios`` on this machine and where it comes from: the
    largest recent figure among them when each has one; else the largest this machine recorded
    for any scenario, when above the default (a lighter scene keeps fewer cores busy, so another
    scene's smaller figure is not trusted); else None."""
    recorded = _read(path or cache_file()).get(machine_key(usable), {})
    if scenarios and all(recorded.get(name) for name in scenarios):
        busy = max(max(recorded[name]) for name in scenarios)
        names = ", ".join(sorted(scenarios)[:3]) + (", ..." if len(scenarios) > 3 else "")
        return busy, f"measured on this machine for {names}"
    largest = max((max(v) for v in recorded.values() if v), default=0.0)
    if largest > DEFAULT_BUSY_CORES:
        return largest, "the largest figure measured on this machine"
    return None


def record_busy_cores(
    figures: Iterable[tuple[str, float]], path: Path | None = None, usable: int | None = None
) -> dict[str, float]:
    """Add what one-worker shards measured, per scenario (their median), to this machine's
    record; returns what was added."""
    by_scenario: dict[str, list[float]] = {}
    for name, busy in figures:
        if busy > 0:
            by_scenario.setdefault(name, []).append(busy)
    added = {name: sorted(v)[len(v) // 2] for name, v in by_scenario.items()}
    if not added:
        return {}
    path = path or cache_file()
    data = _read(path)
    mine = data.setdefault(machine_key(usable), {})
    for name, figure in added.items():
        mine[name] = [*mine.get(name, []), round(figure, 3)][-KEPT:]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(data, indent=1, sort_keys=True) + "\n")
    except OSError:  # a read-only home: the figure is an optimisation, not an output
        return {}
    return added


def choose_workers(
    scenarios: Collection[str] = (),
    shards: int | None = None,
    usable: int | None = None,
    path: Path | None = None,
) -> WorkerChoice:
    """``auto`` for a plan of ``shards`` shards of ``scenarios``: floor(usable cores / cores one
    worker keeps busy), at least 1, at most one per shard (a larger thread share for each worker
    is then worth more than an idle one)."""
    usable = usable or usable_cores()
    measured = measured_busy_cores(scenarios, path, usable)
    busy, source = measured or (DEFAULT_BUSY_CORES, "default figure")
    # a worker keeps at least its render thread busy, and cannot keep more cores busy than it has
    busy = min(max(busy, 1.0), float(usable))
    workers = max(1, int(usable / busy + 1e-9))
    capped = shards is not None and shards < workers
    if capped:
        workers = max(1, shards or 1)
    return WorkerChoice(workers, usable, busy, source, shards if capped else None)


def parse_workers(value: str | int | None) -> int | None:
    """``auto`` (or None) -> None, a count >= 1 -> that count; anything else is a ValueError."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
        return None
    count = int(value)
    if count < 1:
        raise ValueError(f"{value}: at least 1 worker")
    return count
