"""OpenSCENARIO's actions acted out on plans (``simgen.world.behaviour.Plan``).

An action that lasts takes the part of a plan it controls: ``throttle`` (speed, longitudinal
distance, synchronize), ``steering`` (lane change, lane offset) or ``pilot`` (trajectories,
both). While it holds it, the plan's own mode (IDM car-following, brake, accelerate) and lane
keeping stand aside; a newer action of the same domain on the same road user stops the older
one (the standard's override). When an action ends, the plan takes over again with what the
action left: the speed reached becomes its desired speed, a lane offset its kept offset.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simgen.core.geometry import wrap_angle
from simgen.scenario.storyboard import (
    ActionKind,
    ActivateControllerAction,
    AssignRouteAction,
    Clothoid,
    FollowTrajectoryAction,
    LaneChangeAction,
    LaneOffsetAction,
    LongitudinalDistanceAction,
    RelativeTarget,
    Shape,
    SpeedAction,
    SynchronizeAction,
    TeleportAction,
    TrafficSignalStateAction,
)
from simgen.world.behaviour import Plan, Roads, place
from simgen.world.map_road import MapGeometry
from simgen.world.storyboard.dynamics import (
    peak_acceleration_duration,
    rate_duration,
    shape_fraction,
    speed_duration,
)
from simgen.world.storyboard.lanes import centre_offset, lane_here, lane_shift
from simgen.world.storyboard.positions import Pose, PositionError, resolve
from simgen.world.storyboard.scene import Scene, offset_point, plan_point

TIME_EPS = 1e-9
DEFAULT_LATERAL_ACC = 1.0  # m/s^2: a lane offset without max_lateral_acc
GAP_TIME_CONSTANT = 1.0  # s: how fast a limited longitudinal_distance closes its gap error
GAP_TOLERANCE = 0.1  # m (and m/s): a non-continuous longitudinal_distance is reached
CLOTHOID_STEP = 0.25  # m between the points a clothoid is followed through
LIGHT_STATES = ("red", "yellow", "green", "off", "flashing_yellow")


class ActionError(ValueError):
    """An action that cannot act (a missing map, an unknown signal); says which."""


@dataclass(eq=False)
class Running:
    """One action acting on one road user (or on the world, ``entity`` None)."""

    entity: str | None
    t0: float
    domains: frozenset[str] = frozenset()  # "longitudinal", "lateral"

    def done(self, scene: Scene) -> bool:
        return True

    def prepare(self, scene: Scene) -> None:
        """Read what the coming step needs from the scene, with every road user at the same
        instant (plans advance one after another within a step)."""

    def release(self, plan: Plan | None, stopped: bool) -> None:
        """Hand the plan back (the action ended, or was stopped when ``stopped``)."""


def _hold(plan: Plan) -> None:
    """After a speed action: the speed reached is what the plan's own mode keeps."""
    plan.desired_speed = plan.speed
    if plan.mode in ("brake", "accelerate", "parked"):
        plan.mode = "follow" if plan.entry.kind in ("vehicle", "cyclist") else "constant"


def _set_speed(plan: Plan, speed: float) -> None:
    """Change a plan's speed at once, its velocity along its heading."""
    plan.speed = speed
    plan.vx, plan.vy = speed * math.cos(plan.yaw), speed * math.sin(plan.yaw)
    _hold(plan)


def _reference(target: RelativeTarget, value: float) -> float:
    """The target taken from another road user's value (delta: added, factor: multiplied)."""
    return value + target.value if target.value_type == "delta" else value * target.value


@dataclass(eq=False)
class Speed(Running):
    """Speed from v0 to the target along the dynamics' shape, by time (t - t0) / T."""

    v0: float = 0.0
    target: float = 0.0
    duration: float = 0.0
    follow: Plan | None = None  # a continuous relative target follows this plan's speed
    spec: RelativeTarget | None = None
    shape: Shape = "step"

    def goal(self) -> float:
        if self.follow is not None and self.spec is not None:
            return _reference(self.spec, self.follow.speed)
        return self.target

    def speed(self, plan: Plan, t: float) -> float:
        if self.duration <= 0:
            return self.goal()
        p = (t - self.t0) / self.duration
        return self.v0 + (self.goal() - self.v0) * shape_fraction(self.shape, p)

    def done(self, scene: Scene) -> bool:
        return self.follow is None and scene.time >= self.t0 + self.duration - TIME_EPS

    def release(self, plan: Plan | None, stopped: bool) -> None:
        if plan is not None and plan.throttle is self:
            plan.throttle = None
            _hold(plan)


