"""Exports of native datasets to the formats perception code reads, chosen by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from simgen.writers.coco import export_coco
from simgen.writers.kitti import export_kitti
from simgen.writers.nuscenes import export_nuscenes

EXPORTERS: dict[str, Callable[[str | Path, str | Path], int]] = {
    "kitti": export_kitti,
    "coco": export_coco,
    "nuscenes": export_nuscenes,
}


def export(dataset: str | Path, fmt: str, out: str | Path) -> int:
    """Export every complete variant below ``dataset``; returns frames (or images) written."""
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown format '{fmt}'; expected one of {', '.join(EXPORTERS)}"
        ) from None
    return exporter(dataset, out)
