"""Storyboard actions beyond speed and lane changes: signals, offsets, teleports, gaps."""

from __future__ import annotations

import math

import pytest

from tests.world.storyboard.helpers import TOWN, at_time, event, simulate_board, story


def test_traffic_signal_state_holds_until_the_controllers_next_phase(tmp_path):
    # town junction: light 41 (south arm) is switched by controller 1
    action = {"type": "traffic_signal_state", "signal": "41", "state": "red"}
    board = story([event("red", at_time(0.5), action)], [])
    board["global_init"] = [{"type": "traffic_signal_state", "signal": "11", "state": "off"}]
    run = simulate_board(
        tmp_path, board, road=TOWN, actors=[], duration=30.0, frame_rate=2.0,
        ego={"road": "4", "lane": 1, "s": 60, "speed": 0},
    )  # fmt: skip
    timing = run.sim.signals.timings["1"]
    change = timing.next_change(0.5)
    for state in run.states:
        light = next(s for s in state.signals if s.placement.id == "41")
        natural = timing.state(state.time)
        expected = "red" if 0.5 <= state.time < change else natural
        assert light.state == expected, state.time
    off = [next(s for s in st.signals if s.placement.id == "11").state for st in run.states]
    assert off[0] == "off"  # set at t = 0 by global_init


def test_a_lane_offset_reaches_its_offset_by_its_lateral_acceleration(tmp_path):
    offset = {"type": "lane_offset", "absolute": -0.5, "shape": "cubic", "max_lateral_acc": 0.5}
    run = simulate_board(tmp_path, story([event("off", at_time(1.0), offset)], ["car"]))
    duration = math.sqrt(6 * 0.5 / 0.5)  # cubic: peak lateral acceleration 6 d / T^2
    for t in (1.0, 1.0 + duration / 3, 1.0 + duration / 2, 1.0 + duration, 5.5):
        p = min((t - 1.0) / duration, 1.0)
        y = -1.75 - 0.5 * (3 * p * p - 2 * p**3)
        assert run.at(t).actor("car").position[1] == pytest.approx(y, abs=0.05), t
    assert run.sim.by_name["car"].lane_shift == pytest.approx(-0.5)


def test_a_teleport_puts_the_car_on_its_lane_heading_with_traffic(tmp_path):
    place = {"type": "teleport",
             "position": {"type": "lane", "road": "1", "lane": -3, "s": 200.0}}  # fmt: skip
    run = simulate_board(tmp_path, story([event("jump", at_time(1.0), place)], ["car"]),
                         duration=2.0)  # fmt: skip
    car = run.at(1.5).actor("car")
    assert car.position[:2] == pytest.approx((205.0, -8.75), abs=1e-6)  # 0.5 s on at 10 m/s
    assert math.cos(car.yaw) == pytest.approx(1.0)


def test_init_teleport_and_speed_apply_before_the_first_frame(tmp_path):
    board = {"init": [{"entity": "car", "actions": [
        {"type": "teleport", "position": {"type": "relative_lane", "entity": "ego", "d_lane": 1,
                                          "ds": 30.0}},
        {"type": "speed", "absolute": 15.0},
    ]}]}  # fmt: skip
    run = simulate_board(tmp_path, board, duration=1.0)
    car = run.states[0].actor("car")
    # one lane left of the ego (lane -3, s = 10) for an eastbound driver: lane -2
    assert car.position[:2] == pytest.approx((40.0, -5.25), abs=1e-6)
    assert car.velocity[0] == pytest.approx(15.0)


def test_a_longitudinal_distance_is_kept_behind_the_other(tmp_path):
    keep = {"type": "longitudinal_distance", "entity": "car", "distance": 20.0,
            "continuous": True}  # fmt: skip
    actors = [
        {"name": "car", "model": "sedan", "road": "1", "lane": -1, "s": 60, "speed": 10},
        {"name": "follower", "model": "sedan", "road": "1", "lane": -2, "s": 5, "speed": 10},
    ]
    board = story([event("keep", at_time(1.0), keep)], ["follower"])
    run = simulate_board(tmp_path, board, actors=actors, duration=3.0)
    for state in run.states:
        if state.time > 1.05:  # unlimited dynamics: at its place within a step
            gap = state.actor("car").position[0] - state.actor("follower").position[0]
            assert gap == pytest.approx(20.0, abs=1e-6), state.time


def test_a_trajectory_ends_on_the_road_under_it_not_on_a_road_it_would_extend():
    from simgen.world.map_road import MapGeometry, load_map

    geom = MapGeometry(load_map(TOWN))
    # (5, -42.5) is on the south arm's sidewalk (road 4); road 2 (north arm) only reaches it
    # when extended 52 m beyond its start
    assert geom.nearest_road(5.0, -42.5) == "4"
