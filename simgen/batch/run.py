"""A batch: clean what an interrupted run left, run every shard, and sum up."""

from __future__ import annotations

import time
from dataclasses import dataclass

from simgen.batch.executors import Executor, Outcome, Report
from simgen.batch.shards import ShardSpec, join_variants
from simgen.dataset import lifecycle


@dataclass(frozen=True)
class Summary:
    shards: int
    rendered: int  # shards rendered now
    skipped: int  # complete before this run
    failed: dict[str, str]
    retries: int
    frames: int  # frames rendered now
    seconds: float
    disk_bytes: int
    max_rss_mb: float  # the largest worker's peak
    # (scenario, cores kept busy) per rendered shard: its process's CPU time over wall time,
    # threads included, first frame and set-up left out; a shard too short to measure is left out
    busy_cores: tuple[tuple[str, float], ...] = ()

    @property
    def frames_per_second(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict:
        return {
            "shards": self.shards,
            "rendered": self.rendered,
            "skipped": self.skipped,
            "failed": self.failed,
            "retries": self.retries,
            "frames": self.frames,
            "seconds": round(self.seconds, 3),
            "frames_per_second": round(self.frames_per_second, 3),
            "disk_bytes": self.disk_bytes,
            "max_rss_mb": round(self.max_rss_mb, 1),
            "busy_cores_per_worker": None if not self.busy_cores else round(self.median_busy, 2),
        }

    @property
    def median_busy(self) -> float:
        """Cores a worker kept busy, median over the shards (0 when none was measured)."""
        values = sorted(busy for _, busy in self.busy_cores)
        return values[len(values) // 2] if values else 0.0


def clean_leftovers(shards: list[ShardSpec]) -> int:
    """Remove half-written attempts of the planned shards that a killed run left behind."""
    return sum(lifecycle.clean_leftovers(folder) for folder in sorted({s.folder for s in shards}))


def disk_usage(shards: list[ShardSpec]) -> int:
    total = 0
    for folder in sorted({s.folder for s in shards}):
        total += sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return total


def run_batch(
    shards: list[ShardSpec], executor: Executor, report: Report, retries: int = 2
) -> Summary:
    clean_leftovers(shards)
    start = time.perf_counter()
    outcome: Outcome = executor.run(shards, retries, report)
    join_variants([s for s in shards if s.id in outcome.results])
    seconds = time.perf_counter() - start
    results = outcome.results.values()
    return Summary(
        shards=len(shards),
        rendered=sum(not r.skipped for r in results),
        skipped=sum(r.skipped for r in results),
        failed=dict(sorted(outcome.failures.items())),
        retries=outcome.retries,
        frames=sum(r.frames for r in results if not r.skipped),
        seconds=seconds,
        disk_bytes=disk_usage([s for s in shards if s.id in outcome.results]),
        max_rss_mb=max((r.max_rss_mb for r in results), default=0.0),
        busy_cores=tuple(
            (r.id.split("/")[0], r.busy_cores)
            for r in results
            if not r.skipped and r.busy_cores is not None
        ),
    )
