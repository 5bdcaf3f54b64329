"""ScenarioInstance -> one WorldState per sensor frame, through a fixed-step PyBullet world."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from simgen.core.rng import derive_rng
from simgen.scenario.models import Road, Scenario, Signals
from simgen.scenario.sample import ScenarioInstance
from simgen.world.assets import load_catalog
from simgen.world.behaviour import (
    CONTROL_RATE,
    Plan,
    Snapshot,
    advance,
    fire_triggers,
    place,
)
from simgen.world.furniture import place_furniture
from simgen.world.map_road import MapGeometry, load_map
from simgen.world.physics import BodyState, PhysicsWorld
from simgen.world.road import RoadGeometry, SurfaceMesh
from simgen.world.road_signals import road_signals, signal_posts
from simgen.world.signal_rules import SignalRules, hold
from simgen.world.signals import SignalSystem, timings
from simgen.world.start import plans_of
from simgen.world.state import (
    ActorState,
    CollisionEvent,
    LightState,
    StaticWorld,
    TriggerEvent,
    WorldState,
    yaw_quat,
)
from simgen.world.storyboard.runner import StoryboardRunner

DEFAULT_PHYSICS_RATE = 240.0


def road_surfaces(road: Road) -> list[SurfaceMesh]:
    """The static road surface of a concrete road, procedural or from a map."""
    if road.type == "opendrive":
        return load_map(str(road.file)).surface_meshes()
    return RoadGeometry(road).surface_meshes()


def build_static_world(instance: ScenarioInstance) -> StaticWorld:
    scenario = instance.scenario
    road = scenario.road
    if road.type == "opendrive":
        map_ = load_map(str(road.file))
        geom = MapGeometry(map_)
        wanted = scenario.output.lane_labels()
        lanes = tuple(map_.lane_polylines(wanted.step)) if wanted else ()
        placements, controllers = map_.signal_layout()
        physical = [p for p in placements if p.physical]
        return StaticWorld(
            geom,
            (*road_surfaces(road), *signal_posts(physical)),
            tuple(map_.static_objects()),
            lanes=lanes,
            # a <signalReference> repeats a head for another road's stop line: no second head
            signals=tuple(physical),
            controllers=tuple(controllers),
        )
    procedural = RoadGeometry(road)
    rng = derive_rng(scenario.seed, instance.variant, "world/furniture")
    objects = place_furniture(procedural, road.furniture, rng)
    wanted = scenario.output.lane_labels()
    lanes = tuple(procedural.lane_polylines(wanted.step)) if wanted else ()
    signals = road_signals(procedural, road)
    return StaticWorld(
        procedural,
        (*procedural.surface_meshes(), *signals.surfaces),
        tuple(objects),
        lanes=lanes,
        signals=signals.signals,
        controllers=signals.controllers,
    )


def signal_system(instance: ScenarioInstance, static: StaticWorld) -> SignalSystem:
    """The static world's signals with the scenario's timings; their object ids follow the
    road users' (ego and actors), so they never change within a run. A map's controllers
    cycle with the default timing when the scenario gives none."""
    scenario = instance.scenario
    config = scenario.road.signals
    if config is None and scenario.road.type == "opendrive" and static.controllers:
        config = Signals(type="traffic_lights")
    if config is None:
        return SignalSystem(static.signals, {}, (), len(scenario.actors) + 2)
    return SignalSystem(
        static.signals,
        timings(static.controllers, config),
        tuple(config.faults),
        len(scenario.actors) + 2,
    )


def _headlights_on(scenario: Scenario) -> bool:
    env = scenario.environment
    return float(env.sun.elevation) < 8.0 or float(env.fog) > 0.02 or float(env.rain) >= 0.5


class Simulation:
    """The mutable side of a run: plans, physics bodies and who has crashed."""

    def __init__(self, instance: ScenarioInstance, physics_rate: float) -> None:
        self.scenario = instance.scenario
        self.static = build_static_world(instance)
        self.geom = self.static.road
        self.dt = 1.0 / physics_rate
        self.control_every = max(1, round(physics_rate / CONTROL_RATE))
        self.steps_done = 0
        self.plans = plans_of(instance, self.geom)
        self.by_name = {plan.name: plan for plan in self.plans}
        users = [self.scenario.ego, *self.scenario.actors]
        self.wrecked = {p.name for p, u in zip(self.plans, users, strict=True) if u.wrecked}
        self.free: dict[str, BodyState] = {}  # crashed road users, by name
        self.touched: set[tuple[str, str]] = set()
        self.pending: list[CollisionEvent] = []
        self.started: list[TriggerEvent] = []
        self.travelled: dict[str, tuple[float, float, float]] = {}  # name -> (time, speed, metres)
        self.headlights = _headlights_on(self.scenario)
        self.signals = signal_system(instance, self.static)
        self.rules = SignalRules(self.signals, self.geom) if self.signals.placements else None
        board = self.scenario.storyboard
        self.story = StoryboardRunner(board) if board is not None else None
        self.physics = PhysicsWorld(physics_rate)
        self._build_physics()

    def act_storyboard(self, t: float) -> None:
        """Evaluate the storyboard at ``t`` (after the plans moved there), if there is one."""
        if self.story is None:
            return
        scene = self.story.scene(
            t, self.dt, self.plans, self.snapshots(), self.free.keys(), self.geom, self.signals,
            self.touched,
        )  # fmt: skip
        if t == 0.0 and self.steps_done == 0:
            self.story.init(scene)
        else:
            self.story.evaluate(scene)

    def _build_physics(self) -> None:
        catalog = load_catalog()
        for surface in self.static.surfaces:
            if surface.semantic_class in ("sidewalk", "kerb"):
                self.physics.add_static_mesh(surface.mesh.vertices, surface.mesh.faces)
        for obj in self.static.objects:
            col = catalog[obj.model].collision
            size = (
                col.size[0] * obj.scale[0],
                col.size[1] * obj.scale[1],
                col.size[2] * obj.scale[2],
            )
            offset = (col.center[0] * obj.scale[0], col.center[1] * obj.scale[1], col.center[2])
            self.physics.add_static_box(size, obj.position, obj.yaw, offset)
        for plan in self.plans:
            self.physics.add_actor(plan.name, plan.entry, (plan.x, plan.y, plan.z), plan.yaw)

    def snapshots(self) -> dict[str, Snapshot]:
        out = {}
        for plan in self.plans:
            body = self.free.get(plan.name)
            if body is None:
                out[plan.name] = plan.snapshot()
            else:
                r = _yaw_of(body.rotation)
                out[plan.name] = Snapshot(
                    plan.name, body.position[0], body.position[1], r,
                    body.velocity[0], body.velocity[1], plan.length, plan.width,
                )  # fmt: skip
        return out

    def _note(self, plan: Plan, t: float, actions: list[str]) -> None:
        for action in actions:
            self.started.append(TriggerEvent(t, plan.name, action, (plan.x, plan.y, plan.z)))

    def step(self, t: float) -> None:
        """Drive, step physics at time t, record collisions, then plan the next instant."""
        for plan in self.plans:
            if plan.name not in self.free:
                self.physics.drive(
                    plan.name,
                    (plan.x, plan.y, plan.z),
                    plan.yaw,
                    (plan.vx, plan.vy, 0.0),
                    plan.yaw_rate,
                )
        for contact in self.physics.step():
            pair = (contact.a, contact.b)
            if pair in self.touched:
                continue
            self.touched.add(pair)
            a, b = self.by_name[contact.a], self.by_name[contact.b]
            self.pending.append(
                CollisionEvent(t, (a.name, b.name), (a.id, b.id), contact.impulse, contact.position)
            )
            for name in pair:
                self.free.setdefault(name, self.physics.state(name))
        for name in self.free:
            self.free[name] = self.physics.state(name)
        others = self.snapshots()
        tick = self.steps_done % self.control_every == 0
        self.steps_done += 1
        if self.rules is not None:
            self.rules.apply(self.plans, t)
        for plan in self.plans:
            if plan.name not in self.free:
                if self.rules is not None and self.rules.waits(plan, t):
                    hold(plan)
                    continue
                advance(plan, t, self.dt, others, self.geom, control_tick=tick)
        waiting = [p for p in self.plans if p.name not in self.free and not all(p.fired)]
        if waiting:
            others = self.snapshots()
            for plan in waiting:
                self._note(plan, t + self.dt, fire_triggers(plan, t + self.dt, others, self.geom))
        self.act_storyboard(t + self.dt)

    def state(self, frame: int, time: float) -> WorldState:
        actors = []
        crashed = {name for pair in self.touched for name in pair} | self.wrecked
        for plan in self.plans:
            entry = plan.entry
            body = self.free.get(plan.name)
            if body is None:
                position = (plan.x, plan.y, plan.z)
                rotation = yaw_quat(plan.yaw)
                velocity = (plan.vx, plan.vy, 0.0)
                angular = (0.0, 0.0, plan.yaw_rate)
                braking = plan.accel < -0.3 or (plan.speed < 0.05 and plan.mode != "parked")
            else:
                position, rotation = body.position, body.rotation
                velocity, angular = body.velocity, body.angular_velocity
                braking = False
            is_vehicle = entry.kind == "vehicle" or plan.model == "motorcycle"
            speed = math.hypot(velocity[0], velocity[1])
            last_time, last_speed, metres = self.travelled.get(plan.name, (time, speed, 0.0))
            metres += 0.5 * (last_speed + speed) * (time - last_time)  # trapezoid rule
            self.travelled[plan.name] = (time, speed, metres)
            actors.append(
                ActorState(
                    id=plan.id,
                    name=plan.name,
                    model=plan.model,
                    kind=entry.kind,
                    semantic_class=entry.semantic_class,
                    position=position,
                    rotation=rotation,
                    velocity=velocity,
                    angular_velocity=angular,
                    dimensions=entry.dimensions,
                    scale=plan.scale,
                    lights=LightState(
                        headlights=is_vehicle and (self.headlights or plan.model == "motorcycle"),
                        brake_lights=is_vehicle and braking,
                    ),
                    controlled=body is None,
                    crashed=plan.name in crashed,
                    travelled=metres,
                )
            )
        events, self.pending = tuple(self.pending), []
        triggers, self.started = tuple(self.started), []
        return WorldState(
            frame,
            time,
            tuple(actors),
            events,
            triggers,
            self.static,
            self.scenario.environment,
            self.signals.states(time),
            () if self.story is None else self.story.records(),
        )


def _yaw_of(q: tuple[float, float, float, float]) -> float:
    x, y, z, w = q
    return math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))


def simulate(
    instance: ScenarioInstance, physics_rate: float = DEFAULT_PHYSICS_RATE
) -> Iterator[WorldState]:
    """Yield the WorldState of every sensor frame: frame i is at t = i / frame_rate."""
    sim = Simulation(instance, physics_rate)
    try:
        others = sim.snapshots()
        for plan in sim.plans:
            started = fire_triggers(plan, 0.0, others, sim.geom)
            sim._note(plan, 0.0, started)
            if started:  # a step from t = 0 is how the road user is first seen (a wrong-way
                place(plan, sim.geom, dt=None)  # driver faces the traffic, a parked car stands)
        sim.act_storyboard(0.0)
        scenario = instance.scenario
        step = 0
        for frame in range(scenario.frames):
            target = round(frame / scenario.frame_rate * physics_rate)
            while step < target:
                sim.step(step / physics_rate)
                step += 1
            yield sim.state(frame, step / physics_rate)
    finally:
        sim.physics.close()


def trajectories(states: list[WorldState]) -> dict[str, np.ndarray]:
    """Per road user, its (frames, 3) array of x, y, yaw: for plots and tests."""
    out: dict[str, list[tuple[float, float, float]]] = {}
    for state in states:
        for actor in state.actors:
            out.setdefault(actor.name, []).append((actor.position[0], actor.position[1], actor.yaw))
    return {name: np.asarray(rows) for name, rows in out.items()}
