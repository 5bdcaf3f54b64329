"""Sensor geometry checked against the scene's known geometry, on tiny scenes."""

import hashlib
import itertools
import json
import math

import cv2
import numpy as np
import pytest

from simgen.batch import plan_shards, run_shard
from simgen.core.classes import BY_NAME
from simgen.scenario import parse_scenario, sample
from simgen.sensors.rig import intrinsics, project
from simgen.sensors.suite import SensorSuite
from simgen.world.assets import load_catalog
from simgen.world.simulate import simulate

SCENE = """
version: 1
name: sensors
seed: 3
duration: 0.3
frame_rate: 10
road: {length: 200, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}
environment: {sun: {elevation: 45, azimuth: 30}}
ego:
  lane: 0
  s: 20
  behavior: [{action: parked}]
  sensors:
    - {name: cam, type: camera, width: 160, height: 120, fov: 60, mount: {xyz: [1.5, 0, 1.6]},
       outputs: [rgb, depth, semantic, instance]}
    - {name: lidar, type: lidar, channels: 3, vertical_angles: [0.0, -5.0, -10.0],
       horizontal_resolution: 1.0, range: 100, mount: {xyz: [0, 0, 1.9]}, rolling_shutter: false}
actors:
  - {name: truck, model: truck, lane: 0, s: 60, behavior: [{action: parked}]}
  - {name: walker, model: pedestrian, offset: -8.0, s: 45}
  - {name: bike, model: bicycle, lane: 1, s: 40, behavior: [{action: parked}]}
"""


@pytest.fixture(scope="module")
def capture():
    instance = sample(parse_scenario(SCENE).scenario, 0)
    state = next(iter(simulate(instance)))
    with SensorSuite(instance, state.static) as suite:
        frames = suite.capture(state).frames
    return instance, state, suite, frames


def truck_rear_x(state) -> float:
    truck = state.actor("truck")
    return truck.position[0] - truck.dimensions[0] / 2


def test_lidar_range_to_a_flat_target(capture):
    _, state, _, frames = capture
    points = frames["lidar"]
    ahead = points[(points["ring"] == 0) & (np.abs(points["y"]) < 1e-3) & (points["x"] > 0)]
    assert len(ahead) == 1  # the single ray at azimuth 0, elevation 0
    expected = truck_rear_x(state) - state.ego.position[0]  # the lidar sits above the ego origin
    assert abs(float(ahead["x"][0]) - expected) < 0.02
    assert ahead["instance"][0] == state.actor("truck").id
    assert ahead["semantic"][0] == BY_NAME["truck"].id


def test_camera_depth_at_the_centre_pixel(capture):
    _, state, _, frames = capture
    depth = frames["cam"].depth
    expected = truck_rear_x(state) - (state.ego.position[0] + 1.5)
    for v, u in ((59, 79), (60, 80)):  # the four pixels around the principal point
        assert abs(depth[v, u] - expected) / expected < 0.01


def test_points_project_onto_the_pixels_where_they_render(capture):
    _, state, suite, frames = capture
    calib = suite.calibrations.cameras["cam"]
    camera_from_world = np.linalg.inv(state.ego.transform() @ calib.ego_from_camera)
    x = truck_rear_x(state)
    y0 = state.actor("truck").position[1]
    corners = np.array([[x, y0 + 1.25, 3.4], [x, y0 - 1.25, 3.4]])  # rear top edge of the cargo box
    (ul, vl, _), (ur, vr, _) = project(calib.K, camera_from_world, corners)
    mask = frames["cam"].instance == state.actor("truck").id
    vs, us = np.nonzero(mask)
    assert abs(us.min() - ul) <= 1.0 and abs(us.max() - ur) <= 1.0
    assert abs(vs.min() - vl) <= 1.0 and abs(vs.min() - vr) <= 1.0