def _start_speed(a: SpeedAction, plan: Plan, scene: Scene) -> Running:
    follow = None
    if a.relative is not None:
        ref = scene.entity(a.relative.entity)
        target = _reference(a.relative, ref.speed)
        follow = ref.plan if a.relative.continuous else None
    elif a.absolute is not None:
        target = a.absolute
    else:
        raise ActionError("a speed action needs an absolute or a relative target")
    v0 = plan.speed
    duration = speed_duration(a.dynamics, v0, target)
    run = Speed(plan.name, scene.time, frozenset({"longitudinal"}), v0, target, duration, follow,
                a.relative, a.dynamics.shape)  # fmt: skip
    if duration <= 0 and follow is None:
        _set_speed(plan, target)  # a step: at once (at t = 0 too, before the first step)
        return Running(plan.name, scene.time)
    plan.throttle = run
    return run


@dataclass(eq=False)
class Lateral(Running):
    """A lateral move from ``start`` to a lane's centre (plus an offset) along a shape, by
    time or by distance driven; the target lane's centre is read again at every step."""

    lane: int | None = None
    start: float = 0.0
    offset: float = 0.0  # from the lane's centre at the end
    shape: Shape = "linear"
    duration: float | None = None  # s (by time)
    distance: float | None = None  # m (by distance)
    odometer0: float = 0.0
    continuous: bool = False
    follow: Plan | None = None  # a continuous relative lane offset follows this plan's
    spec: RelativeTarget | None = None
    geom: Roads | None = None
    last: float = 0.0  # the progress of the latest step

    def progress(self, plan: Plan, t: float) -> float:
        if self.distance is not None:
            return 1.0 if self.distance <= 0 else (plan.odometer - self.odometer0) / self.distance
        assert self.duration is not None
        return 1.0 if self.duration <= 0 else (t - self.t0) / self.duration

    def goal_offset(self) -> float:
        if self.follow is not None and self.spec is not None:
            assert self.geom is not None
            return _reference(self.spec, centre_offset(self.geom, self.follow))
        return self.offset

    def lateral(self, plan: Plan, t: float) -> float:
        assert self.geom is not None and self.lane is not None
        centre = self.geom.lane_offset(self.lane, plan.s, plan.arm)
        end = centre + self.goal_offset()
        self.last = self.progress(plan, t)
        return self.start + (end - self.start) * shape_fraction(self.shape, self.last)

    def done(self, scene: Scene) -> bool:
        plan = scene.entity(self.entity or "").plan
        return not self.continuous and self.progress(plan, scene.time) >= 1.0 - TIME_EPS

    def release(self, plan: Plan | None, stopped: bool) -> None:
        if plan is not None and plan.steering is self:
            plan.steering = None
            assert self.geom is not None
            plan.lane_shift = centre_offset(self.geom, plan) if stopped else self.goal_offset()


def _start_lane_change(a: LaneChangeAction, plan: Plan, scene: Scene) -> Running:
    if plan.lane is None:
        raise ActionError(f"{plan.name} is on no lane to change from")
    if a.relative is not None:
        ref = scene.entity(a.relative.entity).plan
        if ref.lane is None:
            raise ActionError(f"{ref.name} is on no lane to count lanes from")
        lane = lane_shift(scene.geom, plan.arm, plan.s, ref.lane, round(a.relative.value))
    elif a.absolute is not None:
        lane = a.absolute
    else:
        raise ActionError("a lane change needs an absolute or a relative target lane")
    start = plan.lateral
    end = scene.geom.lane_offset(lane, plan.s, plan.arm) + a.target_offset
    d = a.dynamics
    duration = distance = None
    if d.shape == "step":
        duration = 0.0
    elif d.dimension == "distance":
        distance = d.value
    elif d.dimension == "rate":
        duration = rate_duration(d.shape, end - start, d.value)
    else:
        duration = d.value
    run = Lateral(plan.name, scene.time, frozenset({"lateral"}), lane, start, a.target_offset,
                  d.shape, duration, distance, plan.odometer, geom=scene.geom)  # fmt: skip
    plan.lane, plan.lane_change, plan.lane_shift = lane, None, 0.0
    plan.steering = run
    return run


