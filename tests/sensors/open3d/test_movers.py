"""Rays taken into a body's frame find what rays against the posed mesh find."""

import math

import numpy as np
import open3d as o3d
import trimesh

from simgen.sensors.open3d.lidar import Body, LocalMesh, raycasting_scene
from simgen.sensors.open3d.movers import Span, cast_movers
from tests.sensors.open3d.posed import merge_bodies


def _box_mesh(size=(4.0, 2.0, 1.5)) -> LocalMesh:
    box = trimesh.creation.box(extents=size)
    n = len(box.faces)
    return LocalMesh(
        box.vertices.astype(np.float64),
        box.faces.astype(np.uint32),
        np.full(n, 7, np.uint8),
        np.linspace(0.1, 0.9, n).astype(np.float32),  # each face its own material
        float(np.linalg.norm(size) / 2),
        np.zeros(3),
    )


def _pose(yaw: float, at, scale=(1.0, 1.0, 1.0)) -> np.ndarray:
    c, s = math.cos(yaw), math.sin(yaw)
    pose = np.eye(4)
    pose[:3, :3] = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]) * np.asarray(scale)
    pose[:3, 3] = at
    return pose


def _rays(n: int = 4000) -> np.ndarray:
    """A fan from a sensor at 1.8 m, most of them towards the bodies."""
    rng = np.random.default_rng(3)
    azimuth = rng.uniform(-0.6, 0.6, n)
    elevation = rng.uniform(-0.25, 0.05, n)
    rays = np.zeros((n, 6), np.float32)
    rays[:, 2] = 1.8
    rays[:, 3] = np.cos(elevation) * np.cos(azimuth)
    rays[:, 4] = np.cos(elevation) * np.sin(azimuth)
    rays[:, 5] = np.sin(elevation)
    return rays


def test_hits_match_the_posed_meshes_scaled_or_not():
    mesh = _box_mesh()
    poses = [_pose(0.4, (12.0, 2.0, 0.75)), _pose(-1.1, (20.0, -5.0, 0.9), (1.2, 1.0, 1.3))]
    bodies = [Body(5 + i, mesh, p, np.zeros(3), 0.0) for i, p in enumerate(poses)]
    rays = _rays()
    posed = merge_bodies([(b, b.transform) for b in bodies])
    want = raycasting_scene(posed).cast_rays(o3d.core.Tensor(rays))
    t_want = want["t_hit"].numpy()
    jobs = [(b.instance_id, b.mesh, [Span(b.transform, np.arange(len(rays)))]) for b in bodies]
    got = cast_movers(rays, jobs, threads=1)
    hit = np.isfinite(t_want)
    assert hit.sum() > 500 and np.array_equal(hit, np.isfinite(got.t))
    np.testing.assert_allclose(got.t[hit], t_want[hit], rtol=1e-5)
    ids = posed.instance[want["primitive_ids"].numpy()[hit]]
    assert np.array_equal(got.instance[hit], ids)
    # the same face: same material, and its normal turned (and, scaled, re-normalised) with it
    normals = want["primitive_normals"].numpy()[hit]
    same = np.abs(np.sum(got.normals[hit] * normals, axis=1))
    assert np.mean(same > 0.9999) > 0.99
    assert (
        np.mean(got.reflectivity[hit] == posed.reflectivity[want["primitive_ids"].numpy()[hit]])
        > 0.99
    )
    np.testing.assert_allclose(np.linalg.norm(got.normals[hit], axis=1), 1.0, atol=1e-5)


def test_only_the_spans_rays_are_cast_and_each_span_with_its_own_pose():
    mesh = _box_mesh()
    rays = _rays()
    half = len(rays) // 2
    ahead, aside = _pose(0.0, (12.0, 0.0, 0.75)), _pose(0.0, (12.0, 40.0, 0.75))
    spans = [
        Span(ahead, np.arange(half)),
        Span(aside, np.arange(half, len(rays))),
    ]  # the body moved mid-sweep
    got = cast_movers(rays, [(9, mesh, spans)], threads=1)
    assert np.isfinite(got.t[:half]).sum() > 100  # the first half sees it ahead
    assert not np.isfinite(got.t[half:]).any()  # the rest look for it far aside: nothing
    assert set(got.instance[:half][np.isfinite(got.t[:half])].tolist()) == {9}
