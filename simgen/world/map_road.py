"""An OpenDRIVE map as the world's road: the lane API that plans drive on, across linked roads.

Plans keep road coordinates as on the procedural roads: ``arm`` holds the OpenDRIVE road id,
``s`` runs along that road, ``lateral`` is OpenDRIVE's ``t`` and ``lane`` an OpenDRIVE lane id.
When a plan runs off its road's end, ``carry`` moves it onto the linked road (through a
junction's connecting road), choosing the way its route asks for, or else the straightest.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from simgen.core.geometry import wrap_angle

if TYPE_CHECKING:
    from simgen.world.opendrive import OpenDriveMap
    from simgen.world.opendrive.network import LaneRef, Road

ROUTE_SEARCH_DEPTH = 64  # roads a route may pass between two of its given points
WALK_ONLY = frozenset({"sidewalk", "walking"})  # lane types that are not carriageway


class RoutedPlan(Protocol):
    """What ``carry`` and ``track`` read and move of a plan (``simgen.world.behaviour.Plan``)."""

    arm: str | None
    s: float
    lateral: float
    direction: int
    lane: int | None
    route: list[str]
    x: float
    y: float
    yaw: float


class RouteError(ValueError):
    """A route that the map's links cannot join (names the two points)."""


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> OpenDriveMap:
    from simgen.world.opendrive import load_opendrive

    return load_opendrive(Path(path))


def load_map(path: str | Path) -> OpenDriveMap:
    """The parsed map, cached per file version (a batch worker parses each map once)."""
    stat = Path(path).stat()
    return _load(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)


