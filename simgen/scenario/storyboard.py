"""The storyboard: ASAM OpenSCENARIO 1.x's stories, triggers and actions, as scenario data.

A scenario's ``storyboard`` key holds what an OpenSCENARIO file's ``<Storyboard>`` holds, in
simgen's YAML: stories of acts of maneuver groups of maneuvers of events of actions, each started
(and acts stopped) by triggers. A trigger is an OR of condition groups, each an AND of
conditions, every condition with its ``delay`` and ``edge``, as the standard defines them. Names
follow the standard's in snake_case (``TimeHeadwayCondition`` -> ``type: time_headway``), so that
an imported file reads the same in YAML and a hand-written edge case can use every part of it.

``simgen import FILE.xosc`` writes it; ``simgen.world.storyboard`` acts it out; plain behaviours
(``behavior:`` of a road user) stay the simple way to write a scenario by hand.

Values are concrete: OpenSCENARIO parameters and expressions are resolved by the importer, and
distributions become variants, not values here. Positions on roads use OpenDRIVE road and lane
ids and need ``road.type: opendrive``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field

from simgen.scenario.base import Strict, tagged_by

Rule = Literal[
    "greater_than", "less_than", "equal_to", "greater_or_equal", "less_or_equal", "not_equal_to"
]
Edge = Literal["rising", "falling", "rising_or_falling", "none"]
ElementType = Literal["story", "act", "maneuver_group", "maneuver", "event", "action"]
ElementState = Literal[
    "start_transition",
    "end_transition",
    "stop_transition",
    "skip_transition",
    "complete_state",
    "running_state",
    "standby_state",
]
Shape = Literal["step", "linear", "cubic", "sinusoidal"]
Dimension = Literal["time", "rate", "distance"]
DistanceType = Literal["longitudinal", "lateral", "cartesian"]
CoordinateSystem = Literal["entity", "lane", "road", "trajectory"]

# --- positions ------------------------------------------------------------------------------


class Orientation(Strict):
    """A heading (and pitch, roll), absolute or relative to the road or entity it is given at."""

    h: float = Field(default=0.0, description="heading (deg)")
    p: float = Field(default=0.0, description="pitch (deg)")
    r: float = Field(default=0.0, description="roll (deg)")
    relative: bool = Field(default=False, description="relative to what the position refers to")


class WorldPosition(Strict):
    type: Literal["world"] = Field(description="a point in the world frame")
    x: float = Field(description="m")
    y: float = Field(description="m")
    z: float | None = Field(default=None, description="m; unset: on the road surface")
    h: float | None = Field(default=None, description="heading (deg); unset: the road's")


class LanePosition(Strict):
    type: Literal["lane"] = Field(description="a point on an OpenDRIVE lane")
    road: str = Field(description="OpenDRIVE road id")
    lane: int = Field(description="OpenDRIVE lane id")
    s: float = Field(description="along the road (m)")
    offset: float = Field(default=0.0, description="from the lane's centre, + left (m)")
    orientation: Orientation | None = Field(default=None, description="unset: along the lane")


class RoadPosition(Strict):
    type: Literal["road"] = Field(description="a point in a road's (s, t) frame")
    road: str = Field(description="OpenDRIVE road id")
    s: float = Field(description="along the road (m)")
    t: float = Field(description="from the reference line, + left (m)")
    orientation: Orientation | None = Field(default=None, description="unset: along the road")


class RelativeLanePosition(Strict):
    type: Literal["relative_lane"] = Field(description="lanes and metres away from an entity")
    entity: str = Field(description="the road user it is relative to")
    d_lane: int = Field(description="lanes to the left (+) or right (-)")
    ds: float = Field(default=0.0, description="along the road (m)")
    offset: float = Field(default=0.0, description="from the target lane's centre (m)")
    orientation: Orientation | None = Field(default=None, description="unset: along the lane")


class RelativeRoadPosition(Strict):
    type: Literal["relative_road"] = Field(description="(ds, dt) from an entity, in road frame")
    entity: str = Field(description="the road user it is relative to")
    ds: float = Field(description="along the road (m)")
    dt: float = Field(description="across the road, + left (m)")
    orientation: Orientation | None = Field(default=None, description="unset: along the road")


class RelativeObjectPosition(Strict):
    type: Literal["relative_object"] = Field(description="(dx, dy) in an entity's own frame")
    entity: str = Field(description="the road user it is relative to")
    dx: float = Field(description="forwards (m)")
    dy: float = Field(description="to the left (m)")
    orientation: Orientation | None = Field(default=None, description="unset: the entity's")


class RelativeWorldPosition(Strict):
    type: Literal["relative_world"] = Field(description="(dx, dy) from an entity, world axes")
    entity: str = Field(description="the road user it is relative to")
    dx: float = Field(description="along world x (m)")
    dy: float = Field(description="along world y (m)")


class RoutePosition(Strict):
    type: Literal["route"] = Field(description="a point along a route, from its start")
    route: Route = Field(description="the route")
    s: float = Field(description="along the route's path (m)")
    lane: int | None = Field(default=None, description="OpenDRIVE lane id; unset: the route's")
    offset: float = Field(default=0.0, description="from the lane's centre (m)")


Position = Annotated[
    WorldPosition
    | LanePosition
    | RoadPosition
    | RelativeLanePosition
    | RelativeRoadPosition
    | RelativeObjectPosition
    | RelativeWorldPosition
    | RoutePosition,
    tagged_by("type"),
]


class Waypoint(Strict):
    position: Position = Field(description="a point the route passes")
    strategy: Literal["fastest", "shortest", "least_intersections", "random"] = Field(
        default="shortest", description="how to get there from the previous one"
    )


class Route(Strict):
    name: str = Field(default="", description="as the file names it")
    closed: bool = Field(default=False, description="back to the first waypoint at the end")
    waypoints: list[Waypoint] = Field(min_length=2, description="in order")


# --- conditions -----------------------------------------------------------------------------


class ByEntity(Strict):
    """Which entities a condition watches, and whether any or all of them must meet it."""

    entities: list[str] = Field(min_length=1, description="the triggering entities")
    entities_rule: Literal["any", "all"] = Field(default="any", description="any or all of them")


class SimulationTime(Strict):
    type: Literal["simulation_time"] = Field(description="the simulation clock")
    value: float = Field(description="s")
    rule: Rule = Field(description="how the clock compares with value")


class StoryboardElementStateCondition(Strict):
    type: Literal["storyboard_element_state"] = Field(description="a storyboard element's state")
    element_type: ElementType = Field(description="what kind of element")
    element: str = Field(description="its name")
    state: ElementState = Field(description="the state or transition that meets the condition")


class TrafficSignalCondition(Strict):
    type: Literal["traffic_signal"] = Field(description="a traffic light's state")
    signal: str = Field(description="the signal's id (an OpenDRIVE signal id on a map)")
    state: str = Field(description="red, yellow, green, off or flashing_yellow")


class TimeHeadway(ByEntity):
    type: Literal["time_headway"] = Field(description="gap to another entity over own speed")
    entity: str = Field(description="the entity ahead")
    value: float = Field(description="s")
    rule: Rule = Field(description="how the headway compares with value")
    freespace: bool = Field(default=False, description="between bounding boxes, not centres")
    coordinate_system: CoordinateSystem = Field(default="entity", description="where measured")


class TimeToCollision(ByEntity):
    type: Literal["time_to_collision"] = Field(description="time until two boxes would touch")
    entity: str | None = Field(default=None, description="the other entity")
    position: Position | None = Field(default=None, description="or a position")
    value: float = Field(description="s")
    rule: Rule = Field(description="how the time compares with value")
    freespace: bool = Field(default=False, description="between bounding boxes, not centres")
    coordinate_system: CoordinateSystem = Field(default="entity", description="where measured")


class RelativeDistance(ByEntity):
    type: Literal["relative_distance"] = Field(description="distance to another entity")
    entity: str = Field(description="the other entity")
    value: float = Field(description="m")
    rule: Rule = Field(description="how the distance compares with value")
    freespace: bool = Field(default=False, description="between bounding boxes, not centres")
    distance_type: DistanceType = Field(default="cartesian", description="which distance")
    coordinate_system: CoordinateSystem = Field(default="entity", description="where measured")


class DistanceCondition(ByEntity):
    type: Literal["distance"] = Field(description="distance to a position")
    position: Position = Field(description="the position")
    value: float = Field(description="m")
    rule: Rule = Field(description="how the distance compares with value")
    freespace: bool = Field(default=False, description="from the bounding box, not the centre")
    distance_type: DistanceType = Field(default="cartesian", description="which distance")
    coordinate_system: CoordinateSystem = Field(default="entity", description="where measured")


class ReachPosition(ByEntity):
    type: Literal["reach_position"] = Field(description="within tolerance of a position")
    position: Position = Field(description="the position")
    tolerance: float = Field(gt=0, description="m")


class TraveledDistance(ByEntity):
    type: Literal["traveled_distance"] = Field(description="distance driven since the start")
    value: float = Field(description="m")


class Speed(ByEntity):
    type: Literal["speed"] = Field(description="own speed")
    value: float = Field(description="m/s")
    rule: Rule = Field(description="how the speed compares with value")


class RelativeSpeed(ByEntity):
    type: Literal["relative_speed"] = Field(description="own speed minus another entity's")
    entity: str = Field(description="the other entity")
    value: float = Field(description="m/s")
    rule: Rule = Field(description="how the difference compares with value")


class Acceleration(ByEntity):
    type: Literal["acceleration"] = Field(description="own acceleration")
    value: float = Field(description="m/s^2")
    rule: Rule = Field(description="how the acceleration compares with value")


class CollisionCondition(ByEntity):
    type: Literal["collision"] = Field(description="a collision of the triggering entities")
    entity: str | None = Field(default=None, description="with this entity; unset: with any")


class EndOfRoad(ByEntity):
    type: Literal["end_of_road"] = Field(description="off the end of its road for a while")
    duration: float = Field(default=0.0, ge=0, description="s")


ConditionKind = Annotated[
    SimulationTime
    | StoryboardElementStateCondition
    | TrafficSignalCondition
    | TimeHeadway
    | TimeToCollision
    | RelativeDistance
    | DistanceCondition
    | ReachPosition
    | TraveledDistance
    | Speed
    | RelativeSpeed
    | Acceleration
    | CollisionCondition
    | EndOfRoad,
    tagged_by("type"),
]


class Condition(Strict):
    name: str = Field(default="", description="as the file names it")
    delay: float = Field(default=0.0, ge=0, description="s between being met and counting as met")
    edge: Edge = Field(default="none", description="which change of the check meets it")
    check: ConditionKind = Field(description="what is checked")


class ConditionGroup(Strict):
    conditions: list[Condition] = Field(min_length=1, description="all must hold (AND)")


Trigger = Annotated[
    list[ConditionGroup], Field(description="any group holding fires it (OR of ANDs)")
]

# --- actions --------------------------------------------------------------------------------


class TransitionDynamics(Strict):
    shape: Shape = Field(default="step", description="how the value moves to its target")
    dimension: Dimension = Field(default="time", description="what value measures")
    value: float = Field(default=0.0, ge=0, description="s, units per s, or m")


class RelativeTarget(Strict):
    entity: str = Field(description="the entity the target is taken from")
    value: float = Field(description="added to (delta) or multiplying (factor) its value")
    value_type: Literal["delta", "factor"] = Field(default="delta", description="how")
    continuous: bool = Field(default=False, description="keep following it after the target")


class SpeedAction(Strict):
    type: Literal["speed"] = Field(description="change speed")
    absolute: float | None = Field(default=None, description="target speed (m/s)")
    relative: RelativeTarget | None = Field(default=None, description="or relative to another")
    dynamics: TransitionDynamics = Field(default=TransitionDynamics(), description="how")


class LaneChangeAction(Strict):
    type: Literal["lane_change"] = Field(description="move to another lane")
    absolute: int | None = Field(default=None, description="target OpenDRIVE lane id")
    relative: RelativeTarget | None = Field(
        default=None, description="or lanes from another entity's (value: lanes, + left)"
    )
    target_offset: float = Field(default=0.0, description="from the target lane's centre (m)")
    dynamics: TransitionDynamics = Field(description="how (time s, distance m or rate m/s)")


class LaneOffsetAction(Strict):
    type: Literal["lane_offset"] = Field(description="keep an offset from the lane's centre")
    absolute: float | None = Field(default=None, description="target offset (m, + left)")
    relative: RelativeTarget | None = Field(default=None, description="or from another's")
    shape: Shape = Field(default="step", description="how the offset moves to its target")
    max_lateral_acc: float | None = Field(default=None, gt=0, description="m/s^2")
    continuous: bool = Field(default=False, description="keep it until another lateral action")


class LongitudinalDistanceAction(Strict):
    type: Literal["longitudinal_distance"] = Field(description="keep a gap to another entity")
    entity: str = Field(description="the other entity")
    distance: float | None = Field(default=None, ge=0, description="gap (m)")
    time_gap: float | None = Field(default=None, ge=0, description="or time gap (s)")
    freespace: bool = Field(default=False, description="between bounding boxes")
    continuous: bool = Field(default=False, description="keep it until another action")
    displacement: Literal["trailing_reference", "leading_reference", "any"] = Field(
        default="trailing_reference", description="behind (trailing) or ahead of the other"
    )
    max_acceleration: float | None = Field(default=None, gt=0, description="m/s^2")
    max_deceleration: float | None = Field(default=None, gt=0, description="m/s^2")
    max_speed: float | None = Field(default=None, gt=0, description="m/s")


class TeleportAction(Strict):
    type: Literal["teleport"] = Field(description="put it somewhere at once")
    position: Position = Field(description="where")


class Vertex(Strict):
    time: float | None = Field(default=None, description="s (polyline timing)")
    position: Position = Field(description="the point")


class Polyline(Strict):
    kind: Literal["polyline"] = Field(description="straight segments between vertices")
    vertices: list[Vertex] = Field(min_length=2, description="in order")


class Clothoid(Strict):
    kind: Literal["clothoid"] = Field(description="a curve of linearly changing curvature")
    start: Position = Field(description="where it begins, with its heading")
    curvature: float = Field(description="at the start (1/m)")
    curvature_rate: float = Field(description="change of curvature per metre (1/m^2)")
    length: float = Field(gt=0, description="m")
    start_time: float | None = Field(default=None, description="s")
    stop_time: float | None = Field(default=None, description="s")


class Trajectory(Strict):
    name: str = Field(default="", description="as the file names it")
    closed: bool = Field(default=False, description="back to its start at the end")
    shape: Annotated[Polyline | Clothoid, tagged_by("kind")] = Field(description="its shape")


class Timing(Strict):
    domain: Literal["absolute", "relative"] = Field(
        description="vertex times are simulation times, or times since the action started"
    )
    scale: float = Field(default=1.0, gt=0, description="multiplies the vertex times")
    offset: float = Field(default=0.0, description="added to the scaled times (s)")


class FollowTrajectoryAction(Strict):
    type: Literal["follow_trajectory"] = Field(description="follow a path")
    trajectory: Trajectory = Field(description="the path")
    timing: Timing | None = Field(
        default=None, description="follow its vertex times; unset: at the current speed"
    )
    following_mode: Literal["position", "follow"] = Field(
        default="position", description="exactly (position) or as a driver would (follow)"
    )


class AssignRouteAction(Strict):
    type: Literal["assign_route"] = Field(description="drive a route through junctions")
    route: Route = Field(description="the route")


class SynchronizeAction(Strict):
    type: Literal["synchronize"] = Field(description="arrive when another entity arrives")
    master: str = Field(description="the entity to synchronise with")
    master_position: Position = Field(description="where the master will be")
    position: Position = Field(description="where this one must be at the same moment")
    final_speed: float | None = Field(default=None, ge=0, description="speed there (m/s)")
    tolerance: float = Field(default=1.0, gt=0, description="m around each position")


class TrafficSignalStateAction(Strict):
    type: Literal["traffic_signal_state"] = Field(description="set a traffic light's state")
    signal: str = Field(description="the signal's id")
    state: str = Field(description="red, yellow, green, off or flashing_yellow")


class ActivateControllerAction(Strict):
    type: Literal["activate_controller"] = Field(
        description="hand the entity to a controller: simgen's default driver keeps it (a no-op)"
    )
    controller: str = Field(default="", description="the controller named in the file")


ActionKind = Annotated[
    SpeedAction
    | LaneChangeAction
    | LaneOffsetAction
    | LongitudinalDistanceAction
    | TeleportAction
    | FollowTrajectoryAction
    | AssignRouteAction
    | SynchronizeAction
    | TrafficSignalStateAction
    | ActivateControllerAction,
    tagged_by("type"),
]

# --- the storyboard's structure ---------------------------------------------------------------


class Action(Strict):
    name: str = Field(description="unique in the storyboard")
    do: ActionKind = Field(description="what it does")


class Event(Strict):
    name: str = Field(description="unique in the storyboard")
    priority: Literal["overwrite", "override", "skip", "parallel"] = Field(
        default="overwrite",
        description="when it starts: stop the maneuver's running events (overwrite, override), "
        "wait (skip: do not start while another runs), or run beside them (parallel)",
    )
    maximum_execution_count: int = Field(default=1, ge=1, description="how often it may run")
    start_trigger: Trigger = Field(
        default_factory=list, description="when it starts; empty: when its maneuver does"
    )
    actions: list[Action] = Field(min_length=1, description="run together")


class Maneuver(Strict):
    name: str = Field(description="unique in the storyboard")
    events: list[Event] = Field(min_length=1, description="its events")


class ManeuverGroup(Strict):
    name: str = Field(description="unique in the storyboard")
    maximum_execution_count: int = Field(default=1, ge=1, description="how often it may run")
    actors: list[str] = Field(default_factory=list, description="the entities it acts on")
    select_triggering_entities: bool = Field(
        default=False, description="also act on the entities that triggered it"
    )
    maneuvers: list[Maneuver] = Field(default_factory=list, description="its maneuvers")


class Act(Strict):
    name: str = Field(description="unique in the storyboard")
    maneuver_groups: list[ManeuverGroup] = Field(min_length=1, description="its groups")
    start_trigger: Trigger = Field(
        default_factory=list, description="when it starts; empty: with its story"
    )
    stop_trigger: Trigger = Field(default_factory=list, description="when it is stopped")


class Story(Strict):
    name: str = Field(description="unique in the storyboard")
    acts: list[Act] = Field(min_length=1, description="its acts")


class InitActions(Strict):
    entity: str = Field(description="the road user they act on")
    actions: list[ActionKind] = Field(description="applied at t = 0, in order")


class Storyboard(Strict):
    init: list[InitActions] = Field(default_factory=list, description="at t = 0, per entity")
    global_init: list[ActionKind] = Field(
        default_factory=list, description="at t = 0, not tied to an entity (traffic signals)"
    )
    stories: list[Story] = Field(default_factory=list, description="what happens")
    stop_trigger: Trigger = Field(
        default_factory=list, description="ends the scenario's story (the render runs on)"
    )

    def events(self) -> Iterator[Event]:
        """Every event of every story, in the file's order."""
        for story in self.stories:
            for act in story.acts:
                for group in act.maneuver_groups:
                    for maneuver in group.maneuvers:
                        yield from maneuver.events


for _model in (RoutePosition, Waypoint):
    _model.model_rebuild()
