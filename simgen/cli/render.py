"""`simgen render`: scenario or suite files to a labelled native dataset (``simgen.render``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simgen.cli.common import NoLimits, reported
from simgen.cli.xosc import Ego, Lenient, Rig


def render(
    files: Annotated[
        list[Path], typer.Argument(help="Scenario, suite or OpenSCENARIO (.xosc) files.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Dataset root folder.")],
    variants: Annotated[
        int | None, typer.Option("--variants", min=1, help="Render only the first N variants.")
    ] = None,
    variant: Annotated[
        int | None, typer.Option("--variant", min=0, help="Render only this variant.")
    ] = None,
    frames: Annotated[
        int | None, typer.Option("--frames", min=1, help="Render only the first N frames.")
    ] = None,
    inject: Annotated[
        list[str] | None,
        typer.Option(
            "--inject",
            help="Apply an edge case on top of every scenario: TYPE[:KEY=VALUE,...], "
            "e.g. fog:density=0.03 (repeatable; `simgen injectors` lists them).",
        ),
    ] = None,
    workers: Annotated[
        str,
        typer.Option(
            "--workers",
            "-j",
            help="Worker processes: a count, or auto (as many as the usable cores hold, from "
            "the cores one worker keeps busy; it says what it chose and why).",
        ),
    ] = "auto",
    executor_name: Annotated[
        str, typer.Option("--executor", help="local (a process pool) or ray.")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option("--address", help="Ray: the cluster to join (default: a local one)."),
    ] = None,
    retries: Annotated[
        int, typer.Option("--retries", min=0, help="Tries again a failed shard this many times.")
    ] = 2,
    clean_twins: Annotated[
        bool,
        typer.Option(
            "--clean-twins",
            help="Also render each scenario with injectors without them, as <name>__clean "
            "(simgen eval reports each edge case's drop against its twin).",
        ),
    ] = False,
    chunk_frames: Annotated[
        int | None,
        typer.Option(
            "--chunk-frames",
            min=1,
            help="Cut variants longer than this into shards of this many frames, rendered in "
            "parallel and joined into the same variant folder.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON on standard output.")
    ] = False,
    no_limits: NoLimits = False,
    rig: Rig = "default",
    ego: Ego = None,
    lenient: Lenient = False,
) -> None:
    """Render scenario or suite files to a labeled native dataset, one shard per (scenario,
    variant) on a pool of workers; complete shards are skipped on a rerun. A .xosc file is
    imported in memory (as `simgen import` would) with --rig, --ego and --lenient."""
    import json

    from simgen.api import plan_render, run_render
    from simgen.batch.console import BatchConsole
    from simgen.batch.workers import choose_workers, parse_workers
    from simgen.importers.openscenario import ImportOptions

    try:
        count = parse_workers(workers)
    except ValueError:
        typer.echo(f"--workers {workers!r}: expected auto or a count >= 1", err=True)
        raise typer.Exit(2) from None
    with reported():
        plan = plan_render(
            files,
            out,
            variants=variants,
            variant=variant,
            frames=frames,
            inject=inject or [],
            clean_twins=clean_twins,
            chunk_frames=chunk_frames,
            no_limits=no_limits,
            xosc=ImportOptions(ego=ego, rig=rig, lenient=lenient),
        )
    if count is None:
        choice = choose_workers({s.name for s in plan.shards}, len(plan.shards))
        count = choice.workers
        if not quiet:  # standard error under --json, which owns standard output
            typer.echo(choice.reason(), err=as_json)
    console = BatchConsole(plan.frames, len(plan.shards), quiet or as_json)
    with reported(), console:
        result = run_render(
            plan, workers=count, executor=executor_name, address=address, retries=retries,
            progress=console.report,
        )  # fmt: skip
    console.summary(result.summary)
    if as_json:
        typer.echo(json.dumps(result.summary.to_json(), indent=1))
    elif not quiet:
        for folder, fmt, frames_done in result.exported:
            typer.echo(f"wrote {fmt} export of {frames_done} frames to {folder}")
        if result.first_overview is not None:
            typer.echo(f"open first: {result.first_overview}")
    if not result.ok:
        raise typer.Exit(1)
