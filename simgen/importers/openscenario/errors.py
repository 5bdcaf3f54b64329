"""The one error an OpenSCENARIO import raises: ``FILE:LINE: message``."""

from __future__ import annotations


class XoscError(ValueError):
    """A malformed or unsupported OpenSCENARIO file; ``str(err)`` is ``FILE:LINE: message``."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line if line is not None else '?'}: {message}")


class ExpressionError(ValueError):
    """A ``${...}`` expression that does not parse or evaluate; the caller adds file and line."""
