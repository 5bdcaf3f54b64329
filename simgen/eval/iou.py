"""Overlap of oriented 3D boxes (a centre, a size and a yaw about z): the bird's-eye view overlap
of the rotated footprints (shapely), times the vertical overlap for 3D."""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Polygon

from simgen.core.geometry import footprint


@dataclass(frozen=True)
class Box:
    """A box in a frame with z up: geometric centre, size (length, width, height), yaw."""

    center: tuple[float, float, float]
    size: tuple[float, float, float]
    yaw: float

    def polygon(self) -> Polygon:
        x, y, _ = self.center
        return Polygon(footprint(x, y, self.yaw, self.size[0], self.size[1]))


def bev_iou(a: Box, b: Box) -> float:
    pa, pb = a.polygon(), b.polygon()
    inter = pa.intersection(pb).area
    union = pa.area + pb.area - inter
    return inter / union if union > 0 else 0.0


def iou_3d(a: Box, b: Box) -> float:
    inter_area = a.polygon().intersection(b.polygon()).area
    low = max(a.center[2] - a.size[2] / 2, b.center[2] - b.size[2] / 2)
    high = min(a.center[2] + a.size[2] / 2, b.center[2] + b.size[2] / 2)
    inter = inter_area * max(0.0, high - low)
    union = a.size[0] * a.size[1] * a.size[2] + b.size[0] * b.size[1] * b.size[2] - inter
    return inter / union if union > 0 else 0.0
