"""Physics and behaviours, checked against kinematics: tiny scenes, a few seconds each."""

import math

import numpy as np
import pytest

from simgen.core.geometry import footprint, polygon_distance
from simgen.scenario import load_scenario, parse_scenario, sample
from simgen.world.assets import load_catalog
from simgen.world.road import RoadGeometry
from simgen.world.simulate import simulate
from tests.conftest import ROOT

HEADER = """
version: 1
name: t
seed: 1
road: {length: 300, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}
"""


def run(body: str, **kw):
    instance = sample(parse_scenario(HEADER + body).scenario, 0)
    return instance, list(simulate(instance, **kw))


def gap_when_braking_starts(states, other: str, cruise: float) -> float:
    """Bumper-to-bumper gap from the ego to ``other`` in the last frame before it slowed."""
    first_slow = next(i for i, s in enumerate(states) if s.ego.speed < cruise - 1e-6)
    before = states[first_slow - 1]
    ego, them = before.ego, before.actor(other)
    return polygon_distance(
        footprint(*ego.position[:2], ego.yaw, *ego.dimensions[:2]),
        footprint(*them.position[:2], them.yaw, *them.dimensions[:2]),
    )


def test_lane_follow_covers_speed_times_time():
    _, states = run(
        """
duration: 5.1
frame_rate: 10
ego: {lane: 0, s: 20, speed: 10, behavior: [{action: lane_follow, speed: 10}]}
"""
    )
    at5 = states[50]
    assert math.isclose(at5.time, 5.0)
    travelled = at5.ego.position[0] - states[0].ego.position[0]
    assert abs(travelled - 50.0) <= 1.0
    assert abs(at5.ego.position[1] - (-5.25)) < 1e-9  # still centred in lane 0


def test_lane_change_ends_centred_in_the_target_lane():
    instance, states = run(
        """
duration: 5.0
ego: {lane: 0, s: 20, speed: 12, behavior: [{at: 1.0, action: lane_change, lane: 1, duration: 2.0}]}
"""
    )
    geom = RoadGeometry(instance.scenario.road)
    end = states[-1].ego
    assert abs(end.position[1] - geom.lane_offset(1)) < 1e-6
    assert abs(end.yaw) < 1e-6
    mid = states[20].ego  # t = 2.0, halfway through the manoeuvre
    assert geom.lane_offset(0) < mid.position[1] < geom.lane_offset(1)


def test_brake_fires_at_the_given_distance():
    _, states = run(
        """
duration: 7.0
frame_rate: 100
ego:
  lane: 0
  s: 20
  speed: 15
  behavior:
    - {action: accelerate, accel: 1, target_speed: 15}
    - {when: {distance_to: block, below: 20}, action: brake, decel: 6}
actors:
  - {name: block, model: barrier, lane: 0, s: 100}
"""
    )
    gap = gap_when_braking_starts(states, "block", cruise=15.0)
    assert 19.8 <= gap <= 20.2, gap  # one 10 ms frame at 15 m/s is 0.15 m
    # and it then stops at 6 m/s^2: v^2 / 2a = 18.75 m later
    assert states[-1].ego.speed < 1e-6
    assert not states[-1].ego.crashed


def test_head_on_collision_is_one_event_and_both_leave_their_plans():
    _, states = run(
        """
duration: 5.0
frame_rate: 20
ego: {lane: 0, s: 20, speed: 10, behavior: [{action: accelerate, accel: 1, target_speed: 10}]}
actors:
  - {name: ghost, model: sedan, lane: 0, s: 60, speed: 10, behavior: [{action: wrong_way}]}
"""
    )
    events = [e for s in states for e in s.events]
    assert len(events) == 1
    event = events[0]
    assert set(event.actors) == {"ego", "ghost"}
    # bumpers 40 - 4.62 m apart, closing at 20 m/s
    assert abs(event.time - (40 - 4.62) / 20) < 0.02
    assert event.impulse > 1000  # two 1.5 t cars stopping each other: ~1.5e4 N*s
    end = states[-1]
    for name, planned_x in (("ego", 20 + 10 * 5.0), ("ghost", 60 - 10 * 5.0)):
        actor = end.actor(name)
        assert actor.crashed and not actor.controlled
        assert abs(actor.position[0] - planned_x) > 10
        assert actor.speed < 1.0  # friction stopped them


