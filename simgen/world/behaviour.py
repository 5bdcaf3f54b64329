"""Planned motion of road users: behaviours, triggers and car-following, in road coordinates.

Each road user has a ``Plan`` that a fixed-step loop advances. Behaviour steps fire on their
trigger (``at`` a time, or ``when`` a distance or time-to-collision drops below a threshold) and
set the longitudinal mode (follow, constant, brake, accelerate, parked) or a lateral manoeuvre
(lane change, crossing) or a world path. Physics then drives the rigid bodies to these plans
until a collision hands them over to free physics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from simgen.core.geometry import footprint, polygon_distance, wrap_angle
from simgen.scenario.models import (
    Accelerate,
    Brake,
    Cross,
    FollowPath,
    LaneChange,
    LaneFollow,
    Parked,
    Stop,
    WrongWay,
)
from simgen.world.assets import AssetEntry
from simgen.world.map_road import MapGeometry
from simgen.world.road import RoadGeometry

Roads = RoadGeometry | MapGeometry  # the lane API a plan drives on

IDM_MAX_ACCEL = 1.5  # m/s^2
IDM_COMFORT_DECEL = 3.0  # m/s^2
IDM_MIN_GAP = 2.0  # m, bumper to bumper when stopped
MAX_DECEL = 9.0  # m/s^2, what tyres give
MAX_SPEED = 60.0
CONTROL_RATE = 30.0  # Hz at which car-following looks at its leader again (a driver's pace)


@dataclass(frozen=True)
class Snapshot:
    """Where a road user is now, as other plans see it."""

    name: str
    x: float
    y: float
    yaw: float
    vx: float
    vy: float
    length: float
    width: float

    @property
    def speed(self) -> float:
        return math.hypot(self.vx, self.vy)

    def footprint(self):
        return footprint(self.x, self.y, self.yaw, self.length, self.width)


def bumper_gap(a: Snapshot, b: Snapshot) -> float:
    """Ground-plane distance between two road users' boxes (0 when they touch)."""
    return polygon_distance(a.footprint(), b.footprint())


def time_to_collision(a: Snapshot, b: Snapshot) -> float:
    """Gap over closing speed along the line between the two; inf when they are not closing."""
    dx, dy = b.x - a.x, b.y - a.y
    distance = math.hypot(dx, dy)
    if distance < 1e-9:
        return 0.0
    closing = -((b.vx - a.vx) * dx + (b.vy - a.vy) * dy) / distance
    if closing <= 1e-6:
        return math.inf
    return bumper_gap(a, b) / closing


def idm_accel(speed: float, desired: float, gap: float, closing: float, headway: float) -> float:
    """Intelligent Driver Model acceleration (Treiber et al.), clipped to what tyres give."""
    free = 1.0 - (speed / max(desired, 0.1)) ** 4
    interaction = 0.0
    if math.isfinite(gap):
        wanted = IDM_MIN_GAP + max(
            0.0,
            speed * headway + speed * closing / (2 * math.sqrt(IDM_MAX_ACCEL * IDM_COMFORT_DECEL)),
        )
        interaction = (wanted / max(gap, 0.1)) ** 2
    return max(-MAX_DECEL, min(IDM_MAX_ACCEL, IDM_MAX_ACCEL * (free - interaction)))


