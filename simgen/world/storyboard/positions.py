"""Where a storyboard position is: OpenSCENARIO's position kinds resolved on an OpenDRIVE map.

Pure functions of the position, the map and where the entities it refers to stand now, so that
the importer (at t = 0) and the storyboard engine (at any time) resolve positions alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from simgen.core.geometry import wrap_angle
from simgen.scenario.storyboard import (
    LanePosition,
    Orientation,
    Position,
    RelativeLanePosition,
    RelativeObjectPosition,
    RelativeRoadPosition,
    RelativeWorldPosition,
    RoadPosition,
    RoutePosition,
    WorldPosition,
)
from simgen.world.map_road import MapGeometry


class PositionError(ValueError):
    """A position that cannot be resolved (an unknown road, lane or entity); says which."""


@dataclass(frozen=True)
class Pose:
    """A resolved position: the world point and heading, and where it lies on the map (road,
    lane, s, t) when it lies on a road."""

    x: float
    y: float
    z: float
    heading: float  # radians
    road: str | None = None
    lane: int | None = None
    s: float | None = None
    t: float | None = None


def _heading(base: float, orientation: Orientation | None) -> float:
    if orientation is None:
        return base
    h = math.radians(orientation.h)
    return wrap_angle(base + h if orientation.relative else h)


def on_road(geom: MapGeometry, road: str, s: float, t: float, heading_offset: float = 0.0) -> Pose:
    """The pose of a road point (s, t), heading along increasing s (plus an offset)."""
    if road not in geom.map.roads:
        raise PositionError(f"the map has no road '{road}'")
    x, y, z, h = geom.to_world3(s, t, road)
    return Pose(x, y, z, wrap_angle(h + heading_offset), road, geom.lane_at(s, t, road), s, t)


def lane_pose(
    geom: MapGeometry, road: str, lane: int, s: float, offset: float, o: Orientation | None
) -> Pose:
    """A point on a lane, heading the way its traffic goes unless an orientation says else."""
    if road not in geom.map.roads:
        raise PositionError(f"the map has no road '{road}'")
    r = geom.map.roads[road]
    inside = min(max(s, 0.0), r.length)
    if lane not in r.lane_ids(inside):
        raise PositionError(f"road {road} has no lane {lane} at s = {s:g} m")
    t = r.lane_center(inside, lane) + offset
    along = 0.0 if r.lane_direction(lane) > 0 else math.pi
    base = on_road(geom, road, s, t, along)
    road_heading = base.heading - along
    heading = _heading(base.heading, o) if o is None or o.relative else _heading(road_heading, o)
    return Pose(base.x, base.y, base.z, heading, road, lane, s, t)


def resolve(position: Position, geom: MapGeometry | None, entities: Mapping[str, Pose]) -> Pose:
    """The pose of a position; ``entities`` says where the road users it may refer to are now
    (by simgen name: ego or an actor's). Raises PositionError when it cannot be resolved."""
    if isinstance(position, WorldPosition):
        z = position.z
        if z is None and geom is not None:
            road = geom.nearest_road(position.x, position.y)
            s, t = geom.to_road(position.x, position.y, road)
            z = geom.to_world3(s, t, road)[2]
        heading = math.radians(position.h) if position.h is not None else 0.0
        return Pose(position.x, position.y, z or 0.0, heading)
    if isinstance(position, RelativeWorldPosition):
        ref = _entity(entities, position.entity)
        return Pose(ref.x + position.dx, ref.y + position.dy, ref.z, ref.heading)
    if isinstance(position, RelativeObjectPosition):
        ref = _entity(entities, position.entity)
        c, s = math.cos(ref.heading), math.sin(ref.heading)
        x = ref.x + c * position.dx - s * position.dy
        y = ref.y + s * position.dx + c * position.dy
        return Pose(x, y, ref.z, _heading(ref.heading, position.orientation))
    map_geom = _needs_map(geom, position)
    if isinstance(position, LanePosition):
        return lane_pose(
            map_geom, position.road, position.lane, position.s, position.offset,
            position.orientation,
        )  # fmt: skip
    if isinstance(position, RoadPosition):
        pose = on_road(map_geom, position.road, position.s, position.t)
        return _oriented(pose, position.orientation)
    if isinstance(position, RelativeRoadPosition):
        ref = _on_map(map_geom, _entity(entities, position.entity), position.entity)
        assert ref.road is not None and ref.s is not None and ref.t is not None
        pose = on_road(map_geom, ref.road, ref.s + position.ds, ref.t + position.dt)
        return _oriented(pose, position.orientation)
    if isinstance(position, RelativeLanePosition):
        ref = _on_map(map_geom, _entity(entities, position.entity), position.entity)
        assert ref.road is not None and ref.s is not None and ref.lane is not None
        lane = shifted_lane(map_geom, ref.road, ref.s, ref.lane, position.d_lane)
        return lane_pose(
            map_geom, ref.road, lane, ref.s + position.ds, position.offset, position.orientation
        )
    if isinstance(position, RoutePosition):
        return route_pose(map_geom, position, entities)
    raise TypeError(type(position))  # pragma: no cover - the union is closed


def shifted_lane(geom: MapGeometry, road: str, s: float, lane: int, d_lane: int) -> int:
    """The lane ``d_lane`` lanes to the left (+) of ``lane`` as seen by its traffic, skipping
    the reference line (OpenDRIVE has no lane 0 to drive on)."""
    r = geom.map.roads[road]
    ids = [i for i in r.lane_ids(min(max(s, 0.0), r.length))]  # left (+) to right (-)
    # traffic on a lane of direction -1 sees the road's left as its right
    step = -d_lane if r.lane_direction(lane) > 0 else d_lane
    index = ids.index(lane) + step
    if not 0 <= index < len(ids):
        raise PositionError(f"road {road} has no lane {d_lane:+d} from lane {lane} at s = {s:g}")
    return ids[index]


def route_pose(geom: MapGeometry, position: RoutePosition, entities: Mapping[str, Pose]) -> Pose:
    """A point ``s`` metres along a route's path from its first waypoint, on the route's lane
    (or ``position.lane``)."""
    points = [resolve(w.position, geom, entities) for w in position.route.waypoints]
    start = _on_map(geom, points[0], "the route's first waypoint")
    assert start.road is not None and start.lane is not None and start.s is not None
    roads = geom.resolve_route(
        start.road, start.lane, geom.lane_direction(start.lane, start.road),
        [p.road for p in points[1:] if p.road is not None],
    )  # fmt: skip
    remaining = position.s
    road, lane, s = start.road, start.lane, start.s
    forward = geom.lane_direction(lane, road) > 0
    for nxt in [*roads, None]:
        length = geom.map.roads[road].length
        room = (length - s) if forward else s
        if remaining <= room or nxt is None:
            s = s + remaining if forward else s - remaining
            break
        remaining -= room
        refs = [r for r in geom.map.successors(road, lane, forward) if r.road == nxt]
        if not refs:
            raise PositionError(f"the route leaves road {road} for {nxt}, which no lane links")
        road, lane, s, forward = nxt, refs[0].lane, refs[0].s_entry, refs[0].forward
    target = position.lane if position.lane is not None else lane
    return lane_pose(geom, road, target, s, position.offset, None)


def _oriented(pose: Pose, orientation: Orientation | None) -> Pose:
    return Pose(
        pose.x, pose.y, pose.z, _heading(pose.heading, orientation), pose.road, pose.lane,
        pose.s, pose.t,
    )  # fmt: skip


def _entity(entities: Mapping[str, Pose], name: str) -> Pose:
    try:
        return entities[name]
    except KeyError:
        raise PositionError(f"no entity '{name}' to be relative to") from None


def _needs_map(geom: MapGeometry | None, position: Position) -> MapGeometry:
    if geom is None:
        raise PositionError(f"a {position.type} position needs an OpenDRIVE map (road.type)")
    return geom


def _on_map(geom: MapGeometry, pose: Pose, what: str) -> Pose:
    """``pose`` with its road, lane, s and t: found on the map when it does not carry them."""
    if None not in (pose.road, pose.s, pose.t, pose.lane):
        return pose
    road = pose.road or geom.nearest_road(pose.x, pose.y)
    s, t = geom.to_road(pose.x, pose.y, road)
    lane = geom.lane_at(s, t, road)
    if lane is None:
        raise PositionError(f"{what} is not on a lane of road {road}")
    return Pose(pose.x, pose.y, pose.z, pose.heading, road, lane, s, t)
