"""OpenSCENARIO actions -> the storyboard's action models (one per ``<Action>``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simgen.importers.openscenario.catalogs import referenced
from simgen.importers.openscenario.context import Ctx, Element
from simgen.importers.openscenario.env import Env
from simgen.importers.openscenario.positions import position, route
from simgen.importers.openscenario.signal_states import signal_state
from simgen.scenario import storyboard as sb

SHAPES = {"step": "step", "linear": "linear", "cubic": "cubic", "sinusoidal": "sinusoidal"}
DIMENSIONS = {"time": "time", "rate": "rate", "distance": "distance"}
VALUE_TYPES = {"delta": "delta", "factor": "factor"}
DISPLACEMENTS = {
    "trailingReferencedEntity": "trailing_reference",
    "leadingReferencedEntity": "leading_reference", "any": "any",
}  # fmt: skip
WRAPPERS = frozenset(
    ["LongitudinalAction", "LateralAction", "RoutingAction", "ControllerAction", "AppearanceAction"]
)
DRIVER_NOTE = "becomes simgen's default driver"


def dynamics(ctx: Ctx, el: Element) -> sb.TransitionDynamics:
    """Transition dynamics; a rate's sign (files write decelerations negative) is dropped: the
    target says which way the value moves."""
    return sb.TransitionDynamics(
        shape=ctx.choice(el, "dynamicsShape", SHAPES),
        dimension=ctx.choice(el, "dynamicsDimension", DIMENSIONS),
        value=abs(ctx.num(el, "value")),
    )


def _relative(ctx: Ctx, env: Env, el: Element, value_type: str | None = None) -> sb.RelativeTarget:
    return sb.RelativeTarget(
        entity=env.entity(ctx, el), value=ctx.num(el, "value"),
        value_type=value_type or "delta", continuous=ctx.bool(el, "continuous", False),
    )  # fmt: skip


def speed(ctx: Ctx, env: Env, el: Element) -> sb.SpeedAction:
    target = ctx.one(ctx.one(el, "SpeedActionTarget"))
    dyn = dynamics(ctx, ctx.one(el, "SpeedActionDynamics"))
    if target.tag == "AbsoluteTargetSpeed":
        return sb.SpeedAction(type="speed", absolute=ctx.num(target, "value"), dynamics=dyn)
    if target.tag == "RelativeTargetSpeed":
        kind = ctx.choice(target, "speedTargetValueType", VALUE_TYPES)
        return sb.SpeedAction(type="speed", relative=_relative(ctx, env, target, kind),
                              dynamics=dyn)  # fmt: skip
    raise ctx.unsupported(target)


def lane_change(ctx: Ctx, env: Env, el: Element) -> sb.LaneChangeAction:
    target = ctx.one(ctx.one(el, "LaneChangeTarget"))
    common = {
        "type": "lane_change",
        "target_offset": ctx.num(el, "targetLaneOffset", 0.0),
        "dynamics": dynamics(ctx, ctx.one(el, "LaneChangeActionDynamics")),
    }
    return sb.LaneChangeAction(**_target(ctx, env, target, "TargetLane", ctx.int), **common)


def lane_offset(ctx: Ctx, env: Env, el: Element) -> sb.LaneOffsetAction:
    dyn = ctx.one(el, "LaneOffsetActionDynamics")
    target = ctx.one(ctx.one(el, "LaneOffsetTarget"))
    common = {
        "type": "lane_offset",
        "shape": ctx.choice(dyn, "dynamicsShape", SHAPES),
        "max_lateral_acc": ctx.num(dyn, "maxLateralAcc", None),
        "continuous": ctx.bool(el, "continuous", False),
    }
    return sb.LaneOffsetAction(**_target(ctx, env, target, "TargetLaneOffset", ctx.num), **common)


def _target(
    ctx: Ctx, env: Env, target: Element, kind: str, number: Callable[[Element, str], Any]
) -> dict[str, Any]:
    """``Absolute<kind>`` or ``Relative<kind>`` (to an entity) as the model's target keys."""
    if target.tag == f"Absolute{kind}":
        return {"absolute": number(target, "value")}
    if target.tag == f"Relative{kind}":
        value = number(target, "value")
        return {"relative": sb.RelativeTarget(entity=env.entity(ctx, target), value=value)}
    raise ctx.unsupported(target)


