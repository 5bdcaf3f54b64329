"""The ``simgen`` command line, assembled from its verb groups; each verb parses arguments,
calls the API and prints, nothing more."""

from __future__ import annotations

from typing import Annotated

import typer

from simgen import __version__
from simgen.cli import bench, dataset, realism, render, scenario, xosc
from simgen.cli import eval as evaluation

app = typer.Typer(
    name="simgen",
    help="Declarative YAML scenarios to labeled autonomous-driving sensor datasets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"simgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """simgen: declarative YAML scenarios to labeled autonomous-driving sensor datasets."""


# the order of the help text: scenario files, rendering, datasets, evaluation, benchmark
app.command()(scenario.validate)
app.command()(scenario.schema)
app.command("sample")(scenario.sample_command)
app.command("import")(xosc.import_command)
app.command()(render.render)
app.command()(dataset.verify)
app.command()(scenario.injectors)
app.command("export")(dataset.export_command)
app.command()(dataset.preview)
app.command("eval")(evaluation.eval_command)
app.command()(realism.realism)
app.command()(dataset.report)
app.command()(dataset.view)
app.command()(dataset.stats)
app.command()(bench.bench)

if __name__ == "__main__":  # pragma: no cover
    app()
