"""Triggers: condition groups (ORed) of conditions (ANDed), each with its delay and edge."""

from __future__ import annotations

from simgen.importers.openscenario.context import Ctx, Element, Skipped
from simgen.importers.openscenario.env import Env
from simgen.importers.openscenario.positions import position
from simgen.importers.openscenario.signal_states import signal_state
from simgen.scenario import storyboard as sb

RULES = {
    "greaterThan": "greater_than", "lessThan": "less_than", "equalTo": "equal_to",
    "greaterOrEqual": "greater_or_equal", "lessOrEqual": "less_or_equal",
    "notEqualTo": "not_equal_to",
}  # fmt: skip
EDGES = {"rising": "rising", "falling": "falling", "risingOrFalling": "rising_or_falling",
         "none": "none"}  # fmt: skip
ELEMENTS = {"story": "story", "act": "act", "maneuverGroup": "maneuver_group",
            "maneuver": "maneuver", "event": "event", "action": "action"}  # fmt: skip
STATES = {
    "startTransition": "start_transition", "endTransition": "end_transition",
    "stopTransition": "stop_transition", "skipTransition": "skip_transition",
    "completeState": "complete_state", "runningState": "running_state",
    "standbyState": "standby_state",
}  # fmt: skip
DISTANCE_TYPES = {"longitudinal": "longitudinal", "lateral": "lateral",
                  "cartesianDistance": "cartesian", "cartesian": "cartesian"}  # fmt: skip
SYSTEMS = {"entity": "entity", "lane": "lane", "road": "road", "trajectory": "trajectory"}


def trigger(ctx: Ctx, env: Env, el: Element | None) -> list[sb.ConditionGroup]:
    """A start or stop trigger (absent or empty: no groups). Lenient mode drops a skipped
    condition from its group and a group left empty."""
    if el is None:
        return []
    groups = []
    for group in ctx.all(el, "ConditionGroup"):
        conditions = []
        for c in ctx.all(group, "Condition"):
            try:
                conditions.append(condition(ctx, env, c))
            except Skipped:
                continue
        if conditions:
            groups.append(sb.ConditionGroup(conditions=conditions))
    return groups


def condition(ctx: Ctx, env: Env, el: Element) -> sb.Condition:
    name = str(ctx.label(el, "name", ""))
    delay = ctx.num(el, "delay", 0.0)
    if delay < 0:
        raise ctx.error(el, f'<Condition name="{name}">: delay must be >= 0, got {delay:g}')
    edge = ctx.choice(el, "conditionEdge", EDGES)
    kind = ctx.one(el)
    if kind.tag == "ByValueCondition":
        check = by_value(ctx, ctx.one(kind))
    elif kind.tag == "ByEntityCondition":
        check = by_entity(ctx, env, kind)
    else:
        raise ctx.unsupported(kind)
    return sb.Condition(name=name, delay=delay, edge=edge, check=check)


def _rule(ctx: Ctx, el: Element) -> str:
    return str(ctx.choice(el, "rule", RULES))


def by_value(ctx: Ctx, el: Element) -> sb.ConditionKind:
    if el.tag == "SimulationTimeCondition":
        return sb.SimulationTime(
            type="simulation_time", value=ctx.num(el, "value"), rule=_rule(ctx, el)
        )
    if el.tag == "StoryboardElementStateCondition":
        ref = str(ctx.text(el, "storyboardElementRef"))
        return sb.StoryboardElementStateCondition(
            type="storyboard_element_state",
            element_type=ctx.choice(el, "storyboardElementType", ELEMENTS),
            element=ref.split("::")[-1], state=ctx.choice(el, "state", STATES),
        )  # fmt: skip
    if el.tag == "TrafficSignalCondition":
        return sb.TrafficSignalCondition(
            type="traffic_signal", signal=str(ctx.text(el, "name")), state=signal_state(ctx, el)
        )
    raise ctx.unsupported(
        el, "by-value conditions: SimulationTime, StoryboardElementState, TrafficSignal"
    )


def _measured(ctx: Ctx, el: Element) -> dict:
    """freespace and the coordinate system, with OpenSCENARIO 1.0's alongRoute read as
    road coordinates."""
    system = ctx.choice(el, "coordinateSystem", SYSTEMS, None)
    if system is None:
        system = "road" if ctx.bool(el, "alongRoute", False) else "entity"
    return {"freespace": ctx.bool(el, "freespace", False), "coordinate_system": system}


