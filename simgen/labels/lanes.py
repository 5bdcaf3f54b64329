"""Lane labels: the lanes near the ego in one frame, as 3D polylines in the ego frame.

A pure function of the road's lanes in the world (``LanePolyline``, from any road source) and the
ego's pose, so lane labels never depend on how a road was made or rendered. Each label is one
lane over the stretch inside a box around the ego (``LaneRegion``): its centre line and both
boundaries, with the mark painted on each.

Conventions: points are metres in the ego frame (x forward, y left, z up, origin at the bottom
centre of the ego's box). Every polyline runs the way the lane's traffic goes, and ``left`` and
``right`` are the boundaries on a driver's left and right in that lane. ``direction`` is +1 when
that way is within 60 degrees of the ego's heading where the lane passes closest to the ego, -1
when it is within 60 degrees of the opposite, 0 for a lane crossing the ego's path. A lane that
leaves the box and comes back gives two labels with the same ``road`` and ``lane``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from pydantic import TypeAdapter

from simgen.core.geometry import transform_points
from simgen.core.jsonio import as_dict, validate_json
from simgen.world.events import Vec3
from simgen.world.lanes import LaneMark, LanePolyline

DECIMALS = 4  # lane points are written to 0.1 mm: exact round trips, a third of the bytes
CROSSING_COS = 0.5  # |cos| of the angle to the ego's heading under which a lane crosses (60 deg)


@dataclass(frozen=True)
class LaneRegion:
    """The box around the ego, in its frame, that lane labels are clipped to (metres)."""

    ahead: float = 80.0
    behind: float = 30.0
    side: float = 40.0  # to either side

    def contains(self, points: np.ndarray) -> np.ndarray:
        x, y = points[:, 0], points[:, 1]
        inside: np.ndarray = (x >= -self.behind) & (x <= self.ahead) & (np.abs(y) <= self.side)
        return inside


@dataclass(frozen=True)
class LaneBoundary:
    """One side of a lane: its points (ego frame) and what marks it."""

    points: tuple[Vec3, ...]
    mark: str  # simgen.world.lanes.MarkType: none, solid, broken, solid_solid, ..., curb
    color: str  # simgen.world.lanes.MarkColor; "standard" is white
    width: float  # of the painted line (m); 0 for none and curbs
    # each line of paint across the boundary (m, + the driver's left); two for a double line
    offsets: tuple[float, ...] = (0.0,)

    @property
    def painted(self) -> bool:
        return self.mark not in ("none", "curb")

    def array(self) -> np.ndarray:
        return np.asarray(self.points, dtype=float).reshape(-1, 3)

    def painted_lines(self) -> list[np.ndarray]:
        """The points of every line of paint: the boundary moved sideways by each offset."""
        points = self.array()
        if self.offsets == (0.0,) or len(points) < 2:
            return [points]
        tangent = np.gradient(points[:, :2], axis=0)
        tangent /= np.maximum(np.linalg.norm(tangent, axis=1, keepdims=True), 1e-12)
        left = np.c_[-tangent[:, 1], tangent[:, 0], np.zeros(len(points))]
        return [points + offset * left for offset in self.offsets]


@dataclass(frozen=True)
class LaneLabel:
    road: str  # the road source's road id ("" on straight and curved roads, the arm's name)
    lane: int  # its lane id (simgen's lane index on procedural roads; 1000+ outside the kerbs)
    lane_type: str  # driving, border, sidewalk, shoulder, biking, parking, ...
    direction: int  # +1 traffic goes the ego's way, -1 against it, 0 across its path
    centre: tuple[Vec3, ...]
    left: LaneBoundary
    right: LaneBoundary

    def centre_array(self) -> np.ndarray:
        return np.asarray(self.centre, dtype=float).reshape(-1, 3)


@dataclass(frozen=True)
class FrameLanes:
    """The lane labels of one frame (``lanes/<frame>.json`` in the native dataset)."""

    frame: int
    time: float
    region: LaneRegion
    lanes: tuple[LaneLabel, ...]

    def to_json(self) -> dict[str, Any]:
        return as_dict(self)

    def to_bytes(self) -> bytes:
        """Compact JSON (thousands of points per frame): sorted keys, no spaces."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return (text + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any] | str | bytes) -> FrameLanes:
        """Validate JSON (text or parsed) into typed lanes; raises pydantic's ValidationError."""
        return validate_json(_adapter(), data)

    def boundaries(self) -> Iterator[tuple[LaneLabel, str, LaneBoundary]]:
        """Every (lane, "left" or "right", boundary); a line between two lanes comes twice."""
        for lane in self.lanes:
            yield lane, "left", lane.left
            yield lane, "right", lane.right


