"""Sensor faults remove exactly what they name, and the labels say which faults acted."""

import numpy as np

from simgen.injectors import apply_injectors
from simgen.pipeline.capture import capture
from simgen.scenario import parse_scenario, sample

SCENE = """
version: 1
name: f
seed: 9
duration: 0.6
frame_rate: 10
road: {{length: 200, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5,
        furniture: {{buildings: 3}}}}
ego:
  lane: 0
  s: 20
  speed: 8
  sensors:
    - {{name: cam, type: camera, width: 120, height: 72, outputs: [rgb, instance],
       mount: {{xyz: [1.5, 0, 1.6]}}}}
    - {{name: lidar, type: lidar, preset: vlp16, horizontal_resolution: 1.0,
       mount: {{xyz: [0, 0, 1.9]}}}}
actors:
  - {{name: lead, model: sedan, lane: 0, s: 35, speed: 12}}
injectors: [{inject}]
"""


def frames(inject: str = ""):
    instance = apply_injectors(sample(parse_scenario(SCENE.format(inject=inject)).scenario, 0))
    return list(capture(instance))


def by_ring(points: np.ndarray) -> dict[int, bytes]:
    return {int(r): points[points["ring"] == r].tobytes() for r in np.unique(points["ring"])}


def test_beam_dropout_removes_exactly_the_named_rings():
    clean = frames()[0].data["lidar"]
    faulty = frames("{type: lidar_beam_dropout, rings: [2, 7, 15]}")
    points = faulty[0].data["lidar"]
    before, after = by_ring(clean), by_ring(points)
    assert set(before) - set(after) == {2, 7, 15}
    assert all(after[r] == before[r] for r in after)  # every other ring untouched
    assert faulty[0].labels.faults == {"lidar": ("lidar_beam_dropout",)}


def test_sector_blockage_removes_exactly_its_azimuths():
    clean = frames()[0].data["lidar"]
    points = frames("{type: lidar_sector_blockage, azimuth: [-30, 30]}")[0].data["lidar"]

    def azimuth(p):
        # the sector is in firing direction; rolling shutter does not move a ray's direction
        return np.degrees(np.arctan2(p["y"], p["x"]))

    inside = np.abs(azimuth(clean)) < 29.0
    assert inside.sum() > 100 and not np.any(np.abs(azimuth(points)) < 29.0)
    assert len(points) == int((~(np.abs(azimuth(clean)) <= 30.0)).sum())


def test_a_fault_acts_only_in_its_window():
    run = frames("{type: blackout, at: 0.2, duration: 0.2}")
    black = [not f.data["cam"].rgb.any() for f in run]
    assert black == [False, False, True, True, False, False]
    assert run[2].labels.faults == {"cam": ("blackout",)} and run[0].labels.faults == {}


def test_frame_drop_delivers_nothing_and_says_so():
    run = frames("{type: frame_drop, probability: 1.0, at: 0.3}")
    for f in run[3:]:
        assert len(f.data["lidar"]) == 0 and not f.data["cam"].rgb.any()
        assert "frame_drop" in f.labels.faults["cam"] and "frame_drop" in f.labels.faults["lidar"]
    assert len(run[2].data["lidar"]) > 1000


def test_stuck_frame_repeats_the_last_delivery_while_the_truth_moves_on():
    clean = frames()
    stuck = frames("{type: stuck_frame, at: 0.3}")
    for f in stuck[3:]:
        assert np.array_equal(f.data["cam"].rgb, clean[2].data["cam"].rgb)
        assert f.data["lidar"].tobytes() == clean[2].data["lidar"].tobytes()
    # the labels and the exact geometry pass stay true to the world
    assert stuck[5].labels.to_json()["objects"] == clean[5].labels.to_json()["objects"]
    lead = [f.labels.object("lead").lidar_points["lidar"] for f in stuck]
    assert lead[5] != lead[2]  # the truth moved on (the lead pulls away)
    assert np.array_equal(stuck[5].data["cam"].instance, clean[5].data["cam"].instance)
