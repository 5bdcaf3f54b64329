"""KITTI object and tracking exports, read back with the formats' own conventions."""

import math

import numpy as np
import pytest

from simgen.dataset.reader import open_dataset
from simgen.exports.registry import export
from simgen.world.assets import load_catalog
from tests.conftest import render_text

# A stationary ego with a camera only; a car drives away at 10 m/s and shrinks far below the
# 25 px KITTI used to call DontCare (640x360, 90 degrees: 11 px high at 50 m).
AWAY = """
version: 1
name: away
seed: 3
duration: 4.0
frame_rate: 10
road: {length: 300, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}
ego:
  lane: 0
  s: 20
  behavior: [{action: parked}]
  sensors:
    - {name: cam, type: camera, width: 640, height: 360, fov: 90, mount: {xyz: [1.5, 0, 1.6]},
       outputs: [rgb, instance]}
actors:
  - {name: away, model: sedan, lane: 0, s: 32, speed: 10,
     behavior: [{action: lane_follow, speed: 10}]}
output: {formats: [kitti]}
"""

# Two cars collide head-on in front of an ego that changes lanes; camera and lidar.
CRASH = """
version: 1
name: crash
seed: 8
duration: 3.0
frame_rate: 10
road: {length: 300, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}
ego:
  lane: 1
  s: 10
  speed: 5
  behavior: [{at: 0.5, action: lane_change, lane: 0, duration: 2.0}]
  sensors:
    - {name: cam, type: camera, width: 320, height: 200, fov: 90, mount: {xyz: [1.5, 0, 1.6]},
       outputs: [rgb, instance]}
    - {name: lidar, type: lidar, preset: vlp16, mount: {xyz: [0, 0, 1.9]}}
actors:
  - {name: a, model: sedan, lane: 0, s: 30, speed: 8,
     behavior: [{action: accelerate, accel: 1, target_speed: 8}]}
  - {name: b, model: suv, lane: 0, s: 60, speed: 8, behavior: [{action: wrong_way, speed: 8}]}
  - {name: parked, model: sedan, offset: -8.5, s: 36, behavior: [{action: parked}]}
"""


def read_calib(path) -> dict[str, np.ndarray]:
    out = {}
    for line in path.read_text().splitlines():
        key, values = line.split(":", 1) if ":" in line else line.split(" ", 1)
        out[key] = np.array([float(v) for v in values.split()])
    return out


def kitti_corners(h, w, l, x, y, z, ry) -> np.ndarray:  # noqa: E741 - KITTI's own names
    """The devkit's box corners: location at the bottom centre, y down, ry about y."""
    xs = np.array([l, l, -l, -l, l, l, -l, -l]) / 2
    ys = np.array([0, 0, 0, 0, -h, -h, -h, -h])
    zs = np.array([w, -w, -w, w, w, -w, -w, w]) / 2
    rot = np.array([[math.cos(ry), 0, math.sin(ry)], [0, 1, 0], [-math.sin(ry), 0, math.cos(ry)]])
    return (rot @ np.vstack([xs, ys, zs])).T + np.array([x, y, z])


@pytest.fixture(scope="module")
def away(tmp_path_factory):
    return render_text(tmp_path_factory.mktemp("away"), AWAY, exports=True)


@pytest.fixture(scope="module")
def crash(tmp_path_factory):
    return render_text(tmp_path_factory.mktemp("crash"), CRASH)


def test_a_car_driving_away_keeps_its_3d_box_in_every_frame(away, tmp_path):
    assert export(away / "away", "kitti", tmp_path) == 40
    depths, heights = [], []
    for index in range(40):
        lines = (tmp_path / f"training/label_2/{index:06d}.txt").read_text().splitlines()
        assert len(lines) == 1, (index, lines)  # one Car line, never DontCare
        fields = lines[0].split()
        assert fields[0] == "Car"
        h, w, length = map(float, fields[8:11])
        size = load_catalog()["sedan"].dimensions  # mirrors included: the box holds the car
        assert (h, w, length) == pytest.approx((size[2], size[1], size[0]), abs=0.01)
        depths.append(float(fields[13]))
        heights.append(float(fields[7]) - float(fields[5]) + 1)
    # 10 m/s at 10 Hz: the box centre moves 1.0 m further away every frame
    np.testing.assert_allclose(np.diff(depths), 1.0, atol=0.01)
    assert heights[0] > 40 and heights[-1] < 25  # from easy to what KITTI's metrics ignore