@cache
def _adapter() -> TypeAdapter[FrameLanes]:
    return TypeAdapter(FrameLanes)


def derive_lanes(
    lanes: Sequence[LanePolyline],
    world_from_ego: np.ndarray,
    frame: int,
    time: float,
    region: LaneRegion,
) -> FrameLanes:
    """The lanes inside ``region`` around the ego posed at ``world_from_ego`` (4x4)."""
    ego_from_world = np.linalg.inv(world_from_ego)
    out: list[LaneLabel] = []
    for lane in lanes:
        polylines = (lane.centre, lane.left, lane.right)
        centre, left, right = (transform_points(ego_from_world, p) for p in polylines)
        left_mark, right_mark = lane.left_mark, lane.right_mark
        if lane.direction < 0:  # run the way traffic goes: the driver's left is the road's right
            centre, left, right = centre[::-1], right[::-1], left[::-1]
            left_mark, right_mark = right_mark.flipped(), left_mark.flipped()
        for start, stop in _runs(region.contains(centre)):
            piece = [_clip(p, start, stop, centre, region) for p in (centre, left, right)]
            out.append(
                LaneLabel(
                    road=lane.road,
                    lane=lane.lane,
                    lane_type=lane.lane_type,
                    direction=_relative_direction(piece[0]),
                    centre=_points(piece[0]),
                    left=_boundary(piece[1], left_mark),
                    right=_boundary(piece[2], right_mark),
                )
            )
    return FrameLanes(frame, time, region, tuple(out))


def _runs(inside: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of every run of consecutive True."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inside.astype(np.int8), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _clip(
    points: np.ndarray, start: int, stop: int, guide: np.ndarray, region: LaneRegion
) -> np.ndarray:
    """points[start:stop], continued to where ``guide`` (the centre line) leaves the region:
    every polyline of a lane is cut at the same fraction of the same segments."""
    parts = [points[start:stop]]
    if start > 0:
        t = _exit_fraction(guide[start], guide[start - 1], region)
        if t > 0:  # not already on the box's edge
            parts.insert(0, (points[start] + t * (points[start - 1] - points[start]))[None])
    if stop < len(points):
        t = _exit_fraction(guide[stop - 1], guide[stop], region)
        if t > 0:
            parts.append((points[stop - 1] + t * (points[stop] - points[stop - 1]))[None])
    return np.concatenate(parts)


def _exit_fraction(inside: np.ndarray, outside: np.ndarray, region: LaneRegion) -> float:
    """How far (0..1) along inside -> outside the segment leaves the region's box."""
    t = 1.0
    for axis, low, high in ((0, -region.behind, region.ahead), (1, -region.side, region.side)):
        a, b = float(inside[axis]), float(outside[axis])
        if b > high:
            t = min(t, (high - a) / (b - a))
        elif b < low:
            t = min(t, (low - a) / (b - a))
    return max(0.0, t)


def _relative_direction(centre: np.ndarray) -> int:
    """+1, -1 or 0 from the lane's heading where it passes closest to the ego."""
    if len(centre) < 2:
        return 0
    nearest = int(np.argmin(np.hypot(centre[:, 0], centre[:, 1])))
    a, b = centre[max(0, nearest - 1)], centre[min(len(centre) - 1, nearest + 1)]
    dx, dy = float(b[0] - a[0]), float(b[1] - a[1])
    norm = math.hypot(dx, dy)
    if norm == 0:
        return 0
    cos = dx / norm
    return 1 if cos > CROSSING_COS else -1 if cos < -CROSSING_COS else 0


def _points(points: np.ndarray) -> tuple[Vec3, ...]:
    rounded = np.round(points, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    return tuple((float(x), float(y), float(z)) for x, y, z in rounded)


def _boundary(points: np.ndarray, mark: LaneMark) -> LaneBoundary:
    offsets = tuple(round(float(o), DECIMALS) + 0.0 for o in mark.offsets)
    return LaneBoundary(_points(points), mark.type, mark.color, float(mark.width), offsets)
