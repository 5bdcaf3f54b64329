"""Exports of native datasets to the formats perception code reads, chosen by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from simgen.dataset.reader import Dataset, open_dataset
from simgen.exports.coco import export_coco
from simgen.exports.kitti import export_kitti
from simgen.exports.kitti_tracking import export_kitti_tracking
from simgen.exports.nuscenes import export_nuscenes
from simgen.exports.openlane import export_openlane
from simgen.exports.options import ExportOptions

Exporter = Callable[[Dataset, Path, ExportOptions], int]

EXPORTERS: dict[str, Exporter] = {
    "kitti": export_kitti,
    "kitti_tracking": export_kitti_tracking,
    "coco": export_coco,
    "nuscenes": export_nuscenes,
    "openlane": export_openlane,
}


def export(
    dataset: str | Path, fmt: str, out: str | Path, options: ExportOptions | None = None
) -> int:
    """Export every complete variant below ``dataset``; returns frames (or images) written."""
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown format '{fmt}'; expected one of {', '.join(EXPORTERS)}"
        ) from None
    return exporter(open_dataset(dataset), Path(out), options or ExportOptions())
