"""`simgen import`: an OpenSCENARIO 1.x file to a simgen scenario file (or a suite)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simgen.cli.common import reported

Ego = Annotated[
    str | None,
    typer.Option("--ego", help="The entity that carries the sensors (default: Ego or hero)."),
]
Rig = Annotated[
    str,
    typer.Option("--rig", help="The ego's sensor rig: default, camera, nuscenes_like or tiny."),
]
Lenient = Annotated[
    bool,
    typer.Option("--lenient", help="Skip unsupported elements with a warning instead of failing."),
]


def import_command(
    file: Annotated[Path, typer.Argument(help="The .xosc file (a scenario or a distribution).")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="The YAML to write (default: <name>.yaml here); a distribution writes a suite "
            "there and its scenarios in a folder of the suite's name.",
        ),
    ] = None,
    ego: Ego = None,
    rig: Rig = "default",
    lenient: Lenient = False,
    duration: Annotated[
        float | None,
        typer.Option("--duration", min=0.001, help="Simulated seconds (default 20)."),
    ] = None,
) -> None:
    """Convert an OpenSCENARIO 1.x file into simgen's scenario format; prints what was mapped
    (notes) and skipped (warnings). Nothing is written when the file has an error."""
    from simgen.core.atomic import write_text_atomic
    from simgen.importers.openscenario import import_xosc
    from simgen.importers.openscenario.files import import_texts

    with reported("import"):
        result = import_xosc(file, ego=ego, lenient=lenient, rig=rig, duration=duration)
        target = out if out is not None else Path(f"{result.scenario.name}.yaml")
        if result.distribution and out is None:
            target = Path(f"{file.stem}_suite.yaml")
        texts = import_texts(result, target)  # every file made before the first is written
        for note in result.notes:
            typer.echo(f"note: {note}", err=True)
        for warning in result.warnings:
            typer.echo(f"warning: {warning}", err=True)
        for path, text in texts.items():
            write_text_atomic(path, text)
    typer.echo(f"wrote {target}" + (f" and {len(texts) - 1} scenarios" if len(texts) > 1 else ""))
