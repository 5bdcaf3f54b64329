"""The storyboard engine against hand-computed OpenSCENARIO semantics, on the straight map.

The map (tools/make_straight_map.py): road 1 runs east from (0, 0); lanes -1, -2, -3 carry
traffic east with centres at y = -1.75, -5.25, -8.75. ``car`` starts in lane -1 at x = 60 at
10 m/s; the ego drives in lane -3 from x = 10 at 10 m/s (out of the car's way).
"""

from __future__ import annotations

import math

import pytest

from simgen.world.events import phase_of
from tests.world.storyboard.helpers import (
    DT,
    ROOT,
    at_time,
    event,
    simulate_board,
    speed,
    story,
)


def cubic(p: float) -> float:
    p = min(max(p, 0.0), 1.0)
    return 3 * p * p - 2 * p**3


def sinusoidal(p: float) -> float:
    p = min(max(p, 0.0), 1.0)
    return (1 - math.cos(math.pi * p)) / 2


def linear(p: float) -> float:
    return min(max(p, 0.0), 1.0)


SHAPES = {"linear": linear, "cubic": cubic, "sinusoidal": sinusoidal}


@pytest.mark.parametrize(
    ("shape", "dimension", "value", "duration"),
    [
        ("linear", "time", 4.0, 4.0),
        ("cubic", "time", 4.0, 4.0),
        ("sinusoidal", "time", 4.0, 4.0),
        ("linear", "rate", 2.5, 10 / 2.5),  # 10 m/s at 2.5 m/s^2
        ("cubic", "rate", 3.75, 1.5 * 10 / 3.75),  # peak slope 3/2 of the mean
        ("sinusoidal", "distance", 60.0, 2 * 60.0 / (10 + 20)),  # at the mean speed 15 m/s
    ],
)
def test_speed_follows_its_shape(tmp_path, shape, dimension, value, duration):
    board = story([event("go", at_time(1.0), speed(20.0, shape, dimension, value))], ["car"])
    run = simulate_board(tmp_path, board, duration=1.0 + duration + 0.5)
    for state in run.states:
        p = (state.time - 1.0) / duration
        expected = 10 + 10 * SHAPES[shape](p)
        assert state.actor("car").velocity[0] == pytest.approx(expected, abs=0.01), state.time
    start = run.record("go_0").spans[0]
    assert start.start == pytest.approx(1.0, abs=DT)
    assert start.end == pytest.approx(1.0 + duration, abs=DT)
    if dimension == "distance":  # the change covers its distance
        x0 = 60 + 10 * 1.0
        assert run.at(1.0 + duration).actor("car").position[0] - x0 == pytest.approx(60, abs=0.1)


def test_a_step_speed_is_at_once_and_the_plan_keeps_it(tmp_path):
    board = story([event("go", at_time(1.0), speed(4.0))], ["car"])
    run = simulate_board(tmp_path, board, duration=3.0)
    assert run.at(0.95).actor("car").speed == pytest.approx(10.0)
    assert [s.actor("car").speed for s in run.states if s.time >= 1.0 + 1e-9] == pytest.approx(
        [4.0] * sum(s.time >= 1.0 + 1e-9 for s in run.states), abs=1e-9
    )


@pytest.mark.parametrize("shape", ["linear", "cubic", "sinusoidal"])
def test_a_lane_change_by_time_follows_its_shape_into_the_target_lane(tmp_path, shape):
    change = {"type": "lane_change", "absolute": -2,
              "dynamics": {"shape": shape, "dimension": "time", "value": 3.0}}  # fmt: skip
    run = simulate_board(tmp_path, story([event("cut", at_time(1.0), change)], ["car"]))
    for t in (1.0, 1.6, 2.0, 2.5, 3.1, 3.7, 4.0, 5.0):
        y = run.at(t).actor("car").position[1]
        assert y == pytest.approx(-1.75 - 3.5 * SHAPES[shape]((t - 1.0) / 3.0), abs=0.05), t
    assert run.record("cut_0").spans[0].end == pytest.approx(4.0, abs=DT)
    car = run.sim.by_name["car"]
    assert (car.lane, car.lateral) == (-2, pytest.approx(-5.25))


def test_a_lane_change_by_distance_moves_with_the_distance_driven(tmp_path):
    change = {"type": "lane_change", "relative": {"entity": "car", "value": -1},
              "dynamics": {"shape": "cubic", "dimension": "distance", "value": 25.0}}  # fmt: skip
    run = simulate_board(tmp_path, story([event("cut", at_time(1.0), change)], ["car"]))
    # one lane to the right of the car's own (-1) is -2; 10 m/s: 25 m take 2.5 s
    for state in run.states:
        x, y = state.actor("car").position[:2]
        assert y == pytest.approx(-1.75 - 3.5 * cubic((x - 70.0) / 25.0), abs=0.05), state.time
    assert run.record("cut_0").spans[0].end == pytest.approx(3.5, abs=DT)