def longitudinal_distance(ctx: Ctx, env: Env, el: Element) -> sb.LongitudinalDistanceAction:
    limits = ctx.maybe(el, "DynamicConstraints")
    distance, gap = ctx.num(el, "distance", None), ctx.num(el, "timeGap", None)
    if (distance is None) == (gap is None):
        raise ctx.error(el, "<LongitudinalDistanceAction>: give one of distance or timeGap")
    return sb.LongitudinalDistanceAction(
        type="longitudinal_distance", entity=env.entity(ctx, el), distance=distance,
        time_gap=gap, freespace=ctx.bool(el, "freespace", False),
        continuous=ctx.bool(el, "continuous", False),
        displacement=ctx.choice(el, "displacement", DISPLACEMENTS, "trailing_reference"),
        max_acceleration=None if limits is None else ctx.num(limits, "maxAcceleration", None),
        max_deceleration=None if limits is None else ctx.num(limits, "maxDeceleration", None),
        max_speed=None if limits is None else ctx.num(limits, "maxSpeed", None),
    )  # fmt: skip


def trajectory(ctx: Ctx, env: Env, el: Element) -> sb.Trajectory:
    shape = ctx.one(ctx.one(el, "Shape"))
    kind: sb.Polyline | sb.Clothoid
    if shape.tag == "Polyline":
        vertices = [
            sb.Vertex(
                time=ctx.num(v, "time", None), position=position(ctx, env, ctx.one(v, "Position"))
            )
            for v in ctx.all(shape, "Vertex")
        ]
        if len(vertices) < 2:
            raise ctx.error(shape, "<Polyline>: needs at least 2 vertices")
        kind = sb.Polyline(kind="polyline", vertices=vertices)
    elif shape.tag == "Clothoid":
        rate = ctx.num(shape, "curvaturePrime", None)
        if rate is None:
            rate = ctx.num(shape, "curvatureDot", 0.0)
        kind = sb.Clothoid(
            kind="clothoid", start=position(ctx, env, ctx.one(shape, "Position")),
            curvature=ctx.num(shape, "curvature"), curvature_rate=rate,
            length=ctx.num(shape, "length"), start_time=ctx.num(shape, "startTime", None),
            stop_time=ctx.num(shape, "stopTime", None),
        )  # fmt: skip
    else:
        raise ctx.unsupported(shape, "trajectory shapes: Polyline, Clothoid")
    return sb.Trajectory(
        name=str(ctx.text(el, "name", "")), closed=ctx.bool(el, "closed", False), shape=kind
    )


def follow_trajectory(ctx: Ctx, env: Env, el: Element) -> sb.FollowTrajectoryAction:
    wrapped = ctx.maybe(el, "TrajectoryRef")  # 1.1+: wrapped; 1.0: inline
    holder = el if wrapped is None else wrapped
    traj_el, traj_ctx = referenced(ctx, env.catalogs, holder, "Trajectory")
    timing = None
    reference = ctx.maybe(el, "TimeReference")
    if reference is not None:
        t = ctx.one(reference)
        if t.tag == "Timing":
            timing = sb.Timing(
                domain=ctx.choice(t, "domainAbsoluteRelative",
                                  {"absolute": "absolute", "relative": "relative"}),
                scale=ctx.num(t, "scale", 1.0), offset=ctx.num(t, "offset", 0.0),
            )  # fmt: skip
        elif t.tag != "None":
            raise ctx.unsupported(t)
    mode = ctx.maybe(el, "TrajectoryFollowingMode")
    following = "position"
    if mode is not None:
        following = ctx.choice(mode, "followingMode", {"position": "position", "follow": "follow"})
    return sb.FollowTrajectoryAction(
        type="follow_trajectory", trajectory=trajectory(traj_ctx, env, traj_el), timing=timing,
        following_mode=following,
    )  # fmt: skip