def test_masks_are_exact_and_consistent_with_the_labels(capture):
    _, state, _, frames = capture
    cam = frames["cam"]
    catalog = load_catalog()
    ids = set(np.unique(cam.instance)) - {0}
    by_id = {a.id: a for a in state.actors[1:]}
    assert ids == {by_id[i].id for i in by_id}  # the three road users are all in view
    for i in ids:
        actor = by_id[i]
        entry = catalog[actor.model]
        allowed = {BY_NAME[entry.semantic_class].id}
        allowed |= {BY_NAME[p.semantic_class].id for p in entry.parts.values() if p.semantic_class}
        assert set(np.unique(cam.semantic[cam.instance == i])) <= allowed
    # a car-free class never carries an instance id, and a rider shares the bicycle's id
    bike = state.actor("bike").id
    assert set(np.unique(cam.semantic[cam.instance == bike])) == {
        BY_NAME["bicycle"].id,
        BY_NAME["rider"].id,
    }
    background = set(np.unique(cam.semantic[cam.instance == 0]))
    assert background.isdisjoint(
        {BY_NAME[c].id for c in ("car", "truck", "person", "bicycle", "rider")}
    )


def test_lidar_instance_points_lie_in_the_actors_boxes(capture):
    _, state, suite, frames = capture
    points = frames["lidar"]
    world_from_lidar = state.ego.transform() @ suite.calibrations.lidars["lidar"].ego_from_lidar
    xyz = np.c_[points["x"], points["y"], points["z"], np.ones(len(points))] @ world_from_lidar.T
    hit_ids = set(np.unique(points["instance"])) - {0}
    assert state.actor("truck").id in hit_ids
    for actor in state.actors[1:]:
        mine = xyz[points["instance"] == actor.id, :3]
        if not len(mine):
            continue
        local = (mine - actor.position) @ actor.transform()[:3, :3]
        half = np.array(actor.dimensions) / 2
        assert np.all(np.abs(local[:, 0]) <= half[0] + 0.02)
        assert np.all(np.abs(local[:, 1]) <= half[1] + 0.02)
        assert np.all((local[:, 2] >= -0.02) & (local[:, 2] <= actor.dimensions[2] + 0.02))


def test_intrinsics_follow_the_horizontal_fov():
    K = intrinsics(1280, 720, 90.0)
    assert math.isclose(K[0, 0], 640.0) and K[0, 0] == K[1, 1]
    assert (K[0, 2], K[1, 2]) == (639.5, 359.5)


def _render(tmp_path, name):
    path = tmp_path / "s.yaml"
    path.write_text(SCENE)
    (shard,) = plan_shards([path], tmp_path / name, variant=0, frames=2)
    run_shard(shard)
    return shard.folder


def test_rendering_twice_gives_identical_files(tmp_path):
    a, b = _render(tmp_path, "a"), _render(tmp_path, "b")
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (
            hashlib.sha256((a / rel).read_bytes()).digest()
            == hashlib.sha256((b / rel).read_bytes()).digest()
        ), rel
    manifest = json.loads((a / "manifest.json").read_text())
    for rel, digest in manifest["files"].items():
        assert hashlib.sha256((a / rel).read_bytes()).hexdigest() == digest


