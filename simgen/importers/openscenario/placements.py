"""The Init: where each road user starts and how fast, as simgen placements (road, lane or offset,
s, speed, heading, route), and the init actions a placement cannot carry.

Positions are resolved on the map with ``simgen.world.storyboard.positions.resolve`` in file
order (a relative position may refer to an entity placed before it, or after it: it is retried
once the others stand). A position places an entity's reference point; simgen's ``s`` and lane
place its origin (the box's bottom centre), so the start moves by the box's ``Center`` along
and across its heading (``s`` by +/-Center.x as it faces up or down the road). A lane position
at the lane's centre becomes ``lane``; any other point becomes ``offset`` (OpenDRIVE's t) for
people and objects, and the nearest lane with a ``lane_offset`` init action for vehicles. A
vehicle facing against its lane's traffic drives the wrong way (a ``wrong_way`` step at t = 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from simgen.core.geometry import wrap_angle
from simgen.importers.openscenario.actions import global_action, private_action
from simgen.importers.openscenario.context import Ctx, Element, Skipped
from simgen.importers.openscenario.entities import Entity
from simgen.importers.openscenario.env import Env
from simgen.scenario import storyboard as sb
from simgen.world.map_road import MapGeometry, RouteError
from simgen.world.storyboard.positions import Pose, PositionError, resolve

LANE_CENTRE_TOLERANCE = 1e-6  # m: a lane position this close to the centre is "on the lane"


@dataclass
class Start:
    """One road user's placement keys (as the scenario's ``Placed`` fields)."""

    keys: dict[str, Any]
    speed: float
    pose: Pose
    kept: list[sb.ActionKind] = field(default_factory=list)  # for storyboard.init


@dataclass
class InitResult:
    starts: dict[str, Start]  # simgen name -> placement
    init: list[sb.InitActions]
    global_init: list[sb.ActionKind]


def read_init(
    ctx: Ctx, env: Env, geom: MapGeometry, entities: list[Entity], el: Element | None
) -> InitResult:
    actions_el = None if el is None else ctx.maybe(el, "Actions")
    per_entity: dict[str, list[tuple[Element, sb.ActionKind]]] = {e.name: [] for e in entities}
    global_init: list[sb.ActionKind] = []
    for item in [] if actions_el is None else list(actions_el):
        if not isinstance(item.tag, str):
            continue
        try:
            if item.tag == "GlobalAction":
                global_init.append(global_action(ctx, item))
            elif item.tag == "Private":
                who = env.entity(ctx, item)
                for private in ctx.all(item, "PrivateAction"):
                    try:
                        per_entity[who].append((private, private_action(ctx, env, private, who)))
                    except Skipped:
                        continue
            else:
                raise ctx.unsupported(item, "init actions: GlobalAction, Private")
        except Skipped:
            continue
    starts: dict[str, Start] = {}
    poses: dict[str, Pose] = {}
    pending = list(entities)
    while pending:
        waiting = []
        for entity in pending:
            try:
                start = _start(ctx, env, geom, entity, per_entity[entity.name], poses, starts)
            except _Waits:
                waiting.append(entity)
                continue
            starts[entity.name] = start
            poses[entity.name] = start.pose
        if len(waiting) == len(pending):
            e = waiting[0]
            raise ctx.error(
                None if e.line is None else _line(e),
                f"{e.file_name}: its start position refers to an entity that is never placed",
            )
        pending = waiting
    init = [
        sb.InitActions(entity=e.name, actions=starts[e.name].kept)
        for e in entities if starts[e.name].kept
    ]  # fmt: skip
    return InitResult(starts, init, global_init)


class _Waits(Exception):
    """A relative start position whose reference entity is not placed yet."""


def _line(entity: Entity) -> Any:
    class _At:  # ctx.error reads only sourceline
        sourceline = entity.line

    return _At()


def _start_position(
    actions: list[tuple[Element, sb.ActionKind]],
) -> tuple[Element, sb.Position, sb.ActionKind | None] | None:
    """Where it starts: its teleport, else the start of the trajectory or route it follows."""
    for el, action in actions:
        if isinstance(action, sb.TeleportAction):
            return el, action.position, action
    for el, action in actions:
        if isinstance(action, sb.FollowTrajectoryAction):
            shape = action.trajectory.shape
            first = shape.vertices[0].position if isinstance(shape, sb.Polyline) else shape.start
            return el, first, None
        if isinstance(action, sb.AssignRouteAction):
            return el, action.route.waypoints[0].position, None
    return None


def _start(
    ctx: Ctx, env: Env, geom: MapGeometry, entity: Entity,
    actions: list[tuple[Element, sb.ActionKind]], poses: dict[str, Pose], starts: dict[str, Start],
) -> Start:  # fmt: skip
    found = _start_position(actions)
    if found is None:
        raise ctx.error(
            _line(entity),
            f"{entity.file_name}: no start position (an Init "
            "TeleportAction, FollowTrajectoryAction or AssignRouteAction)",
        )
    el, where, used = found
    try:
        pose = resolve(where, geom, poses)
    except PositionError as exc:
        if "no entity" in str(exc):
            raise _Waits() from None
        raise ctx.error(el, f"{entity.file_name}'s start: {exc}") from None
    keys, kept = _placement(ctx, geom, entity, pose, el)
    speed, speed_used = _speed(ctx, entity, actions, starts)
    keys["speed"] = speed
    if entity.name not in env.controllers:  # no controller: it does what the storyboard says
        keys["driver"] = "none"
    for a_el, action in actions:
        if action is used or action is speed_used:
            continue
        if isinstance(action, sb.AssignRouteAction) and "lane" in keys:
            keys["route"] = _route(ctx, geom, action.route, poses, keys, a_el)
            continue
        kept.append(action)
    if keys.pop("wrong_way", False):
        keys["behavior"] = [{"action": "wrong_way", "at": 0.0, "speed": speed}]
    return Start(keys, speed, pose, kept)


def _placement(
    ctx: Ctx, geom: MapGeometry, entity: Entity, pose: Pose, el: Element
) -> tuple[dict[str, Any], list[sb.ActionKind]]:
    road_id = pose.road or geom.nearest_road(pose.x, pose.y)
    road = geom.map.roads[road_id]
    if pose.s is not None and pose.t is not None and pose.road is not None:
        s, t = pose.s, pose.t
    else:
        s, t = geom.to_road(pose.x, pose.y, road_id)
    cx, cy = entity.center[0], entity.center[1]
    if cx or cy:  # the position is the reference point's; simgen places the box's centre
        road_heading = geom.to_world(s, t, road_id)[2]
        sign = 1.0 if math.cos(wrap_angle(pose.heading - road_heading)) >= 0 else -1.0
        s, t = s + sign * cx, t + sign * cy
    if not -1e-6 <= s <= road.length + 1e-6:
        raise ctx.error(
            el,
            f"{entity.file_name} starts at s = {s:g} m, off road {road_id} (0..{road.length:g} m)",
        )
    s = min(max(s, 0.0), road.length)
    lane = geom.lane_at(s, t, road_id)
    keys: dict[str, Any] = {"road": road_id, "s": s}
    kept: list[sb.ActionKind] = []
    off_centre = 0.0 if lane is None else t - geom.lane_offset(lane, s, road_id)
    if lane is not None and (abs(off_centre) <= LANE_CENTRE_TOLERANCE or entity.kind == "vehicle"):
        keys["lane"] = lane
        direction = geom.lane_direction(lane, road_id)
        if abs(off_centre) > LANE_CENTRE_TOLERANCE:
            kept.append(
                sb.LaneOffsetAction(type="lane_offset", absolute=off_centre, continuous=True)
            )
    else:
        keys["offset"] = t
        direction = 1
    travel = geom.to_world(s, t, road_id)[2] + (math.pi if direction < 0 else 0.0)
    turn = math.degrees(wrap_angle(pose.heading - travel))
    if entity.kind == "vehicle" and abs(turn) > 90.0 and "lane" in keys:
        keys["wrong_way"] = True
        turn = math.degrees(wrap_angle(math.radians(turn) - math.pi))
    if abs(turn) > 1e-6 and entity.kind != "vehicle":
        keys["heading"] = round(turn, 6)
    return keys, kept


def _speed(
    ctx: Ctx, entity: Entity, actions: list[tuple[Element, sb.ActionKind]], starts: dict[str, Start]
) -> tuple[float, sb.ActionKind | None]:
    """The start speed: a step SpeedAction's target (relative ones from the referenced entity's
    start speed); a gradual or continuous one stays in storyboard.init."""
    for _, action in actions:
        if not isinstance(action, sb.SpeedAction):
            continue
        step = action.dynamics.shape == "step" or action.dynamics.value == 0
        if action.absolute is not None:
            return (float(action.absolute), action) if step else (0.0, None)
        rel = action.relative
        assert rel is not None
        if rel.entity not in starts:
            raise _Waits()
        base = starts[rel.entity].speed
        value = base + rel.value if rel.value_type == "delta" else base * rel.value
        used = action if step and not rel.continuous else None
        return (max(value, 0.0) if step else 0.0), used
    return 0.0, None


def _route(
    ctx: Ctx, geom: MapGeometry, route: sb.Route, poses: dict[str, Pose], keys: dict, el: Element
) -> list[str]:
    """The road ids a route passes after the start road (Placed.route)."""
    roads: list[str] = []
    for w in route.waypoints:
        try:
            pose = resolve(w.position, geom, poses)
        except PositionError as exc:
            raise ctx.error(el, f"route '{route.name}': {exc}") from None
        road = pose.road or geom.nearest_road(pose.x, pose.y)
        if (roads[-1] if roads else keys["road"]) != road:
            roads.append(road)
    lane = int(keys["lane"])
    try:
        geom.resolve_route(keys["road"], lane, geom.lane_direction(lane, keys["road"]), list(roads))
    except RouteError as exc:
        raise ctx.error(el, f"route '{route.name}': {exc}") from None
    return roads
