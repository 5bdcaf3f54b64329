"""OpenSCENARIO positions -> the storyboard's position models (angles: radians -> degrees)."""

from __future__ import annotations

import math

from simgen.importers.openscenario.catalogs import referenced
from simgen.importers.openscenario.context import Ctx, Element
from simgen.importers.openscenario.env import Env
from simgen.scenario import storyboard as sb

STRATEGIES = {
    "fastest": "fastest", "shortest": "shortest", "leastIntersections": "least_intersections",
    "random": "random",
}  # fmt: skip


def _deg(rad: float) -> float:
    return math.degrees(rad)


def orientation(ctx: Ctx, el: Element) -> sb.Orientation | None:
    o = ctx.maybe(el, "Orientation")
    if o is None:
        return None
    kind = ctx.choice(o, "type", {"relative": "relative", "absolute": "absolute"}, "absolute")
    return sb.Orientation(
        h=_deg(ctx.num(o, "h", 0.0)), p=_deg(ctx.num(o, "p", 0.0)), r=_deg(ctx.num(o, "r", 0.0)),
        relative=kind == "relative",
    )  # fmt: skip


def position(ctx: Ctx, env: Env, wrapper: Element) -> sb.Position:
    """The position that is ``wrapper``'s one child (a ``<Position>``'s, or a
    ``<TargetPosition>``'s)."""
    el = ctx.one(wrapper)
    tag = el.tag
    if tag == "WorldPosition":
        h = ctx.num(el, "h", None)
        return sb.WorldPosition(
            type="world", x=ctx.num(el, "x"), y=ctx.num(el, "y"), z=ctx.num(el, "z", None),
            h=None if h is None else _deg(h),
        )  # fmt: skip
    if tag == "LanePosition":
        return sb.LanePosition(
            type="lane", road=ctx.text(el, "roadId"), lane=ctx.int(el, "laneId"),
            s=ctx.num(el, "s"), offset=ctx.num(el, "offset", 0.0),
            orientation=orientation(ctx, el),
        )  # fmt: skip
    if tag == "RoadPosition":
        return sb.RoadPosition(
            type="road", road=ctx.text(el, "roadId"), s=ctx.num(el, "s"), t=ctx.num(el, "t"),
            orientation=orientation(ctx, el),
        )  # fmt: skip
    if tag == "RelativeLanePosition":
        ds = ctx.num(el, "ds", None)
        if ds is None:
            ds = ctx.num(el, "dsLane", 0.0)
            if ds:
                ctx.report.note(
                    f"{ctx.file}:{el.sourceline}: RelativeLanePosition dsLane is "
                    "taken as ds (along the road)"
                )
        return sb.RelativeLanePosition(
            type="relative_lane", entity=env.entity(ctx, el), d_lane=ctx.int(el, "dLane"),
            ds=ds, offset=ctx.num(el, "offset", 0.0), orientation=orientation(ctx, el),
        )  # fmt: skip
    if tag == "RelativeRoadPosition":
        return sb.RelativeRoadPosition(
            type="relative_road", entity=env.entity(ctx, el), ds=ctx.num(el, "ds"),
            dt=ctx.num(el, "dt"), orientation=orientation(ctx, el),
        )  # fmt: skip
    if tag == "RelativeObjectPosition":
        return sb.RelativeObjectPosition(
            type="relative_object", entity=env.entity(ctx, el), dx=ctx.num(el, "dx"),
            dy=ctx.num(el, "dy"), orientation=orientation(ctx, el),
        )  # fmt: skip
    if tag == "RelativeWorldPosition":
        return sb.RelativeWorldPosition(
            type="relative_world", entity=env.entity(ctx, el), dx=ctx.num(el, "dx"),
            dy=ctx.num(el, "dy"),
        )  # fmt: skip
    if tag == "RoutePosition":
        return route_position(ctx, env, el)
    raise ctx.unsupported(
        el,
        "position kinds: World, Lane, Road, RelativeLane, RelativeRoad, "
        "RelativeObject, RelativeWorld, Route",
    )


def route_position(ctx: Ctx, env: Env, el: Element) -> sb.RoutePosition:
    ref = ctx.one(el, "RouteRef")
    route_el, route_ctx = referenced(ctx, env.catalogs, ref, "Route")
    the_route = route(route_ctx, env, route_el)
    where = ctx.one(ctx.one(el, "InRoutePosition"))
    if where.tag != "FromLaneCoordinates":
        raise ctx.unsupported(where, "a route position from lane coordinates only")
    return sb.RoutePosition(
        type="route", route=the_route, s=ctx.num(where, "pathS"), lane=ctx.int(where, "laneId"),
        offset=ctx.num(where, "laneOffset", 0.0),
    )  # fmt: skip


def route(ctx: Ctx, env: Env, el: Element) -> sb.Route:
    waypoints = []
    for w in ctx.all(el, "Waypoint"):
        strategy = ctx.choice(w, "routeStrategy", STRATEGIES, "shortest")
        waypoints.append(
            sb.Waypoint(position=position(ctx, env, ctx.one(w, "Position")), strategy=strategy)
        )
    if len(waypoints) < 2:
        raise ctx.error(el, f'<Route name="{el.get("name")}">: needs at least 2 waypoints')
    return sb.Route(
        name=str(ctx.text(el, "name", "")), closed=ctx.bool(el, "closed", False),
        waypoints=waypoints,
    )  # fmt: skip