def _start_lane_offset(a: LaneOffsetAction, plan: Plan, scene: Scene) -> Running:
    if plan.lane is None:
        raise ActionError(f"{plan.name} is on no lane to keep an offset in")
    follow = None
    if a.relative is not None:
        ref = scene.entity(a.relative.entity).plan
        target = _reference(a.relative, centre_offset(scene.geom, ref))
        follow = ref if a.continuous else None
    elif a.absolute is not None:
        target = a.absolute
    else:
        raise ActionError("a lane offset needs an absolute or a relative target")
    now = centre_offset(scene.geom, plan)
    acc = a.max_lateral_acc or DEFAULT_LATERAL_ACC
    duration = peak_acceleration_duration(a.shape, target - now, acc)
    run = Lateral(plan.name, scene.time, frozenset({"lateral"}), plan.lane, plan.lateral, target,
                  a.shape, duration, None, plan.odometer, a.continuous, follow, a.relative,
                  scene.geom)  # fmt: skip
    plan.lane_change, plan.steering = None, run
    return run


@dataclass(eq=False)
class Gap(Running):
    """Keeps a distance (or time gap) behind or ahead of another road user: the other's speed
    plus the position error over a time constant (one step: unlimited dynamics), within the
    limits given."""

    other: Plan | None = None
    spec: LongitudinalDistanceAction | None = None
    ahead_side: int = 1  # +1: the other is ahead (trailing_reference), -1: it is behind
    dt: float = 0.0
    geom: Roads | None = None
    error: float = math.inf
    relative_speed: float = math.inf
    other_speed: float = 0.0

    def prepare(self, scene: Scene) -> None:
        assert self.spec is not None and self.entity is not None
        plan = scene.entity(self.entity).plan
        a = self.spec
        want = a.distance if a.distance is not None else (a.time_gap or 0.0) * plan.speed
        self.error = self.gap(plan) - want  # > 0: too far from the other
        self.other_speed = scene.entity(a.entity).speed

    def gap(self, plan: Plan) -> float:
        assert self.other is not None and self.spec is not None
        assert self.geom is not None
        if self.spec.freespace:  # box centre to box centre, less the half lengths
            s, _ = self.geom.track(self.other.x, self.other.y, plan)
            ahead = (s - plan.s) * plan.direction * self.ahead_side
            return ahead - (plan.length + self.other.length) / 2
        s, _ = self.geom.track(*plan_point(self.other), plan)  # reference points
        return ((s - plan.s) * plan.direction - plan.reference[0]) * self.ahead_side

    def speed(self, plan: Plan, t: float) -> float:
        assert self.spec is not None
        a = self.spec
        limited = a.max_acceleration or a.max_deceleration or a.max_speed
        tau = GAP_TIME_CONSTANT if limited else self.dt
        v = self.other_speed + self.ahead_side * self.error / tau
        if a.max_acceleration is not None:
            v = min(v, plan.speed + a.max_acceleration * self.dt)
        if a.max_deceleration is not None:
            v = max(v, plan.speed - a.max_deceleration * self.dt)
        if a.max_speed is not None:
            v = min(v, a.max_speed)
        self.relative_speed = v - self.other_speed
        return max(v, 0.0)

    def done(self, scene: Scene) -> bool:
        assert self.spec is not None
        return (
            not self.spec.continuous
            and abs(self.error) <= GAP_TOLERANCE
            and abs(self.relative_speed) <= GAP_TOLERANCE
        )

    def release(self, plan: Plan | None, stopped: bool) -> None:
        if plan is not None and plan.throttle is self:
            plan.throttle = None
            _hold(plan)


