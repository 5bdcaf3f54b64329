"""Imported OpenSCENARIO files, acted out: what each file specifies, computed by hand here.

Every physics step of the simulation is recorded (position on the map, speed), so that a value
the file sets at a time, or a trigger the file sets on a condition, is checked to the step.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from simgen.importers.openscenario.files import load_xosc
from simgen.scenario.sample import sample
from simgen.world.map_road import MapGeometry, load_map
from simgen.world.simulate import Simulation
from simgen.world.storyboard.scene import plan_point

XOSC = Path(__file__).resolve().parents[2].parent / "shared" / "standards" / "esmini" / "xosc"
RATE = 240.0
DT = 1.0 / RATE
pytestmark = pytest.mark.skipif(not XOSC.is_dir(), reason="the esmini corpus is not here")


@dataclass
class Steps:
    """Per physics step: time, and per road user (x, y, speed) of its origin (the box's bottom
    centre, which lateral dynamics move) and of its reference point (where the file's positions
    and distances put it)."""

    sim: Simulation
    times: list[float] = field(default_factory=list)
    users: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)
    points: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)

    def start(self, name: str) -> float:
        return next(r for r in self.sim.story.records() if r.name == name).spans[0].start  # type: ignore[union-attr]

    def at(self, who: str, t: float) -> tuple[float, float, float]:
        return self.users[who][round(t * RATE)]

    def road(self, who: str, t: float, road: str, point: bool = False) -> tuple[float, float]:
        x, y, _ = (self.points if point else self.users)[who][round(t * RATE)]
        return MapGeometry(self.sim.geom.map).to_road(x, y, road)  # type: ignore[union-attr]


def run(name: str, seconds: float) -> Steps:
    loaded = load_xosc(XOSC / f"{name}.xosc")
    scenario = loaded.scenario.model_copy(update={"duration": seconds})
    ego = scenario.ego.model_copy(update={"sensors": []})
    instance = sample(scenario.model_copy(update={"ego": ego}), 0)
    sim = Simulation(instance, RATE)
    out = Steps(sim)
    try:
        sim.act_storyboard(0.0)
        for step in range(round(seconds * RATE) + 1):
            out.times.append(step * DT)
            for plan in sim.plans:
                out.users.setdefault(plan.name, []).append((plan.x, plan.y, plan.speed))
                out.points.setdefault(plan.name, []).append((*plan_point(plan), plan.speed))
            sim.step(step * DT)
    finally:
        sim.physics.close()
    return out


@pytest.fixture(scope="module")
def cut_in() -> Steps:
    return run("cut-in", 14.0)


def test_cut_in_speeds_are_the_files(cut_in):
    # Init: Ego at ${108 / 3.6} = 30 m/s; the act starts at once (simulation time > 0) and the
    # overtaker then drives at 1.2 x the ego's speed, continuously
    assert cut_in.at("ego", 0.0)[2] == pytest.approx(30.0)
    for t in (1.0, 2.0, 3.0):
        assert cut_in.at("overtaker", t)[2] == pytest.approx(1.2 * cut_in.at("ego", t)[2], abs=0.01)


def test_cut_in_entities_have_the_catalogs_box_and_start_at_their_reference_points(cut_in):
    # VehicleCatalog: car_white (Ego) and car_red (OverTaker) are 5.04 x 2.0 x 1.5 m boxes with
    # their centres Center x = 1.4 and 1.45 m ahead of the reference point (the rear axle)
    by_name = cut_in.sim.by_name
    assert by_name["ego"].entry.dimensions == (5.04, 2.0, 1.5)
    assert by_name["overtaker"].entry.dimensions == (5.04, 2.0, 1.5)
    # Init: Ego at LanePosition s = 50 on lane -3 (along +s): the reference point at s = 50,
    # the box centre at 51.4; the overtaker at s = 25 and 26.45
    assert cut_in.road("ego", 0.0, "0", point=True)[0] == pytest.approx(50.0, abs=1e-3)
    assert cut_in.road("ego", 0.0, "0")[0] == pytest.approx(51.4, abs=1e-3)
    assert cut_in.road("overtaker", 0.0, "0", point=True)[0] == pytest.approx(25.0, abs=1e-3)
    assert cut_in.road("overtaker", 0.0, "0")[0] == pytest.approx(26.45, abs=1e-3)


def test_cut_in_lane_change_fires_on_the_headway_and_is_sinusoidal(cut_in):
    """CutInEvent: the ego's time headway to the overtaker rises above 0.4 s (the gap along
    road 0, reference point to reference point, over the ego's speed); the overtaker then moves
    from lane -2 to the ego's lane -3 in 3 s, sinusoidally (its box centre: the reference point
    1.45 m behind trails it by up to 1.45 sin(yaw), 7 cm here)."""
    geom = MapGeometry(load_map(XOSC.parent / "xodr" / "e6mini.xodr"))

    def headway(t: float) -> float:
        s_ego, _ = cut_in.road("ego", t, "0", point=True)
        s_over, _ = cut_in.road("overtaker", t, "0", point=True)
        return (s_over - s_ego) / cut_in.at("ego", t)[2]

    first = next(t for t in cut_in.times[1:] if headway(t) > 0.4)
    start = cut_in.start("CutInEvent")
    assert abs(start - first) <= DT + 1e-9  # within one step of the condition turning true
    road = geom.map.roads["0"]
    for u in (0.0, 0.25, 0.5, 0.75, 1.0):
        t = start + 3.0 * u
        s, lateral = cut_in.road("overtaker", t, "0")
        a, b = road.lane_center(s, -2), road.lane_center(s, -3)
        expected = a + (b - a) * (1 - math.cos(math.pi * u)) / 2
        assert lateral == pytest.approx(expected, abs=0.05), u
    s, lateral = cut_in.road("overtaker", start + 3.5, "0")
    assert geom.lane_at(s, lateral, "0") == -3


def test_cut_in_brakes_at_the_files_rate_after_the_second_headway(cut_in):
    """OvertakerBrakeEvent: headway above 0.7 s, then a linear speed change at -4 m/s^2."""
    start = cut_in.start("OvertakerBrakeEvent")
    v0 = cut_in.at("overtaker", start)[2]
    for dt in (0.5, 1.0, 2.0):
        expected = max(v0 - 4.0 * dt, 0.0)
        assert cut_in.at("overtaker", start + dt)[2] == pytest.approx(expected, abs=0.05)


def test_the_traffic_light_states_the_file_sets():
    """traffic_lights.xosc sets its lights with TrafficSignalStateActions: each state the file
    sets holds from the step its event starts."""
    steps = run("traffic_lights", 12.0)
    records = steps.sim.story.records()  # type: ignore[union-attr]
    board = steps.sim.scenario.storyboard
    assert board is not None
    actions = [
        (event.name, action.do)
        for event in board.events()
        for action in event.actions
        if action.do.type == "traffic_signal_state"
    ]
    actions += [(None, a) for a in board.global_init if a.type == "traffic_signal_state"]
    assert actions, "the file sets traffic light states"
    started = {r.name: r.spans[0].start for r in records if r.spans}
    checked = 0
    for event_name, action in actions:
        t = 0.0 if event_name is None else started.get(event_name)
        if t is None or t + 0.05 > 12.0:
            continue  # its event did not start in the run
        state = steps.sim.signals.states(t + 0.05)
        light = next(s for s in state if s.placement.id == action.signal)
        later = [
            started[e] for e, a in actions if e is not None and a.signal == action.signal
            and e in started and started[e] > t
        ]  # fmt: skip
        if later and min(later) <= t + 0.05:
            continue
        assert light.state == action.state or (light.state, action.state) == ("off", "off")
        checked += 1
    assert checked >= 2


def test_a_pedestrian_follows_its_polyline_trajectory():
    """pedestrian.xosc: the walker follows a polyline of lane positions; every point its
    reference point (6 cm behind its box centre: Center x = 0.06) passes lies on the polyline
    (within 5 cm)."""
    steps = run("pedestrian", 20.0)
    board = steps.sim.scenario.storyboard
    assert board is not None
    follow = next(
        (action.do, event.name)
        for event in board.events()
        for action in event.actions
        if action.do.type == "follow_trajectory"
    )
    action, event_name = follow
    from simgen.world.storyboard.positions import resolve

    geom = MapGeometry(steps.sim.geom.map)  # type: ignore[union-attr]
    points = [resolve(v.position, geom, {}) for v in action.trajectory.shape.vertices]
    (walker,) = [n for n, track in steps.users.items() if n != "ego" and track[-1] != track[0]]
    start = steps.start(event_name)

    def to_polyline(x: float, y: float) -> float:
        best = math.inf
        for a, b in itertools.pairwise(points):
            dx, dy = b.x - a.x, b.y - a.y
            u = max(0.0, min(1.0, ((x - a.x) * dx + (y - a.y) * dy) / (dx * dx + dy * dy)))
            best = min(best, math.hypot(a.x + u * dx - x, a.y + u * dy - y))
        return best

    route = next(a.name for e in [event_name] for a in _actions(board, e) if a.do is action)
    span = next(r for r in steps.sim.story.records() if r.name == route).spans[0]  # type: ignore[union-attr]
    assert span.end is not None  # it walked the whole polyline
    moved = [
        p for t, p in zip(steps.times, steps.points[walker], strict=True)
        if start + DT < t <= span.end
    ]  # fmt: skip
    assert len(moved) > 100
    assert max(to_polyline(x, y) for x, y, _ in moved) <= 0.05


def _actions(board, event_name: str):
    return [action for event in board.events() if event.name == event_name
            for action in event.actions]  # fmt: skip


def test_lane_change_simple_changes_lane_at_the_reached_position_sinusoidally():
    """lane_change_simple.xosc: on reaching s = 50 of road 0's lane -1 (tolerance 1 m) the ego
    changes to lane 1 in 4 s, sinusoidally."""
    steps = run("lane_change_simple", 8.0)
    geom = MapGeometry(steps.sim.geom.map)  # type: ignore[union-attr]
    road = geom.map.roads["0"]
    t1 = steps.start("Lane change event")
    target = road.to_world(50.0, road.lane_center(50.0, -1))
    first = next(
        t for t, (x, y, _) in zip(steps.times, steps.points["ego"], strict=True)
        if math.hypot(x - target[0], y - target[1]) <= 1.0
    )  # fmt: skip
    assert abs(t1 - first) <= DT + 1e-9  # within a step of its reference point reaching it
    for u in (0.25, 0.5, 0.75, 1.0):
        s, lateral = steps.road("ego", t1 + 4.0 * u, "0")
        a, b = road.lane_center(s, -1), road.lane_center(s, 1)
        expected = a + (b - a) * (1 - math.cos(math.pi * u)) / 2
        assert lateral == pytest.approx(expected, abs=0.05), u


def test_slow_lead_vehicle_brakes_when_the_time_to_collision_drops_below_2_7_s():
    """slow-lead-vehicle.xosc: the ego at 30 m/s closes on a lead at 1 m/s; when the time to
    collision along the road (centre to centre, over the closing speed) drops below 2.7 s it
    brakes to a stop at 6 m/s^2."""
    steps = run("slow-lead-vehicle", 8.0)

    def ttc(t: float) -> float:
        s_ego, _ = steps.road("ego", t, "1")
        s_lead, _ = steps.road("lead", t, "1")
        closing = steps.at("ego", t)[2] - steps.at("lead", t)[2]
        return (s_lead - s_ego) / closing if closing > 0 else math.inf

    first = next(t for t in steps.times if ttc(t) < 2.7)
    start = steps.start("brake_Event")
    assert abs(start - first) <= DT + 1e-9
    v1 = steps.at("ego", start)[2]
    for dt in (0.5, 1.0, 2.0):
        assert steps.at("ego", start + dt)[2] == pytest.approx(max(v1 - 6.0 * dt, 0), abs=0.05)


def _lateral_shape(steps: Steps, who: str, road_id: str, t0: float, seconds: float,
                   lanes: tuple[int, int], shape) -> None:  # fmt: skip
    road = MapGeometry(steps.sim.geom.map).map.roads[road_id]  # type: ignore[union-attr]
    for u in (0.25, 0.5, 0.75, 1.0):
        s, lateral = steps.road(who, t0 + seconds * u, road_id)
        a, b = road.lane_center(s, lanes[0]), road.lane_center(s, lanes[1])
        assert lateral == pytest.approx(a + (b - a) * shape(u), abs=0.05), u


def _sinusoidal(u: float) -> float:
    return (1 - math.cos(math.pi * u)) / 2


def test_cut_in_simple_cuts_in_sinusoidally_and_brakes_at_5():
    steps = run("cut-in_simple", 14.0)
    t0 = steps.start("CutInEvent")
    _lateral_shape(steps, "overtaker", "1", t0, 3.0, (1, -1), _sinusoidal)
    start = steps.start("BrakeEvent")
    v1 = steps.at("overtaker", start)[2]
    for dt in (0.5, 1.0, 2.0):
        assert steps.at("overtaker", start + dt)[2] == pytest.approx(max(v1 - 5 * dt, 0), abs=0.05)


def test_alks_cut_in_is_cubic_and_starts_on_the_time_to_collision():
    steps = run("alks_cut-in", 12.0)
    t0 = steps.start("CutInEvent")

    def ttc(t: float) -> float:  # freespace: bumper to bumper, along road 1
        s_ego, _ = steps.road("ego", t, "1")
        s_cut, _ = steps.road("targetcutin", t, "1")
        gap = s_cut - s_ego - 5.04  # the two catalog boxes' half lengths
        closing = steps.at("ego", t)[2] - steps.at("targetcutin", t)[2]
        return gap / closing if closing > 0 else math.inf

    first = next(t for t in steps.times if ttc(t) < 2.85)
    assert abs(t0 - first) <= 2 * DT + 1e-9
    _lateral_shape(steps, "targetcutin", "1", t0, 4.0, (1, -1), lambda u: u * u * (3 - 2 * u))


def test_alks_pedestrian_walks_at_the_files_speed_from_2_s():
    steps = run("alks_pedestrian", 5.0)
    assert steps.start("PedestrianWalkEvent") == pytest.approx(2.0 + DT, abs=DT + 1e-9)
    assert steps.at("pedestrian", 1.5)[2] == pytest.approx(0.0, abs=1e-9)
    assert steps.at("pedestrian", 3.0)[2] == pytest.approx(1.0, abs=1e-6)


def test_highway_merge_changes_lane_where_it_reaches_s_20_and_keeps_time_gaps():
    steps = run("highway_merge", 16.0)
    geom = MapGeometry(steps.sim.geom.map)  # type: ignore[union-attr]
    road = geom.map.roads["0"]
    target = road.to_world(20.0, road.lane_center(20.0, -3))
    first = next(
        t for t, (x, y, _) in zip(steps.times, steps.points["ego"], strict=True)
        if math.hypot(x - target[0], y - target[1]) <= 1.0
    )  # fmt: skip
    assert abs(steps.start("EgoLaneChangeEvent") - first) <= DT + 1e-9


def test_ltap_od_synchronizes_the_npc_with_the_ego():
    """The npc times its approach so that it reaches its route position when the ego reaches
    road 0, lane 1, s = 7 (each within the synchronize tolerance)."""
    steps = run("ltap-od", 14.0)
    board = steps.sim.scenario.storyboard
    sync = next(a.do for a in _actions(board, "SyncEvent") if a.do.type == "synchronize")
    from simgen.world.storyboard.positions import resolve

    geom = MapGeometry(steps.sim.geom.map)  # type: ignore[union-attr]
    master = resolve(sync.master_position, geom, {})
    own = resolve(sync.position, geom, {})

    def arrival(who: str, where) -> float:
        track = steps.points[who]
        return min(
            (math.hypot(x - where.x, y - where.y), t)
            for t, (x, y, _) in zip(steps.times, track, strict=True)
        )[1]

    assert arrival("npc", own) == pytest.approx(arrival("ego", master), abs=0.25)
