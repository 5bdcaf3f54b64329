"""Occlusion, truncation and track ids, on tiny scenes whose answers are known by construction."""

import numpy as np
import pytest

from simgen.exports.kitti import kitti_objects
from simgen.labels.derive import derive
from simgen.labels.policy import DontCare
from simgen.scenario import parse_scenario, sample
from simgen.sensors.suite import SensorSuite
from simgen.world.simulate import simulate

HEAD = """
version: 1
name: vis
seed: 4
duration: 0.1
road: {length: 200, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}
ego:
  lane: 0
  s: 20
  behavior: [{action: parked}]
  sensors:
    - {name: cam, type: camera, width: 320, height: 200, fov: 90, mount: {xyz: [1.5, 0, 1.6]},
       outputs: [rgb, depth, semantic, instance]}
    - {name: lidar, type: lidar, preset: vlp16, mount: {xyz: [0, 0, 1.9]}}
actors:
"""
LANE0 = -5.25  # lateral centre of lane 0


def labels_for(actors: str, frames: int = 1):
    instance = sample(parse_scenario(HEAD + actors).scenario, 0)
    out = []
    states = simulate(instance)
    suite = None
    for state in states:
        if suite is None:
            suite = SensorSuite(instance, state.static)
        data = suite.capture(state).frames
        out.append((derive(state, data, suite.calibrations), data))
        if len(out) == frames:
            break
    states.close()
    suite.close()
    return out


def parked(name: str, model: str, where: str) -> str:
    return f"  - {{name: {name}, model: {model}, {where}, behavior: [{{action: parked}}]}}\n"


def obj(labels, name):
    return next(o for o in labels.objects if o.name == name)


def test_a_fully_visible_car_has_visibility_one():
    ((labels, _),) = labels_for(
        "  - {name: car, model: sedan, lane: 0, s: 40, behavior: [{action: parked}]}\n"
    )
    view = obj(labels, "car").cameras["cam"]
    assert view.visibility == pytest.approx(1.0, abs=0.05)
    assert view.kitti_occlusion == 0 and view.truncation == pytest.approx(0.0, abs=1e-9)


def test_a_car_hidden_behind_a_truck_is_invisible_to_the_camera():
    ((labels, _),) = labels_for(
        "  - {name: truck, model: truck, lane: 0, s: 34, behavior: [{action: parked}]}\n"
        "  - {name: car, model: sedan, lane: 0, s: 48, behavior: [{action: parked}]}\n"
    )
    view = obj(labels, "car").cameras["cam"]
    assert view.unoccluded_pixels > 50  # it is in view ...
    assert view.visibility < 0.05  # ... but hidden
    assert view.kitti_occlusion == 2
    # KITTI keeps it unless DontCare regions are asked for; then it is one
    exported = {o.name: k for o, k in kitti_objects(labels, "cam", DontCare())}
    assert exported.get("car") is None or exported["car"].dont_care
    assert not exported["truck"].dont_care and exported["truck"].type == "Truck"


def test_a_half_hidden_car_has_visibility_one_half():
    # a bus whose right edge lies on the camera's line of sight to the car's centre line
    occluder = parked("bus", "bus", f"offset: {LANE0 + 2.55 / 2}, s: 36")
    target = parked("car", "sedan", "lane: 0, s: 52")
    ((labels, _),) = labels_for(occluder + target)
    view = obj(labels, "car").cameras["cam"]
    assert view.visibility == pytest.approx(0.5, abs=0.1)
    assert view.kitti_occlusion == 1
    # cross-check against the renderer: the same car's pixels without the occluder
    ((alone, _),) = labels_for(target)
    unoccluded_by_renderer = obj(alone, "car").cameras["cam"].visible_pixels
    assert view.visible_pixels / unoccluded_by_renderer == pytest.approx(view.visibility, abs=0.03)


def test_a_car_half_outside_the_frame_is_half_truncated():
    # 90 degree field of view: a point 20 m ahead of the camera and 20 m to its right is on the edge
    ((labels, _),) = labels_for(parked("car", "sedan", f"offset: {LANE0 - 20.0}, s: 41.5"))
    view = obj(labels, "car").cameras["cam"]
    assert view.truncation == pytest.approx(0.5, abs=0.1)
    assert view.visibility == pytest.approx(1.0, abs=0.05)  # of what is inside the image


def test_objects_nobody_sees_stay_in_the_labels():
    ((labels, _),) = labels_for(
        "  - {name: behind, model: sedan, lane: 0, s: 5, behavior: [{action: parked}]}\n"
    )
    behind = obj(labels, "behind")
    assert behind.cameras["cam"].amodal_box is None and behind.cameras["cam"].visibility == 0.0
    # the lidar sees all around, so it is still visible to some sensor
    assert behind.lidar_points["lidar"] > 0 and behind.visible
    assert behind.boxes.ego.center[0] < 0  # behind the ego


def test_boxes_agree_across_frames_of_reference(tmp_path):
    ((labels, _),) = labels_for(
        "  - {name: car, model: sedan, lane: 1, s: 40, behavior: [{action: parked}]}\n"
    )
    car = obj(labels, "car")
    world, ego = np.array(car.boxes.world.center), np.array(car.boxes.ego.center)
    world_from_ego = np.array(labels.world_from_ego)
    np.testing.assert_allclose(world_from_ego @ np.r_[ego, 1.0], np.r_[world, 1.0], atol=1e-9)
    cam = car.boxes.sensors["cam"].center
    assert cam[2] > 0 and cam[1] > 0  # ahead of the camera, below its height (y down)


def test_track_ids_stay_constant_through_a_crash():
    head_on = (
        "  - {name: a, model: sedan, lane: 1, s: 30, speed: 8,"
        " behavior: [{action: accelerate, accel: 1, target_speed: 8}]}\n"
        "  - {name: b, model: sedan, lane: 1, s: 50, speed: 8, behavior: [{action: wrong_way}]}\n"
    )
    text = HEAD.replace("duration: 0.1", "duration: 2.5").replace("frame_rate: 10", "") + head_on
    instance = sample(parse_scenario(text).scenario, 0)
    states = list(simulate(instance))
    assert any(state.events for state in states)
    with SensorSuite(instance, states[0].static) as suite:
        ids = {}
        for state in states[::5]:  # before, during and after the crash
            labels = derive(state, suite.capture(state).frames, suite.calibrations)
            for o in labels.objects:
                ids.setdefault(o.name, set()).add(o.id)
    assert ids == {"a": {2}, "b": {3}}
    assert any(o.crashed for o in labels.objects)
