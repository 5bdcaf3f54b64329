"""Atomic file writes: a reader, or a resumed batch, sees a whole file or none, never half."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

# a file's bytes: whole, or in pieces written one after the other (a header and an array's own
# memory, never copied into one buffer)
Payload = bytes | Sequence[bytes | memoryview]


def pieces(data: Payload) -> Sequence[bytes | memoryview]:
    """The pieces of ``data`` in order (one, when it is whole)."""
    return (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data


def write_bytes_atomic(path: str | Path, data: Payload, durable: bool = True) -> None:
    """Write to a temporary file in the same folder, then rename it over ``path``.

    ``durable`` also flushes the file to disk first (fsync). A batch writer can skip that per
    file and sync once before its commit point, which is several times faster.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600 files; datasets are meant to be shared
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces(data):
                handle.write(piece)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))
