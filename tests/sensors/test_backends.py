"""The rig works with any back end that keeps the protocols: faked here, without pyrender or
Open3D, so the rig's own bookkeeping (faults, delivery, timings) is what is checked."""

import numpy as np
import pytest

from simgen.dataset.layout import POINT_DTYPE
from simgen.injectors import apply_injectors
from simgen.scenario import parse_scenario, sample
from simgen.sensors import backends
from simgen.sensors.frames import CameraFrame, CameraRender, ready
from simgen.sensors.protocols import CameraRenderer, LidarCaster
from simgen.sensors.suite import SensorSuite
from simgen.world.simulate import simulate

SCENE = """
version: 1
name: fakes
seed: 5
duration: 0.4
frame_rate: 10
road: {length: 120, lanes: 1, oncoming_lanes: 0, lane_width: 3.5, sidewalk_width: 2.0}
environment: {sun: {elevation: 45, azimuth: 180}}
ego:
  lane: 0
  s: 20
  behavior: [{action: parked}]
  sensors:
    - {name: cam, type: camera, width: 32, height: 24, look: ideal, outputs: [rgb, depth]}
    - {name: lidar, type: lidar, channels: 2, vertical_angles: [0.0, -5.0],
       horizontal_resolution: 10.0, range: 50}
injectors:
  - {type: frame_drop, probability: 1.0, at: 0.1, duration: 0.05}
  - {type: stuck_frame, at: 0.2}
"""


class FakeCamera:
    """Renders frame n as an image full of n + 1, depth 7 m everywhere."""

    def __init__(self, calibration, static, spec) -> None:
        self.calibration = calibration
        self.frame = 0
        self.closed = False

    def capture(
        self, world_from_ego, dynamic, environment, lights, geometry=False, geometry_only=False
    ):
        self.frame += 1
        shape = (self.calibration.height, self.calibration.width)
        rgb = np.full((*shape, 3), self.frame, np.uint8)
        semantic = np.zeros(shape, np.uint8) if geometry else None
        frame = CameraFrame(ready(rgb), np.full(shape, 7.0, np.float32), None, semantic)
        return CameraRender(frame, {"rgb": 0.25, "labels+depth": 0.5})

    def close(self) -> None:
        self.closed = True


class FakeLidar:
    """Sweep n holds n + 1 points at x = n."""

    def __init__(self, calibration, static, spec) -> None:
        self.calibration = calibration
        self.sweeps = 0

    def capture(self, sensor_pose_at, bodies, conditions, rng):
        points = np.zeros(self.sweeps + 1, POINT_DTYPE)
        points["x"] = self.sweeps
        self.sweeps += 1
        return points


@pytest.fixture
def fakes(monkeypatch):
    monkeypatch.setitem(backends.CAMERA_RENDERERS, "fake", FakeCamera)
    monkeypatch.setitem(backends.LIDAR_CASTERS, "fake", FakeLidar)


def captures():
    instance = apply_injectors(sample(parse_scenario(SCENE).scenario, 0))
    states = list(simulate(instance))
    with SensorSuite(instance, states[0].static, camera="fake", lidar="fake") as suite:
        assert isinstance(suite.cameras["cam"], CameraRenderer)
        assert isinstance(suite.lidars["lidar"], LidarCaster)
        assert not isinstance(suite.lidars["lidar"], CameraRenderer)
        out = [suite.capture(state) for state in states]
    assert suite.cameras["cam"].closed
    return out


def test_one_capture_holds_frames_sweeps_as_cast_faults_and_timings(fakes):
    first, dropped, stuck, still = captures()
    assert list(first.frames) == ["cam", "lidar"]
    assert first.frames["lidar"] is first.exact["lidar"]
    assert first.frames["cam"].rgb.min() == first.frames["cam"].rgb.max() == 1
    assert first.faults == {"cam": (), "lidar": ()}
    assert first.timings["camera rgb"] == 0.25 and first.timings["camera labels+depth"] == 0.5
    assert first.timings["lidar"] > 0
    assert first.developing == {}  # an ideal camera in clear air: delivered as rendered
    # a lost frame: an empty sweep (the labels still count the sweep as cast), a black image
    assert len(dropped.frames["lidar"]) == 0 and len(dropped.exact["lidar"]) == 2
    assert dropped.frames["cam"].rgb.max() == 0
    assert dropped.faults == {"cam": ("frame_drop",), "lidar": ("frame_drop",)}
    assert dropped.developing["cam"].result() >= 0
    # stuck: the last frame delivered (not the lost one) again, while the truth moves on
    for capture in (stuck, still):
        assert capture.frames["lidar"] is first.frames["lidar"]
        assert capture.frames["cam"].rgb.max() == 1
        assert capture.faults == {"cam": ("stuck_frame",), "lidar": ("stuck_frame",)}
    assert stuck.exact["lidar"]["x"].tolist() == [2.0] * 3
    assert {**stuck.frames, **stuck.exact}.keys() == stuck.truth().keys()
    assert stuck.truth()["lidar"] is stuck.exact["lidar"]


def test_an_unknown_back_end_is_named_with_the_known_ones():
    with pytest.raises(backends.UnknownBackend, match=r"'vulkan' \(known: pyrender\)"):
        backends.camera_renderer("vulkan")
    with pytest.raises(backends.UnknownBackend, match=r"lidar back end 'embree' \(known: open3d\)"):
        backends.lidar_caster("embree")