def test_steps_from_the_start_shape_the_first_frame():
    # a wrong-way driver is first seen facing the traffic, moving against it; a car parked
    # from t = 0 stands still in frame 0, turned by its heading
    _, states = run(
        """
duration: 0.2
frame_rate: 10
ego: {lane: 0, s: 20, speed: 10}
actors:
  - {name: ghost, model: sedan, lane: 0, s: 80, speed: 12, behavior: [{action: wrong_way}]}
  - {name: kerb, model: sedan, lane: 0, s: 50, speed: 8, heading: 20,
     behavior: [{action: parked}]}
"""
    )
    ghost = states[0].actor("ghost")
    assert abs(abs(ghost.yaw) - math.pi) < 1e-9
    assert ghost.velocity[0] == pytest.approx(-12.0) and ghost.velocity[1] == pytest.approx(0.0)
    kerb = states[0].actor("kerb")
    assert kerb.velocity[:2] == (0.0, 0.0)
    assert math.degrees(kerb.yaw) == pytest.approx(20.0)
    assert states[1].actor("ghost").position[0] == pytest.approx(80 - 12 * 0.1, abs=1e-6)


def test_a_hit_pedestrian_is_pushed_not_passed_through():
    _, states = run(
        """
duration: 4.0
frame_rate: 20
ego: {lane: 0, s: 20, speed: 12, behavior: [{action: accelerate, accel: 1, target_speed: 12}]}
actors:
  - {name: walker, model: pedestrian, lane: 0, s: 50}
"""
    )
    events = [e for s in states for e in s.events]
    assert [set(e.actors) for e in events] == [{"ego", "walker"}]
    walker = states[-1].actor("walker")
    moved = walker.position[0] - 50.0
    up = walker.transform()[:3, 2]
    fell = math.degrees(math.acos(np.clip(up[2], -1, 1))) > 30
    assert moved > 2.0 or fell
    ego = states[-1].ego
    # the car never passes through: it stays behind the pedestrian
    assert ego.position[0] + ego.dimensions[0] / 2 < walker.position[0] + 1.0


def test_people_pass_each_other_upright_where_a_car_would_knock_them_down():
    """Two people drawn side by side and a walker crossing through one who waits: no crash,
    everyone upright and on their plan (rigid boxes that touched toppled like skittles); a car
    into the same waiting person still is one."""
    _, states = run(
        """
duration: 12.0
frame_rate: 10
ego: {lane: 0, s: 10, speed: 0, behavior: [{action: parked}]}
actors:
  - {name: waiting, model: pedestrian, offset: 4.6, s: 60}
  - {name: beside, model: pedestrian, offset: 4.8, s: 60.2}
  - name: walker
    model: child
    offset: -8.5
    s: 60.1
    behavior: [{at: 0.0, action: cross, speed: 1.4}]
"""
    )
    assert not [e for s in states for e in s.events]
    for state in states:
        for actor in state.actors:
            assert actor.transform()[2, 2] > 0.999 and not actor.crashed
    walker = states[-1].actor("walker")
    assert walker.position[1] > 4.5  # crossed to the far sidewalk, into the people waiting there
    _, hit = run(
        """
duration: 4.0
frame_rate: 20
ego: {lane: 0, s: 20, speed: 12, behavior: [{action: accelerate, accel: 1, target_speed: 12}]}
actors:
  - {name: waiting, model: pedestrian, lane: 0, s: 50}
  - {name: beside, model: pedestrian, lane: 0, s: 50.2}
"""
    )
    assert {frozenset(e.actors) for s in hit for e in s.events} >= {frozenset({"ego", "waiting"})}


def test_pedestrian_cross_reaches_the_far_sidewalk():
    instance, states = run(
        """
duration: 11.0
ego: {lane: 0, s: 10, speed: 0, behavior: [{action: parked}]}
actors:
  - name: walker
    model: pedestrian
    offset: -8.5
    s: 60
    behavior: [{at: 0.5, action: cross, speed: 1.4}]
"""
    )
    geom = RoadGeometry(instance.scenario.road)
    start, end = states[0].actor("walker"), states[-1].actor("walker")
    assert math.isclose(start.position[2], geom.kerb_height)  # standing on the right sidewalk
    lateral = end.position[1]
    assert geom.left_edge < lateral < geom.left_edge + geom.sidewalk_width
    assert math.isclose(end.position[2], geom.kerb_height)
    assert end.speed < 1e-9
    assert abs(end.position[0] - 60.0) < 1e-9  # straight across