def synchronize(ctx: Ctx, env: Env, el: Element) -> sb.SynchronizeAction:
    final = None
    final_el = ctx.maybe(el, "FinalSpeed")
    if final_el is not None:
        kind = ctx.one(final_el)
        if kind.tag == "AbsoluteSpeed":
            final = ctx.num(kind, "value")
        else:
            ctx.report.note(
                f"{ctx.file}:{kind.sourceline}: <{kind.tag}> (a final speed "
                "relative to the master) is not carried: no final speed"
            )
    tolerance = ctx.num(el, "targetTolerance", 1.0) or 1.0
    return sb.SynchronizeAction(
        type="synchronize", master=env.entity(ctx, el, "masterEntityRef"),
        master_position=position(ctx, env, ctx.one(el, "TargetPositionMaster")),
        position=position(ctx, env, ctx.one(el, "TargetPosition")), final_speed=final,
        tolerance=tolerance,
    )  # fmt: skip


def controller(ctx: Ctx, env: Env, el: Element, entity: str | None) -> sb.ActivateControllerAction:
    name = env.controllers.get(entity or "", "")
    ctx.report.note(
        f"{ctx.file}:{el.sourceline}: <{el.tag}>{' of ' + entity if entity else ''}: "
        f"a no-op, the entity {DRIVER_NOTE}"
    )
    return sb.ActivateControllerAction(type="activate_controller", controller=name)


def private_action(ctx: Ctx, env: Env, el: Element, entity: str | None) -> sb.ActionKind:
    """One ``<PrivateAction>`` (``entity``: who it acts on, for notes)."""
    kind = ctx.one(el)
    inner = ctx.one(kind) if kind.tag in WRAPPERS else kind
    tag = inner.tag
    if tag == "SpeedAction":
        return speed(ctx, env, inner)
    if tag == "LongitudinalDistanceAction":
        return longitudinal_distance(ctx, env, inner)
    if tag == "LaneChangeAction":
        return lane_change(ctx, env, inner)
    if tag == "LaneOffsetAction":
        return lane_offset(ctx, env, inner)
    if tag == "TeleportAction":
        return sb.TeleportAction(
            type="teleport", position=position(ctx, env, ctx.one(inner, "Position"))
        )
    if tag == "AssignRouteAction":
        route_el, route_ctx = referenced(ctx, env.catalogs, inner, "Route")
        return sb.AssignRouteAction(type="assign_route", route=route(route_ctx, env, route_el))
    if tag == "FollowTrajectoryAction":
        return follow_trajectory(ctx, env, inner)
    if tag == "SynchronizeAction":
        return synchronize(ctx, env, inner)
    if tag in ("ActivateControllerAction", "AssignControllerAction"):
        return controller(ctx, env, inner, entity)
    raise ctx.unsupported(
        inner,
        "private actions: Speed, LongitudinalDistance, LaneChange, LaneOffset, Teleport, "
        "AssignRoute, FollowTrajectory, Synchronize, ActivateController",
    )


def global_action(ctx: Ctx, el: Element) -> sb.ActionKind:
    path = [el]
    while path[-1].tag != "TrafficSignalStateAction" and len(path) < 4:
        path.append(ctx.one(path[-1]))
    tags = [p.tag for p in path]
    if tags != ["GlobalAction", "InfrastructureAction", "TrafficSignalAction",
                "TrafficSignalStateAction"]:  # fmt: skip
        raise ctx.unsupported(
            path[-1] if len(path) > 1 else el, "global actions: TrafficSignalStateAction"
        )
    state_el = path[-1]
    return sb.TrafficSignalStateAction(
        type="traffic_signal_state", signal=str(ctx.text(state_el, "name")),
        state=signal_state(ctx, state_el),
    )  # fmt: skip
