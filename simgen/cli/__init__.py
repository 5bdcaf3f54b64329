"""The command line: parses arguments and calls the API, nothing more."""

from simgen.cli.app import app

__all__ = ["app"]
