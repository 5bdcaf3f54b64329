"""Small pure geometry helpers shared by the world, sensors and labels."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


def transform_points(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(N, 3) points through a 4x4 rigid transform."""
    out: np.ndarray = points @ matrix[:3, :3].T + matrix[:3, 3]
    return out


def wrap_angle(angle: float) -> float:
    """The same angle in [-pi, pi)."""
    return (angle + math.pi) % (2 * math.pi) - math.pi


def rotation_rpy(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """Rotation matrix R = Rz(yaw) Ry(pitch) Rx(roll) (radians), x forward, y left, z up."""
    cr, sr = math.cos(roll), math.sin(roll)
    cp, sp = math.cos(pitch), math.sin(pitch)
    cy, sy = math.cos(yaw), math.sin(yaw)
    return np.array(
        [
            [cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
            [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
            [-sp, cp * sr, cp * cr],
        ]
    )


def footprint(x: float, y: float, yaw: float, length: float, width: float) -> np.ndarray:
    """The 4 ground-plane corners (counter-clockwise) of an oriented box."""
    c, s = math.cos(yaw), math.sin(yaw)
    half = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]]) * (length / 2, width / 2)
    rot = np.array([[c, -s], [s, c]])
    return half @ rot.T + (x, y)


def _separated(a: np.ndarray, b: np.ndarray) -> bool:
    for poly in (a, b):
        for i in range(len(poly)):
            edge = poly[(i + 1) % len(poly)] - poly[i]
            normal = np.array([-edge[1], edge[0]])
            pa, pb = a @ normal, b @ normal
            if pa.max() < pb.min() or pb.max() < pa.min():
                return True
    return False


def _point_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    t = np.clip(np.dot(p - a, ab) / max(np.dot(ab, ab), 1e-12), 0.0, 1.0)
    return float(np.linalg.norm(p - (a + t * ab)))


def polygon_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Distance between two convex polygons (0 when they overlap): bumper-to-bumper gaps."""
    if not _separated(a, b):
        return 0.0
    best = math.inf
    for p, q in ((a, b), (b, a)):
        for point in p:
            for i in range(len(q)):
                best = min(best, _point_segment(point, q[i], q[(i + 1) % len(q)]))
    return best


@dataclass
class Footprints:
    """Convex polygons laid down one after another, and whether a new one would come within a
    gap of any of them: measured exactly (``polygon_distance``) only against those whose
    bounding boxes come that close, since two shapes lie at least as far apart as their boxes.
    The answer is the pairwise one; a long row of buildings and trees is not measured pair by
    pair."""

    polygons: list[np.ndarray] = field(default_factory=list)
    _lows: list[np.ndarray] = field(default_factory=list)
    _highs: list[np.ndarray] = field(default_factory=list)

    def add(self, polygon: np.ndarray) -> None:
        self.polygons.append(polygon)
        self._lows.append(polygon.min(axis=0))
        self._highs.append(polygon.max(axis=0))

    def any_within(self, polygon: np.ndarray, gap: float) -> bool:
        """Whether ``polygon`` comes closer than ``gap`` to one already laid down."""
        if not self.polygons:
            return False
        apart = np.maximum(
            np.maximum(np.array(self._lows) - polygon.max(axis=0), 0.0),
            np.maximum(polygon.min(axis=0) - np.array(self._highs), 0.0),
        )
        # pruned only where the boxes clear the gap by more than any rounding could take back
        near = np.nonzero(np.hypot(apart[:, 0], apart[:, 1]) < gap + 1e-9)[0]
        return any(polygon_distance(polygon, self.polygons[i]) < gap for i in near)


def quat_to_matrix(q: tuple[float, float, float, float] | list[float]) -> np.ndarray:
    """Rotation matrix of a unit quaternion (x, y, z, w)."""
    x, y, z, w = q
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


def quat_from_matrix(r: np.ndarray) -> tuple[float, float, float, float]:
    """Unit quaternion (x, y, z, w) of a rotation matrix."""
    w = math.sqrt(max(0.0, 1 + r[0, 0] + r[1, 1] + r[2, 2])) / 2
    x = math.copysign(math.sqrt(max(0.0, 1 + r[0, 0] - r[1, 1] - r[2, 2])) / 2, r[2, 1] - r[1, 2])
    y = math.copysign(math.sqrt(max(0.0, 1 - r[0, 0] + r[1, 1] - r[2, 2])) / 2, r[0, 2] - r[2, 0])
    z = math.copysign(math.sqrt(max(0.0, 1 - r[0, 0] - r[1, 1] + r[2, 2])) / 2, r[1, 0] - r[0, 1])
    return x, y, z, w


def box_corners(size: tuple[float, float, float]) -> np.ndarray:
    """The 8 corners of a box with its origin at the bottom centre, in its own frame."""
    length, width, height = size
    x = np.array([1, 1, -1, -1, 1, 1, -1, -1]) * length / 2
    y = np.array([1, -1, -1, 1, 1, -1, -1, 1]) * width / 2
    z = np.array([0, 0, 0, 0, 1, 1, 1, 1]) * height
    return np.stack([x, y, z], axis=1)
