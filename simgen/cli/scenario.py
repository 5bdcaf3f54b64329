"""Verbs on scenario files: validate, schema, sample, and the injectors they may use."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simgen.api import check_file, sample_file
from simgen.cli.common import NoLimits, limits, reported
from simgen.scenario.schema import scenario_json_schema_text


def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
    all_variants: Annotated[
        bool, typer.Option("--all-variants", help="Sample every variant, not only variant 0.")
    ] = False,
    no_limits: NoLimits = False,
) -> None:
    """Check scenario files; exit 1 with one line per problem if any is invalid."""
    failed = 0
    for file in files:
        result = check_file(file, limits(no_limits), all_variants=all_variants)
        if result.ok and result.loaded is not None:
            sc = result.loaded.scenario
            typer.echo(
                f"ok: {file} ({sc.variants} variants, {sc.frames} frames, "
                f"{len(sc.actors)} actors, {len(sc.ego.sensors)} sensors)"
            )
            for note in result.loaded.notes:
                typer.echo(f"  note: {note}")
        for issue in result.issues:
            typer.echo(str(issue))
        failed += not result.ok
    if failed:
        typer.echo(f"{failed} of {len(files)} files invalid")
        raise typer.Exit(1)


def schema(
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead.")] = None,
) -> None:
    """Print the JSON Schema of the scenario format (for editor autocompletion)."""
    text = scenario_json_schema_text()
    if out is None:
        typer.echo(text, nl=False)
        return
    from simgen.core.atomic import write_text_atomic

    with reported():
        write_text_atomic(out, text)
    typer.echo(f"wrote {out}", err=True)


def sample_command(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
    variant: Annotated[
        int, typer.Option("--variant", "-v", min=0, help="Variant index (0-based).")
    ] = 0,
    no_limits: NoLimits = False,
) -> None:
    """Print one concrete variant of a scenario as YAML (itself a valid scenario file)."""
    from simgen.scenario.dump import instance_yaml

    with reported():
        loaded, instance = sample_file(file, variant, limits(no_limits))
    typer.echo(instance_yaml(instance, f"{file} (sha256 {loaded.sha256[:12]})"), nl=False)


def injectors() -> None:
    """List every edge-case injector with its parameters and defaults."""
    from simgen.injectors.docs import injector_docs

    for doc in injector_docs():
        typer.echo(f"{doc.type}  [{doc.group}]")
        typer.echo(f"    {doc.summary}")
        for p in doc.parameters:
            described = f"  {p.description}" if p.description else ""
            typer.echo(f"    {p.name} = {p.default}{described}")
