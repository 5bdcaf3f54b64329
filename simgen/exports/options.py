"""Choices an export takes beyond the dataset and the output folder."""

from __future__ import annotations

from dataclasses import dataclass

from simgen.labels.policy import DontCare


@dataclass(frozen=True)
class ExportOptions:
    kitti_dontcare: DontCare | None = None  # KITTI and KITTI tracking: write DontCare regions
