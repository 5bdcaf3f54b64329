"""World injectors on OpenDRIVE maps: placed in the ego's terms on its road, checked against the
maps' geometry (tools/make_straight_map.py, tools/make_town_map.py) and the simulated world.

straight_3lane: road 1 runs east from (0, 0); lanes -1, -2, -3 carry traffic east with centres
at y = -1.75, -5.25, -8.75 (lane -1 is the left one as its traffic sees it).
town_junction: road 4 leaves the junction southwards from (0, -10); its lane 1 (t 0..3.5, centre
1.75, east of the reference line) carries traffic north, towards decreasing s; the sidewalks are
lanes 2 (t 3.5..6.5: the ego's right) and -2 (t -3.5..-6.5); the light on road 4 stops at s = 2.
"""

import math

import pytest

from simgen.injectors import InjectorError, apply_injectors
from simgen.scenario import parse_scenario, sample
from simgen.world.assets import load_catalog
from simgen.world.simulate import simulate
from tests.conftest import ROOT

MAPS = ROOT / "scenarios/maps"

STRAIGHT = """
version: 1
name: m
seed: 3
duration: {duration}
frame_rate: 10
road: {{type: opendrive, file: {maps}/straight_3lane.xodr}}
ego: {{road: "1", lane: -2, s: 30, speed: 12, behavior: [{{action: lane_follow, speed: 12}}]}}
actors: [{actors}]
injectors: [{inject}]
"""

TOWN = """
version: 1
name: t
seed: 3
duration: {duration}
frame_rate: 10
road: {{type: opendrive, file: {maps}/town_junction.xodr}}
ego: {{road: "4", lane: 1, s: {s}, speed: 6, behavior: [{{action: lane_follow, speed: 6}}]}}
actors: [{actors}]
injectors: [{inject}]
"""


def _instance(template: str, inject: str, duration: float = 4.0, actors: str = "", s: float = 45):
    text = template.format(maps=MAPS, inject=inject, duration=duration, actors=actors, s=s)
    return apply_injectors(sample(parse_scenario(text).scenario, 0))


def _added(instance, base: str):
    (actor,) = [a for a in instance.scenario.actors if a.name.startswith(base)]
    return actor


def _dims(model: str):
    return load_catalog()[model].dimensions


def test_cut_in_comes_from_the_left_lane_and_ends_in_the_ego_lane_ahead():
    instance = _instance(STRAIGHT, "{type: cut_in, gap: 8, at: 0.5, duration: 1.5}")
    cutter = _added(instance, "cutter")
    # the lane left of -2 as eastbound traffic sees it is -1; gap plus the two half lengths
    assert (cutter.road, cutter.lane) == ("1", -1)
    assert cutter.s == pytest.approx(30 + 8 + (_dims("sedan")[0] + _dims("sedan")[0]) / 2)
    states = list(simulate(instance))
    start, end = states[0], states[-1]
    assert start.actor(cutter.name).position[1] == pytest.approx(-1.75, abs=0.05)
    assert end.actor(cutter.name).position[1] == pytest.approx(-5.25, abs=0.1)  # the ego's lane
    assert end.actor(cutter.name).position[0] > end.ego.position[0] + 4.0  # ahead of it


def test_wrong_way_driver_comes_towards_the_ego_in_its_lane():
    instance = _instance(STRAIGHT, "{type: wrong_way, ahead: 90, speed: 10}")
    ghost = _added(instance, "ghost")
    assert (ghost.road, ghost.lane, ghost.s) == ("1", -2, 120.0)
    states = list(simulate(instance))
    first, last = states[0].actor(ghost.name), states[-1].actor(ghost.name)
    assert first.position[0] == pytest.approx(120.0, abs=0.05)
    assert last.position[1] == pytest.approx(-5.25, abs=0.1)
    # 4 s: the ego makes 48 m east, the ghost 40 m west: the gap shrinks by about 88 m
    gap0 = first.position[0] - states[0].ego.position[0]
    gap1 = last.position[0] - states[-1].ego.position[0]
    assert gap0 - gap1 == pytest.approx(12 * 3.9 + 10 * 3.9, abs=3.0)


def test_jaywalker_steps_out_on_the_ego_right_and_crosses_in_front():
    instance = _instance(STRAIGHT, "{type: jaywalker, ahead: 30, at: 0.5, speed: 2.0}", 6.0)
    van, walker = _added(instance, "parked_van"), _added(instance, "jaywalker")
    truck, ego = _dims("truck"), _dims("sedan")
    # at the kerb: clear of the rightmost lane the ego's way (t = -8.75), not in it beside the
    # ego's (t = -5.25)
    offset = -8.75 - (truck[1] + ego[1]) / 2 - 0.2 - 0.5
    assert (van.road, van.s, van.offset) == ("1", 60.0, pytest.approx(offset))
    assert walker.s == pytest.approx(60 + truck[0] / 2 + 0.6)
    assert walker.behavior[-1].direction == "left"  # to the ego's left: increasing t
    states = list(simulate(instance))
    ys = [s.actor(walker.name).position[1] for s in states]
    assert ys[0] < -8.0 and max(ys) > -5.25  # from the right, through the ego's lane
    x = states[-1].actor(walker.name).position[0]
    assert x == pytest.approx(walker.s, abs=0.3)  # straight across, ahead of where the ego began


