"""Boxes per frame of reference: a sensor can never stand in for the world or the ego frame, and
the labels on disk keep their flat ``{"world", "ego", "<sensor>"}`` mapping."""

import dataclasses
import json

import numpy as np
import pytest

from simgen.labels.derive import derive
from simgen.labels.schema import RESERVED_FRAMES, Box3D, FrameBoxes, FrameLabels, ObjectLabel
from simgen.scenario import ScenarioError, parse_scenario, sample
from simgen.scenario.checks import RESERVED_SENSOR_NAMES
from simgen.sensors.rig import Calibrations
from simgen.sensors.suite import SensorSuite
from simgen.world.simulate import simulate
from tests.labels.test_visibility import HEAD, obj

CAR = "  - {name: car, model: sedan, lane: 0, s: 40, behavior: [{action: parked}]}\n"


@pytest.fixture(scope="module")
def captured():
    """One frame of a parked car: its state, the sensor data and the rig."""
    instance = sample(parse_scenario(HEAD + CAR).scenario, 0)
    states = simulate(instance)
    state = next(iter(states))
    with SensorSuite(instance, state.static) as suite:
        data = suite.capture(state).frames
        calibrations = suite.calibrations
    states.close()
    return state, data, calibrations


def test_a_camera_named_ego_cannot_replace_the_ego_box(captured):
    state, data, calibrations = captured
    ego_box = obj(derive(state, data, calibrations), "car").boxes.ego
    assert 15 < ego_box.center[0] < 25 and ego_box.center[2] > 0  # 20 m ahead, z up
    # the same camera under the ego frame's name: the old dict of boxes took its camera-frame box
    # (z forward) as the ego box; now the labels refuse it instead of scoring the wrong box
    renamed = Calibrations(
        {"ego": dataclasses.replace(calibrations.cameras["cam"], name="ego")},
        calibrations.lidars,
    )
    frames = {("ego" if k == "cam" else k): v for k, v in data.items()}
    with pytest.raises(ValueError, match="reserved"):
        derive(state, frames, renamed)


@pytest.mark.parametrize("name", ["ego", "world"])
def test_validation_rejects_a_sensor_named_like_a_frame(name):
    text = HEAD.replace("{name: lidar,", f"{{name: {name},") + CAR
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "rig.yaml")
    (issue,) = caught.value.issues
    line = text.splitlines().index(next(x for x in text.splitlines() if f"name: {name}," in x))
    assert str(issue).startswith(f"rig.yaml:{line + 1}:")
    assert f"ego.sensors[1].name: '{name}' is reserved" in str(issue)


def test_the_reserved_names_are_the_label_frames():
    assert set(RESERVED_SENSOR_NAMES) == set(RESERVED_FRAMES) == {"world", "ego"}


def test_labels_keep_the_flat_mapping_on_disk_and_round_trip(captured):
    state, data, calibrations = captured
    labels = derive(state, data, calibrations)
    on_disk = json.loads(json.dumps(labels.to_json()))
    boxes = on_disk["objects"][0]["boxes"]
    assert set(boxes) == {"world", "ego", "cam", "lidar"}
    car = obj(labels, "car")
    assert boxes["ego"]["center"] == list(car.boxes.ego.center)
    assert boxes["cam"]["center"] == list(car.boxes.sensors["cam"].center)
    assert FrameLabels.from_json(json.dumps(on_disk)) == labels


def test_a_sensor_may_be_called_sensors():
    box = Box3D((1.0, 2.0, 3.0), (4.0, 2.0, 1.5), (0.0, 0.0, 0.0, 1.0), 0.0)
    other = Box3D((5.0, 6.0, 7.0), (4.0, 2.0, 1.5), (0.0, 0.0, 0.0, 1.0), 0.5)
    boxes = FrameBoxes(world=box, ego=box, sensors={"sensors": other})
    assert set(boxes.to_json()) == {"world", "ego", "sensors"}
    label = ObjectLabel(1, "a", "car", "sedan", boxes, (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), False,
                        False, False, False, {}, {}, False)  # fmt: skip
    frame = FrameLabels(0, 0.0, tuple(tuple(r) for r in np.eye(4).tolist()), (0.0, 0.0, 0.0),
                        (0.0, 0.0, 0.0), (label,), (), {})  # fmt: skip
    again = FrameLabels.from_json(json.dumps(frame.to_json()))
    assert again.objects[0].boxes.sensors == {"sensors": other} and again == frame
    with pytest.raises(ValueError, match="reserved"):
        FrameBoxes(world=box, ego=box, sensors={"world": other})