def _start_gap(a: LongitudinalDistanceAction, plan: Plan, scene: Scene) -> Running:
    other = scene.entity(a.entity).plan
    side = 1
    if a.displacement == "leading_reference":
        side = -1
    elif a.displacement == "any":
        s, _ = scene.geom.track(other.x, other.y, plan)
        side = 1 if (s - plan.s) * plan.direction >= 0 else -1
    run = Gap(plan.name, scene.time, frozenset({"longitudinal"}), other, a, side, scene.dt,
              scene.geom)  # fmt: skip
    run.prepare(scene)
    plan.throttle = run
    return run


def _teleport(a: TeleportAction, plan: Plan, scene: Scene) -> Running:
    pose = resolve(a.position, scene.map, scene.poses())
    if plan.reference != (0.0, 0.0):  # the position is its reference point's: its origin
        rx, ry = plan.reference
        x, y = offset_point(pose.x, pose.y, pose.heading, (-rx, -ry))
        pose = Pose(x, y, pose.z, pose.heading, pose.road, pose.lane)
    put(plan, scene, pose)
    return Running(plan.name, scene.time, frozenset({"lateral"}))


def put(plan: Plan, scene: Scene, pose: Pose) -> None:
    """Place a plan at a pose: on its road and lane there, heading the pose's way."""
    geom = scene.geom
    if isinstance(geom, MapGeometry):
        road = pose.road or geom.nearest_road(pose.x, pose.y)
        s, t = (
            (pose.s, pose.t)
            if pose.s is not None and pose.t is not None
            else geom.to_road(pose.x, pose.y, road)
        )
        plan.arm = road
    else:
        s, t = geom.to_road(pose.x, pose.y, plan.arm)
    plan.s, plan.lateral = s, t
    plan.lane = pose.lane if pose.lane is not None else lane_here(geom, plan)
    road_heading = geom.to_world(s, t, plan.arm)[2]
    plan.direction = 1 if math.cos(wrap_angle(pose.heading - road_heading)) >= 0 else -1
    travel = road_heading + (math.pi if plan.direction < 0 else 0.0)
    plan.heading_offset = wrap_angle(pose.heading - travel)
    plan.lane_change = plan.crossing = plan.path = None
    plan.lane_shift = 0.0
    place(plan, geom, dt=None)
    if plan.speed <= 0.1:
        plan.yaw = wrap_angle(pose.heading)


@dataclass(eq=False)
class Trajectory(Running):
    """Moves a plan through world points: at their times (timing), or along them at the
    plan's speed (a speed action may change it meanwhile)."""

    points: list[tuple[float, float]] = field(default_factory=list)
    times: list[float] | None = None
    reference: tuple[float, float] = (0.0, 0.0)  # the plan's: the point that follows it
    travelled: float = 0.0
    lengths: list[float] = field(default_factory=list)  # cumulative, from the first point
    scene: Scene | None = None  # where it puts the plan back on the road at the end

    def __post_init__(self) -> None:
        self.lengths = [0.0]
        for (x0, y0), (x1, y1) in zip(self.points, self.points[1:], strict=False):
            self.lengths.append(self.lengths[-1] + math.hypot(x1 - x0, y1 - y0))

    def _at(self, u: float) -> tuple[float, float, float]:
        """The point ``u`` metres along, and the heading of its segment."""
        i = min(max(bisect.bisect_right(self.lengths, u) - 1, 0), len(self.points) - 2)
        (x0, y0), (x1, y1) = self.points[i], self.points[i + 1]
        span = self.lengths[i + 1] - self.lengths[i]
        f = 0.0 if span <= 0 else min(max((u - self.lengths[i]) / span, 0.0), 1.0)
        return x0 + (x1 - x0) * f, y0 + (y1 - y0) * f, math.atan2(y1 - y0, x1 - x0)

    def pose(self, plan: Plan, t: float, dt: float) -> tuple[float, float, float]:
        """The plan's origin and heading at ``t``: its reference point on the trajectory."""
        x, y, heading = self._where(plan, t, dt)
        if self.reference == (0.0, 0.0):
            return x, y, heading
        rx, ry = self.reference
        return (*offset_point(x, y, heading, (-rx, -ry)), heading)

    def _where(self, plan: Plan, t: float, dt: float) -> tuple[float, float, float]:
        if self.times is None:
            speed = plan.throttle.speed(plan, t) if plan.throttle is not None else plan.speed
            self.travelled += max(speed, 0.0) * dt
            return self._at(self.travelled)
        times = self.times
        i = min(max(bisect.bisect_right(times, t) - 1, 0), len(times) - 2)
        span = times[i + 1] - times[i]
        f = 0.0 if span <= 0 else min(max((t - times[i]) / span, 0.0), 1.0)
        return self._at(self.lengths[i] + (self.lengths[i + 1] - self.lengths[i]) * f)

    def done(self, scene: Scene) -> bool:
        if self.times is None:
            return self.travelled >= self.lengths[-1] - 1e-9
        return scene.time >= self.times[-1] - TIME_EPS

    def release(self, plan: Plan | None, stopped: bool) -> None:
        if plan is None or plan.pilot is not self:
            return
        plan.pilot = None
        if self.scene is not None:  # back on the road: the road and lane under it
            put(plan, self.scene, Pose(plan.x, plan.y, plan.z, plan.yaw))
            _hold(plan)


