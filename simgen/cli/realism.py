"""`simgen realism`: how far a dataset's frames are from real photos (``simgen.eval.realism``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simgen.cli.common import reported


def realism(
    dataset: Annotated[Path, typer.Argument(help="A rendered native dataset.")],
    model: Annotated[
        str | None,
        typer.Option("--model", help="A 2D detector: onnx (with --model-arg path=FILE.onnx)."),
    ] = None,
    model_arg: Annotated[
        list[str] | None, typer.Option("--model-arg", help="KEY=VALUE for the model (repeat).")
    ] = None,
    reference: Annotated[
        Path | None, typer.Option("--reference", help="A folder of real photos to compare with.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the report: .json, .md or .html.")
    ] = None,
    overlays: Annotated[
        Path | None,
        typer.Option(
            "--overlays",
            help="Draw each frame's objects (found green, missed red, not counted grey) and "
            "detections (yellow) as JPEGs in this folder.",
        ),
    ] = None,
) -> None:
    """Detector recall per class, distance and light, and image statistics beside real photos."""
    from rich.console import Console
    from rich.table import Table

    from simgen.eval.models import model_args
    from simgen.eval.realism import realism_report, statistics_rows, write_realism
    from simgen.inspect.image_stats import STAT_NAMES

    with reported("realism"):
        report = realism_report(
            dataset, model, model_args(model_arg or []), reference, overlays=overlays
        )
        if out is not None:
            write_realism(report, out)
    console = Console()
    stats = Table(title=f"image statistics (means) of {dataset}")
    for column in ("set", *STAT_NAMES):
        stats.add_column(column)
    for name, values in statistics_rows(report).items():
        stats.add_row(name, *(f"{values[n]:.3f}" for n in STAT_NAMES))
    console.print(stats)
    if report.detector is not None:
        d = report.detector
        recall = Table(
            title=f"{d.model} recall ({d.false_positives_per_image:.3f} false positives per image)"
        )
        for column in ("class", "where", "found", "objects", "recall"):
            recall.add_column(column)
        for r in d.rows:
            recall.add_row(r.group, r.where, str(r.found), str(r.total), f"{r.recall:.3f}")
        console.print(recall)
        if d.false_positive_types:
            kinds = ", ".join(f"{n} {k}" for k, n in sorted(d.false_positive_types.items()))
            console.print(f"false positives, by what they were taken for: {kinds}")
