"""What every verb of the command line shares: the limits flag and the one place where the
errors a user causes become a line on standard error and exit code 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from simgen.scenario.errors import ScenarioError
from simgen.scenario.limits import Limits

NoLimits = Annotated[
    bool,
    typer.Option(
        "--no-limits", help="Lift the size limits (resolution, duration, actors, variants)."
    ),
]


def limits(no_limits: bool) -> Limits:
    return Limits.none() if no_limits else Limits()


def _user_errors() -> tuple[type[Exception], ...]:
    """The project's error types a user causes, imported only once one was raised."""
    from simgen.batch.executors import ExecutorError
    from simgen.dataset.reader import DatasetError
    from simgen.eval.errors import EvalError
    from simgen.importers.openscenario.errors import XoscError
    from simgen.world.opendrive import OpenDriveError

    return DatasetError, EvalError, ExecutorError, OpenDriveError, XoscError


@contextmanager
def reported(verb: str | None = None) -> Iterator[None]:
    """Turn the errors users cause (bad files, bad datasets, a bad model or baseline, an
    executor that cannot run, a place that cannot be written) into lines and exit code 1.
    Only the project's own error types: anything else is a bug and keeps its traceback."""
    try:
        yield
    except ScenarioError as exc:
        for issue in exc.issues:
            typer.echo(str(issue), err=True)
        raise typer.Exit(1) from None
    except OSError as exc:  # a folder that cannot be written, a full disk
        where = f" {exc.filename}" if exc.filename else ""
        typer.echo(f"cannot write{where}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    except Exception as exc:
        if not isinstance(exc, _user_errors()):
            raise
        typer.echo(f"simgen {verb}: {exc}" if verb else str(exc), err=True)
        raise typer.Exit(1) from None