def clothoid_points(c: Clothoid, start: Pose) -> list[tuple[float, float]]:
    """Points every CLOTHOID_STEP metres along a clothoid (heading integrated exactly, position
    by the midpoint rule on each short step)."""
    n = max(2, math.ceil(c.length / CLOTHOID_STEP))
    h = c.length / n
    x, y = start.x, start.y
    out = [(x, y)]
    for k in range(n):
        s_mid = (k + 0.5) * h
        heading = start.heading + c.curvature * s_mid + 0.5 * c.curvature_rate * s_mid * s_mid
        x, y = x + h * math.cos(heading), y + h * math.sin(heading)
        out.append((x, y))
    return out


def _start_trajectory(a: FollowTrajectoryAction, plan: Plan, scene: Scene) -> Running:
    shape = a.trajectory.shape
    poses = scene.poses()
    times: list[float] | None
    if isinstance(shape, Clothoid):
        start = resolve(shape.start, scene.map, poses)
        points = clothoid_points(shape, start)
        times = None
        if a.timing is not None and shape.start_time is not None and shape.stop_time is not None:
            n = len(points) - 1
            times = [shape.start_time + (shape.stop_time - shape.start_time) * k / n
                     for k in range(n + 1)]  # fmt: skip
    else:
        resolved = [resolve(v.position, scene.map, poses) for v in shape.vertices]
        points = [(p.x, p.y) for p in resolved]
        times = None
        if a.timing is not None:
            if any(v.time is None for v in shape.vertices):
                raise ActionError("a timed trajectory needs a time at every vertex")
            times = [float(v.time) for v in shape.vertices]  # type: ignore[arg-type]
    if a.trajectory.closed:
        points.append(points[0])
        if times is not None:
            times.append(times[-1] + (times[-1] - times[-2]))
    if times is not None and a.timing is not None:
        base = scene.time if a.timing.domain == "relative" else 0.0
        times = [base + tv * a.timing.scale + a.timing.offset for tv in times]
    # untimed, it is a path only: its speed stays the speed actions' (as the standard has it:
    # the entity moves along the trajectory at its current speed)
    domains = frozenset({"lateral"} if times is None else {"longitudinal", "lateral"})
    run = Trajectory(plan.name, scene.time, domains, points, times, plan.reference, scene=scene)
    plan.pilot = run
    return run


def _assign_route(a: AssignRouteAction, plan: Plan, scene: Scene) -> Running:
    geom = scene.map
    if geom is None or plan.arm is None or plan.lane is None:
        raise ActionError("assign_route needs an OpenDRIVE map and a road user on a lane")
    poses = scene.poses()
    roads: list[str | tuple[float, float]] = []
    for w in a.route.waypoints:
        pose = resolve(w.position, geom, poses)
        roads.append(pose.road if pose.road is not None else geom.nearest_road(pose.x, pose.y))
    if a.route.closed:
        roads.append(roads[0])
    plan.route = geom.resolve_route(plan.arm, plan.lane, plan.direction, roads)
    return Running(plan.name, scene.time)