def _actor_rows(states):
    return [(s.frame, s.time, s.actors, s.events) for s in states]


def test_two_runs_are_identical_and_worlds_do_not_share_state():
    path = ROOT / "scenarios" / "curve_night.yaml"  # has a crash, so free physics is covered
    instance = sample(load_scenario(path).scenario, 0)
    first = _actor_rows(simulate(instance))
    # two worlds stepped alternately in one process give the same result as one alone
    a, b = simulate(instance), simulate(instance)
    interleaved = []
    for sa, sb in zip(a, b, strict=True):
        assert _actor_rows([sa]) == _actor_rows([sb])
        interleaved.append(sa)
    assert first == _actor_rows(interleaved)
    assert any(s[3] for s in first)  # the crash happened


@pytest.mark.parametrize("name", ["curve_night", "intersection_crossing", "highway_cut_in"])
def test_lane_bound_actors_stay_on_their_lanes(name):
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml").scenario
    instance = sample(scenario, 0)
    geom = RoadGeometry(instance.scenario.road)
    users = {"ego": instance.scenario.ego} | {a.name: a for a in instance.scenario.actors}
    keep_lane = {
        n: u
        for n, u in users.items()
        if u.lane is not None
        and not any(b.action in ("lane_change", "follow_path", "cross") for b in u.behavior)
    }
    assert keep_lane
    checked = 0
    for state in simulate(instance):
        for actor in state.actors:
            user = keep_lane.get(actor.name)
            if user is None or not actor.controlled:
                continue
            _, lateral = geom.to_road(actor.position[0], actor.position[1], user.arm)
            assert abs(lateral - geom.lane_offset(int(user.lane))) < 1e-6, (actor.name, state.time)
            checked += 1
    assert checked > 50


def test_world_state_carries_what_sensors_need():
    path = ROOT / "scenarios" / "default.yaml"
    state = next(iter(simulate(sample(load_scenario(path).scenario, 0))))
    assert [a.id for a in state.actors] == list(range(1, len(state.actors) + 1))
    assert state.ego.name == "ego"
    names = {m.semantic_class for m in state.static.surfaces}
    assert {"road", "lane_marking", "sidewalk", "kerb"} <= names
    cutter = state.actor("cutter")
    assert (
        cutter.semantic_class == "car" and cutter.dimensions == load_catalog()["sedan"].dimensions
    )
    assert math.isclose(cutter.speed, 15.0)
    assert state.actor("walker").semantic_class == "person"


def test_time_to_collision_trigger():
    _, states = run(
        """
duration: 6.0
frame_rate: 100
ego:
  lane: 0
  s: 20
  speed: 15
  behavior:
    - {action: accelerate, accel: 1, target_speed: 15}
    - {when: {time_to_collision: stopped, below: 2.0}, action: brake, decel: 8}
actors:
  - {name: stopped, model: suv, lane: 0, s: 120, behavior: [{action: parked}]}
"""
    )
    gap = gap_when_braking_starts(states, "stopped", cruise=15.0)
    assert abs(gap / 15.0 - 2.0) < 0.02  # closing at 15 m/s: TTC 2 s is a 30 m gap
    assert states[-1].ego.lights.brake_lights
    assert not any(s.events for s in states)  # 8 m/s^2 stops it in 14 m


def test_follow_path_visits_every_waypoint():
    _, states = run(
        """
duration: 8.0
frame_rate: 20
ego: {lane: 0, s: 10, behavior: [{action: parked}]}
actors:
  - name: bike
    model: bicycle
    offset: -8.0
    s: 40
    behavior: [{at: 0.0, action: follow_path, speed: 5, waypoints: [[50, -8], [50, 2], [60, 2]]}]
"""
    )
    track = np.array([s.actor("bike").position[:2] for s in states])
    for waypoint in ([50, -8], [50, 2], [60, 2]):
        assert np.min(np.linalg.norm(track - waypoint, axis=1)) < 0.26  # 5 m/s at 20 Hz
    assert np.allclose(track[-1], [60, 2])
    # it turned to face its way: +y on the second leg
    mid = next(s.actor("bike") for s in states if 0 < s.actor("bike").position[1] < 1)
    assert abs(mid.yaw - math.pi / 2) < 1e-6


