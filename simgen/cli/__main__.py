"""`python -m simgen.cli`."""

from simgen.cli.app import app

app()
