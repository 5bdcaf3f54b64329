"""OpenSCENARIO's conditions evaluated on one step's scene: each a pure function of it.

By-entity conditions hold for ``any`` or ``all`` of their triggering entities and report which
of them met it (a maneuver group may select them as its actors). Distances follow the standard:
``freespace`` measures between bounding boxes, else between reference points (a road user's
origin, the centre of its box's bottom face, moved by its ``reference_point``); longitudinal
and lateral distances are taken in the triggering entity's frame (``entity``) or along and
across its road (``road``, ``lane``); relative distances are absolute values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from simgen.core.geometry import footprint, polygon_distance
from simgen.scenario.storyboard import (
    Acceleration,
    ByEntity,
    CollisionCondition,
    ConditionKind,
    DistanceCondition,
    EndOfRoad,
    ReachPosition,
    RelativeDistance,
    RelativeSpeed,
    Rule,
    SimulationTime,
    Speed,
    StoryboardElementStateCondition,
    TimeHeadway,
    TimeToCollision,
    TrafficSignalCondition,
    TraveledDistance,
)
from simgen.world.storyboard.positions import resolve
from simgen.world.storyboard.scene import Entity, Scene

EQUAL_TOLERANCE = 1e-6  # how close two values must be to be equal_to

# what the runner knows of storyboard elements: (element type, name) -> state, and the
# transitions that happened in the previous step
ElementStates = Mapping[tuple[str, str], str]
ElementTransitions = Mapping[tuple[str, str], frozenset[str]]


def compare(value: float, rule: Rule, reference: float) -> bool:
    if rule == "greater_than":
        return value > reference
    if rule == "less_than":
        return value < reference
    if rule == "greater_or_equal":
        return value >= reference - EQUAL_TOLERANCE
    if rule == "less_or_equal":
        return value <= reference + EQUAL_TOLERANCE
    if rule == "equal_to":
        return abs(value - reference) <= EQUAL_TOLERANCE
    return abs(value - reference) > EQUAL_TOLERANCE


def _box_gap(a: Entity, bx: float, by: float, b_yaw: float, b_len: float, b_wid: float) -> float:
    sa = a.snapshot
    return polygon_distance(
        footprint(sa.x, sa.y, sa.yaw, sa.length, sa.width),
        footprint(bx, by, b_yaw, b_len, b_wid),
    )


def longitudinal_gap(scene: Scene, me: Entity, other: Entity, system: str, free: bool) -> float:
    """Signed distance of ``other`` ahead of ``me`` (negative: behind), bumper to bumper when
    ``free`` (0 while the boxes overlap along the way)."""
    o = other.snapshot
    if not free:
        return scene.along(me, *other.point, system)[0]
    ahead, _ = scene.along(me, o.x, o.y, system, free=True)
    half = (me.snapshot.length + o.length) / 2
    return math.copysign(max(abs(ahead) - half, 0.0), ahead)


def relative_distance(
    scene: Scene, me: Entity, x: float, y: float, kind: str, system: str, free: bool,
    other: Entity | None,
) -> float:  # fmt: skip
    """The standard's distance from an entity to a point (an entity's reference point, or its
    box when ``other`` is given and ``free``)."""
    if kind == "cartesian":
        if not free:
            return math.hypot(x - me.point[0], y - me.point[1])
        if other is not None:
            o = other.snapshot
            return _box_gap(me, o.x, o.y, o.yaw, o.length, o.width)
        return _box_gap(me, x, y, 0.0, 1e-6, 1e-6)
    lon, lat = scene.along(me, x, y, system, free)
    value = abs(lon if kind == "longitudinal" else lat)
    if free:
        own = me.snapshot.length if kind == "longitudinal" else me.snapshot.width
        theirs = 0.0
        if other is not None:
            theirs = other.snapshot.length if kind == "longitudinal" else other.snapshot.width
        value = max(value - (own + theirs) / 2, 0.0)
    return value


def time_headway(scene: Scene, c: TimeHeadway, me: Entity) -> float:
    """Distance to the entity ahead over own speed (inf when it is behind or standing)."""
    gap = longitudinal_gap(scene, me, scene.entity(c.entity), c.coordinate_system, c.freespace)
    if gap < 0 or me.speed <= 1e-9:
        return math.inf
    return gap / me.speed


def time_to_collision(scene: Scene, c: TimeToCollision, me: Entity) -> float:
    """Distance along own heading over closing speed (inf when not closing)."""
    heading = me.snapshot.yaw
    if c.entity is not None:
        other = scene.entity(c.entity)
        o = other.snapshot
        gap = longitudinal_gap(scene, me, other, c.coordinate_system, c.freespace)
        if gap < 0:
            return math.inf
        along = o.vx * math.cos(heading) + o.vy * math.sin(heading)
    else:
        assert c.position is not None
        p = resolve(c.position, scene.map, scene.poses())
        gap, _ = scene.along(me, p.x, p.y, c.coordinate_system, c.freespace)
        if c.freespace:
            gap -= me.snapshot.length / 2
        if gap < 0:
            return math.inf
        along = 0.0
    closing = me.speed - along
    if closing <= 1e-9:
        return math.inf
    return max(gap, 0.0) / closing


def _value(scene: Scene, c: ByEntity, me: Entity) -> bool:
    """Whether one triggering entity meets a by-entity condition."""
    if isinstance(c, TimeHeadway):
        return compare(time_headway(scene, c, me), c.rule, c.value)
    if isinstance(c, TimeToCollision):
        return compare(time_to_collision(scene, c, me), c.rule, c.value)
    if isinstance(c, RelativeDistance):
        other = scene.entity(c.entity)
        o = other.snapshot
        x, y = (o.x, o.y) if c.freespace else other.point
        d = relative_distance(
            scene, me, x, y, c.distance_type, c.coordinate_system, c.freespace, other
        )
        return compare(d, c.rule, c.value)
    if isinstance(c, DistanceCondition):
        p = resolve(c.position, scene.map, scene.poses())
        d = relative_distance(
            scene, me, p.x, p.y, c.distance_type, c.coordinate_system, c.freespace, None
        )
        return compare(d, c.rule, c.value)
    if isinstance(c, ReachPosition):
        p = resolve(c.position, scene.map, scene.poses())
        return math.hypot(p.x - me.point[0], p.y - me.point[1]) <= c.tolerance
    if isinstance(c, TraveledDistance):
        return me.travelled >= c.value - EQUAL_TOLERANCE
    if isinstance(c, Speed):
        return compare(me.speed, c.rule, c.value)
    if isinstance(c, RelativeSpeed):
        return compare(me.speed - scene.entity(c.entity).speed, c.rule, c.value)
    if isinstance(c, Acceleration):
        return compare(me.acceleration, c.rule, c.value)
    if isinstance(c, CollisionCondition):
        return any(
            me.name in pair and (c.entity is None or c.entity in pair) for pair in scene.collisions
        )
    raise TypeError(type(c))  # pragma: no cover - EndOfRoad is handled with its clock


def off_road(scene: Scene, me: Entity) -> bool:
    """Whether an entity has left its road's ends (a dead end on a map) or its carriageway."""
    plan = me.plan
    if not me.controlled or plan.arm is None or scene.map is None:
        return False
    length = scene.map.map.roads[plan.arm].length
    return plan.s < -1e-6 or plan.s > length + 1e-6


