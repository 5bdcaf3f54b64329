"""Where a surface point of one state is in another state: the exact motion behind optical flow,
camera scene flow and lidar scene flow.

A point of the static world stays put. A point on a rigid road user moves with its pose. A point
on an articulated one (people, riders, turning wheels) moves with its own body segment: it is
found on its nearest triangle of the posed mesh the sensors saw (barycentric coordinates), and
put at the same barycentric coordinates of that triangle in the other state's pose (the posed
meshes of one asset share their triangles). Points of a road user that is gone in the other
state have no place there (NaN).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simgen.sensors.pose import PoseKey
from simgen.sensors.scene import actor_pose, extrapolate_pose, posed_parts
from simgen.world.state import ActorState, WorldState


@lru_cache(maxsize=64)
def _posed_mesh(model: str, key: PoseKey) -> tuple[np.ndarray, np.ndarray]:
    """All parts of an asset in a pose as one mesh (vertices, faces), parts in a fixed order."""
    parts = posed_parts(model, key)
    vertices, faces, offset = [], [], 0
    for name in sorted(parts):
        vertices.append(parts[name].vertices)
        faces.append(parts[name].faces + offset)
        offset += len(parts[name].vertices)
    return np.concatenate(vertices), np.concatenate(faces)


@lru_cache(maxsize=64)
def _closest_scene(model: str, key: PoseKey) -> object:
    """An Open3D scene of the posed mesh, for nearest-triangle queries."""
    import open3d as o3d

    vertices, faces = _posed_mesh(model, key)
    scene = o3d.t.geometry.RaycastingScene()
    scene.add_triangles(
        o3d.core.Tensor(vertices.astype(np.float32)), o3d.core.Tensor(faces.astype(np.uint32))
    )
    return scene


@dataclass(frozen=True)
class Anchors:
    """Points on a posed asset, each tied to its nearest triangle: what moves them to another
    pose of the same asset (``place``)."""

    triangles: np.ndarray  # (N,) int64 triangle of the posed mesh
    weights: np.ndarray  # (N, 3) barycentric coordinates of the nearest surface point
    offset: np.ndarray  # (N, 3) the point minus that surface point (millimetres off it)


RAY_TOLERANCE = 1e-3  # relative: a ray that hits this far from its point met another surface


def anchor(model: str, key: PoseKey, local: np.ndarray, eye: np.ndarray | None = None) -> Anchors:
    """Points (N, 3) on an asset posed ``key``, in its own frame, tied to its triangles.

    ``eye`` (3,): where the points were seen from, in the same frame (a camera's pixels). Each
    point is then tied to the first triangle its ray hits, which is the one the camera showed
    there and is found several times faster than the nearest one; a ray that meets the mesh
    elsewhere (a silhouette pixel, depth rounded past an edge) falls back to the nearest."""
    import open3d as o3d

    scene = _closest_scene(model, key)
    triangles = np.zeros(len(local), np.int64)
    uv = np.zeros((len(local), 2))
    closest = np.zeros((len(local), 3))
    rest = np.arange(len(local))
    if eye is not None and len(local):
        rays = np.empty((len(local), 6), np.float32)
        rays[:, :3] = eye
        rays[:, 3:] = local - eye
        hit = scene.cast_rays(o3d.core.Tensor(rays))  # type: ignore[attr-defined]
        t = hit["t_hit"].numpy().astype(np.float64)
        met = np.abs(t - 1.0) <= RAY_TOLERANCE  # inf (a miss) too
        triangles[met] = hit["primitive_ids"].numpy()[met]
        uv[met] = hit["primitive_uvs"].numpy()[met]
        closest[met] = eye + t[met, None] * (local[met] - eye)
        rest = np.flatnonzero(~met)
    if len(rest):
        found = scene.compute_closest_points(  # type: ignore[attr-defined]
            o3d.core.Tensor(local[rest].astype(np.float32))
        )
        triangles[rest] = found["primitive_ids"].numpy()
        uv[rest] = found["primitive_uvs"].numpy()
        closest[rest] = found["points"].numpy()
    weights = np.stack([1.0 - uv[:, 0] - uv[:, 1], uv[:, 0], uv[:, 1]], axis=1)
    return Anchors(triangles, weights, local - closest)


def place(model: str, key: PoseKey, anchors: Anchors) -> np.ndarray:
    """The anchored points with the asset posed ``key`` (N, 3), in its own frame."""
    vertices, faces = _posed_mesh(model, key)
    corners = vertices[faces[anchors.triangles]]  # (N, 3 corners, 3)
    moved: np.ndarray = np.einsum("nc,ncd->nd", anchors.weights, corners)
    return moved + anchors.offset  # the millimetres off the surface the depth carries


def repose(model: str, source: PoseKey, target: PoseKey, local: np.ndarray) -> np.ndarray:
    """Points (N, 3) on an asset posed ``source``, in its own frame -> the same surface points
    with the asset posed ``target``."""
    if source == target or len(local) == 0:
        return local
    return place(model, target, anchor(model, source, local))


def _pose(actor: ActorState, tau: float) -> np.ndarray:
    """Its body's pose (asset frame -> world, with its scale) ``tau`` seconds on."""
    body = actor.body_transform()
    if tau == 0.0:
        return body
    return extrapolate_pose(body, np.asarray(actor.velocity), actor.angular_velocity[2], tau)


def to_body(world: np.ndarray, pose: np.ndarray, scale: tuple[float, float, float]) -> np.ndarray:
    """World points (N, 3) -> the asset frame of a body posed ``pose`` (``_pose``: a rotation
    times ``scale``, then a shift)."""
    local: np.ndarray = (world - pose[:3, 3]) @ pose[:3, :3]
    if scale != (1.0, 1.0, 1.0):
        local = local / np.square(np.asarray(scale))
    return local


def carry(
    points: np.ndarray,
    ids: np.ndarray,
    source: WorldState,
    target: WorldState,
    taus: np.ndarray | None = None,
) -> np.ndarray:
    """World points (N, 3) of ``source``, on the objects ``ids`` (0: the static world) -> their
    world positions in ``target`` (NaN where the object is gone). ``taus`` (N,): seconds after
    each state at which a point was seen (a lidar's firing times); both states' poses are
    taken that long after them."""
    out = np.array(points, dtype=np.float64)
    taus = np.zeros(len(out)) if taus is None else np.asarray(taus, np.float64)
    before = {a.id: a for a in source.actors}
    after = {a.id: a for a in target.actors}
    for index in np.unique(ids):
        if index == 0:
            continue
        rows = np.flatnonzero(ids == index)
        a, b = before.get(int(index)), after.get(int(index))
        if a is None or b is None:
            out[rows] = np.nan
            continue
        key_a, key_b = actor_pose(a), actor_pose(b)
        for tau in np.unique(taus[rows]):
            sub = rows[taus[rows] == tau]
            pose_a, pose_b = _pose(a, float(tau)), _pose(b, float(tau))
            local = to_body(out[sub], pose_a, a.scale)
            if key_a is not None and key_b is not None and a.model == b.model:
                local = repose(a.model, key_a, key_b, local)
            out[sub] = local @ pose_b[:3, :3].T + pose_b[:3, 3]
    return out