@dataclass(frozen=True, eq=False)
class MapGeometry:
    """The lane API of an OpenDRIVE map, in the same terms as ``RoadGeometry``."""

    map: OpenDriveMap

    type = "opendrive"

    def road(self, road_id: str | None) -> Road:
        if road_id is None:
            raise ValueError("a position on an OpenDRIVE map needs a road id")
        return self.map.roads[road_id]

    # --- road coordinates <-> world ------------------------------------------------------------

    def to_world(
        self, s: float, offset: float, arm: str | None = None
    ) -> tuple[float, float, float]:
        """World (x, y, heading of increasing s); beyond a road's ends, straight on."""
        x, y, _, heading = self.to_world3(s, offset, arm)
        return x, y, heading

    def to_world3(
        self, s: float, offset: float, arm: str | None = None
    ) -> tuple[float, float, float, float]:
        road = self.road(arm)
        inside = min(max(s, 0.0), road.length)
        x, y, z, heading = road.to_world(inside, offset)
        over = s - inside
        if over:
            x, y = x + over * math.cos(heading), y + over * math.sin(heading)
        return x, y, z, heading

    def to_road(self, x: float, y: float, arm: str | None = None) -> tuple[float, float]:
        """Road (s, t) of a world point on road ``arm``, continuing straight beyond its ends."""
        road = self.road(arm)
        s, t = road.to_road(x, y)
        for end in (0.0, road.length):
            if abs(s - end) < 1e-6:
                ex, ey, _, heading = road.reference(end)
                dx, dy = x - ex, y - ey
                c, si = math.cos(heading), math.sin(heading)
                along = dx * c + dy * si
                if (end == 0.0 and along < 0) or (end > 0 and along > 0):
                    return end + along, -dx * si + dy * c
        return s, t

    def track(self, x: float, y: float, plan: RoutedPlan) -> tuple[float, float]:
        """Another road user's (s, lateral) as seen along a plan's road, from the plan's local
        frame: cheap, and it sees users on the next road too."""
        heading = plan.yaw if plan.direction > 0 else plan.yaw + math.pi  # where it stands
        dx, dy = x - plan.x, y - plan.y
        c, si = math.cos(heading), math.sin(heading)
        return plan.s + dx * c + dy * si, plan.lateral - dx * si + dy * c

    def height_at(self, s: float, offset: float, arm: str | None, x: float, y: float) -> float:
        """Surface height under a plan: its road's, raised on a sidewalk (as its mesh is)."""
        road = self.road(arm)
        inside = min(max(s, 0.0), road.length)
        lane = road.lane_at(inside, offset)
        roll = road.superelevation.value(inside)
        z = road.elevation.value(inside) + offset * math.sin(roll)
        return z + (0.0 if lane is None else lane.raise_height)

    # --- lanes -----------------------------------------------------------------------------------

    def lane_offset(self, lane: int, s: float = 0.0, arm: str | None = None) -> float:
        road = self.road(arm)
        return road.lane_center(min(max(s, 0.0), road.length), lane)

    def lane_direction(self, lane: int, arm: str | None = None) -> int:
        return self.road(arm).lane_direction(lane)

    def lane_at(self, s: float, offset: float, arm: str | None) -> int | None:
        lane = self.road(arm).lane_at(s, offset)
        return None if lane is None else lane.id

    def on_carriageway(self, s: float, offset: float, arm: str | None) -> bool:
        """Whether a road point lies on a lane at road level (not a raised sidewalk, not off
        the road)."""
        road = self.road(arm)
        lane = road.lane_at(min(max(s, 0.0), road.length), offset)
        return lane is not None and lane.raise_height == 0.0 and lane.type not in WALK_ONLY

    def crossing_target(self, lateral: float, to_left: bool, s: float, arm: str | None) -> float:
        """Where a pedestrian crossing the road stops: the middle of the far side's outermost
        sidewalk, or a metre beyond the far edge where there is none."""
        road = self.road(arm)
        s = min(max(s, 0.0), road.length)
        side = [lane for lane in road.lane_ids(s) if (lane > 0) == to_left]
        if not side:
            return lateral
        outer = max(side, key=abs)
        if road.lane(s, outer).type == "sidewalk":
            return road.lane_center(s, outer)
        edge = road.lane_bounds(s, outer)[1]
        return edge + (1.0 if to_left else -1.0)

    # --- moving between roads ------------------------------------------------------------------

    def _exit_heading(self, ref: LaneRef) -> float:
        """Heading of travel where a road entered at ``ref`` is left again."""
        road = self.road(ref.road)
        end = road.length if ref.forward else 0.0
        heading = road.reference(end)[3]
        return heading if ref.forward else heading + math.pi

    def _heading(self, plan: RoutedPlan) -> float:
        heading = self.to_world(plan.s, plan.lateral, plan.arm)[2]
        return heading if plan.direction > 0 else heading + math.pi

    def _choose(self, plan: RoutedPlan, options: tuple[LaneRef, ...]) -> LaneRef:
        if plan.route:
            path = self.route_path(options, plan.route[0])
            if path is not None:
                return path[0]
        heading = self._heading(plan)
        return min(options, key=lambda ref: abs(wrap_angle(self._exit_heading(ref) - heading)))

    def route_path(self, starts: tuple[LaneRef, ...], target: str) -> list[LaneRef] | None:
        """The shortest chain of lanes from one of ``starts`` onto road ``target`` (breadth
        first, so the choice is deterministic), or None when the links never reach it."""
        queue: deque[list[LaneRef]] = deque([ref] for ref in starts)
        seen: set[tuple[str, int, bool]] = set()
        while queue:
            path = queue.popleft()
            ref = path[-1]
            if ref.road == target:
                return path
            key = (ref.road, ref.lane, ref.forward)
            if key in seen or len(path) > ROUTE_SEARCH_DEPTH:
                continue
            seen.add(key)
            for nxt in self.map.successors(ref.road, ref.lane, ref.forward):
                queue.append([*path, nxt])
        return None

    def carry(self, plan: RoutedPlan) -> None:
        """Follow lane links: across lane sections, and onto the next road at a road's end."""
        if plan.lane is None or plan.arm is None:
            return
        road = self.road(plan.arm)
        forward = plan.direction > 0
        while (forward and plan.s > road.length) or (not forward and plan.s < 0.0):
            over = plan.s - road.length if forward else -plan.s
            options = self.map.successors(plan.arm, plan.lane, forward)
            if not options:
                return  # a dead end: it drives straight on, off the map
            ref = self._choose(plan, options)
            if plan.route and ref.road == plan.route[0]:
                plan.route.pop(0)
            plan.arm, plan.lane = ref.road, ref.lane
            plan.direction = 1 if ref.forward else -1
            forward = ref.forward
            road = self.road(ref.road)
            plan.s = ref.s_entry + over if forward else ref.s_entry - over
        if plan.lane not in road.lane_ids(min(max(plan.s, 0.0), road.length)):
            plan.lane = self._section_lane(road, plan)

    def _section_lane(self, road: Road, plan: RoutedPlan) -> int | None:
        """The lane a plan is on after crossing into a new lane section (by its lateral)."""
        s = min(max(plan.s, 0.0), road.length)
        lane = self.lane_at(s, plan.lateral, plan.arm)
        return lane if lane is not None else plan.lane

    def resolve_route(
        self, road: str, lane: int, direction: int, route: list[str | tuple[float, float]]
    ) -> list[str]:
        """Road ids to pass, in order, from a route of road ids and world waypoints; raises
        RouteError when the map's links cannot join two consecutive points."""
        targets = [p if isinstance(p, str) else self.nearest_road(*p) for p in route]
        out: list[str] = []
        here = (road, lane, direction > 0)
        for target in targets:
            if target == here[0]:
                continue
            starts = self.map.successors(*here)
            path = self.route_path(starts, target)
            if path is None:
                raise RouteError(f"no lane leads from road {here[0]} to road {target}")
            out += [ref.road for ref in path]
            end = path[-1]
            here = (end.road, end.lane, end.forward)
        return out

    def nearest_road(self, x: float, y: float) -> str:
        """The road whose carriageway is nearest a world point (ties: the lowest id); a point
        beyond a road's ends is that much further from it."""

        def distance(road: Road) -> float:
            s, t = self.to_road(x, y, road.id)  # beyond a road's ends: straight on
            inside = min(max(s, 0.0), road.length)
            ids = road.lane_ids(inside)
            spans = [road.lane_bounds(inside, lane) for lane in ids] or [(0.0, 0.0)]
            low = min(min(a, b) for a, b in spans)
            high = max(max(a, b) for a, b in spans)
            across = max(low - t, t - high, 0.0)
            along = abs(s - inside)  # how far beyond the road's ends it lies
            return math.hypot(across, along) + (0.0 if road.junction is None else 1e-3)

        return min(sorted(self.map.roads), key=lambda rid: distance(self.map.roads[rid]))