def evaluate(
    scene: Scene,
    check: ConditionKind,
    states: ElementStates,
    transitions: ElementTransitions,
    off_road_since: Callable[[str], float | None],
) -> tuple[bool, frozenset[str]]:
    """Whether a condition's check holds now, and the triggering entities that met it."""
    if isinstance(check, SimulationTime):
        return compare(scene.time, check.rule, check.value), frozenset()
    if isinstance(check, StoryboardElementStateCondition):
        key = (check.element_type, check.element)
        if check.state.endswith("_transition"):
            happened = check.state.removesuffix("_transition") in transitions.get(key, frozenset())
            return happened, frozenset()
        return states.get(key) == check.state.removesuffix("_state"), frozenset()
    if isinstance(check, TrafficSignalCondition):
        for placement in scene.signals.placements:
            if placement.id == check.signal:
                state, _ = scene.signals.state_of(placement, scene.time)
                return state == check.state, frozenset()
        return False, frozenset()
    met: set[str] = set()
    for name in check.entities:
        me = scene.entity(name)
        if isinstance(check, EndOfRoad):
            since = off_road_since(name)
            ok = since is not None and scene.time - since >= check.duration - 1e-9
        else:
            ok = _value(scene, check, me)
        if ok:
            met.add(name)
    if check.entities_rule == "all":
        return len(met) == len(check.entities), frozenset(met)
    return bool(met), frozenset(met)