def test_a_camera_only_rig_exports_kitti_whose_boxes_reproject_through_the_calib(away, tmp_path):
    export(away / "away", "kitti", tmp_path)
    training = tmp_path / "training"
    assert not (training / "velodyne").exists()
    checked = 0
    for index in range(0, 40, 3):
        calib = read_calib(training / f"calib/{index:06d}.txt")
        assert set(calib) == {"P0", "P1", "P2", "P3", "R0_rect", "Tr_velo_to_cam", "Tr_imu_to_velo"}
        P2 = calib["P2"].reshape(3, 4)
        # without a lidar, the "velodyne" frame is the ego frame: the camera is 1.5 m ahead of
        # the ego origin and 1.6 m above it, so the ego origin is 1.6 m below the camera centre
        velo_to_cam = np.vstack([calib["Tr_velo_to_cam"].reshape(3, 4), [0, 0, 0, 1]])
        np.testing.assert_allclose(velo_to_cam @ [0, 0, 0, 1], [0, 1.6, -1.5, 1], atol=1e-9)
        np.testing.assert_allclose(calib["Tr_imu_to_velo"].reshape(3, 4), np.eye(4)[:3])
        for line in (training / f"label_2/{index:06d}.txt").read_text().splitlines():
            f = line.split()
            corners = kitti_corners(*map(float, f[8:15]))
            uv = np.c_[corners, np.ones(8)] @ P2.T
            uv = uv[:, :2] / uv[:, 2:3]
            assert float(f[1]) == 0.0  # in full view
            projected = [uv[:, 0].min(), uv[:, 1].min(), uv[:, 0].max(), uv[:, 1].max()]
            np.testing.assert_allclose(projected, list(map(float, f[4:8])), atol=2.0)
            checked += 1
    assert checked == 14


def test_render_with_formats_kitti_exports_a_camera_only_rig(away):
    labels = sorted((away / "away/export_kitti/training/label_2").glob("*.txt"))
    assert len(labels) == 40


def read_tracking(path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()]


def test_kitti_tracking_keeps_each_track_id_on_one_actor_through_a_crash(crash, tmp_path):
    assert export(crash, "kitti_tracking", tmp_path) == 30
    training = tmp_path / "training"
    variant = open_dataset(crash).variants[0]
    frames = {f.index: f.labels for f in variant.frames()}
    events = [e for labels in frames.values() for e in labels.events]
    assert len(events) == 1 and set(events[0].actors) == {"a", "b"}
    crash_frame = next(i for i, labels in frames.items() if labels.events)

    rows = read_tracking(training / "label_02/0000.txt")
    assert all(len(r) == 17 for r in rows)
    names_of: dict[int, set[str]] = {}
    for r in rows:
        frame, track = int(r[0]), int(r[1])
        h, x, y, z = float(r[10]), float(r[13]), float(r[14]), float(r[15])
        # the actor whose box (in the camera frame) has this bottom centre
        match = [
            o.name
            for o in frames[frame].objects
            if np.allclose(o.boxes.sensors["cam"].bottom_center(), [x, y, z], atol=1e-3)
            and math.isclose(o.boxes.sensors["cam"].size[2], h, abs_tol=1e-3)
        ]
        assert len(match) == 1
        names_of.setdefault(track, set()).add(match[0])
        assert r[3] in ("0", "1") and r[4] in ("0", "1", "2")  # truncation and occlusion levels
    assert all(len(names) == 1 for names in names_of.values())
    ids = {next(iter(n)): t for t, n in names_of.items()}
    assert {"a", "b", "parked"} <= set(ids)
    for name in ("a", "b"):
        seen = {int(r[0]) for r in rows if int(r[1]) == ids[name]}
        assert min(seen) < crash_frame < max(seen)  # the same id before and after the crash
        assert frames[max(seen)].object(name).crashed
    assert (training / "image_02/0000/000029.png").exists()
    assert (training / "velodyne/0000/000029.bin").exists()
    calib = read_calib(training / "calib/0000.txt")
    assert {"P2", "R_rect", "Tr_velo_cam", "Tr_imu_velo"} <= set(calib)


def devkit_poses(oxts: list[list[float]]) -> list[np.ndarray]:
    """The KITTI devkit's convertOxtsToPose: Mercator from the first latitude, rz ry rx."""
    er = 6378137.0
    scale = math.cos(math.radians(oxts[0][0]))
    origin = None
    poses = []
    for lat, lon, alt, roll, pitch, yaw, *_ in oxts:
        t = np.array(
            [
                scale * lon * math.pi * er / 180,
                scale * er * math.log(math.tan(math.radians(90 + lat) / 2)),
                alt,
            ]
        )
        cx, sx, cy, sy, cz, sz = (f(a) for a in (roll, pitch, yaw) for f in (math.cos, math.sin))
        rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
        ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
        rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
        origin = t if origin is None else origin
        pose = np.eye(4)
        pose[:3, :3] = rz @ ry @ rx
        pose[:3, 3] = t - origin
        poses.append(pose)
    return poses


def test_kitti_tracking_oxts_reproduce_the_ego_trajectory(crash, tmp_path):
    export(crash, "kitti_tracking", tmp_path)
    lines = (tmp_path / "training/oxts/0000.txt").read_text().splitlines()
    packets = [[float(v) for v in line.split()] for line in lines]
    assert len(packets) == 30 and all(len(p) == 30 for p in packets)
    variant = open_dataset(crash).variants[0]
    truth = [f.labels.pose() for f in variant.frames()]
    start = truth[0][:3, 3]
    for pose, labels_pose in zip(devkit_poses(packets), truth, strict=True):
        np.testing.assert_allclose(pose[:3, 3], labels_pose[:3, 3] - start, atol=0.01)
        np.testing.assert_allclose(pose[:3, :3], labels_pose[:3, :3], atol=1e-6)
    # the lane change turns the ego: the yaw is not constant, and the speed is 5 m/s forward
    yaws = [p[5] for p in packets]
    assert max(yaws) - min(yaws) > 0.02
    assert packets[0][8] == pytest.approx(5.0, abs=0.01)  # vf
    assert packets[0][13] == pytest.approx(9.81, abs=0.1)  # az holds gravity
