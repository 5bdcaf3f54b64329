"""The one error an OpenDRIVE file raises: ``FILE:LINE: message``."""

from __future__ import annotations


class OpenDriveError(ValueError):
    """A malformed OpenDRIVE file; ``str(err)`` is ``FILE:LINE: message``."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line if line is not None else '?'}: {message}")