def test_an_off_centre_hit_spins_the_struck_car():
    _, states = run(
        """
duration: 4.0
frame_rate: 20
ego: {lane: 0, s: 20, speed: 14, behavior: [{action: accelerate, accel: 1, target_speed: 14}]}
actors:
  - {name: parked, model: sedan, offset: -3.9, s: 50, behavior: [{action: parked}]}
"""
    )
    assert [set(e.actors) for s in states for e in s.events] == [{"ego", "parked"}]
    parked = states[-1].actor("parked")
    assert abs(math.degrees(parked.yaw)) > 5.0
    assert parked.position[0] > 51.0  # pushed along
    assert parked.speed < 0.5 and states[-1].ego.speed < 0.5  # and friction stopped both


def test_lights_follow_light_and_braking():
    _, night = run(
        """
duration: 1.0
environment: {sun: {elevation: -10}}
ego: {lane: 0, s: 20, speed: 10}
actors:
  - {name: walker, model: pedestrian, offset: -8.0, s: 30}
"""
    )
    assert night[0].ego.lights.headlights
    assert not night[0].actor("walker").lights.headlights
    _, day = run("duration: 1.0\nego: {lane: 0, s: 20, speed: 10}\n")
    assert not day[0].ego.lights.headlights and not day[0].ego.lights.brake_lights


def test_started_behaviour_steps_are_reported_once_with_where_and_when():
    _, states = run(
        """
duration: 3.0
frame_rate: 10
ego: {lane: 0, s: 20, speed: 10, behavior: [{at: 1.0, action: lane_change, lane: 1}]}
"""
    )
    triggers = [t for s in states for t in s.triggers]
    assert [(t.actor, t.action) for t in triggers] == [("ego", "lane_change")]
    assert abs(triggers[0].time - 1.0) < 0.01
    assert abs(triggers[0].position[0] - 30.0) < 0.1  # 10 m/s for 1 s from s = 20


def test_a_sized_road_user_collides_at_its_given_box():
    # as the head-on test, with sizes: the ego 6 m long, the ghost 5 m. Their collision boxes
    # are the catalog's (4.6 m for a 4.62 m sedan) scaled by size / model length
    _, states = run(
        """
duration: 2.5
frame_rate: 20
ego: {lane: 0, s: 20, speed: 10, size: [6.0, 2.0, 1.5],
      behavior: [{action: accelerate, accel: 1, target_speed: 10}]}
actors:
  - {name: ghost, model: sedan, lane: 0, s: 60, speed: 10, size: [5.0, 2.0, 1.5],
     behavior: [{action: wrong_way}]}
"""
    )
    (event,) = [e for s in states for e in s.events]
    collision = load_catalog()["sedan"].collision.size[0] / load_catalog()["sedan"].dimensions[0]
    half_lengths = (6.0 + 5.0) / 2 * collision
    assert abs(event.time - (40 - half_lengths) / 20) < 0.01  # closing at 20 m/s
    assert abs(event.time - (40 - 4.62) / 20) > 0.03  # the catalog's sedans would meet later
    assert states[0].ego.dimensions == (6.0, 2.0, 1.5)


@pytest.mark.parametrize(
    "name", ["intersection_crossing", "roadworks_obstacles", "imported_town_cut_in"]
)
def test_examples_without_a_crash_in_them_have_none(name):
    """Examples whose story holds no crash must not crash: in ``intersection_crossing`` the
    crossing car keeps clear of the cyclist and the ego sets off after the slowest walker has
    passed; in ``roadworks_obstacles`` the ego, merging behind the motorcycle that brakes for
    the debris, follows it; in ``imported_town_cut_in`` the walker steps off behind the braking
    lead car and the ego keeps its gap below the lead's speed. (The car had hit the cyclist in
    every variant; the ego ran into the motorcycle in seven of ten; the lead car had touched the
    walker and the ego run into the lead.)"""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml").scenario
    for variant in range(scenario.variants):
        crashes = [e.actors for s in simulate(sample(scenario, variant)) for e in s.events]
        assert not crashes, (variant, crashes)