def smoothstep5(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return t * t * t * (10 - 15 * t + 6 * t * t)


@dataclass
class LateralMove:
    start: float
    end: float
    t0: float
    duration: float

    def offset(self, t: float) -> float:
        return self.start + (self.end - self.start) * smoothstep5((t - self.t0) / self.duration)

    def done(self, t: float) -> bool:
        return t >= self.t0 + self.duration


class Throttle(Protocol):
    """Sets a plan's speed from outside its own modes (a storyboard action, while it runs)."""

    def speed(self, plan: Plan, t: float) -> float:
        """The speed the plan has at ``t`` (the end of the step being taken)."""
        ...


class Steering(Protocol):
    """Sets a plan's lateral position from outside (a storyboard lane change or offset)."""

    def lateral(self, plan: Plan, t: float) -> float:
        """The lateral (road t) the plan has at ``t``; ``plan.s`` and ``odometer`` are new."""
        ...


class Pilot(Protocol):
    """Moves a plan in the world directly (a storyboard trajectory): world x, y, heading."""

    domains: frozenset[str]  # longitudinal and/or lateral: what of the motion it sets

    def pose(self, plan: Plan, t: float, dt: float) -> tuple[float, float, float]: ...


@dataclass
class Plan:
    """The planner state of one road user."""

    id: int
    name: str
    model: str
    entry: AssetEntry
    arm: str | None
    s: float
    lateral: float
    direction: int
    speed: float
    lane: int | None
    steps: list  # behaviour steps, in order
    route: list[str] = field(default_factory=list)  # OpenDRIVE roads still to pass, in order
    fired: list[bool] = field(default_factory=list)
    mode: str = "constant"  # follow | constant | brake | accelerate | parked
    desired_speed: float = 0.0
    decel: float = 0.0
    accel_cmd: float = 0.0
    headway: float = 1.5
    accel: float = 0.0
    follow_accel: float = 0.0  # IDM's answer, held between control ticks
    lane_change: LateralMove | None = None
    crossing: tuple[float, float] | None = None  # (target lateral, lateral speed)
    path: list[tuple[float, float]] | None = None
    path_speed: float = 0.0
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    yaw: float = 0.0
    vx: float = 0.0
    vy: float = 0.0
    yaw_rate: float = 0.0
    heading_offset: float = 0.0  # radians from the direction of travel, while standing
    obey_signals: bool = True
    stop_at: float | None = None  # s of a stop line to halt at (set each step by signal rules)
    # storyboard control (simgen.world.storyboard): while set, they override the plan's own
    # longitudinal mode (throttle), lane keeping and lane changes (steering), or both (pilot)
    throttle: Throttle | None = None
    steering: Steering | None = None
    pilot: Pilot | None = None
    lane_shift: float = 0.0  # m from the lane's centre kept after a lane offset (+ left)
    odometer: float = 0.0  # m driven along the road since the start
    # the body's scale from its catalog model (a scenario's ``size``) and the storyboard's
    # reference point in its own frame (a scenario's ``reference_point``)
    scale: tuple[float, float, float] = (1.0, 1.0, 1.0)
    reference: tuple[float, float] = (0.0, 0.0)

    @property
    def length(self) -> float:
        return self.entry.dimensions[0]

    @property
    def width(self) -> float:
        return self.entry.dimensions[1]

    def snapshot(self) -> Snapshot:
        return Snapshot(
            self.name, self.x, self.y, self.yaw, self.vx, self.vy, self.length, self.width
        )


def make_plan(
    id: int,
    name: str,
    model: str,
    entry: AssetEntry,
    geom: Roads,
    *,
    lane: int | None,
    offset: float | None,
    s: float,
    speed: float,
    arm: str | None,
    steps: list,
    heading: float = 0.0,
    wrecked: bool = False,
    driver: str | None = None,
    route: list[str | tuple[float, float]] | None = None,
) -> Plan:
    if offset is None and lane is None:
        lane = 0
    lateral = geom.lane_offset(lane, s, arm) if lane is not None else float(offset)  # type: ignore[arg-type]
    direction = geom.lane_direction(lane, arm) if lane is not None else 1
    plan = Plan(id, name, model, entry, arm, s, lateral, direction, speed, lane, list(steps))
    if route and isinstance(geom, MapGeometry) and lane is not None and arm is not None:
        plan.route = geom.resolve_route(arm, lane, direction, route)
    plan.fired = [False] * len(steps)
    plan.desired_speed = speed
    plan.heading_offset = math.radians(heading)
    if entry.kind in ("vehicle", "cyclist") and driver != "none":
        plan.mode = "follow"
    if entry.kind == "object" or wrecked:
        plan.mode = "parked"
        plan.speed = 0.0
    place(plan, geom, dt=None)
    return plan


def place(plan: Plan, geom: Roads, dt: float | None, lateral_rate: float = 0.0) -> None:
    """Update world pose (and velocity, given the step) from the road-coordinate state."""
    old_x, old_y, old_yaw = plan.x, plan.y, plan.yaw
    x, y, heading = geom.to_world(plan.s, plan.lateral, plan.arm)
    if plan.crossing is not None:
        yaw = heading + (math.pi / 2 if plan.crossing[0] > plan.lateral else -math.pi / 2)
    else:
        along = plan.direction * plan.speed
        if abs(lateral_rate) > 1e-6 and plan.speed > 0.1:
            yaw = heading + math.atan2(lateral_rate, along)
        elif plan.speed > 0.1:
            yaw = heading + (math.pi if plan.direction < 0 else 0.0)
        elif dt is None:  # standing at the start: turned by its heading offset
            yaw = heading + (math.pi if plan.direction < 0 else 0.0) + plan.heading_offset
        else:
            yaw = plan.yaw  # a standing road user keeps its heading
    plan.x, plan.y, plan.yaw = x, y, wrap_angle(yaw)
    plan.z = geom.height_at(plan.s, plan.lateral, plan.arm, x, y)
    if dt is not None:
        plan.vx, plan.vy = (x - old_x) / dt, (y - old_y) / dt
        plan.yaw_rate = wrap_angle(plan.yaw - old_yaw) / dt
    else:  # the start: moving along its heading at its initial speed
        plan.vx, plan.vy = plan.speed * math.cos(plan.yaw), plan.speed * math.sin(plan.yaw)


# --- triggers and actions ----------------------------------------------------------------------


def _triggered(step: object, t: float, me: Snapshot, others: dict[str, Snapshot]) -> bool:
    at, when = getattr(step, "at", None), getattr(step, "when", None)
    if when is not None:
        if when.distance_to is not None:
            return bumper_gap(me, others[when.distance_to]) < when.below
        return time_to_collision(me, others[when.time_to_collision]) < when.below
    return t >= (float(at) if at is not None else 0.0)


def fire_triggers(plan: Plan, t: float, others: dict[str, Snapshot], geom: Roads) -> list[str]:
    """Start every step whose trigger holds now; returns the actions started."""
    me = plan.snapshot()
    started = []
    for i, step in enumerate(plan.steps):
        if not plan.fired[i] and _triggered(step, t, me, others):
            plan.fired[i] = True
            apply_action(plan, step, t, geom)
            started.append(str(getattr(step, "action", "")))
    return started


def apply_action(plan: Plan, step: object, t: float, geom: Roads) -> None:
    if isinstance(step, LaneFollow):
        plan.mode = "follow"
        plan.desired_speed = float(step.speed) if step.speed is not None else plan.desired_speed
        plan.headway = float(step.headway)
    elif isinstance(step, LaneChange):
        lane = int(step.lane)
        plan.lane_change = LateralMove(
            plan.lateral, geom.lane_offset(lane, plan.s, plan.arm), t, float(step.duration)
        )
        plan.lane = lane
    elif isinstance(step, (Brake, Stop)):
        plan.mode = "brake"
        plan.decel = float(step.decel)
    elif isinstance(step, Accelerate):
        plan.mode = "accelerate"
        plan.accel_cmd = float(step.accel)
        target = step.target_speed
        plan.desired_speed = float(target) if target is not None else MAX_SPEED
    elif isinstance(step, Cross):
        to_left = step.direction == "left" if step.direction is not None else plan.lateral < 0
        target = geom.crossing_target(plan.lateral, to_left, plan.s, plan.arm)
        plan.crossing = (target, float(step.speed))
        plan.lane = None  # it leaves its lane for good
        plan.mode, plan.speed = "constant", 0.0
    elif isinstance(step, FollowPath):
        plan.path = [(float(x), float(y)) for x, y in step.waypoints]
        plan.path_speed = float(step.speed)
    elif isinstance(step, Parked):
        plan.mode, plan.speed = "parked", 0.0
    elif isinstance(step, WrongWay):
        plan.direction = -(geom.lane_direction(plan.lane, plan.arm) if plan.lane is not None else 1)
        plan.mode = "constant"
        if step.speed is not None:
            plan.speed = float(step.speed)


# --- motion ------------------------------------------------------------------------------------


def leader(plan: Plan, others: dict[str, Snapshot], geom: Roads) -> tuple[float, float]:
    """(bumper gap, closing speed) to the nearest road user ahead in this one's path."""
    best_gap, closing = math.inf, 0.0
    heading = plan.yaw
    for other in others.values():
        if other.name == plan.name:
            continue
        if other.speed > 0.5 and math.cos(wrap_angle(other.yaw - heading)) < 0:
            continue  # oncoming traffic is not a leader
        s, lateral = geom.track(other.x, other.y, plan)
        ahead = (s - plan.s) * plan.direction
        if ahead <= 0 or abs(lateral - plan.lateral) > (plan.width + other.width) / 2 + 0.2:
            continue
        gap = ahead - (plan.length + other.length) / 2
        if gap < best_gap:
            along = other.vx * math.cos(heading) + other.vy * math.sin(heading)
            best_gap, closing = gap, plan.speed - along
    return max(best_gap, 0.0), closing


def stop_line_gap(plan: Plan, gap: float, closing: float) -> tuple[float, float]:
    """(gap, closing speed) to the nearer of the leader and a standing obstacle at the stop line
    the plan must halt at (``stop_at``): IDM brakes for a red light as for a stopped car."""
    if plan.stop_at is None:
        return gap, closing
    line = (plan.stop_at - plan.s) * plan.direction - plan.length / 2
    if line < gap:
        return max(line, 0.0), plan.speed
    return gap, closing


def longitudinal_accel(plan: Plan) -> float:
    if plan.mode == "parked":
        return 0.0
    if plan.mode == "brake":
        return -plan.decel if plan.speed > 0 else 0.0
    if plan.mode == "accelerate":
        return plan.accel_cmd if plan.speed < plan.desired_speed else 0.0
    if plan.mode == "follow":
        return plan.follow_accel
    return 0.0


def advance(
    plan: Plan,
    t: float,
    dt: float,
    others: dict[str, Snapshot],
    geom: Roads,
    control_tick: bool = True,
) -> None:
    """Move a plan from ``t`` to ``t + dt``; car-following re-plans on control ticks only."""
    if plan.pilot is not None:
        _advance_pilot(plan, t, dt, geom)
        return
    if plan.path is not None:
        _advance_path(plan, dt, geom)
        return
    if plan.throttle is not None:  # a storyboard action sets the speed: no IDM, no mode
        new_speed = max(0.0, plan.throttle.speed(plan, t + dt))
    else:
        if plan.mode == "follow" and control_tick:
            gap, closing = stop_line_gap(plan, *leader(plan, others, geom))
            plan.follow_accel = idm_accel(
                plan.speed, plan.desired_speed, gap, closing, plan.headway
            )
        accel = longitudinal_accel(plan)
        new_speed = min(MAX_SPEED, max(0.0, plan.speed + accel * dt))
        if plan.mode == "accelerate" and plan.speed < plan.desired_speed <= new_speed:
            new_speed = plan.desired_speed
    plan.accel = (new_speed - plan.speed) / dt
    plan.speed = new_speed
    plan.s += plan.direction * plan.speed * dt
    plan.odometer += plan.speed * dt
    old_lateral = plan.lateral
    geom.carry(plan)
    if plan.steering is not None:
        plan.lateral = plan.steering.lateral(plan, t + dt)
    elif plan.lane_change is not None:
        if plan.lane is not None:  # on a map, the target lane's centre moves with its width
            plan.lane_change.end = geom.lane_offset(plan.lane, plan.s, plan.arm)
        plan.lateral = plan.lane_change.offset(t + dt)
        if plan.lane_change.done(t + dt):
            plan.lateral, plan.lane_change = plan.lane_change.end, None
    elif plan.crossing is not None:
        target, rate = plan.crossing
        step = rate * dt
        if abs(target - plan.lateral) <= step:
            plan.lateral = target
            place(plan, geom, dt, (plan.lateral - old_lateral) / dt)
            plan.crossing = None
            return
        plan.lateral += math.copysign(step, target - plan.lateral)
    elif plan.lane is not None:  # keep to the lane's centre, which moves on a map
        plan.lateral = geom.lane_offset(plan.lane, plan.s, plan.arm)
        if plan.lane_shift:
            plan.lateral += plan.lane_shift
    place(plan, geom, dt, (plan.lateral - old_lateral) / dt)


def _advance_pilot(plan: Plan, t: float, dt: float, geom: Roads) -> None:
    """Put a plan where its pilot says, with the velocity that moved it there."""
    assert plan.pilot is not None
    old_x, old_y, old_yaw = plan.x, plan.y, plan.yaw
    x, y, yaw = plan.pilot.pose(plan, t + dt, dt)
    plan.s, plan.lateral = geom.to_road(x, y, plan.arm)
    plan.x, plan.y, plan.yaw = x, y, wrap_angle(yaw)
    plan.z = geom.height_at(plan.s, plan.lateral, plan.arm, x, y)
    plan.vx, plan.vy = (x - old_x) / dt, (y - old_y) / dt
    new_speed = math.hypot(plan.vx, plan.vy)
    if "longitudinal" not in plan.pilot.domains:  # a path only: its speed is the one it is given
        throttle = plan.throttle
        new_speed = throttle.speed(plan, t + dt) if throttle is not None else plan.speed
    plan.accel = (new_speed - plan.speed) / dt
    plan.speed = new_speed
    plan.odometer += new_speed * dt
    plan.yaw_rate = wrap_angle(plan.yaw - old_yaw) / dt


def _advance_path(plan: Plan, dt: float, geom: Roads) -> None:
    old_x, old_y, old_yaw = plan.x, plan.y, plan.yaw
    budget = plan.path_speed * dt
    x, y = plan.x, plan.y
    while budget > 0 and plan.path:
        tx, ty = plan.path[0]
        dx, dy = tx - x, ty - y
        distance = math.hypot(dx, dy)
        if distance <= budget:
            x, y = tx, ty
            budget -= distance
            plan.path.pop(0)
        else:
            x, y = x + dx / distance * budget, y + dy / distance * budget
            budget = 0.0
    if (x, y) != (old_x, old_y):
        plan.yaw = math.atan2(y - old_y, x - old_x)
    plan.s, plan.lateral = geom.to_road(x, y, plan.arm)
    plan.x, plan.y, plan.z = x, y, geom.height_at(plan.s, plan.lateral, plan.arm, x, y)
    plan.vx, plan.vy = (x - old_x) / dt, (y - old_y) / dt
    plan.speed = math.hypot(plan.vx, plan.vy)
    plan.yaw_rate = wrap_angle(plan.yaw - old_yaw) / dt
