"""Optical flow, scene flow and normals checked against the geometry: the states' poses, the
rendered depth, and the planes of the road and of a box."""

import math

import cv2
import numpy as np
import pytest

from simgen.core.classes import BY_NAME
from simgen.dataset.kitti_flow import flow_png
from simgen.dataset.layout import FLOW_OFFSET, FLOW_SCALE
from simgen.dataset.writer import normals_png
from simgen.pipeline.capture import capture
from simgen.scenario import parse_scenario, sample
from simgen.sensors.carry import carry
from simgen.sensors.flow import _bilinear, _inverse_depth_at
from simgen.sensors.lens import project, undistort_pixels
from simgen.sensors.rig import intrinsics

CAMERA = (
    "{name: cam, type: camera, width: 160, height: 96, fov: 70, mount: {xyz: [1.5, 0, 1.6]}, "
    "look: ideal, shadows: false, outputs: [depth, instance, semantic, flow, scene_flow, normals]}"
)
LIDAR = (
    "{name: lidar, type: lidar, channels: 4, vertical_angles: [0.0, -3.0, -6.0, -9.0], "
    "horizontal_resolution: 2.0, range: 80, mount: {xyz: [0, 0, 1.9]}, scene_flow: true}"
)


def scene(ego: str, actors: str = "[]", camera: str = CAMERA) -> str:
    return f"""
version: 1
name: flow
seed: 4
duration: 0.3
frame_rate: 10
road: {{length: 200, lanes: 2, oncoming_lanes: 0, lane_width: 3.5, sidewalk_width: 2.0}}
environment: {{sun: {{elevation: 45, azimuth: 180}}}}
ego:
  lane: 0
  s: 20
  {ego}
  sensors: [{camera}, {LIDAR}]
actors: {actors}
"""


def frames(text: str, only=None) -> list:
    return list(capture(sample(parse_scenario(text).scenario, 0), only=only))


@pytest.fixture(scope="module")
def driving():
    """A static world and an ego driving at 10 m/s."""
    return frames(scene("speed: 10"))


@pytest.fixture(scope="module")
def overtaken():
    """A parked ego, a car passing at constant speed in the next lane."""
    actors = "[{name: car, model: sedan, lane: 1, s: 24, speed: 6}]"
    return frames(scene("behavior: [{action: parked}]", actors))


def world_from_camera(found) -> np.ndarray:
    return found.state.ego.transform() @ found.calibrations.cameras["cam"].ego_from_camera