@dataclass(eq=False)
class Synchronize(Running):
    """Sets the speed each step so that the road user reaches its position when the master
    reaches the master's (at the master's speed now), arriving at ``final_speed``: the first
    step of the speed profile v(s) = v0 + b s + c s^2 that covers the distance left in the
    master's time left and ends at the final speed (recomputed every step)."""

    master: Plan | None = None
    master_point: tuple[float, float] = (0.0, 0.0)
    point: tuple[float, float] = (0.0, 0.0)
    final_speed: float | None = None
    tolerance: float = 1.0
    dt: float = 0.0

    def speed(self, plan: Plan, t: float) -> float:
        assert self.master is not None
        mx, my = plan_point(self.master)
        d_master = math.hypot(mx - self.master_point[0], my - self.master_point[1])
        if self.master.speed <= 1e-6:
            return plan.speed
        left = d_master / self.master.speed
        px, py = plan_point(plan)
        d = math.hypot(px - self.point[0], py - self.point[1])
        if left <= self.dt:
            return plan.speed if self.final_speed is None else self.final_speed
        if self.final_speed is None:
            return d / left
        v0, vf = plan.speed, self.final_speed
        c = 6.0 * ((v0 + vf) * left / 2.0 - d) / left**3
        b = (vf - v0 - c * left * left) / left
        return max(0.0, v0 + b * self.dt)

    def done(self, scene: Scene) -> bool:
        assert self.master is not None
        mx, my = plan_point(self.master)
        return math.hypot(mx - self.master_point[0], my - self.master_point[1]) <= self.tolerance

    def release(self, plan: Plan | None, stopped: bool) -> None:
        if plan is not None and plan.throttle is self:
            plan.throttle = None
            _hold(plan)


def _start_sync(a: SynchronizeAction, plan: Plan, scene: Scene) -> Running:
    poses = scene.poses()
    mp = resolve(a.master_position, scene.map, poses)
    p = resolve(a.position, scene.map, poses)
    run = Synchronize(plan.name, scene.time, frozenset({"longitudinal"}),
                      scene.entity(a.master).plan, (mp.x, mp.y), (p.x, p.y), a.final_speed,
                      a.tolerance, scene.dt)  # fmt: skip
    plan.throttle = run
    return run


def _signal_state(a: TrafficSignalStateAction, scene: Scene) -> Running:
    if a.state not in LIGHT_STATES:
        raise ActionError(f"traffic signal state '{a.state}' (expected one of {LIGHT_STATES})")
    try:
        scene.signals.override(a.signal, a.state, scene.time)  # type: ignore[arg-type]
    except KeyError:
        raise ActionError(f"the road has no traffic signal '{a.signal}'") from None
    return Running(None, scene.time)


# how each action that acts on a road user starts
STARTERS: dict[type, Callable[[Any, Plan, Scene], Running]] = {
    SpeedAction: _start_speed,
    LaneChangeAction: _start_lane_change,
    LaneOffsetAction: _start_lane_offset,
    LongitudinalDistanceAction: _start_gap,
    TeleportAction: _teleport,
    FollowTrajectoryAction: _start_trajectory,
    AssignRouteAction: _assign_route,
    SynchronizeAction: _start_sync,
}


def start(action: ActionKind, entity: str | None, scene: Scene) -> Running:
    """Start an action on a road user (``entity``) or on the world; raises ActionError or
    PositionError when it cannot act."""
    if isinstance(action, TrafficSignalStateAction):
        return _signal_state(action, scene)
    if isinstance(action, ActivateControllerAction):
        return Running(entity, scene.time)  # simgen's default driver keeps the road user
    if entity is None:
        raise ActionError(f"a {action.type} action needs a road user to act on")
    return STARTERS[type(action)](action, scene.entity(entity).plan, scene)


__all__ = ["ActionError", "PositionError", "Running", "start"]
