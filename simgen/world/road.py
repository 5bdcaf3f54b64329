"""Road geometry: the lane API (lane/s/offset <-> world) and the static road surface meshes.

Roads are described in road coordinates: ``s`` along the reference line (the centre line between
the two directions) and a signed lateral ``offset`` (+ left). ``simgen.scenario.layout`` holds the
lateral layout and the reference-line maths; this module builds on them for the world.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import trimesh

from simgen.core.geometry import wrap_angle
from simgen.scenario.layout import ARM_HEADINGS, lane_center_offset, road_point
from simgen.scenario.models import Road
from simgen.world.lanes import LaneMark, LanePolyline
from simgen.world.materials import (
    ASPHALT,
    KERB,
    MARKING,
    SIDEWALK,
    TERRAIN,
    SurfaceMaterial,
    merge,
    ribbon,
)

GROUND_EXTENT = 600.0  # metres of terrain around the road, out to where the sky begins
GROUND_DEPTH = 0.02  # just below the asphalt, so the road always wins the depth test
MARKING_WIDTH = 0.15
MARKING_HEIGHT = 0.005  # above the asphalt, so markings render on top without z-fighting
DASH_ON, DASH_OFF = 3.0, 6.0
CURVE_STEP = 1.0  # metres between cross-sections of a curved strip
EDGE_INSET = MARKING_WIDTH  # edge lines sit just inside the kerbs
SOLID = LaneMark("solid", "white", MARKING_WIDTH)
BROKEN = LaneMark("broken", "white", MARKING_WIDTH)
NO_MARK = LaneMark()
# lane ids of the strips outside the carriageway (driving lanes keep simgen's lane index)
RIGHT_BORDER, RIGHT_SIDEWALK = 1000, 1001
LEFT_BORDER, LEFT_SIDEWALK = -1000, -1001


@dataclass(frozen=True)
class RoadLine:
    """A line along the road at one lateral offset (+ left): a painted mark, a kerb or nothing."""

    offset: float
    mark: LaneMark = NO_MARK


@dataclass(frozen=True)
class LaneStrip:
    """One lane across the road: between two ``RoadLine`` s, at height ``z``."""

    right: RoadLine
    left: RoadLine
    lane: int
    lane_type: str
    direction: int  # +1: traffic (or the sidewalk's side) along increasing s
    z: float


@dataclass(frozen=True)
class SurfaceMesh:
    """A static piece of the road surface with one semantic class and material."""

    name: str
    semantic_class: str
    mesh: trimesh.Trimesh
    color: tuple[float, float, float]
    reflectivity: float

    @classmethod
    def of(cls, name: str, material: SurfaceMaterial, mesh: trimesh.Trimesh) -> SurfaceMesh:
        return cls(name, material.semantic_class, mesh, material.color, material.reflectivity)


@dataclass(frozen=True)
class RoadGeometry:
    """The lane API of one concrete road."""

    road: Road

    @property
    def type(self) -> str:
        return self.road.type

    @property
    def lanes(self) -> int:
        return int(self.road.lanes)

    @property
    def oncoming_lanes(self) -> int:
        return int(self.road.oncoming_lanes)

    @property
    def lane_width(self) -> float:
        return float(self.road.lane_width)

    @property
    def sidewalk_width(self) -> float:
        return float(self.road.sidewalk_width)

    @property
    def kerb_height(self) -> float:
        return float(self.road.kerb_height)

    @property
    def length(self) -> float:
        """Length of the reference line (of each arm, for an intersection)."""
        if self.type == "intersection":
            return float(self.road.arm_length)  # type: ignore[arg-type]
        return float(self.road.length)

    @property
    def right_edge(self) -> float:
        """Lateral offset of the carriageway's right edge (negative)."""
        return -self.lanes * self.lane_width

    @property
    def left_edge(self) -> float:
        return self.oncoming_lanes * self.lane_width

    @property
    def junction_half(self) -> float:
        """Half the side of an intersection's central square (0 for other roads)."""
        if self.type != "intersection":
            return 0.0
        return max(self.lanes, self.oncoming_lanes) * self.lane_width

    def lane_offset(self, lane: int, s: float = 0.0, arm: str | None = None) -> float:
        """Lateral offset of a lane's centre (the same all along a procedural road)."""
        return lane_center_offset(lane, self.lanes, self.lane_width)

    def lane_direction(self, lane: int, arm: str | None = None) -> int:
        """+1 where traffic follows increasing s (the ego's direction), -1 on oncoming lanes."""
        return 1 if lane >= 0 else -1

    def crossing_target(self, lateral: float, to_left: bool, s: float, arm: str | None) -> float:
        """Where a pedestrian crossing the road stops: the middle of the far sidewalk."""
        half = self.sidewalk_width / 2
        return self.left_edge + half if to_left else self.right_edge - half

    def on_carriageway(self, s: float, offset: float, arm: str | None) -> bool:
        """Whether a road point lies between the kerbs (where vehicles drive)."""
        return self.right_edge <= offset <= self.left_edge

    def track(self, x: float, y: float, plan: object) -> tuple[float, float]:
        """Another road user's (s, lateral) along a plan's road."""
        return self.to_road(x, y, getattr(plan, "arm", None))

    def height_at(self, s: float, offset: float, arm: str | None, x: float, y: float) -> float:
        return self.surface_height(x, y)

    def carry(self, plan: object) -> None:
        """Procedural roads link to nothing: a plan drives straight on past their ends."""

    def lane_at(self, offset: float) -> int | None:
        """The lane containing a lateral offset, or None off the carriageway."""
        if self.right_edge <= offset < 0:
            return self.lanes - 1 - int(-offset // self.lane_width)
        if 0 <= offset < self.left_edge:
            return -1 - int(offset // self.lane_width)
        return None

    def to_world(
        self, s: float, offset: float, arm: str | None = None
    ) -> tuple[float, float, float]:
        """World (x, y, heading of increasing s) of a road point."""
        return road_point(
            self.type,
            s,
            offset,
            radius=None if self.road.radius is None else float(self.road.radius),
            arm=arm,
            arm_length=None if self.road.arm_length is None else float(self.road.arm_length),
        )

    def lane_pose(self, lane: int, s: float, arm: str | None = None) -> tuple[float, float, float]:
        """World (x, y, heading of travel) of a lane's centreline at ``s``."""
        x, y, heading = self.to_world(s, self.lane_offset(lane), arm)
        if self.lane_direction(lane) < 0:
            heading += math.pi
        return x, y, wrap_angle(heading)

    def to_road(self, x: float, y: float, arm: str | None = None) -> tuple[float, float]:
        """Road (s, offset) of a world point: the inverse of ``to_world``."""
        if self.type == "curve":
            radius = float(self.road.radius)  # type: ignore[arg-type]
            dx, dy = x, y - radius
            distance = math.hypot(dx, dy)
            if radius > 0:
                return radius * math.atan2(dx, -dy), radius - distance
            return radius * math.atan2(-dx, dy), radius + distance
        if self.type == "intersection":
            heading = ARM_HEADINGS[arm or "south"]
            c, s_ = math.cos(heading), math.sin(heading)
            return x * c + y * s_ + self.length, -x * s_ + y * c
        return x, y

    def surface_height(self, x: float, y: float) -> float:
        """Height of the ground at a world point: the kerb height on sidewalks, else 0."""
        arms = list(ARM_HEADINGS) if self.type == "intersection" else [None]
        for arm in arms:
            s, offset = self.to_road(x, y, arm)
            if self.type == "intersection" and not 0 <= s <= self.length - self.junction_half:
                continue
            right = self.right_edge - self.sidewalk_width <= offset < self.right_edge
            left = self.left_edge < offset <= self.left_edge + self.sidewalk_width
            if right or left:
                return self.kerb_height
        return 0.0

    def on_road_area(self, x: float, y: float, margin: float = 0.0) -> bool:
        """Whether a world point lies on a carriageway, sidewalk or junction (grown by margin)."""
        if self.type == "intersection":
            j = self.junction_half + self.sidewalk_width + margin
            if abs(x) <= j and abs(y) <= j:
                return True
        low = self.right_edge - self.sidewalk_width - margin
        high = self.left_edge + self.sidewalk_width + margin
        for arm in self.arms:
            s, offset = self.to_road(x, y, arm)
            if -margin <= s <= self.length + margin and low <= offset <= high:
                return True
        return False

    @cached_property
    def arms(self) -> tuple[str | None, ...]:
        return tuple(ARM_HEADINGS) if self.type == "intersection" else (None,)

    @property
    def arm_extent(self) -> float:
        """How far along each arm the straight road (sidewalks, markings) runs."""
        return self.length - self.junction_half

    # --- surface meshes ------------------------------------------------------------------------

    def strip(
        self, s0: float, s1: float, lat0: float, lat1: float, z: float, arm: str | None
    ) -> trimesh.Trimesh:
        """A flat ribbon between two lateral offsets from s0 to s1, following the road."""
        steps = 1 if self.type != "curve" else max(1, math.ceil((s1 - s0) / CURVE_STEP))
        rows = [
            np.array(
                [
                    (*self.to_world(float(s), lat, arm)[:2], z)
                    for s in np.linspace(s0, s1, steps + 1)
                ]
            )
            for lat in (lat0, lat1)
        ]
        return ribbon(rows[0], rows[1], up=lat1 > lat0)

    def wall(
        self, s0: float, s1: float, lat: float, z0: float, z1: float, arm: str | None, facing: int
    ) -> trimesh.Trimesh:
        """A vertical ribbon at one lateral offset (a kerb face); ``facing`` is +1 for left."""
        steps = 1 if self.type != "curve" else max(1, math.ceil((s1 - s0) / CURVE_STEP))
        xy = np.array(
            [self.to_world(float(s), lat, arm)[:2] for s in np.linspace(s0, s1, steps + 1)]
        )
        rows = [np.column_stack([xy, np.full(len(xy), z)]) for z in (z0, z1)]
        return ribbon(rows[0], rows[1], up=facing < 0)

    # --- the lines across the road: one description for the paint and the lane labels ----------

    def painted_lines(self) -> list[RoadLine]:
        """Every painted line, in the order the marking mesh is built: the right edge line, the
        left edge line and the centre line (with oncoming lanes), the dividers of the ego's
        direction, then those of the oncoming one."""
        w = self.lane_width
        divider = SOLID if self.road.lane_markings == "solid" else BROKEN
        lines = [RoadLine(self.right_edge + EDGE_INSET, SOLID)]
        if self.oncoming_lanes:
            lines.append(RoadLine(self.left_edge - EDGE_INSET, SOLID))
            lines.append(RoadLine(0.0, SOLID))  # centre line between the directions
        lines += [RoadLine(-k * w, divider) for k in range(1, self.lanes)]
        lines += [RoadLine(k * w, divider) for k in range(1, self.oncoming_lanes)]
        return lines

    def road_lines(self) -> list[RoadLine]:
        """Every line along the road, right to left: the sidewalks' backs, the kerbs (``curb``
        where the kerb stands up) and the painted lines."""
        kerb = LaneMark("curb") if self.kerb_height > 0 else NO_MARK
        lines = {line.offset: line for line in self.painted_lines()}
        for edge in (self.right_edge, self.left_edge):
            lines.setdefault(edge, RoadLine(edge, kerb))
        if self.sidewalk_width > 0:
            width = self.sidewalk_width
            for back in (self.right_edge - width, self.left_edge + width):
                lines[back] = RoadLine(back)
        return sorted(lines.values(), key=lambda line: line.offset)

    def cross_section(self) -> list[LaneStrip]:
        """The lanes across the road, right to left, between consecutive ``road_lines``: the
        sidewalks, the narrow borders between an edge line and its kerb, the driving lanes."""
        out = []
        lines = self.road_lines()
        for right, left in itertools.pairwise(lines):
            middle = (right.offset + left.offset) / 2
            if left.offset <= self.right_edge:
                strip = LaneStrip(right, left, RIGHT_SIDEWALK, "sidewalk", 1, self.kerb_height)
            elif right.offset >= self.left_edge:
                strip = LaneStrip(right, left, LEFT_SIDEWALK, "sidewalk", -1, self.kerb_height)
            elif (right.offset, left.offset) == (self.right_edge, self.right_edge + EDGE_INSET):
                strip = LaneStrip(right, left, RIGHT_BORDER, "border", 1, 0.0)
            elif (right.offset, left.offset) == (self.left_edge - EDGE_INSET, self.left_edge):
                strip = LaneStrip(right, left, LEFT_BORDER, "border", -1, 0.0)
            else:
                lane = self.lane_at(middle)
                assert lane is not None, middle
                strip = LaneStrip(right, left, lane, "driving", self.lane_direction(lane), 0.0)
            out.append(strip)
        return out

    def _stretches(self) -> list[tuple[float, float, bool]]:
        """(s0, s1, painted) along each arm: intersections stop their paint 1 m before the
        junction square, where the kerbs run on."""
        end = self.arm_extent
        if self.type != "intersection":
            return [(0.0, end, True)]
        return [(0.0, end - 1.0, True), (end - 1.0, end, False)]

    def lane_polylines(self, step: float = 1.0) -> list[LanePolyline]:
        """Every lane (driving lanes of both directions, borders, sidewalks) as world polylines
        sampled about every ``step`` metres, with the marks that are painted (or the kerbs) on
        its boundaries: the same lines ``surface_meshes`` paints."""
        if step <= 0:
            raise ValueError(f"step must be positive, got {step}")
        out = []
        strips = self.cross_section()
        for arm in self.arms:
            for s0, s1, painted in self._stretches():
                stations = np.linspace(s0, s1, max(2, math.ceil((s1 - s0) / step - 1e-9) + 1))
                for strip in strips:
                    right, left = (
                        line if painted or line.mark.type == "curb" else RoadLine(line.offset)
                        for line in (strip.right, strip.left)
                    )
                    middle = (right.offset + left.offset) / 2
                    out.append(
                        LanePolyline(
                            road=arm or "",
                            lane=strip.lane,
                            lane_type=strip.lane_type,
                            direction=strip.direction,
                            centre=self._polyline(stations, middle, strip.z, arm),
                            left=self._polyline(stations, left.offset, strip.z, arm),
                            right=self._polyline(stations, right.offset, strip.z, arm),
                            left_mark=left.mark,
                            right_mark=right.mark,
                        )
                    )
        return out

    def _polyline(
        self, stations: np.ndarray, offset: float, z: float, arm: str | None
    ) -> np.ndarray:
        points = [(*self.to_world(float(s), offset, arm)[:2], z) for s in stations]
        return np.asarray(points, dtype=float)

    def _ground_bounds(self) -> tuple[float, float, float, float]:
        """The road's extent in x and y, grown by GROUND_EXTENT on every side."""
        corners = [
            self.to_world(s, lat, arm)[:2]
            for arm in self.arms
            for s in np.linspace(0.0, self.length, 16)
            for lat in (self.right_edge, self.left_edge)
        ]
        xs, ys = zip(*corners, strict=True)
        return (
            min(xs) - GROUND_EXTENT,
            min(ys) - GROUND_EXTENT,
            max(xs) + GROUND_EXTENT,
            max(ys) + GROUND_EXTENT,
        )

    def surface_meshes(self) -> list[SurfaceMesh]:
        """Asphalt, lane markings, sidewalks and kerbs as static meshes."""
        asphalt, markings, sidewalks, kerbs = [], [], [], []
        h = self.kerb_height
        end = self.arm_extent
        for arm in self.arms:
            asphalt.append(self.strip(0.0, end, self.right_edge, self.left_edge, 0.0, arm))
            for lat0, lat1, kerb_lat, facing in (
                (self.right_edge - self.sidewalk_width, self.right_edge, self.right_edge, 1),
                (self.left_edge, self.left_edge + self.sidewalk_width, self.left_edge, -1),
            ):
                if self.sidewalk_width > 0:
                    sidewalks.append(self.strip(0.0, end, lat0, lat1, h, arm))
                if h > 0:
                    kerbs.append(self.wall(0.0, end, kerb_lat, 0.0, h, arm, facing))
            stop = end - (1.0 if self.type == "intersection" else 0.0)
            for line in self.painted_lines():
                lat = line.offset
                lo, hi = lat - MARKING_WIDTH / 2, lat + MARKING_WIDTH / 2
                if line.mark.type != "broken":
                    markings.append(self.strip(0.0, stop, lo, hi, MARKING_HEIGHT, arm))
                    continue
                s = 0.0
                while s < stop:
                    markings.append(
                        self.strip(s, min(s + DASH_ON, stop), lo, hi, MARKING_HEIGHT, arm)
                    )
                    s += DASH_ON + DASH_OFF
        if self.type == "intersection":
            j = self.junction_half
            square = trimesh.Trimesh(
                np.array([(-j, -j, 0.0), (j, -j, 0.0), (j, j, 0.0), (-j, j, 0.0)]),
                np.array([(0, 1, 2), (0, 2, 3)]),
                process=False,
            )
            asphalt.append(square)
        lo_x, lo_y, hi_x, hi_y = self._ground_bounds()
        ground = trimesh.Trimesh(
            np.array(
                [(lo_x, lo_y, -GROUND_DEPTH), (hi_x, lo_y, -GROUND_DEPTH),
                 (hi_x, hi_y, -GROUND_DEPTH), (lo_x, hi_y, -GROUND_DEPTH)]
            ),
            np.array([(0, 1, 2), (0, 2, 3)]),
            process=False,
        )  # fmt: skip
        out = [
            SurfaceMesh.of("terrain", TERRAIN, ground),
            SurfaceMesh.of("asphalt", ASPHALT, merge(asphalt)),
            SurfaceMesh.of("markings", MARKING, merge(markings)),
        ]
        if sidewalks:
            out.append(SurfaceMesh.of("sidewalks", SIDEWALK, merge(sidewalks)))
        if kerbs:
            out.append(SurfaceMesh.of("kerbs", KERB, merge(kerbs)))
        return out