def by_entity(ctx: Ctx, env: Env, el: Element) -> sb.ConditionKind:
    who = ctx.one(el, "TriggeringEntities")
    entities = env.entities(ctx, who)
    if not entities:
        raise ctx.error(who, "<TriggeringEntities>: needs at least one <EntityRef>")
    rule_of = ctx.choice(who, "triggeringEntitiesRule", {"any": "any", "all": "all"})
    base = {"entities": entities, "entities_rule": rule_of}
    c = ctx.one(ctx.one(el, "EntityCondition"))
    tag = c.tag
    if tag == "EndOfRoadCondition":
        return sb.EndOfRoad(type="end_of_road", duration=ctx.num(c, "duration"), **base)
    if tag == "CollisionCondition":
        target = ctx.maybe(c, "EntityRef")
        if target is None:
            raise ctx.unsupported(ctx.one(c), "a collision with an entity only")
        return sb.CollisionCondition(type="collision", entity=env.entity(ctx, target), **base)
    if tag == "TimeHeadwayCondition":
        return sb.TimeHeadway(
            type="time_headway", entity=env.entity(ctx, c), value=ctx.num(c, "value"),
            rule=_rule(ctx, c), **_measured(ctx, c), **base,
        )  # fmt: skip
    if tag == "TimeToCollisionCondition":
        target = ctx.one(ctx.one(c, "TimeToCollisionConditionTarget"))
        if target.tag == "EntityRef":
            aim: dict = {"entity": env.entity(ctx, target)}
        else:
            aim = {"position": position(ctx, env, target.getparent())}
        return sb.TimeToCollision(
            type="time_to_collision", value=ctx.num(c, "value"), rule=_rule(ctx, c), **aim,
            **_measured(ctx, c), **base,
        )  # fmt: skip
    if tag == "AccelerationCondition":
        if c.get("direction") not in (None, "longitudinal"):
            raise ctx.unsupported(c, "acceleration along the longitudinal direction only")
        return sb.Acceleration(
            type="acceleration", value=ctx.num(c, "value"), rule=_rule(ctx, c), **base
        )
    if tag == "SpeedCondition":
        if c.get("direction") not in (None, "longitudinal"):
            raise ctx.unsupported(c, "speed along the longitudinal direction only")
        return sb.Speed(type="speed", value=ctx.num(c, "value"), rule=_rule(ctx, c), **base)
    if tag == "RelativeSpeedCondition":
        return sb.RelativeSpeed(
            type="relative_speed", entity=env.entity(ctx, c), value=ctx.num(c, "value"),
            rule=_rule(ctx, c), **base,
        )  # fmt: skip
    if tag == "TraveledDistanceCondition":
        return sb.TraveledDistance(type="traveled_distance", value=ctx.num(c, "value"), **base)
    if tag == "ReachPositionCondition":
        tolerance = ctx.num(c, "tolerance")
        if tolerance <= 0:
            raise ctx.error(
                c, f"<ReachPositionCondition>: tolerance must be > 0, got {tolerance:g}"
            )
        return sb.ReachPosition(
            type="reach_position", position=position(ctx, env, ctx.one(c, "Position")),
            tolerance=tolerance, **base,
        )  # fmt: skip
    if tag == "DistanceCondition":
        return sb.DistanceCondition(
            type="distance", position=position(ctx, env, ctx.one(c, "Position")),
            value=ctx.num(c, "value"), rule=_rule(ctx, c),
            distance_type=ctx.choice(c, "relativeDistanceType", DISTANCE_TYPES, "cartesian"),
            **_measured(ctx, c), **base,
        )  # fmt: skip
    if tag == "RelativeDistanceCondition":
        return sb.RelativeDistance(
            type="relative_distance", entity=env.entity(ctx, c), value=ctx.num(c, "value"),
            rule=_rule(ctx, c),
            distance_type=ctx.choice(c, "relativeDistanceType", DISTANCE_TYPES),
            **_measured(ctx, c), **base,
        )  # fmt: skip
    raise ctx.unsupported(
        c,
        "entity conditions: EndOfRoad, Collision, TimeHeadway, "
        "TimeToCollision, Acceleration, Speed, RelativeSpeed, TraveledDistance, "
        "ReachPosition, Distance, RelativeDistance",
    )
