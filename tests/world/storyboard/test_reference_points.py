"""A road user's ``reference_point``: storyboard positions place it and distances without
freespace measure from it (OpenSCENARIO's reference point); freespace measures the boxes, at
their given sizes. Each trigger time is worked out by hand from straight-line motion on
straight_3lane (road 1 runs along +x; its lanes -1 and -3 carry traffic along +s)."""

import math

import pytest

from tests.world.storyboard.helpers import DT, event, simulate_board, speed, story


def _reference(actor, offset: tuple[float, float]) -> tuple[float, float]:
    c, s = math.cos(actor.yaw), math.sin(actor.yaw)
    x, y = actor.position[:2]
    return x + c * offset[0] - s * offset[1], y + s * offset[0] + c * offset[1]


def test_reach_position_is_measured_at_the_reference_point(tmp_path):
    # the car's reference point is 2 m behind its box centre: it stands at x = 60 - 2 and
    # drives at 10 m/s, so it comes within 1 m of s = 100 when 58 + 10 t = 99: t = 4.1 s
    # (its box centre would at t = 3.9 s)
    reach = [{"conditions": [{"check": {
        "type": "reach_position", "entities": ["car"], "tolerance": 1.0,
        "position": {"type": "lane", "road": "1", "lane": -1, "s": 100.0}}}]}]  # fmt: skip
    car = {"name": "car", "model": "sedan", "road": "1", "lane": -1, "s": 60, "speed": 10,
           "reference_point": [-2.0, 0.0]}  # fmt: skip
    run = simulate_board(tmp_path, story([event("reach", reach, speed(12.0))], ["car"]),
                         actors=[car], duration=4.5)  # fmt: skip
    assert run.record("reach").spans[0].start == pytest.approx(4.1 + DT, abs=DT + 1e-9)


def test_relative_distance_between_reference_points_and_between_sized_boxes(tmp_path):
    # ego: box centre at s = 10, 20 m/s, reference point 2 m behind, 5 m long; car: box
    # centre at s = 60, 10 m/s, reference point 1 m ahead, 4 m long. Longitudinally:
    #   reference points (61 + 10 t) - (8 + 20 t) = 53 - 10 t < 20  ->  t = 3.3 s
    #   boxes (60 + 10 t) - (10 + 20 t) - (5 + 4) / 2 = 45.5 - 10 t < 20  ->  t = 2.55 s
    def closer(name: str, free: bool) -> dict:
        check = {"type": "relative_distance", "entities": ["ego"], "entity": "car",
                 "value": 20.0, "rule": "less_than", "freespace": free,
                 "distance_type": "longitudinal", "coordinate_system": "entity"}  # fmt: skip
        return event(name, [{"conditions": [{"check": check}]}], speed(10.0),
                     priority="parallel")  # fmt: skip

    ego = {"road": "1", "lane": -3, "s": 10, "speed": 20, "size": [5.0, 2.0, 1.5],
           "reference_point": [-2.0, 0.0]}  # fmt: skip
    car = {"name": "car", "model": "sedan", "road": "1", "lane": -1, "s": 60, "speed": 10,
           "size": [4.0, 1.8, 1.4], "reference_point": [1.0, 0.0]}  # fmt: skip
    board = story([closer("points", False), closer("boxes", True)], ["car"])
    run = simulate_board(tmp_path, board, ego=ego, actors=[car], duration=3.5)
    assert run.record("points").spans[0].start == pytest.approx(3.3, abs=DT + 1e-9)
    assert run.record("boxes").spans[0].start == pytest.approx(2.55, abs=DT + 1e-9)


def test_teleport_and_trajectory_place_the_reference_point(tmp_path):
    # teleported at t = 1 s to s = 80: its reference point (1 m ahead of the box centre)
    # stands there, its box centre at x = 79, then 10 m/s: x = 89 at t = 2 s
    teleport = {"type": "teleport",
                "position": {"type": "lane", "road": "1", "lane": -1, "s": 80.0}}  # fmt: skip
    trigger = [{"conditions": [{"check": {"type": "simulation_time", "value": 1.0,
                                          "rule": "greater_or_equal"}}]}]  # fmt: skip
    car = {"name": "car", "model": "sedan", "road": "1", "lane": -1, "s": 60, "speed": 10,
           "reference_point": [1.0, 0.0]}  # fmt: skip
    run = simulate_board(tmp_path, story([event("jump", trigger, teleport)], ["car"]),
                         actors=[car], duration=2.5)  # fmt: skip
    assert run.at(2.0).actor("car").position[0] == pytest.approx(89.0, abs=0.05)
    # a timed polyline: the reference point passes the vertices at their times
    vertices = [
        {"time": 0.0, "position": {"type": "world", "x": 70.0, "y": -1.75}},
        {"time": 2.0, "position": {"type": "world", "x": 92.0, "y": -3.0}},
        {"time": 3.0, "position": {"type": "world", "x": 100.0, "y": -5.25}},
    ]
    follow = {"type": "follow_trajectory",
              "trajectory": {"shape": {"kind": "polyline", "vertices": vertices}},
              "timing": {"domain": "relative", "scale": 1.0, "offset": 0.0}}  # fmt: skip
    car["reference_point"] = [-1.4, 0.0]
    run = simulate_board(tmp_path, story([event("path", trigger, follow)], ["car"]),
                         actors=[car], duration=4.5)  # fmt: skip
    for t, (x, y) in ((2.0, (81, -2.375)), (3.0, (92, -3)), (3.5, (96, -4.125))):
        car_state = run.at(t).actor("car")
        assert _reference(car_state, (-1.4, 0.0)) == pytest.approx((x, y), abs=0.05), t
        # its box centre is 1.4 m further along the segment it is on
        assert math.dist(car_state.position[:2], (x, y)) == pytest.approx(1.4, abs=0.05)
