"""One OpenDRIVE road: reference line, profiles, lane sections, and road <-> world maths."""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

from simgen.world.opendrive.lanes import Lane, LaneSection
from simgen.world.opendrive.planview import ReferenceLine
from simgen.world.opendrive.profiles import Poly3Profile

_SAMPLE = 0.5  # m between the reference-line samples that seed to_road


@dataclass(frozen=True)
class Link:
    element_type: Literal["road", "junction"]
    element_id: str
    contact_point: Literal["start", "end"] | None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, eq=False)
class Road:
    id: str
    name: str
    length: float
    junction: str | None
    predecessor: Link | None
    successor: Link | None
    plan: ReferenceLine
    elevation: Poly3Profile
    superelevation: Poly3Profile
    lane_offset: Poly3Profile
    sections: tuple[LaneSection, ...]
    left_hand: bool
    line: int  # source line of <road>

    # --- the reference line and the road frame ------------------------------------------------

    def reference(self, s: float) -> tuple[float, float, float, float]:
        """(x, y, z, heading) of the reference line at ``s``."""
        x, y, h = self.plan.point(s)
        return x, y, self.elevation.value(s), h

    def to_world_many(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        """(N, 4) world x, y, z, heading of road points (s, t): t along the surface, which rolls
        by the superelevation (positive: falling to the right)."""
        s = np.atleast_1d(np.asarray(s, dtype=float))
        t = np.broadcast_to(np.asarray(t, dtype=float), s.shape)
        ref = self.plan.evaluate(s)
        roll = self.superelevation(s)
        lateral = t * np.cos(roll)
        h = ref[:, 2]
        x = ref[:, 0] - np.sin(h) * lateral
        y = ref[:, 1] + np.cos(h) * lateral
        z = self.elevation(s) + t * np.sin(roll)
        return np.column_stack([x, y, z, h])

    def to_world(self, s: float, t: float, h: float = 0.0) -> tuple[float, float, float, float]:
        """World (x, y, z, heading of increasing s) of a point t left of the reference line and
        h above the surface."""
        rx, ry, heading = self.plan.point(s)  # the scalar twin of to_world_many
        roll = self.superelevation.value(s)
        lateral = t * math.cos(roll)
        z = self.elevation.value(s) + t * math.sin(roll)
        return rx - math.sin(heading) * lateral, ry + math.cos(heading) * lateral, z + h, heading

    @cached_property
    def _samples(self) -> tuple[np.ndarray, np.ndarray]:
        ss = np.linspace(0.0, self.length, max(2, math.ceil(self.length / _SAMPLE) + 1))
        return ss, self.plan.evaluate(ss)

    def to_road(self, x: float, y: float) -> tuple[float, float]:
        """(s, t) of the nearest point of the reference line (t: horizontal, + left)."""
        ss, pts = self._samples
        i = int(np.argmin((pts[:, 0] - x) ** 2 + (pts[:, 1] - y) ** 2))
        s = float(ss[i])
        for _ in range(12):  # slide along the tangent until the offset is perpendicular
            px, py, h = self.plan.evaluate(np.array([s]))[0]
            step = (x - px) * math.cos(h) + (y - py) * math.sin(h)
            s_new = min(max(s + step, 0.0), self.length)
            if abs(s_new - s) < 1e-9:
                break
            s = s_new
        px, py, h = self.plan.evaluate(np.array([s]))[0]
        d = -(x - px) * math.sin(h) + (y - py) * math.cos(h)
        roll = self.superelevation.value(s)
        return s, d / math.cos(roll) if abs(math.cos(roll)) > 1e-6 else d

    # --- lanes ----------------------------------------------------------------------------------

    def section_index(self, s: float) -> int:
        return max(0, bisect_right(self._section_starts, s + 1e-9) - 1)

    @cached_property
    def _section_starts(self) -> list[float]:
        return [sec.s for sec in self.sections]

    def section(self, s: float) -> LaneSection:
        return self.sections[self.section_index(s)]

    def section_range(self, s: float) -> tuple[float, float]:
        i = self.section_index(s)
        end = self.sections[i + 1].s if i + 1 < len(self.sections) else self.length
        return self.sections[i].s, end

    def lane_ids(self, s: float) -> tuple[int, ...]:
        return self.section(s).ids()

    def lane(self, s: float, lane_id: int) -> Lane:
        section = self.section(s)
        try:
            return section.lanes[lane_id]
        except KeyError:
            raise KeyError(
                f"road {self.id} has no lane {lane_id} at s={s:.2f} (lanes {section.ids()})"
            ) from None

    def section_bounds(self, index: int, s: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Every lane's (inner, outer) t at stations ``s`` of one section; lane 0: the centre."""
        section = self.sections[index]
        s = np.atleast_1d(np.asarray(s, dtype=float))
        offset = self.lane_offset(s)
        out = {0: (offset, offset)}
        for sign in (1, -1):
            edge = offset
            for lane in section.side(sign):
                width = np.maximum(lane.width(s - section.s), 0.0)
                outer = edge + sign * width
                out[lane.id] = (edge, outer)
                edge = outer
        return out

    def lane_bounds(self, s: float, lane_id: int) -> tuple[float, float]:
        """Signed t of the lane's inner and outer edges at ``s`` (laneOffset included): the
        scalar twin of ``section_bounds``."""
        self.lane(s, lane_id)
        section = self.sections[self.section_index(s)]
        edge = self.lane_offset.value(s)
        if lane_id == 0:
            return edge, edge
        sign = 1 if lane_id > 0 else -1
        for lane in section.side(sign):
            outer = edge + sign * max(lane.width.value(s - section.s), 0.0)
            if lane.id == lane_id:
                return edge, outer
            edge = outer
        raise KeyError(lane_id)  # pragma: no cover - self.lane found it

    def lane_center(self, s: float, lane_id: int) -> float:
        inner, outer = self.lane_bounds(s, lane_id)
        return 0.5 * (inner + outer)

    def lane_direction(self, lane_id: int) -> int:
        """+1 where traffic follows increasing s: right lanes (id < 0) under right-hand traffic."""
        along = lane_id < 0
        if self.left_hand:
            along = not along
        return 1 if along else -1

    def lane_at(self, s: float, t: float) -> Lane | None:
        """The lane containing lateral position t at s, or None off the road (walking outwards
        from the lane offset on t's side, as ``lane_bounds`` does)."""
        section = self.sections[self.section_index(s)]
        edge = self.lane_offset.value(s)
        sign = 1 if t >= edge else -1
        for lane in section.side(sign):
            outer = edge + sign * max(lane.width.value(s - section.s), 0.0)
            if min(edge, outer) <= t <= max(edge, outer):
                return lane
            edge = outer
        return None

    def extent(self, s: float) -> tuple[float, float]:
        """(min t, max t) of the road's lanes at s."""
        bounds = self.section_bounds(self.section_index(s), np.array([s]))
        ts = [float(v[0]) for pair in bounds.values() for v in pair]
        return min(ts), max(ts)
