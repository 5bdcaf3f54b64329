"""Optical flow and scene flow of one camera between two frames, from their exact geometry.

Each pixel's surface point (its ray times its depth) is carried to the other frame's state
(``simgen.sensors.carry``: the ego, the road users and their body segments move; the static
world does not) and projected into the other frame's camera (lens included). A pixel's flow is
valid when its point is defined there (its object still exists), lies in front of the camera and
inside the image, and is what the other frame sees at that place: the other frame's inverse
depth, interpolated bilinearly (exact on a plane), agrees within ``DEPTH_TOLERANCE``. Pixels
occluded in, or leaving, the other frame are invalid, and so is the sky (no surface point).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simgen.sensors.carry import carry
from simgen.sensors.lens import is_distorted, project
from simgen.sensors.rig import CameraCalibration
from simgen.world.state import WorldState

DEPTH_TOLERANCE = 0.005  # relative, on inverse depth: off by more, the point is not what is seen
Z_MIN = 0.1  # metres: the renderer's near plane


@dataclass(frozen=True)
class Geometry:
    """One camera's exact geometry of one frame (in its output pixels), kept for the flow to
    and from its neighbouring frames."""

    frame: int
    state: WorldState
    world_from_camera: np.ndarray  # 4x4, optical frame
    depth: np.ndarray  # (H, W) float32 metres along the optical axis, 0 = sky
    instance: np.ndarray  # (H, W) uint16 object ids, 0 = static world


@dataclass(frozen=True)
class Motion:
    """What one frame's pixels do on the way to another frame."""

    flow: np.ndarray  # (H, W, 3) float32: u, v displacement in pixels, valid (0 or 1)
    scene_flow: np.ndarray  # (H, W, 3) float32 metres in the source camera's axes, NaN: none


def pixel_rays(calib: CameraCalibration, maps: tuple[np.ndarray, ...] | None) -> np.ndarray:
    """(H, W, 2) normalised image coordinates (x/z, y/z) of every output pixel's ray. ``maps``:
    a distorted camera's source maps into its pinhole render (``simgen.sensors.lens``)."""
    K = calib.K
    if maps is None or not is_distorted(calib):
        u = (np.arange(calib.width) - K[0, 2]) / K[0, 0]
        v = (np.arange(calib.height) - K[1, 2]) / K[1, 1]
        grid = np.stack(np.broadcast_arrays(u[None, :], v[:, None]), axis=-1)
        return grid.astype(np.float32)
    from simgen.sensors.lens import render_calibration

    pinhole = render_calibration(calib).K
    x = (maps[0].astype(np.float64) - pinhole[0, 2]) / pinhole[0, 0]
    y = (maps[1].astype(np.float64) - pinhole[1, 2]) / pinhole[1, 1]
    return np.stack([x, y], axis=-1).astype(np.float32)


def _inverse_depth_at(depth: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Bilinear inverse depth of ``depth`` (0 = sky: infinitely far) at pixels ``uv`` (N, 2),
    which lie inside the image."""
    h, w = depth.shape
    inverse = np.where(depth > 0, 1.0 / np.maximum(depth, 1e-9), 0.0)
    u = np.clip(uv[:, 0], 0, w - 1)
    v = np.clip(uv[:, 1], 0, h - 1)
    u0 = np.minimum(np.floor(u).astype(np.int64), w - 2) if w > 1 else np.zeros(len(u), int)
    v0 = np.minimum(np.floor(v).astype(np.int64), h - 2) if h > 1 else np.zeros(len(v), int)
    fu, fv = u - u0, v - v0
    u1, v1 = np.minimum(u0 + 1, w - 1), np.minimum(v0 + 1, h - 1)
    top = inverse[v0, u0] * (1 - fu) + inverse[v0, u1] * fu
    bottom = inverse[v1, u0] * (1 - fu) + inverse[v1, u1] * fu
    out: np.ndarray = top * (1 - fv) + bottom * fv
    return out


def motion(
    source: Geometry, target: Geometry, calib: CameraCalibration, rays: np.ndarray
) -> Motion:
    """The optical flow and the scene flow of ``source``'s pixels to ``target``'s frame.

    Dense and in float32 for the static world (its points only see the camera move: one rigid
    transform between the two camera frames); the road users' pixels, few, are carried."""
    h, w = source.depth.shape
    z = source.depth.astype(np.float32)
    surface = z > 0
    x, y = rays[..., 0] * z, rays[..., 1] * z
    m = (np.linalg.inv(target.world_from_camera) @ source.world_from_camera).astype(np.float32)
    there = [m[i, 0] * x + m[i, 1] * y + m[i, 2] * z + m[i, 3] for i in range(3)]
    scene = np.zeros((h, w, 3), np.float32)
    defined = surface.copy()
    moving = np.flatnonzero(source.instance.ravel() * surface.ravel())
    if len(moving):
        camera = np.stack([x.ravel()[moving], y.ravel()[moving], z.ravel()[moving]], axis=1)
        rot, origin = source.world_from_camera[:3, :3], source.world_from_camera[:3, 3]
        world = camera.astype(np.float64) @ rot.T + origin
        moved = carry(world, source.instance.ravel()[moving], source.state, target.state)
        scene.reshape(-1, 3)[moving] = (moved - world) @ rot
        gone = ~np.isfinite(moved).all(axis=1)
        defined.ravel()[moving[gone]] = False
        back = np.linalg.inv(target.world_from_camera)
        moved_there = np.where(gone[:, None], 0.0, moved) @ back[:3, :3].T + back[:3, 3]
        for i in range(3):
            there[i].ravel()[moving] = moved_there[:, i]
    scene[~defined] = np.nan
    ahead = defined & (there[2] > Z_MIN)
    depth_there = np.where(ahead, there[2], np.float32(1.0))
    if is_distorted(calib):
        uv = np.zeros((h * w, 2))
        rows = np.flatnonzero(ahead)
        pts = np.stack(
            [there[0].ravel()[rows], there[1].ravel()[rows], depth_there.ravel()[rows]], 1
        )
        uv[rows] = project(calib, pts.astype(np.float64))
        u, v = uv[:, 0].reshape(h, w).astype(np.float32), uv[:, 1].reshape(h, w).astype(np.float32)
    else:
        K = calib.K.astype(np.float32)
        u = K[0, 0] * there[0] / depth_there + K[0, 2]
        v = K[1, 1] * there[1] / depth_there + K[1, 2]
    inside = ahead & (u > -0.5) & (u < w - 0.5) & (v > -0.5) & (v < h - 0.5)
    idx = np.flatnonzero(inside)
    expected = 1.0 / depth_there.ravel()[idx].astype(np.float64)
    uv_in = np.stack([u.ravel()[idx], v.ravel()[idx]], axis=1).astype(np.float64)
    found = _inverse_depth_at(target.depth, uv_in)
    seen = np.zeros(h * w, bool)
    seen[idx] = np.abs(found - expected) <= DEPTH_TOLERANCE * expected
    cols = np.arange(w, dtype=np.float32)[None, :]
    rows_ = np.arange(h, dtype=np.float32)[:, None]
    flow = np.zeros((h, w, 3), np.float32)
    flow[..., 0] = np.where(ahead, u - cols, 0.0)
    flow[..., 1] = np.where(ahead, v - rows_, 0.0)
    flow[..., 2] = seen.reshape(h, w)
    return Motion(flow, scene)


def nowhere(shape: tuple[int, int]) -> Motion:
    """The motion of a frame that has no neighbour on that side: invalid everywhere."""
    return Motion(np.zeros((*shape, 3), np.float32), np.full((*shape, 3), np.nan, np.float32))