def test_a_polyline_trajectory_passes_its_vertices_at_their_times(tmp_path):
    vertices = [
        {"time": 0.0, "position": {"type": "world", "x": 70.0, "y": -1.75}},
        {"time": 2.0, "position": {"type": "world", "x": 92.0, "y": -3.0}},
        {"time": 3.0, "position": {"type": "world", "x": 100.0, "y": -5.25}},
    ]
    follow = {"type": "follow_trajectory",
              "trajectory": {"shape": {"kind": "polyline", "vertices": vertices}},
              "timing": {"domain": "relative", "scale": 1.0, "offset": 0.0}}  # fmt: skip
    run = simulate_board(tmp_path, story([event("path", at_time(1.0), follow)], ["car"]))
    expected = ((1.0, (70, -1.75)), (2.0, (81, -2.375)), (3.0, (92, -3)), (4.0, (100, -5.25)))
    for t, (x, y) in expected:
        car = run.at(t).actor("car")
        assert car.position[:2] == pytest.approx((x, y), abs=0.05), t
    after = run.sim.by_name["car"]
    assert after.lane == -2  # back on the road, in the lane it ended in


def test_time_headway_fires_within_a_step_of_dropping_below_the_threshold(tmp_path):
    # the ego (lane -3, x = 10, 20 m/s) closes on the car (x = 60, 10 m/s) along the road:
    # headway (50 - 10 t) / 20 < 1.5 s from t = 2.0 s
    headway = {"type": "time_headway", "entities": ["ego"], "entity": "car", "value": 1.5,
               "rule": "less_than", "coordinate_system": "road"}  # fmt: skip
    trigger = [{"conditions": [{"check": headway}]}]
    board = story([event("near", trigger, speed(12.0))], ["car"])
    run = simulate_board(tmp_path, board, ego={"road": "1", "lane": -3, "s": 10, "speed": 20},
                         duration=3.0)  # fmt: skip
    assert run.record("near").spans[0].start == pytest.approx(2.0, abs=DT + 1e-9)


def test_delay_rising_edge_reach_position_and_element_state(tmp_path):
    rising = [{"conditions": [{"check": {"type": "simulation_time", "value": 1.0,
                                         "rule": "greater_than"},
                               "edge": "rising", "delay": 0.5}]}]  # fmt: skip
    reach = [{"conditions": [{"check": {
        "type": "reach_position", "entities": ["car"], "tolerance": 1.0,
        "position": {"type": "lane", "road": "1", "lane": -1, "s": 100.0}}}]}]  # fmt: skip
    after_a = [{"conditions": [{"check": {
        "type": "storyboard_element_state", "element_type": "event", "element": "a",
        "state": "end_transition"}}]}]  # fmt: skip
    board = story([
        event("a", rising, speed(12.0, "linear", "time", 1.0), priority="parallel"),
        event("b", after_a, speed(12.0), priority="parallel"),
        event("reach", reach, speed(12.0), priority="parallel"),
    ], ["car"])  # fmt: skip
    run = simulate_board(tmp_path, board, duration=4.5)
    a = run.record("a").spans[0]
    # true from the first step past 1.0 s; counted 0.5 s later
    assert a.start == pytest.approx(1.5 + DT, abs=DT + 1e-9)
    assert a.end == pytest.approx(a.start + 1.0, abs=DT + 1e-9)
    # an end transition is seen by the next step's evaluation
    assert run.record("b").spans[0].start == pytest.approx(a.end + DT, abs=1e-9)
    # x = 60 + 10 t until a starts (1.5 s + a step), then 10 -> 12 m/s over 1 s (11 m),
    # then 12 m/s: x = 99 (within 1 m of 100) at 75 + 11 + 12 (t - 2.5) = 99 -> t = 2.5 + 13/12
    assert run.record("reach").spans[0].start == pytest.approx(2.5 + 13 / 12 + DT, abs=DT)


def test_override_stops_the_running_event_and_skip_waits(tmp_path):
    board = story([
        event("slow", at_time(1.0), speed(2.0, "linear", "time", 4.0)),
        event("skipped", at_time(1.5), speed(30.0), priority="skip"),
        event("fast", at_time(2.0), speed(15.0)),
    ], ["car"])  # fmt: skip
    run = simulate_board(tmp_path, board, duration=3.0)
    slow = run.record("slow").spans
    assert len(slow) == 1 and slow[0].ended_by == "stop"
    assert slow[0].end == pytest.approx(2.0, abs=DT)
    # "skipped" fired while "slow" ran and stayed in standby; once "fast" (a step) ended, no
    # other event ran and it started
    skipped = run.record("skipped").spans
    assert skipped and skipped[0].start > 2.0
    assert run.at(2.9).actor("car").speed == pytest.approx(30.0)