def test_crash_between_the_nearest_pair_ahead_happens():
    actors = "{name: a, model: sedan, road: '1', lane: -2, s: 60, speed: 8}, " \
        "{name: b, model: suv, road: '1', lane: -1, s: 75, speed: 8}, " \
        "{name: far, model: sedan, road: '1', lane: 1, s: 70, speed: 8}"  # fmt: skip
    instance = _instance(STRAIGHT, "{type: crash, at: 0.5}", 5.0, actors)
    events = [e for s in simulate(instance) for e in s.events]
    assert events and set(events[0].actors) == {"a", "b"}  # `far` drives the other way


def test_stalled_vehicle_on_the_town_arm_stands_in_the_ego_lane_ahead():
    instance = _instance(TOWN, "{type: stalled_vehicle, ahead: 40}")
    stalled = _added(instance, "stalled")
    # the ego drives north (towards decreasing s): 40 m ahead of s = 45 is s = 5
    assert (stalled.road, stalled.lane, stalled.s) == ("4", 1, 5.0)
    (first,) = list(simulate(instance))[:1]
    x, y, _ = first.actor(stalled.name).position
    assert (x, y) == (pytest.approx(1.75, abs=0.02), pytest.approx(-15.0, abs=0.02))
    # it faces the ego's way, north (a few degrees of jitter)
    assert abs(math.degrees(first.actor(stalled.name).yaw) - 90.0) < 7.0


def test_a_placement_past_the_road_end_moves_back_or_is_refused():
    ghost = _added(_instance(TOWN, "{type: wrong_way, ahead: 90}"), "ghost")
    assert ghost.s == 1.0  # road 4 ends 45 m ahead: 1 m before its end, not off the road
    with pytest.raises(InjectorError, match=r"road 4 ends 6 m ahead of the ego .* too short"):
        _instance(TOWN, "{type: stalled_vehicle, ahead: 40}", s=6)


def test_jaywalker_on_the_town_arm_crosses_from_the_ego_right_sidewalk():
    instance = _instance(TOWN, "{type: jaywalker, ahead: 20, at: 0.5, speed: 2.0}", 6.0)
    van, walker = _added(instance, "parked_van"), _added(instance, "jaywalker")
    truck, ego = _dims("truck"), _dims("sedan")
    # in the ego's terms as on the straight map; turned round: t = -b, s = 45 - a
    assert van.s == 25.0 and van.offset == pytest.approx(1.75 + (truck[1] + ego[1]) / 2 + 0.7)
    assert van.heading == 180.0  # placed by offset: faces the ego's way (north)
    assert walker.s == pytest.approx(25 - truck[0] / 2 - 0.6)
    assert walker.behavior[-1].direction == "right"  # the ego's left is decreasing t
    states = list(simulate(instance))
    xs = [s.actor(walker.name).position[0] for s in states]  # t = x on road 4
    assert xs[0] > 3.5 and xs[-1] < 1.75  # from the right sidewalk across the ego's lane


def test_red_light_runner_is_the_vehicle_nearest_its_stop_line():
    actors = "{name: near, model: sedan, road: '1', lane: 1, s: 20, speed: 5}, " \
        "{name: far, model: sedan, road: '1', lane: 1, s: 50, speed: 5}, " \
        "{name: leaving, model: sedan, road: '2', lane: -1, s: 10, speed: 5}"  # fmt: skip
    instance = _instance(TOWN, "{type: red_light_runner}", actors=actors)
    runs = {a.name: a.obey_signals for a in instance.scenario.actors}
    assert runs == {"near": False, "far": None, "leaving": None}


def test_red_light_runner_is_added_on_a_crossing_approach_when_none_comes():
    instance = _instance(TOWN, "{type: red_light_runner}")
    runner = _added(instance, "red_light_runner")
    # the ego's light (road 4) is controller 1's; the first other approach is road 1's, whose
    # lane 1 comes in towards s = 2: 45 m before its stop line is s = 47
    assert (runner.road, runner.lane, runner.s, runner.obey_signals) == ("1", 1, 47.0, False)


def test_cut_in_without_a_lane_beside_the_ego_names_road_and_lane():
    with pytest.raises(InjectorError, match="road 4 has no lane beside the ego's lane 1"):
        _instance(TOWN, "{type: cut_in}")
