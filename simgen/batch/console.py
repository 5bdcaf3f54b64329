"""How a batch looks in a terminal: one progress bar while it runs, one table when it ends."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from simgen.batch.executors import Event
from simgen.batch.run import Summary


class BatchConsole:
    def __init__(self, total_frames: int, shards: int, quiet: bool = False) -> None:
        self.console = Console(stderr=True, quiet=quiet)
        self.shards = shards
        self.done = self.failed = self.retried = 0
        self.start = time.perf_counter()
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} frames/s"),
            TextColumn("shards {task.fields[shards]}"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self.task = self.progress.add_task(
            "rendering", total=total_frames, rate="-", shards=self._shards()
        )

    def _shards(self) -> str:
        text = f"{self.done}/{self.shards}"
        if self.failed:
            text += f", {self.failed} failed"
        if self.retried:
            text += f", {self.retried} retried"
        return text

    def __enter__(self) -> BatchConsole:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def report(self, event: Event) -> None:
        if event.kind == "frames":
            self.progress.advance(self.task, event.frames)
        elif event.kind == "done":
            self.done += 1
        elif event.kind == "failed":
            self.failed += 1
            self.console.print(f"[red]failed[/red] {event.shard}: {event.error}")
        elif event.kind == "retry":
            self.retried += 1
            self.console.print(f"[yellow]retrying[/yellow] {event.shard}: {event.error}")
        elapsed = time.perf_counter() - self.start
        finished = self.progress.tasks[0].completed
        rate = f"{finished / elapsed:.1f}" if elapsed > 0 and finished else "-"
        self.progress.update(self.task, rate=rate, shards=self._shards())

    def summary(self, summary: Summary) -> None:
        table = Table(title="batch summary", show_header=False)
        rows = [
            (
                "shards",
                f"{summary.shards} ({summary.rendered} rendered, {summary.skipped} done before)",
            ),
            ("failed", str(len(summary.failed))),
            ("retries", str(summary.retries)),
            ("frames rendered", str(summary.frames)),
            ("time", f"{summary.seconds:.1f} s"),
            ("throughput", f"{summary.frames_per_second:.2f} frames/s"),
            ("disk", f"{summary.disk_bytes / 1e6:.1f} MB"),
            ("peak RSS per worker", f"{summary.max_rss_mb:.0f} MB"),
        ]
        for key, value in rows:
            table.add_row(key, value)
        self.console.print(table)
        for shard, error in summary.failed.items():
            self.console.print(f"[red]{shard}[/red]: {error}")
