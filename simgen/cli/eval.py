"""`simgen eval`: score a model or prediction files on a dataset (``simgen.evaluate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simgen.cli.common import reported


def eval_command(
    dataset: Annotated[Path, typer.Argument(help="A rendered native dataset.")],
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="oracle, lidar_clusters, hog_pedestrians, onnx (with --model-arg path=FILE.onnx)"
            " or module:factory.",
        ),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="Result files instead of a model (see --format)."),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="--predictions: kitti (a folder), coco or nuscenes (a JSON)."
        ),
    ] = "kitti",
    index: Annotated[
        Path | None,
        typer.Option(
            "--index",
            help="The export's mapping.json (KITTI), annotations.json (COCO) or folder (nuScenes).",
        ),
    ] = None,
    model_arg: Annotated[
        list[str] | None, typer.Option("--model-arg", help="KEY=VALUE for the model (repeat).")
    ] = None,
    save_baseline: Annotated[
        Path | None, typer.Option("--save-baseline", help="Record these metrics here.")
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Compare with these; exit 1 on regression.")
    ] = None,
    tolerance: Annotated[float, typer.Option("--tolerance", min=0.0)] = 0.02,
    force: Annotated[
        bool, typer.Option("--force", help="Compare with a baseline of another dataset.")
    ] = False,
    junit_out: Annotated[
        Path | None, typer.Option("--junit", help="Write JUnit XML (one case per metric).")
    ] = None,
    ce_reference: Annotated[
        Path | None,
        typer.Option("--ce-reference", help="A reference model's saved metrics: adds mCE."),
    ] = None,
    report_out: Annotated[
        Path | None,
        typer.Option("--report", help="Write a report: .md (tables) or .html (with charts)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Score a model on a dataset: 3D/BEV AP (KITTI R40), recall and 2D AP, per slice."""
    import json

    from rich.console import Console
    from rich.table import Table

    from simgen.eval.api import evaluate
    from simgen.eval.models import model_args

    with reported("eval"):
        result = evaluate(
            dataset,
            model,
            model_args=model_args(model_arg or []),
            predictions=predictions,
            prediction_format=fmt,
            index=index,
            baseline=baseline,
            tolerance=tolerance,
            force=force,
            ce_reference=ce_reference,
        )
        if save_baseline is not None:
            result.save_baseline(save_baseline)
        if junit_out is not None:
            result.write_junit(junit_out)
        if report_out is not None:
            result.write_report(report_out)
    if as_json:
        typer.echo(json.dumps(result.metrics, indent=1, sort_keys=True))
    else:
        table = Table(title=f"{result.title} on {dataset}")
        for column in ("slice", "metric", "value"):
            table.add_column(column)
        for key, value in result.rows():
            table.add_row(key.slice, key.metric, f"{value:.3f}")
        Console().print(table)
    for r in result.regressions:
        typer.echo(f"regressed: {r}", err=True)
    if not result.passed:
        raise typer.Exit(1)