def points(found) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Surface pixels (rows, cols) and their camera-frame points."""
    cam = found.data["cam"]
    K = found.calibrations.cameras["cam"].K
    rows, cols = np.nonzero(cam.depth > 0)
    z = cam.depth[rows, cols].astype(np.float64)
    xyz = np.stack([(cols - K[0, 2]) / K[0, 0] * z, (rows - K[1, 2]) / K[1, 1] * z, z], 1)
    return rows, cols, xyz


def test_static_world_warped_by_the_flow_has_the_next_frames_depth(driving):
    now, then = driving[0], driving[1]
    rows, cols, xyz = points(now)
    flow = now.data["cam"].flow_forward[rows, cols]
    valid = flow[:, 2] > 0
    assert valid.mean() > 0.5  # the ground near the bonnet leaves the image at 1 m a frame
    # the point's depth in the next camera, from the two ego poses alone
    moved = np.linalg.inv(world_from_camera(then)) @ world_from_camera(now)
    expected = xyz @ moved[:3, :3].T + moved[:3, 3]
    target = np.stack([cols + flow[:, 0], rows + flow[:, 1]], 1)
    found = 1.0 / _inverse_depth_at(then.data["cam"].depth, target[valid])
    assert np.abs(found / expected[valid, 2] - 1).max() < 0.01
    # and the next frame's backward flow brings every valid pixel back where it came from
    back = then.data["cam"].flow_backward
    at = np.round(target[valid]).astype(int)
    inside = (at[:, 0] >= 0) & (at[:, 0] < 160) & (at[:, 1] >= 0) & (at[:, 1] < 96)
    returned = target[valid][inside] + back[at[inside, 1], at[inside, 0], :2]
    start = np.stack([cols, rows], 1)[valid][inside]
    assert np.median(np.abs(returned - start)) < 0.5
    # static points do not move: zero scene flow
    assert np.nanmax(np.abs(now.data["cam"].scene_flow)) < 1e-3


def test_a_translating_cars_flow_is_its_projected_motion(overtaken):
    now, then = overtaken[0], overtaken[1]
    car = now.state.actors[1]
    moved_by = np.subtract(then.state.actors[1].position, car.position)
    assert np.linalg.norm(moved_by) > 0.3
    rows, cols, xyz = points(now)
    on_car = now.data["cam"].instance[rows, cols] == car.id
    assert on_car.sum() > 50
    world = xyz[on_car] @ world_from_camera(now)[:3, :3].T + world_from_camera(now)[:3, 3]
    there = (world + moved_by) @ np.linalg.inv(world_from_camera(then))[:3, :3].T
    there += np.linalg.inv(world_from_camera(then))[:3, 3]
    K = now.calibrations.cameras["cam"].K
    uv = there @ K.T
    expected = uv[:, :2] / uv[:, 2:] - np.stack([cols[on_car], rows[on_car]], 1)
    flow = now.data["cam"].flow_forward[rows[on_car], cols[on_car]]
    assert (flow[:, 2] > 0).mean() > 0.8
    assert np.abs(flow[:, :2] - expected).max() < 0.1
    # scene flow: the car's displacement in the camera's axes
    scene = now.data["cam"].scene_flow[rows[on_car], cols[on_car]]
    assert np.abs(scene - moved_by @ world_from_camera(now)[:3, :3]).max() < 1e-3
    # lidar: the car's points move with it, the static world's do not
    sweep = now.data["lidar"]
    flow3 = np.stack([sweep["flow_x"], sweep["flow_y"], sweep["flow_z"]], 1)
    ego_from_lidar = now.calibrations.lidars["lidar"].ego_from_lidar
    lidar_rot = (now.state.ego.transform() @ ego_from_lidar)[:3, :3]
    hit = sweep["instance"] == car.id
    assert hit.sum() > 5
    assert np.abs(flow3[hit] - moved_by @ lidar_rot).max() < 1e-3
    assert np.abs(flow3[sweep["instance"] == 0]).max() < 1e-4


def test_a_walkers_flow_through_a_barrel_lens_is_where_carry_puts_it():
    """Body segments (``carry``) and a distorted lens (``project``): the flow of a walker's
    pixels is its points carried to the next state, projected through the lens."""
    camera = CAMERA.replace("fov: 70,", "fov: 70, distortion: [-0.2, 0.03, 0, 0, 0],")
    walker = "[{name: walker, model: pedestrian, offset: -3, s: 27, speed: 1.4}]"
    now, then = frames(scene("speed: 5", walker, camera))[:2]
    person = next(a for a in now.state.actors if a.name == "walker")
    cam, calib = now.data["cam"], now.calibrations.cameras["cam"]
    rows, cols = np.nonzero((cam.instance == person.id) & (cam.depth > 0))
    assert len(rows) > 100
    pixel = np.stack([cols, rows], 1).astype(np.float64)
    z = cam.depth[rows, cols].astype(np.float64)[:, None]
    points = np.concatenate([undistort_pixels(calib, pixel) * z, z], 1)
    world = points @ world_from_camera(now)[:3, :3].T + world_from_camera(now)[:3, 3]
    moved = carry(world, np.full(len(world), person.id), now.state, then.state)
    there = (moved - world_from_camera(then)[:3, 3]) @ world_from_camera(then)[:3, :3]
    expected = project(calib, there) - pixel
    flow = cam.flow_forward[rows, cols]
    valid = flow[:, 2] > 0
    assert valid.sum() > 50  # limbs hide limbs, and a small figure has much edge
    error = np.abs(flow[valid, :2] - expected[valid]).max(axis=1)
    # ``carry`` ties a point to its nearest triangle, the flow to the one its pixel's ray hits:
    # they differ only where two limbs' surfaces meet within the depth's rounding (a knee's
    # fold, a silhouette), by a fraction of a pixel
    assert np.quantile(error, 0.98) < 0.05 and error.max() < 0.25
    # the lens bends the flow: a pinhole's projection of the same points is off by far more
    pinhole = there[:, :2] / there[:, 2:] * np.diag(calib.K)[:2] + calib.K[:2, 2] - pixel
    assert np.abs(pinhole[valid] - expected[valid]).max() > 0.5


def test_the_last_frame_has_no_forward_motion_and_the_first_no_backward(driving):
    assert driving[0].data["cam"].flow_backward[..., 2].max() == 0
    assert driving[-1].data["cam"].flow_forward[..., 2].max() == 0
    assert np.isnan(driving[-1].data["cam"].scene_flow).all()
    assert np.isnan(driving[-1].data["lidar"]["flow_x"]).all()


def test_a_chunk_gets_the_flow_an_unchunked_render_does(driving):
    (alone,) = frames(scene("speed: 10"), only=frozenset({1}))
    for name in ("flow_forward", "flow_backward", "scene_flow", "normals"):
        np.testing.assert_array_equal(
            getattr(alone.data["cam"], name), getattr(driving[1].data["cam"], name)
        )
    np.testing.assert_array_equal(alone.data["lidar"], driving[1].data["lidar"])


@pytest.fixture(scope="module")
def driving_in_colour():
    """The driving scene with RGB too: its normals come out of the colour pass."""
    rgb = CAMERA.replace("outputs: [depth,", "outputs: [rgb, depth,")
    assert rgb != CAMERA
    return frames(scene("speed: 10", camera=rgb))


@pytest.mark.parametrize("run", ["driving", "driving_in_colour"])
def test_road_normals_point_up(run, request):
    found = request.getfixturevalue(run)[0]
    cam = found.data["cam"]
    road = cam.semantic == BY_NAME["road"].id
    assert road.sum() > 1000
    up = cam.normals[road] @ world_from_camera(found)[:3, :3].T
    angle = np.degrees(np.arccos(np.clip(up[:, 2], -1, 1)))
    assert angle.max() < 0.5
    assert not cam.normals[cam.depth == 0].any()


def test_a_boxs_normals_are_its_axes():
    import trimesh

    from simgen.sensors.pyrender.camera import PyrenderCamera
    from simgen.sensors.rig import CameraCalibration
    from simgen.sensors.scene import Part, Placed

    box = trimesh.creation.box(extents=(2.0, 1.0, 1.5))
    yaw, pitch = math.radians(35), math.radians(10)
    rot = trimesh.transformations.euler_matrix(0.0, pitch, yaw, "sxyz")
    rot[:3, 3] = (6.0, 0.5, 0.2)
    part = Part("box", box.vertices, box.faces.astype(np.int32))
    placed = Placed(part, rot, 0, 1, (1.0, 1.0, 1.0), 0.5)
    # a camera at the origin looking along +x (optical z), slightly down
    optical = np.array([[0, 0, 1, 0], [-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, 0, 1.0]])
    calib = CameraCalibration("c", 128, 96, intrinsics(128, 96, 60), optical)
    camera = PyrenderCamera(calib, [placed], ("depth", "normals"))
    try:
        frame = camera.capture(np.eye(4), [], None, []).frame  # type: ignore[arg-type]
    finally:
        camera.close()
    seen = frame.depth > 0
    assert seen.sum() > 1000
    normals = frame.normals[seen] @ optical[:3, :3].T  # in the world
    axes = np.concatenate([rot[:3, :3].T, -rot[:3, :3].T])  # the box's +-x, +-y, +-z
    angle = np.degrees(np.arccos(np.clip(normals @ axes.T, -1, 1))).min(axis=1)
    assert angle.max() < 0.5
    assert len({int(i) for i in np.argmin(np.arccos(np.clip(normals @ axes.T, -1, 1)), 1)}) >= 2


def test_bilinear_samples_by_hand_and_clamped_at_the_far_edges():
    image = np.arange(12, dtype=np.float32).reshape(3, 4) ** 2  # value = (4 row + col)^2
    u = np.array([1.25, 3.3, 3.0, -0.4, 2.5], np.float32)
    v = np.array([0.5, 1.5, 2.0, 1.0, 2.4], np.float32)
    # (1.25, 0.5): rows 0 and 1 mixed half and half, columns 1 and 2 a quarter of the way
    first = 0.75 * 1 + 0.25 * 4
    second = 0.75 * 25 + 0.25 * 36
    # past the last column (row) the sample is the last column's (row's): clamped, not extrapolated
    expected = [0.5 * first + 0.5 * second, 0.5 * 49 + 0.5 * 121, 121, 16, 0.5 * 100 + 0.5 * 121]
    np.testing.assert_allclose(_bilinear(image, u, v), expected, rtol=1e-6)


def test_kitti_flow_and_normal_pngs_round_trip():
    rng = np.random.default_rng(0)
    flow = np.zeros((7, 9, 3), np.float32)
    flow[..., :2] = rng.uniform(-300, 300, (7, 9, 2))
    flow[..., 2] = rng.random((7, 9)) > 0.3
    raw = cv2.imdecode(np.frombuffer(flow_png(flow), np.uint8), cv2.IMREAD_UNCHANGED)
    rgb = cv2.cvtColor(raw, cv2.COLOR_BGR2RGB).astype(np.float64)  # as the devkit reads it
    assert raw.dtype == np.uint16
    decoded = (rgb[..., :2] - FLOW_OFFSET) / FLOW_SCALE
    np.testing.assert_allclose(decoded, flow[..., :2], atol=1 / 128)
    np.testing.assert_array_equal(rgb[..., 2], flow[..., 2])
    normals = rng.normal(size=(7, 9, 3))
    normals /= np.linalg.norm(normals, axis=-1, keepdims=True)
    normals[0, 0] = 0
    raw = cv2.imdecode(np.frombuffer(normals_png(normals), np.uint8), cv2.IMREAD_UNCHANGED)
    back = cv2.cvtColor(raw, cv2.COLOR_BGR2RGB) / 65535 * 2 - 1
    np.testing.assert_allclose(back[1:], normals[1:], atol=2e-5)
    assert not raw[0, 0].any()


def _written(tmp_path, camera: str = CAMERA):
    from simgen.batch import plan_shards, run_shard
    from simgen.dataset.reader import open_dataset

    path = tmp_path / "flow.yaml"
    path.write_text(scene("speed: 10", camera=camera))
    (shard,) = plan_shards([path], tmp_path / "out", variant=0, frames=2)
    run_shard(shard)
    return open_dataset(tmp_path / "out").variant().frame(0)


def test_the_dataset_holds_what_the_rig_made(tmp_path, driving):
    frame = _written(tmp_path, CAMERA.replace("look: ideal", "look: ideal, flow_npy: true"))
    cam = driving[0].data["cam"]
    forward = frame.flow("cam", "forward")
    np.testing.assert_array_equal(forward, cam.flow_forward)
    np.testing.assert_array_equal(frame.flow("cam", "backward"), cam.flow_backward)
    np.testing.assert_array_equal(frame.scene_flow("cam"), cam.scene_flow)
    np.testing.assert_array_equal(frame.normals("cam"), cam.normals)
    kitti = cv2.cvtColor(
        cv2.imread(str(frame.flow_file("cam")), cv2.IMREAD_UNCHANGED), cv2.COLOR_BGR2RGB
    )
    valid = kitti[..., 2] == 1
    np.testing.assert_array_equal(valid, forward[..., 2] > 0)
    decoded = (kitti[..., :2].astype(np.float64) - 2**15) / 64
    assert np.abs(decoded[valid] - forward[valid][:, :2]).max() <= 1 / 128 + 1e-4
    np.testing.assert_array_equal(
        frame.lidar_flow("lidar")[:, 0], driving[0].data["lidar"]["flow_x"]
    )


def test_without_flow_npy_the_flow_is_read_from_the_kitti_png(tmp_path, driving):
    first = _written(tmp_path)
    assert not list((first.variant.root / "cam" / "flow_forward").glob("*.npy"))
    pairs = [
        (first.flow("cam", "forward"), driving[0].data["cam"].flow_forward),
        (first.variant.frame(1).flow("cam", "backward"), driving[1].data["cam"].flow_backward),
    ]
    for read, exact in pairs:
        assert read.dtype == np.float32 and read.shape == exact.shape
        np.testing.assert_array_equal(read[..., 2], exact[..., 2])
        assert (exact[..., 2] > 0).mean() > 0.3  # the road and the walls ahead: much to check
        # the nearest 1/64 pixel (of u * 64 + 2**15 in float32), everywhere: occluded pixels
        # keep their flow too
        assert np.abs(read[..., :2] - exact[..., :2]).max() <= 1 / 128 + 1e-4
    # a file that is not a KITTI flow PNG is named, not decoded as one
    from simgen.dataset.reader import DatasetError

    path = first.flow_file("cam")
    cv2.imwrite(str(path), np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(DatasetError, match=r"flow_forward/000000\.png: not a KITTI flow PNG"):
        first.flow("cam")
