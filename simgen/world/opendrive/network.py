"""The OpenDRIVE map: roads, junctions and controllers, routing through links, and everything
the world builds from it (surfaces, objects, lane polylines, signal placements)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from simgen.world.furniture import StaticObject
from simgen.world.lanes import LaneMark, LanePolyline
from simgen.world.opendrive.junctions import LaneRef
from simgen.world.opendrive.lanes import RoadMark
from simgen.world.opendrive.marks import stations
from simgen.world.opendrive.object_meshes import build_objects
from simgen.world.opendrive.parse import Parsed, parse_file
from simgen.world.opendrive.signals import (
    place_reference,
    place_signal,
    signal_kind,
)
from simgen.world.opendrive.surface import build_surfaces
from simgen.world.road import SurfaceMesh
from simgen.world.signal_layout import ControllerPlacement, SignalPlacement
from simgen.world.signals import PEDESTRIAN

_MARK_TYPES = {
    "solid": "solid", "broken": "broken", "solid solid": "solid_solid",
    "solid broken": "solid_broken", "broken solid": "broken_solid",
    "broken broken": "broken_broken", "botts dots": "broken", "curb": "curb",
}  # fmt: skip
_COLORS = {"white", "yellow", "blue", "green", "red", "orange", "standard"}


def _lane_mark(mark: RoadMark | None) -> LaneMark:
    if mark is None or mark.type not in _MARK_TYPES:
        return LaneMark()
    color = mark.color if mark.color in _COLORS else "standard"
    offsets = tuple(line.t_offset for line in mark.lines) or (0.0,)
    return LaneMark(_MARK_TYPES[mark.type], color, mark.width, offsets)  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False)
class OpenDriveMap(Parsed):
    """A loaded map: its parts as read (``Parsed``) and what is computed from them."""

    _cache: dict[str, object] = field(default_factory=dict, repr=False)

    # --- routing --------------------------------------------------------------------------------

    def successors(
        self, road_id: str, lane_id: int, forward: bool, s: float | None = None
    ) -> tuple[LaneRef, ...]:
        """Where a vehicle on (road, lane) goes when it leaves the road's end (forward) or start.

        ``lane_id`` is the lane's id at ``s`` (default: where such a vehicle enters the road);
        lane links carry it across the road's lane sections first. Empty: the lane ends.
        """
        road = self.roads[road_id]
        index = road.section_index(s if s is not None else (0.0 if forward else road.length))
        lane = lane_id
        step = 1 if forward else -1
        while True:
            section = road.sections[index]
            if lane not in section.lanes:
                return ()
            nxt = index + step
            if not 0 <= nxt < len(road.sections):
                break
            here = section.lanes[lane]
            linked = here.successor if forward else here.predecessor
            lane = linked if linked is not None else lane
            index = nxt
        here = road.sections[index].lanes[lane]
        lane_link = here.successor if forward else here.predecessor
        link = road.successor if forward else road.predecessor
        if link is None:
            return ()
        if link.element_type == "road":
            if lane_link is None:
                return ()
            target = self.roads[link.element_id]
            start = link.contact_point == "start"
            return (LaneRef(target.id, lane_link, 0.0 if start else target.length, start),)
        out = []
        for c in self.junctions[link.element_id].connections:
            if c.incoming_road != road_id:
                continue
            target = self.roads[c.connecting_road]
            start = c.contact_point == "start"
            for a, b in c.lane_links:
                if a == lane:
                    out.append(LaneRef(target.id, b, 0.0 if start else target.length, start))
        return tuple(out)

    # --- geometry queries -----------------------------------------------------------------------

    @cached_property
    def _road_boxes(self) -> dict[str, tuple[float, float, float, float]]:
        boxes = {}
        for road in self.roads.values():
            pts = []
            for index, section in enumerate(road.sections):
                s1 = road.sections[index + 1].s if index + 1 < len(road.sections) else road.length
                ss = stations(section.s, s1, 2.0)
                bounds = road.section_bounds(index, ss)
                ts = np.stack([v for pair in bounds.values() for v in pair])
                for t in (ts.min(axis=0), ts.max(axis=0)):
                    pts.append(road.to_world_many(ss, t)[:, :3])
            p = np.concatenate(pts)
            boxes[road.id] = (p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max())
            self._cache.setdefault("zmin", math.inf)
            self._cache["zmin"] = min(float(self._cache["zmin"]), float(p[:, 2].min()))  # type: ignore[arg-type]
        return boxes

    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of every lane of every road."""
        boxes = np.array(list(self._road_boxes.values()))
        return (
            float(boxes[:, 0].min()),
            float(boxes[:, 1].min()),
            float(boxes[:, 2].max()),
            float(boxes[:, 3].max()),
        )

    @property
    def ground_z(self) -> float:
        """Height of the terrain plane's top: the lowest road point."""
        self._road_boxes  # noqa: B018 (fills the cache)
        return float(self._cache["zmin"])  # type: ignore[arg-type]

    def surface_height(self, x: float, y: float) -> float:
        """Height of the drivable or walkable surface at a world point (sidewalks raised);
        the terrain's height off every road."""
        best = None
        for rid, (x0, y0, x1, y1) in self._road_boxes.items():
            if not (x0 - 0.5 <= x <= x1 + 0.5 and y0 - 0.5 <= y <= y1 + 0.5):
                continue
            road = self.roads[rid]
            s, t = road.to_road(x, y)
            if not -1e-6 <= s <= road.length + 1e-6:
                continue
            lane = road.lane_at(s, t)
            if lane is None:
                continue
            z = road.to_world(s, t)[2] + lane.raise_height
            best = z if best is None else max(best, z)
        return self.ground_z if best is None else best

    # --- what the world builds ------------------------------------------------------------------

    def surface_meshes(self) -> list[SurfaceMesh]:
        """Road surfaces (asphalt, marks, sidewalks, kerbs, verges, junctions, terrain) and the
        meshes of outlined or swept objects."""
        meshes = build_surfaces(self.roads, self.junctions, self.bounds(), self.ground_z)
        return meshes + self._objects[0]

    def static_objects(self) -> list[StaticObject]:
        """Objects that are catalog assets: trees, street lamps, buildings without an outline."""
        return list(self._objects[1])

    @cached_property
    def _objects(self) -> tuple[list[SurfaceMesh], list[StaticObject]]:
        return build_objects(self.roads, self.objects, self.surface_height)

    def lane_polylines(self, step: float = 1.0) -> list[LanePolyline]:
        """Every lane as world polylines, split where its section or either edge's mark changes."""
        out = []
        for road in self.roads.values():
            for index, section in enumerate(road.sections):
                s1 = road.sections[index + 1].s if index + 1 < len(road.sections) else road.length
                for lane_id in section.ids():
                    lane = section.lanes[lane_id]
                    inner_lane = section.lanes.get(lane_id - (1 if lane_id > 0 else -1))
                    inner_marks = inner_lane.road_marks if inner_lane else ()
                    cuts = {section.s, s1} | {
                        section.s + m.s_offset
                        for m in (*lane.road_marks, *inner_marks)
                        if 0 < m.s_offset < s1 - section.s
                    }
                    edges = sorted(cuts)
                    for a, b in itertools.pairwise(edges):
                        if b - a < 1e-6:
                            continue
                        ds = 0.5 * (a + b) - section.s
                        outer_mark = _lane_mark(lane.mark_at(ds))
                        inner_mark = _lane_mark(inner_lane.mark_at(ds) if inner_lane else None)
                        if lane.raise_height > 0 and not (inner_lane and inner_lane.raise_height):
                            # a raised lane meets the lane inside it at a kerb; the paint there
                            # lies on the lower lane, which carries it as its outer mark
                            inner_mark = LaneMark("curb")
                        ss = stations(a, b, step)
                        inner, outer = road.section_bounds(index, ss)[lane_id]
                        lift = np.array([0.0, 0.0, lane.raise_height])
                        pin = road.to_world_many(ss, inner)[:, :3] + lift
                        pout = road.to_world_many(ss, outer)[:, :3] + lift
                        pc = road.to_world_many(ss, 0.5 * (inner + outer))[:, :3] + lift
                        left_is_outer = lane_id > 0
                        out.append(
                            LanePolyline(
                                road=road.id,
                                lane=lane_id,
                                lane_type=lane.type,
                                direction=road.lane_direction(lane_id),
                                centre=pc,
                                left=pout if left_is_outer else pin,
                                right=pin if left_is_outer else pout,
                                left_mark=outer_mark if left_is_outer else inner_mark,
                                right_mark=inner_mark if left_is_outer else outer_mark,
                            )
                        )
        return out

    def signal_layout(self) -> tuple[list[SignalPlacement], list[ControllerPlacement]]:
        """Signals where they stand and the controllers that switch them.

        A traffic light no <controller> names gets a controller of its own (``signal_<id>``),
        so every light cycles, with a turn of its own after the file's controllers' (so no two
        such approaches have green at once); the pedestrian lights among them share one last
        turn, an all-pedestrian phase. Repeated signal ids get ``#<line>`` appended.
        """
        controlled = {sid: c.id for c in self.controllers.values() for sid in c.signals}
        sequence = {cid: seq for j in self.junctions.values() for cid, seq in j.controllers}
        controllers = [
            ControllerPlacement(c.id, c.signals, sequence.get(c.id, c.sequence))
            for c in self.controllers.values()
        ]
        placed: dict[str, SignalPlacement] = {}
        turn = max((c.sequence for c in controllers), default=0) + 1
        walk: list[ControllerPlacement] = []
        for sig in self.signals:
            road = self.roads[sig.road]
            controller = controlled.get(sig.id)
            if controller is None and signal_kind(sig) == "traffic_light":
                controller = f"signal_{sig.id}"
                if sig.type == PEDESTRIAN:
                    walk.append(ControllerPlacement(controller, (sig.id,)))
                else:
                    controllers.append(ControllerPlacement(controller, (sig.id,), turn))
                    turn += 1
            x, y, _, _ = road.to_world(sig.s, sig.t)
            p = place_signal(sig, road, self.surface_height(x, y), controller)
            if p.id in placed:
                p = replace(p, id=f"{p.id}#{sig.line}")
            placed[p.id] = p
        controllers += [replace(c, sequence=turn) for c in walk]
        out = list(placed.values())
        for ref in self.references:
            target = placed.get(ref.id)
            if target is not None:
                out.append(place_reference(ref, target, self.roads[ref.road]))
        return out, controllers


def load_opendrive(path: str | Path) -> OpenDriveMap:
    """Read an .xodr file; raises OpenDriveError ("FILE:LINE: message") when it is malformed."""
    parsed = parse_file(Path(path))
    return OpenDriveMap(**{f.name: getattr(parsed, f.name) for f in fields(Parsed)})
