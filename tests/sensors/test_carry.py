"""Moving a surface point of a posed person to another pose (``carry``): tied to the triangle
a camera's ray meets, or to the nearest one, the point lands in the same place."""

import numpy as np
import open3d as o3d

from simgen.sensors.carry import _closest_scene, anchor, place
from simgen.sensors.pose import PoseKey

WALKING, LATER = PoseKey("walk", 3, 30), PoseKey("walk", 11, 30)


def seen_from(eye: np.ndarray, key: PoseKey) -> np.ndarray:
    """The points of a walking adult a camera at ``eye`` sees (its rays' first hits)."""
    u, v = np.meshgrid(np.linspace(-0.5, 0.5, 40), np.linspace(0.0, 1.8, 60))
    aims = np.stack([u.ravel(), np.zeros(u.size), v.ravel()], 1)
    rays = np.concatenate([np.broadcast_to(eye, aims.shape), aims - eye], 1)
    hit = _closest_scene("pedestrian", key).cast_rays(o3d.core.Tensor(rays.astype(np.float32)))
    t = hit["t_hit"].numpy().astype(np.float64)
    met = np.isfinite(t)
    return eye + t[met, None] * (aims[met] - eye)


def test_points_tied_by_their_rays_move_with_the_body_as_the_nearest_triangles_move_them():
    eye = np.array([0.3, -6.0, 1.4])
    points = seen_from(eye, WALKING)
    assert len(points) > 300
    by_ray = place("pedestrian", LATER, anchor("pedestrian", WALKING, points, eye))
    nearest = place("pedestrian", LATER, anchor("pedestrian", WALKING, points))
    moved = np.linalg.norm(nearest - points, axis=1)
    assert moved.max() > 0.1  # the legs swing: the poses differ
    assert np.abs(by_ray - nearest).max() < 1e-3


def test_a_point_its_ray_does_not_reach_is_tied_to_its_nearest_triangle():
    """A point behind the surface its ray meets first (a silhouette pixel whose depth is the
    background's) is not tied to that surface."""
    eye = np.array([0.3, -6.0, 1.4])
    front = seen_from(eye, WALKING)
    behind = (
        front[:50] + 0.02 * (front[:50] - eye) / np.linalg.norm(front[:50] - eye, axis=1)[:, None]
    )
    by_ray = anchor("pedestrian", WALKING, behind, eye)
    nearest = anchor("pedestrian", WALKING, behind)
    assert np.array_equal(by_ray.triangles, nearest.triangles)
    assert np.allclose(by_ray.offset, nearest.offset, atol=1e-6)
