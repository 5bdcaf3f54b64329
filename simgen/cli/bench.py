"""`simgen bench`: a labelled frame timed stage by stage, or the batch executors' throughput."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from simgen.bench.stages import BenchOptions


def bench(
    frames: Annotated[int, typer.Option("--frames", min=2, help="Frames of the bench scene.")] = 20,
    naive_frames: Annotated[
        int, typer.Option("--naive-frames", min=1, help="Frames for the PyBullet baseline.")
    ] = 3,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write JSON here.")] = None,
    batch: Annotated[
        bool, typer.Option("--batch", help="Measure batch throughput and worker memory instead.")
    ] = False,
    workers: Annotated[
        str,
        typer.Option(
            "--workers", help="--batch: worker settings to compare, counts or auto, e.g. 1,auto,2."
        ),
    ] = "1,auto,2",
    repeat: Annotated[
        int,
        typer.Option("--repeat", min=1, help="--batch: take the settings in turn this many times."),
    ] = 1,
    variants: Annotated[int, typer.Option("--variants", min=1, help="--batch: shards.")] = 4,
    ray: Annotated[
        bool, typer.Option("--ray", help="--batch: also time the ray executor.")
    ] = False,
    long: Annotated[
        int, typer.Option("--long", min=0, help="--batch: frames of the memory run (0: skip).")
    ] = 300,
    outputs: Annotated[
        str,
        typer.Option(
            "--outputs",
            help="Opt-in camera outputs to add to the bench camera, e.g. flow,scene_flow,normals.",
        ),
    ] = "",
    lidar_scene_flow: Annotated[
        bool, typer.Option("--lidar-scene-flow", help="The bench lidar gives its scene flow.")
    ] = False,
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="Time another scene instead (variant 0), e.g. scenarios/bench_town.yaml.",
        ),
    ] = None,
) -> None:
    """Time a fully labelled frame of scenarios/bench_highway.yaml, stage by stage (with
    --outputs and --lidar-scene-flow, opt-in outputs added to its sensors); with --batch,
    frames/s of the batch executors per worker count and worker memory over a long run."""
    if batch:
        from simgen.batch.workers import parse_workers

        settings = [w.strip() for w in workers.split(",")]
        try:
            for setting in settings:
                parse_workers(setting)
        except ValueError:
            typer.echo(f"--workers {workers!r}: expected counts or auto, like 1,auto,2", err=True)
            raise typer.Exit(1) from None
        _bench_batch(settings, variants, frames, ray, long, json_out, repeat)
        return
    from simgen.bench.stages import BenchOptions

    try:
        added = tuple(o.strip() for o in outputs.split(",") if o.strip())
        options = BenchOptions(added, lidar_scene_flow)
    except ValueError as exc:
        typer.echo(f"--outputs {outputs!r}: {exc}", err=True)
        raise typer.Exit(1) from None
    _bench_stages(frames, naive_frames, json_out, options, scenario)


def _write_json(path: Path, data: object) -> None:
    import json

    from simgen.core.atomic import write_text_atomic

    write_text_atomic(path, json.dumps(data, indent=2) + "\n")


def _bench_stages(
    frames: int,
    naive_frames: int,
    json_out: Path | None,
    options: BenchOptions,
    scenario: Path | None = None,
) -> None:
    from rich.console import Console
    from rich.table import Table

    from simgen.bench.stages import BENCH_SCENARIO, run_bench
    from simgen.cli.common import reported

    with reported():
        result = run_bench(
            frames=frames,
            naive_frames=naive_frames,
            scenario=scenario or BENCH_SCENARIO,
            options=options,
        )
    added = [*result.outputs, *(["lidar scene_flow"] if result.lidar_scene_flow else [])]
    extra = f", with {', '.join(added)}" if added else ""
    table = Table(title=f"simgen bench: {result.frames} frames{extra}, medians per frame")
    table.add_column("stage")
    table.add_column("ms", justify="right")
    for stage, ms in result.stages_ms.items():
        table.add_row(stage, f"{ms:.1f}")
    table.add_row("[b]frame (stages in sequence)[/b]", f"[b]{result.frame_ms:.1f}[/b]")
    table.add_row("frame (wall, encoding overlapped)", f"{result.pipelined_frame_ms:.1f}")
    table.add_row("[b]CPU per frame (all threads)[/b]", f"[b]{result.cpu_ms_per_frame:.1f}[/b]")
    if result.lidar_alone_ms is not None and result.raw_open3d_ms is not None:
        table.add_row("lidar, timed alone", f"{result.lidar_alone_ms:.1f}")
        table.add_row(f"raw Open3D cast, same {result.rays} rays", f"{result.raw_open3d_ms:.1f}")
    for stage, ms in result.naive_ms.items():
        table.add_row(f"naive PyBullet {stage}", f"{ms:.1f}")
    console = Console()
    console.print(table)
    lidar = f"lidar stage {result.lidar_vs_raw:.2f}x raw Open3D; " if result.lidar_vs_raw else ""
    console.print(
        f"{result.frames_per_s:.2f} frames/s; {result.cpu_ms_per_frame:.0f} CPU-ms per labelled "
        f"frame ({result.busy_cores:.2f} cores busy); {lidar}"
        f"{result.speedup_vs_naive:.1f}x faster than the naive PyBullet pipeline; "
        f"peak RSS {result.peak_rss_mb:.0f} MB\nmachine: {result.machine}"
    )
    if json_out is not None:
        _write_json(json_out, result.to_json())


def _bench_batch(
    workers: list[str],
    variants: int,
    frames: int,
    ray: bool,
    long: int,
    json_out: Path | None,
    repeat: int = 1,
) -> None:
    from rich.console import Console
    from rich.table import Table

    from simgen.bench import batch as batch_bench

    runs = batch_bench.throughput(
        workers, variants, frames, ("local", "ray") if ray else ("local",), repeat
    )
    base = runs[0].frames_per_second
    table = Table(title=f"simgen bench --batch: {variants} shards x {frames} frames, bench scene")
    columns = ("executor", "workers", "frames/s", "vs first", "CPU %", "CPU-ms/frame",
               "frames/s per busy core")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    for run in runs:
        cpu = "-" if run.cpu_percent is None else f"{run.cpu_percent:.0f}"
        ms = "-" if run.cpu_ms_per_frame is None else f"{run.cpu_ms_per_frame:.0f}"
        per = "-" if run.frames_per_busy_core is None else f"{run.frames_per_busy_core:.2f}"
        shown = f"{run.requested}: {run.workers}" if run.requested == "auto" else str(run.workers)
        table.add_row(run.executor, shown, f"{run.frames_per_second:.2f}",
                      f"{run.frames_per_second / base:.2f}x", cpu, ms, per)  # fmt: skip
    console = Console()
    console.print(table)
    for reason in dict.fromkeys(r.reason for r in runs if r.reason):
        console.print(f"auto: {reason}")
    memory = batch_bench.memory(long) if long else None
    if memory is not None:
        marks = ", ".join(f"frame {f}: {mb:.0f} MB" for f, mb in sorted(memory.rss_mb.items()))
        console.print(f"worker RSS over {memory.frames} frames: {marks}")
    console.print(f"machine: {batch_bench.machine()}")
    if json_out is not None:
        data = {
            "runs": [r.to_json() for r in runs],
            "memory": None if memory is None else memory.rss_mb,
            "machine": batch_bench.machine(),
        }
        _write_json(json_out, data)
