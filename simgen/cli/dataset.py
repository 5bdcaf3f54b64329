"""Verbs on rendered datasets: verify, export, preview, report, view and stats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simgen.cli.common import reported


def verify(
    dataset: Annotated[Path, typer.Argument(help="A native dataset folder.")],
) -> None:
    """Check every file of every variant against its manifest's hashes; exit 1 on any problem."""
    from simgen.dataset.verify import verify as verify_dataset

    with reported():
        report = verify_dataset(dataset)
    for kind, paths in (("missing", report.missing), ("corrupt", report.corrupt),
                        ("extra", report.extra)):  # fmt: skip
        for path in paths:
            typer.echo(f"{kind}: {path}")
    typer.echo(
        f"{report.variants} variants, {report.files} files: "
        + ("all match their hashes" if report.ok else "problems found")
    )
    if not report.ok:
        raise typer.Exit(1)


def export_command(
    dataset: Annotated[Path, typer.Argument(help="A native dataset folder (from simgen render).")],
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="kitti, kitti_tracking, coco, nuscenes or openlane."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the export to.")],
    kitti_dontcare: Annotated[
        bool,
        typer.Option(
            "--kitti-dontcare",
            help="KITTI: write objects below the two thresholds as DontCare regions "
            "(default: every object seen is labelled with its type and 3D box).",
        ),
    ] = False,
    dontcare_min_height: Annotated[
        float, typer.Option(min=0, help="With --kitti-dontcare: visible box height (px).")
    ] = 25.0,
    dontcare_min_visibility: Annotated[
        float, typer.Option(min=0, max=1, help="With --kitti-dontcare: visible fraction.")
    ] = 0.1,
) -> None:
    """Export a rendered dataset to KITTI (object or tracking), COCO, nuScenes or OpenLane."""
    from simgen.exports.options import ExportOptions
    from simgen.exports.registry import EXPORTERS, export
    from simgen.labels.policy import DontCare

    if fmt not in EXPORTERS:
        typer.echo(f"unknown format '{fmt}'; expected one of {', '.join(EXPORTERS)}", err=True)
        raise typer.Exit(1)
    dont_care = DontCare(dontcare_min_height, dontcare_min_visibility) if kitti_dontcare else None
    with reported():
        count = export(dataset, fmt, out, ExportOptions(kitti_dontcare=dont_care))
    typer.echo(f"wrote {fmt} export of {count} frames to {out}")


def preview(
    source: Annotated[
        Path,
        typer.Argument(
            help="A scenario file (a contact sheet), an OpenDRIVE map (.xodr: the map and "
            "frames along its roads) or a rendered dataset."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="PNG to write.")],
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario name.")] = None,
    variant: Annotated[int, typer.Option("--variant", min=0)] = 0,
    frame: Annotated[int, typer.Option("--frame", min=0, help="Dataset: the frame.")] = 0,
    camera: Annotated[str | None, typer.Option("--camera", help="Default: the first.")] = None,
    inject: Annotated[
        list[str] | None, typer.Option("--inject", help="Scenario: add an edge case.")
    ] = None,
) -> None:
    """A scenario file: a fast contact sheet (map with tracks and events, and a few frames of
    every sensor with boxes). An OpenDRIVE map: the map from above and camera frames along its
    roads. A dataset: 2D and 3D boxes with class and visibility on one frame."""
    from simgen.inspect.map_preview import preview_map
    from simgen.inspect.preview import write_preview
    from simgen.inspect.scenario_preview import preview_scenario

    with reported():
        if source.suffix.lower() == ".xodr":
            path = preview_map(source, out)
        elif source.is_file():
            path = preview_scenario(source, out, variant, inject or [])
        else:
            path = write_preview(source, out, scenario, variant, frame, camera)
    typer.echo(f"wrote {path}")


def report(
    dataset: Annotated[Path, typer.Argument(help="A native dataset folder.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")],
    reference: Annotated[
        Path | None, typer.Option("--reference", help="A KITTI label_2 folder to compare with.")
    ] = None,
) -> None:
    """One self-contained HTML report of a dataset: summary, classes, histograms, conditions,
    a gallery with labels, and a section per scenario."""
    from simgen.inspect.report import write_report

    with reported():
        path = write_report(dataset, out, reference)
    typer.echo(f"wrote {path}")


def view(
    dataset: Annotated[Path, typer.Argument(help="A native dataset folder.")],
    out: Annotated[Path, typer.Option("--out", "-o", help=".rrd file to write.")],
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario name.")] = None,
    variant: Annotated[int, typer.Option("--variant", min=0)] = 0,
) -> None:
    """Export one variant for the rerun viewer: images, boxes, lidar, ego track, timeline."""
    from simgen.inspect.view import export_rrd

    with reported():
        path = export_rrd(dataset, out, scenario, variant)
    typer.echo(f"wrote {path}; open it with: rerun {path}")


def stats(
    dataset: Annotated[
        Path, typer.Argument(help="A native dataset, or a KITTI-format folder (label_2).")
    ],
    reference: Annotated[
        Path | None,
        typer.Option("--reference", help="A KITTI label_2 folder (or native dataset) to compare."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on standard output.")] = False,
) -> None:
    """Label statistics per class; with --reference, Wasserstein and KS distances to it."""
    import json

    from rich.console import Console

    from simgen.inspect import stats as label_stats

    with reported():
        ours = label_stats.load_records(dataset)
        theirs = label_stats.load_records(reference) if reference is not None else None
    if theirs is None:
        data = {"classes": label_stats.describe(ours), "balance": label_stats.class_balance(ours)}
    else:
        data = label_stats.compare(ours, theirs)
    if as_json:
        typer.echo(json.dumps(data, indent=1, sort_keys=True))
    else:
        Console().print(label_stats.table(data, f"{dataset}", reference))
