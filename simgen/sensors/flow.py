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
from functools import cached_property

import numexpr
import numpy as np

from simgen.sensors.carry import carry
from simgen.sensors.lens import is_distorted, project
from simgen.sensors.rig import CameraCalibration
from simgen.sensors.scene import actor_pose
from simgen.world.state import WorldState

DEPTH_TOLERANCE = 0.005  # relative, on inverse depth: off by more, the point is not what is seen
Z_MIN = 0.1  # metres: the renderer's near plane


@dataclass(frozen=True)
class Geometry:
    """One camera's exact geometry of one frame (in its output pixels), kept for the flow to
    and from its neighbouring frames. Each frame is the source of two motions (backward to the
    frame before, forward to the one after) and the target of two: what they need of it is
    computed once, on first use."""

    frame: int
    state: WorldState
    world_from_camera: np.ndarray  # 4x4, optical frame
    depth: np.ndarray  # (H, W) float32 metres along the optical axis, 0 = sky
    instance: np.ndarray  # (H, W) uint16 object ids, 0 = static world
    rays: np.ndarray  # (H, W, 2) float32 normalised image coordinates (``pixel_rays``)

    @cached_property
    def points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each pixel's surface point in the camera's optical frame, (H, W) float32 x, y, z
        (0 at the sky)."""
        z = self.depth.astype(np.float32)
        return self.rays[..., 0] * z, self.rays[..., 1] * z, z

    @cached_property
    def moving(self) -> np.ndarray:
        """Flat indices of the surface pixels on road users, ordered by object (stable)."""
        flat = self.instance.ravel()
        moving = np.flatnonzero(flat * (self.depth.ravel() > 0))
        return moving[np.argsort(flat[moving], kind="stable")]

    @cached_property
    def inverse_depth(self) -> np.ndarray:
        """(H, W) float32 inverse depth, 0 at the sky (infinitely far): bilinear in it is exact
        on a plane."""
        return np.where(self.depth > 0, 1.0 / np.maximum(self.depth, 1e-9), 0.0)


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


# Bilinear weights in float64 (as if the pixel coordinates were float64: ``uc - u0`` is exact
# in float32), over the corners ``a`` ``b`` (row v0) and ``c`` ``d`` (row v0 + 1).
_WEIGHTS = {
    "fu": "((where(u < 0, 0, where(u > w1, w1, u)) - u0) * one)",
    "fv": "((where(v < 0, 0, where(v > h1, h1, v)) - v0) * one)",
}
_BILINEAR = "(a * (one - fu) + b * fu) * (one - fv) + (c * (one - fu) + d * fu) * fv"
for _name, _weight in _WEIGHTS.items():
    _BILINEAR = _BILINEAR.replace(_name, _weight)


def _corners(inverse: np.ndarray, u: np.ndarray, v: np.ndarray) -> dict[str, np.ndarray]:
    """The four corners around pixels ``u``, ``v`` (any shape, clamped to the image) of the
    (H, W) image ``inverse``, their pixel coordinates and the constants ``_BILINEAR`` reads: one
    flat index and four gathers (from views shifted by a column and a row)."""
    h, w = inverse.shape
    w2, h2 = np.float32(max(w - 2, 0)), np.float32(max(h - 2, 0))
    u0 = numexpr.evaluate("floor(where(u < 0, 0, where(u > w2, w2, u)))")
    v0 = numexpr.evaluate("floor(where(v < 0, 0, where(v > h2, h2, v)))")
    width = np.float32(w)
    at = numexpr.evaluate("v0 * width + u0").astype(np.intp)  # exact below 2**24 pixels
    flat = inverse.ravel()
    right, below = (1 if w > 1 else 0), (w if h > 1 else 0)
    return {
        "a": flat.take(at), "b": flat[right:].take(at),
        "c": flat[below:].take(at), "d": flat[below + right:].take(at),
        "u": u, "v": v, "u0": u0, "v0": v0, "one": np.float64(1.0),
        "w1": np.float32(w - 1), "h1": np.float32(h - 1),
    }  # fmt: skip


def _bilinear(inverse: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear samples (float64) of the (H, W) image ``inverse`` at pixels ``u``, ``v``."""
    out: np.ndarray = numexpr.evaluate(_BILINEAR, local_dict=_corners(inverse, u, v))
    return out