def test_dataset_files_decode_to_the_rendered_values(tmp_path, capture):
    _, _, _, frames = capture
    root = _render(tmp_path, "d")
    depth_mm = cv2.imread(str(root / "cam/depth/000000.png"), cv2.IMREAD_UNCHANGED)
    assert depth_mm.dtype == np.uint16
    depth = frames["cam"].depth
    near = depth < 65.0
    np.testing.assert_allclose(depth_mm[near] / 1000.0, depth[near], atol=0.0006)
    assert np.all(depth_mm[~near & (depth > 65.535)] == 65535)  # saturates beyond 65.535 m
    instance = cv2.imread(str(root / "cam/instance/000000.png"), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(instance, frames["cam"].instance)
    points = np.load(root / "lidar/000000.npy")
    xyzi = np.fromfile(root / "lidar/000000.bin", dtype="<f4").reshape(-1, 4)
    np.testing.assert_array_equal(xyzi[:, 0], points["x"])
    labels = json.loads((root / "labels/000000.json").read_text())
    truck = next(o for o in labels["objects"] if o["name"] == "truck")
    assert truck["lidar_points"]["lidar"] == int(np.sum(points["instance"] == truck["id"]))
    assert truck["cameras"]["cam"]["visible_pixels"] == int(np.sum(instance == truck["id"]))


def test_a_rerun_skips_complete_variants_and_redoes_broken_ones(tmp_path):
    root = _render(tmp_path, "r")
    rgb = root / "cam/rgb/000001.png"
    before = rgb.stat().st_mtime_ns
    _render(tmp_path, "r")
    assert rgb.stat().st_mtime_ns == before  # complete: skipped
    (root / "manifest.json").unlink()  # as if interrupted before the commit point
    rgb.unlink()
    _render(tmp_path, "r")
    assert rgb.exists() and (root / "manifest.json").exists()


def test_rolling_shutter_sweep_matches_a_brute_force_cast_per_slice(monkeypatch):
    """Culling and the lifted single scene change nothing: every ray hits what a full cast of
    the world at its slice's time hits (the detection threshold, which drops faint far returns,
    is lifted here: this is about geometry)."""
    import open3d as o3d

    monkeypatch.setattr("simgen.sensors.lidar_weather.THRESHOLD_REFLECTIVITY", 0.0)

    from simgen.scenario import load_scenario
    from simgen.sensors.suite import sensor_pose
    from tests.conftest import ROOT
    from tests.sensors.open3d.posed import merge_bodies

    instance = sample(load_scenario(ROOT / "scenarios" / "bench_highway.yaml").scenario, 0)
    states = simulate(instance)
    next(states)
    state = next(states)  # everyone moving
    with SensorSuite(instance, state.static) as suite:
        name, lidar = next(iter(suite.lidars.items()))
        assert lidar.slices == 8
        points = suite.capture(state).frames[name]
        bodies = suite.bodies(state)
        scan = lidar.calibration.scan
        bounds = np.linspace(0, scan.columns, lidar.slices + 1).round().astype(int)
        expected_t, columns = [], []
        for lo, hi in itertools.pairwise(bounds):
            tau = float(lidar.times[lo])
            pose = sensor_pose(state, lidar.calibration.ego_from_lidar, tau)
            dirs = lidar.dirs[lo:hi].reshape(-1, 3) @ pose[:3, :3].T
            scene = o3d.t.geometry.RaycastingScene()
            static = lidar.static_mesh
            scene.add_triangles(o3d.core.Tensor(static.vertices), o3d.core.Tensor(static.triangles))
            moving = merge_bodies([(b, b.pose_at(tau)) for b in bodies])
            scene.add_triangles(o3d.core.Tensor(moving.vertices), o3d.core.Tensor(moving.triangles))
            rays = np.c_[np.broadcast_to(pose[:3, 3], dirs.shape), dirs].astype(np.float32)
            expected_t.append(scene.cast_rays(o3d.core.Tensor(rays))["t_hit"].numpy())
            columns.append(np.repeat(np.arange(lo, hi), lidar.dirs.shape[1]))
        t = np.concatenate(expected_t)
        hit = np.isfinite(t) & (t <= scan.range)
        rings = np.tile(np.arange(lidar.dirs.shape[1]), scan.columns)
        expected = dict(zip(zip(np.concatenate(columns)[hit], rings[hit], strict=True), t[hit],
                            strict=True))  # fmt: skip
    ranges = np.sqrt(points["x"] ** 2 + points["y"] ** 2 + points["z"] ** 2)
    column_of = np.searchsorted(lidar.times, points["time"])
    got = dict(zip(zip(column_of, points["ring"], strict=True), ranges, strict=True))
    # float32 vertices lifted hundreds of metres apart move shared triangle edges by a few
    # micrometres: a ray that grazes an edge of a rounded body may slip through on one side
    assert len(set(got) ^ set(expected)) <= 10  # at most about ten rays of the 119k
    both = sorted(set(got) & set(expected))
    off = np.abs(np.array([got[k] for k in both]) - np.array([expected[k] for k in both]))
    assert len(both) > 100_000
    assert np.mean(off > 5e-3) < 1e-4
    assert np.mean(off > 1e-3) < 1e-3
    assert np.any(points["instance"] > 0)


def test_a_changed_request_replaces_the_variant_whole(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SCENE)
    (three,) = plan_shards([path], tmp_path / "w", variant=0, frames=3)
    run_shard(three)
    root = three.folder
    assert (root / "cam/rgb/000002.png").exists()
    (two,) = plan_shards([path], tmp_path / "w", variant=0, frames=2)
    run_shard(two)
    assert two.folder == root
    manifest = json.loads((root / "manifest.json").read_text())
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    assert on_disk == set(manifest["files"]) | {"manifest.json"}  # no stale frame 2 left behind
    assert not list((tmp_path / "w" / "sensors").glob("0000.partial*"))
