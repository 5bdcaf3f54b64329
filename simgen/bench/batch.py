"""``simgen bench --batch``: batch throughput per executor and worker count, side by side in one
session on the benchmark scene, and worker memory over a long run.

CPU use is the process's and its finished children's CPU time over the wall time (Ray's workers
are not children: it is not measured for Ray).
"""

from __future__ import annotations

import os
import re
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from simgen.batch.executors import Event, executor
from simgen.batch.run import run_batch
from simgen.batch.shards import plan_shards
from simgen.bench.stages import BENCH_SCENARIO


@dataclass(frozen=True)
class BatchRun:
    executor: str
    workers: int
    frames: int
    seconds: float
    cpu_percent: float | None

    @property
    def frames_per_second(self) -> float:
        return self.frames / self.seconds


@dataclass(frozen=True)
class MemoryRun:
    frames: int
    rss_mb: dict[int, float]  # frame -> the worker's resident memory


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _suite(folder: Path, scenario: Path, variants: int) -> Path:
    suite = folder / "bench_suite.yaml"
    suite.write_text(
        f"suite: bench\nscenarios:\n  - {{file: {scenario}, variants: {variants}, seed: 0}}\n"
    )
    return suite


def throughput(
    workers: list[int], variants: int = 4, frames: int = 10, executors: tuple[str, ...] = ("local",)
) -> list[BatchRun]:
    runs = []
    with tempfile.TemporaryDirectory(prefix="simgen-batch-bench-") as tmp:
        suite = _suite(Path(tmp), BENCH_SCENARIO, variants)
        for name in executors:
            for count in workers:
                out = Path(tmp) / f"{name}-{count}"
                shards = plan_shards([suite], out, frames=frames)
                cpu, start = _cpu_seconds(), time.perf_counter()
                summary = run_batch(shards, executor(name, count), lambda e: None, retries=0)
                wall = time.perf_counter() - start
                if summary.failed:
                    raise RuntimeError(f"bench shards failed: {summary.failed}")
                used = None if name == "ray" else 100.0 * (_cpu_seconds() - cpu) / wall
                runs.append(BatchRun(name, count, summary.frames, wall, used))
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
    cpu = "unknown CPU"
    try:
        names = re.findall(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = names[0].strip() if names else cpu
    except OSError:  # pragma: no cover - not Linux
        pass
    return f"{cpu}, {os.cpu_count()} logical CPUs"