def _inverse_depth_at(depth: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Bilinear inverse depth of ``depth`` (0 = sky: infinitely far) at pixels ``uv`` (N, 2),
    which lie inside the image."""
    inverse = np.where(depth > 0, 1.0 / np.maximum(depth, 1e-9), 0.0)
    return _bilinear(inverse, np.ascontiguousarray(uv[:, 0]), np.ascontiguousarray(uv[:, 1]))


def _object_moves(
    source: Geometry, target: Geometry, ids: np.ndarray
) -> dict[int, tuple[np.ndarray, np.ndarray] | None]:
    """Per rigid road user in ``ids``: its points' transform from the source camera to the
    target camera, and to their place in the target state in the source camera (4x4 each);
    None for one that is gone there. Articulated ones are left out (``carry`` moves them)."""
    before = {a.id: a for a in source.state.actors}
    after = {a.id: a for a in target.state.actors}
    source_from_world = np.linalg.inv(source.world_from_camera)
    target_from_world = np.linalg.inv(target.world_from_camera)
    moves: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}
    for index in ids:
        a, b = before.get(int(index)), after.get(int(index))
        if a is None or b is None:
            moves[int(index)] = None
            continue
        if actor_pose(a) is not None or actor_pose(b) is not None:
            continue
        world_move = b.transform() @ np.linalg.inv(a.transform())
        moved = world_move @ source.world_from_camera
        moves[int(index)] = (target_from_world @ moved, source_from_world @ moved)
    return moves


def _carry_moving(
    source: Geometry, target: Geometry, there: list[np.ndarray], scene: np.ndarray
) -> np.ndarray:
    """Move the road users' pixels of ``source`` to ``target``'s state: write their points in
    the target camera into ``there`` and their scene flow into ``scene``; returns the flat
    indices of pixels whose object is gone there. Rigid road users move by one transform each
    (float64); articulated ones go through ``carry`` (their body segments)."""
    moving = source.moving
    if not len(moving):
        return moving
    x, y, z = (c.ravel()[moving].astype(np.float64) for c in source.points)
    camera = np.stack([x, y, z], axis=1)
    ids = source.instance.ravel()[moving]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)]
    objects = ids[starts]
    moves = _object_moves(source, target, objects)
    there_moving = np.zeros((len(moving), 3))
    scene_moving = np.full((len(moving), 3), np.nan)
    gone = np.zeros(len(moving), bool)
    others = []
    for index, lo, hi in zip(objects, starts, ends, strict=True):
        found = moves.get(int(index), False)
        if found is False:
            others.append(np.arange(lo, hi))
        elif found is None:
            gone[lo:hi] = True
        else:
            to_target, to_source = found
            p = camera[lo:hi]
            there_moving[lo:hi] = p @ to_target[:3, :3].T + to_target[:3, 3]
            scene_moving[lo:hi] = p @ to_source[:3, :3].T + to_source[:3, 3] - p
    if others:
        rows = np.concatenate(others)
        rot, origin = source.world_from_camera[:3, :3], source.world_from_camera[:3, 3]
        world = camera[rows] @ rot.T + origin
        moved = carry(world, ids[rows], source.state, target.state)
        lost = ~np.isfinite(moved).all(axis=1)
        scene_moving[rows] = (moved - world) @ rot
        gone[rows] = lost
        back = np.linalg.inv(target.world_from_camera)
        there_moving[rows] = np.where(lost[:, None], 0.0, moved) @ back[:3, :3].T + back[:3, 3]
    scene_moving[gone] = np.nan
    there_moving[gone] = 0.0
    for i in range(3):
        there[i].ravel()[moving] = there_moving[:, i]
    scene.reshape(-1, 3)[moving] = scene_moving
    return moving[gone]


def motion(source: Geometry, target: Geometry, calib: CameraCalibration) -> Motion:
    """The optical flow and the scene flow of ``source``'s pixels to ``target``'s frame.

    Dense and in float32 for the static world (its points only see the camera move: one rigid
    transform between the two camera frames, in one fused pass per coordinate); the road
    users' pixels, few, move with their objects (``_carry_moving``). The other frame's inverse
    depth is sampled bilinearly for every pixel at once (a pixel that is not ahead, or not
    inside, is invalid whatever it reads)."""
    h, w = source.depth.shape
    x, y, z = source.points
    m = (np.linalg.inv(target.world_from_camera) @ source.world_from_camera).astype(np.float32)
    there = [
        numexpr.evaluate(
            "m0 * x + m1 * y + m2 * z + m3",
            local_dict={"m0": m[i, 0], "m1": m[i, 1], "m2": m[i, 2], "m3": m[i, 3],
                        "x": x, "y": y, "z": z},
        )  # fmt: skip
        for i in range(3)
    ]
    scene = np.zeros((h, w, 3), np.float32)
    gone = _carry_moving(source, target, there, scene)
    surface = z > 0
    np.copyto(scene, np.float32(np.nan), where=~surface[..., None])
    defined = surface
    if len(gone):
        defined = surface.copy()
        defined.ravel()[gone] = False
    z_min = np.float32(Z_MIN)
    ahead = numexpr.evaluate("defined & (z > z_min)", local_dict={"defined": defined,
                             "z": there[2], "z_min": z_min})  # fmt: skip
    depth_there = numexpr.evaluate("where(ahead, z, 1)", local_dict={"ahead": ahead, "z": there[2]})
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
        local = {"fx": K[0, 0], "cx": K[0, 2], "fy": K[1, 1], "cy": K[1, 2], "d": depth_there}
        u = numexpr.evaluate("fx * x / d + cx", local_dict={**local, "x": there[0]})
        v = numexpr.evaluate("fy * y / d + cy", local_dict={**local, "y": there[1]})
    # valid: ahead, inside, and what the target sees there (its inverse depth, bilinear, agrees)
    seen = numexpr.evaluate(
        "ahead & (u > -0.5) & (u < right) & (v > -0.5) & (v < bottom)"
        f" & (abs({_BILINEAR} - one / depth) <= tolerance * (one / depth))",
        local_dict={**_corners(target.inverse_depth, u, v), "ahead": ahead, "depth": depth_there,
                    "right": w - 0.5, "bottom": h - 0.5, "tolerance": DEPTH_TOLERANCE},
    )  # fmt: skip
    cols = np.arange(w, dtype=np.float32)[None, :]
    rows_ = np.arange(h, dtype=np.float32)[:, None]
    flow = np.empty((h, w, 3), np.float32)
    flow[..., 0] = numexpr.evaluate("where(ahead, u - cols, 0)")
    flow[..., 1] = numexpr.evaluate("where(ahead, v - rows_, 0)")
    flow[..., 2] = seen
    return Motion(flow, scene)


def nowhere(shape: tuple[int, int]) -> Motion:
    """The motion of a frame that has no neighbour on that side: invalid everywhere."""
    return Motion(np.zeros((*shape, 3), np.float32), np.full((*shape, 3), np.nan, np.float32))
