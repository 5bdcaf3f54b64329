"""``simgen bench --batch``: batch throughput per executor and worker count, side by side in one
session on the benchmark scene, and worker memory over a long run.

CPU use is this process's and its finished children's CPU time (user + system, every thread)
over the wall time: with ``--workers 1`` the shards render in this process, a pool's workers are
its children and are waited for before the clock stops. Busy cores are that CPU time over the
wall time, and frames/s per busy core what each core kept busy yielded. Ray's workers are not
children: CPU is not measured for Ray.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from simgen.batch.executors import Event, executor
from simgen.batch.run import run_batch
from simgen.batch.shards import plan_shards
from simgen.batch.workers import choose_workers, parse_workers
from simgen.bench.stages import BENCH_SCENARIO
from simgen.core.cpu import cpu_model, cpu_seconds


@dataclass(frozen=True)
class BatchRun:
    executor: str
    workers: int
    frames: int
    seconds: float
    cpu_percent: float | None
    requested: str = ""  # what was asked: a count, or auto
    reason: str = ""  # auto: what it chose and why

    @property
    def frames_per_second(self) -> float:
        return self.frames / self.seconds

    @property
    def busy_cores(self) -> float | None:
        return None if self.cpu_percent is None else self.cpu_percent / 100

    @property
    def cpu_ms_per_frame(self) -> float | None:
        busy = self.busy_cores
        return None if busy is None else 1000 * busy * self.seconds / self.frames

    @property
    def frames_per_busy_core(self) -> float | None:
        busy = self.busy_cores
        return None if not busy else self.frames_per_second / busy

    def to_json(self) -> dict:
        return {
            **vars(self),
            "reason": self.reason or None,
            "frames_per_second": self.frames_per_second,
            "busy_cores": self.busy_cores,
            "cpu_ms_per_frame": self.cpu_ms_per_frame,
            "frames_per_busy_core": self.frames_per_busy_core,
        }


@dataclass(frozen=True)
class MemoryRun:
    frames: int
    rss_mb: dict[int, float]  # frame -> the worker's resident memory


def _suite(folder: Path, scenario: Path, variants: int) -> Path:
    suite = folder / "bench_suite.yaml"
    suite.write_text(
        f"suite: bench\nscenarios:\n  - {{file: {scenario}, variants: {variants}, seed: 0}}\n"
    )
    return suite


def throughput(
    workers: list[str],
    variants: int = 4,
    frames: int = 10,
    executors: tuple[str, ...] = ("local",),
    repeat: int = 1,
    scenario: Path = BENCH_SCENARIO,
) -> list[BatchRun]:
    """Each executor at each worker setting (a count, or ``auto``), the settings taken in turn
    ``repeat`` times (on a shared machine, alternating spreads its load over every setting)."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="simgen-batch-bench-") as tmp:
        suite = _suite(Path(tmp), scenario, variants)
        for round_ in range(repeat):
            for name in executors:
                for requested in workers:
                    out = Path(tmp) / f"{name}-{requested}-{round_}"
                    shards = plan_shards([suite], out, frames=frames)
                    count, reason = parse_workers(requested), ""
                    if count is None:
                        choice = choose_workers({s.name for s in shards}, len(shards))
                        count, reason = choice.workers, choice.reason()
                    cpu, start = cpu_seconds(children=True), time.perf_counter()
                    summary = run_batch(shards, executor(name, count), lambda e: None, retries=0)
                    wall = time.perf_counter() - start
                    if summary.failed:
                        raise RuntimeError(f"bench shards failed: {summary.failed}")
                    used = cpu_seconds(children=True) - cpu
                    percent = None if name == "ray" else 100.0 * used / wall
                    runs.append(
                        BatchRun(name, count, summary.frames, wall, percent, requested, reason)
                    )
    return runs


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match[1]) / 1024 if match else 0.0


def memory(frames: int = 300, marks: tuple[int, ...] = (50, 100, 200, 300)) -> MemoryRun:
    """One worker renders ``frames`` frames of the benchmark scene; its RSS at ``marks``."""
    from simgen.batch.executors import LocalExecutor

    text = BENCH_SCENARIO.read_text()
    text = re.sub(r"(?m)^duration: .*$", f"duration: {frames / 10 + 0.05}", text)
    pool = LocalExecutor(1)
    seen: dict[int, float] = {}
    done = [0]

    def report(event: Event) -> None:
        if event.kind != "frames":
            return
        done[0] += event.frames
        if done[0] in marks and pool.pids:
            seen[done[0]] = _rss_mb(next(iter(pool.pids)))

    with tempfile.TemporaryDirectory(prefix="simgen-batch-memory-") as tmp:
        scenario = Path(tmp) / "long.yaml"
        scenario.write_text(text)
        shards = plan_shards([scenario], Path(tmp) / "out", frames=frames)
        summary = run_batch(shards, pool, report, retries=0)
        if summary.failed:
            raise RuntimeError(f"memory run failed: {summary.failed}")
    return MemoryRun(frames, seen)


def machine() -> str:
    return f"{cpu_model()}, {os.cpu_count()} logical CPUs"
