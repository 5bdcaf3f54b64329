"""``mapping.json``: which native frame or variant each entry of a KITTI-layout export came from.

The KITTI exports write it and the evaluation of KITTI result files reads it, through these
types, so the two sides cannot drift apart.

    KITTI object:   [{"index": 0, "scenario": "cut_in", "variant": 0, "frame": 0}, ...]
    KITTI tracking: [{"sequence": 0, "scenario": "cut_in", "variant": 0}, ...]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from simgen.core.atomic import write_bytes_atomic
from simgen.dataset.layout import error_message, json_bytes
from simgen.dataset.reader import DatasetError

MAPPING = "mapping.json"


@dataclass(frozen=True)
class MappedFrame:
    """One exported frame (KITTI object: ``<index:06d>`` files) and the native frame it is."""

    index: int
    scenario: str
    variant: int
    frame: int


@dataclass(frozen=True)
class MappedSequence:
    """One exported sequence (KITTI tracking: ``<sequence:04d>``) and the variant it is."""

    sequence: int
    scenario: str
    variant: int


Entry = TypeVar("Entry", MappedFrame, MappedSequence)


_ADAPTERS: dict[type, TypeAdapter[Any]] = {
    MappedFrame: TypeAdapter(list[MappedFrame]),
    MappedSequence: TypeAdapter(list[MappedSequence]),
}


def write_mapping(folder: Path, entries: list[MappedFrame] | list[MappedSequence]) -> None:
    """``folder/mapping.json``: stable JSON (sorted keys), written atomically."""
    write_bytes_atomic(folder / MAPPING, json_bytes([asdict(e) for e in entries]))


def read_mapping(path: Path, kind: type[Entry]) -> list[Entry]:
    """The entries of a mapping.json; a missing file or a wrong key is a ``DatasetError``."""
    try:
        entries: list[Entry] = _ADAPTERS[kind].validate_json(path.read_bytes())
        return entries
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from None
    except ValidationError as exc:  # the key path names the entry: 3.frame
        raise DatasetError(f"{path}: {error_message(exc)}") from None