def test_a_level_trigger_reruns_an_event_up_to_its_count(tmp_path):
    rising = [{"conditions": [{"check": {"type": "speed", "entities": ["car"], "value": 20.0,
                                         "rule": "less_than"}, "edge": "none"}]}]  # fmt: skip
    bump = {"type": "speed", "relative": {"entity": "car", "value": 1.0},
            "dynamics": {"shape": "linear", "dimension": "time", "value": 0.5}}  # fmt: skip
    board = story([event("bump", rising, bump, maximum_execution_count=2)], ["car"])
    run = simulate_board(tmp_path, board, duration=3.0)
    spans = run.record("bump").spans
    # the speed stays below 20 m/s, so the event starts again as soon as it may: twice
    times = [t for s in spans for t in (s.start, s.end)]
    assert times == pytest.approx([0.0, 0.5, 0.5 + DT, 1.0 + DT])
    assert run.states[-1].actor("car").speed == pytest.approx(12.0)


def test_an_event_runs_as_often_as_its_count_allows(tmp_path):
    bump = {"type": "speed", "relative": {"entity": "car", "value": 1.0},
            "dynamics": {"shape": "linear", "dimension": "time", "value": 0.5}}  # fmt: skip
    board = story([event("bump", at_time(1.0), bump, maximum_execution_count=3)], ["car"])
    run = simulate_board(tmp_path, board, duration=4.0)
    spans = run.record("bump").spans
    # an event that ended is in standby from the next step on
    assert [s.start for s in spans] == pytest.approx([1.0, 1.5 + DT, 2.0 + 2 * DT], abs=1e-9)
    assert run.states[-1].actor("car").speed == pytest.approx(13.0)
    assert phase_of(run.states[-1].storyboard[0]).phase == "after"  # the story ended


def test_an_acts_stop_trigger_stops_its_actions_and_the_car_keeps_its_speed(tmp_path):
    board = story([event("slow", at_time(1.0), speed(0.0, "linear", "time", 4.0))], ["car"],
                  stop_trigger=at_time(3.0))  # fmt: skip
    run = simulate_board(tmp_path, board, duration=4.0)
    assert run.record("act").spans[0].ended_by == "stop"
    assert run.record("slow_0").spans[0].end == pytest.approx(3.0, abs=DT)
    # 10 m/s down to 0 over 4 s, stopped at half way: it keeps 5 m/s
    assert run.states[-1].actor("car").speed == pytest.approx(5.0, abs=0.01)


def test_the_storyboard_stop_trigger_ends_everything(tmp_path):
    board = story([event("slow", at_time(1.0), speed(0.0, "linear", "time", 4.0))], ["car"])
    board["stop_trigger"] = at_time(2.0)
    run = simulate_board(tmp_path, board, duration=3.0)
    assert {r.spans[-1].ended_by for r in run.sim.story.records()} == {"stop"}
    assert all(phase_of(r).phase == "after" for r in run.states[-1].storyboard)


ESMINI = ROOT.parent / "shared" / "standards" / "esmini" / "xodr" / "straight_500m.xodr"


@pytest.mark.skipif(not ESMINI.is_file(), reason="the esmini corpus is not here")
def test_a_relative_lane_change_on_an_esmini_map(tmp_path):
    # esmini's straight_500m: road 1 runs east; lane -1 (driving) and -2 (its shoulder), their
    # centres 1.53 m and 3.91 m right of the reference line (lanes of unequal widths)
    change = {"type": "lane_change", "relative": {"entity": "car", "value": -1},
              "dynamics": {"shape": "sinusoidal", "dimension": "time", "value": 2.0}}  # fmt: skip
    actors = [{"name": "car", "model": "sedan", "road": "1", "lane": -1, "s": 60, "speed": 10}]
    run = simulate_board(tmp_path, story([event("cut", at_time(1.0), change)], ["car"]),
                         actors=actors, road=ESMINI, duration=4.0,
                         ego={"road": "1", "lane": -1, "s": 5, "speed": 5})  # fmt: skip
    a, b = -1.53, -3.91
    for t in (1.0, 1.5, 2.0, 2.5, 3.0, 3.5):
        y = run.at(t).actor("car").position[1]
        assert y == pytest.approx(a + (b - a) * sinusoidal((t - 1.0) / 2.0), abs=0.05), t
    assert run.sim.by_name["car"].lane == -2
