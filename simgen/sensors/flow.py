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

import cv2
import numpy as np

from simgen.sensors.carry import Anchors, anchor, place, to_body
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
        z = np.asarray(self.depth, np.float32)  # read only: no copy needed
        return self.rays[..., 0] * z, self.rays[..., 1] * z, z

    @cached_property
    def surface(self) -> np.ndarray:
        """(H, W) bool: the pixels that show a surface (not the sky)."""
        return np.asarray(self.depth > 0)

    @cached_property
    def moving(self) -> np.ndarray:
        """Flat indices of the surface pixels on road users, ordered by object (stable)."""
        flat = self.instance.ravel()
        moving = np.flatnonzero(flat * self.surface.ravel())
        return moving[np.argsort(flat[moving], kind="stable")]

    @cached_property
    def anchors(self) -> dict[int, Anchors]:
        """Per articulated road user: its pixels' points tied to their triangles (filled on
        first use by ``_carry_articulated``)."""
        return {}

    @cached_property
    def inverse_depth(self) -> np.ndarray:
        """(H, W) float32 inverse depth, 0 at the sky (infinitely far): bilinear in it is exact
        on a plane (``_bilinear`` interpolates it in float64)."""
        inverse = np.zeros(self.depth.shape, np.float32)
        # the renderer's near plane keeps depth far above 1e-9 on surfaces
        np.divide(np.float32(1.0), self.depth, out=inverse, where=self.surface)
        return inverse


@dataclass(frozen=True)
class Motion:
    """What one frame's pixels do on the way to another frame."""

    flow: np.ndarray | None  # (H, W, 3) float32: u, v displacement in pixels, valid (0 or 1)
    scene_flow: np.ndarray | None  # (H, W, 3) float32 metres in the source camera's axes, NaN: none


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


def _bilinear(image: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear samples (float64) of the (H, W) ``image`` at pixels ``u``, ``v`` (N,), clamped to
    the image: four flat gathers (converted to float64, exactly) and the weights in float64
    (``uc - u0`` is exact in float32)."""
    h, w = image.shape
    uc, vc = np.clip(u, 0, w - 1), np.clip(v, 0, h - 1)
    u0 = np.floor(uc)
    np.minimum(u0, max(w - 2, 0), out=u0)
    v0 = np.floor(vc)
    np.minimum(v0, max(h - 2, 0), out=v0)
    uc -= u0
    vc -= v0
    fu, fv = uc.astype(np.float64), vc.astype(np.float64)
    at = v0.astype(np.intp)
    at *= w
    at += u0.astype(np.intp)
    flat = image.ravel()
    right, below = (1 if w > 1 else 0), (w if h > 1 else 0)
    gu = 1 - fu
    top = flat.take(at).astype(np.float64)
    top *= gu
    corner = flat[right:].take(at).astype(np.float64)
    corner *= fu
    top += corner
    bottom = flat[below:].take(at).astype(np.float64)
    bottom *= gu
    corner = flat[below + right :].take(at).astype(np.float64)
    corner *= fu
    bottom += corner
    top *= 1 - fv
    bottom *= fv
    top += bottom
    return top


def _inverse_depth_at(depth: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Bilinear inverse depth of ``depth`` (0 = sky: infinitely far) at pixels ``uv`` (N, 2),
    which lie inside the image."""
    inverse = np.where(depth > 0, 1.0 / np.maximum(depth, 1e-9), 0.0).astype(np.float64)
    uv = np.asarray(uv)
    return _bilinear(inverse, uv[:, 0], uv[:, 1])


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
    fixed = {s.id for s in source.state.signals}  # signals are objects that never move
    moves: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}
    for index in ids:
        a, b = before.get(int(index)), after.get(int(index))
        if int(index) in fixed:
            world_move = np.eye(4)
        elif a is None or b is None:
            moves[int(index)] = None
            continue
        elif actor_pose(a) is not None or actor_pose(b) is not None:
            continue
        else:
            world_move = b.transform() @ np.linalg.inv(a.transform())
        moved = world_move @ source.world_from_camera
        moves[int(index)] = (target_from_world @ moved, source_from_world @ moved)
    return moves


def _affine(row: np.ndarray, x: np.ndarray, y: np.ndarray, z: np.ndarray, out: np.ndarray) -> None:
    """``out`` = ``row[0] x + row[1] y + row[2] z + row[3]`` in float32, in that order."""
    np.multiply(x, row[0], out=out)
    scratch = y * row[1]
    out += scratch
    np.multiply(z, row[2], out=scratch)
    out += scratch
    out += row[3]


def _apply(m: np.ndarray, p: tuple[np.ndarray, ...], out: np.ndarray, lo: int, hi: int) -> None:
    """``out[:, lo:hi]`` = the 3x4 affine ``m`` applied to the points ``p`` (x, y, z rows),
    elementwise: BLAS on (N, 3) x (3, 3) is slow and spins threads."""
    x, y, z = (c[lo:hi] for c in p)
    for i in range(3):
        out[i, lo:hi] = m[i, 0] * x + m[i, 1] * y + m[i, 2] * z + m[i, 3]


def _carry_articulated(
    source: Geometry, target: Geometry, index: int, world: np.ndarray
) -> np.ndarray:
    """World points (N, 3) of ``source`` on the articulated road user ``index`` (present in both
    states) -> where they are in ``target``'s state, each with its body segment (as ``carry``
    does). Each point's nearest triangle is found once per source frame: it serves the motion
    to the frame before and to the frame after."""
    a = next(actor for actor in source.state.actors if actor.id == index)
    b = next(actor for actor in target.state.actors if actor.id == index)
    pose_a, pose_b = a.body_transform(), b.body_transform()
    local = to_body(world, pose_a, a.scale)
    key_a, key_b = actor_pose(a), actor_pose(b)
    if key_a is not None and key_b is not None and a.model == b.model and key_a != key_b:
        anchors = source.anchors.get(index)
        if anchors is None:
            anchors = source.anchors[index] = anchor(a.model, key_a, local)
        local = place(a.model, key_b, anchors)
    moved: np.ndarray = local @ pose_b[:3, :3].T + pose_b[:3, 3]
    return moved


def _pixels(image: np.ndarray) -> np.ndarray:
    """(..., 3) float32, C-contiguous -> a flat view whose items are whole pixels (12 bytes):
    one gather or scatter moves a pixel's three values at once (far faster than rows)."""
    return image.reshape(-1, 3).view(np.dtype((np.void, 12))).ravel()


def _carry_moving(
    source: Geometry, target: Geometry, there: np.ndarray | None, scene: np.ndarray | None
) -> np.ndarray:
    """Move the road users' pixels of ``source`` to ``target``'s state: write their points in
    the target camera into ``there`` (3, H, W) and their scene flow into ``scene`` (either
    None: not wanted); returns the flat indices of pixels whose object is gone there. Rigid
    road users move by one transform each (float64); articulated ones go through ``carry``
    (their body segments)."""
    moving = source.moving
    if not len(moving):
        return moving
    p = tuple(c.ravel().take(moving).astype(np.float64) for c in source.points)
    ids = source.instance.ravel()[moving]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    ends = np.r_[starts[1:], len(ids)]
    objects = ids[starts]
    moves = _object_moves(source, target, objects)
    there_moving = np.zeros((3, len(moving)))
    scene_moving = np.empty((3, len(moving)))  # every column written below
    gone = np.zeros(len(moving), bool)
    others = []
    for index, lo, hi in zip(objects, starts, ends, strict=True):
        found = moves.get(int(index), False)
        if found is False:
            others.append((int(index), lo, hi))
        elif found is None:
            gone[lo:hi] = True
        else:
            to_target, to_source = found
            if there is not None:
                _apply(to_target, p, there_moving, lo, hi)
            if scene is not None:
                _apply(to_source - np.eye(4), p, scene_moving, lo, hi)
    if others:
        rot, origin = source.world_from_camera[:3, :3], source.world_from_camera[:3, 3]
        back = np.linalg.inv(target.world_from_camera)
        for index, lo, hi in others:
            world = np.stack([c[lo:hi] for c in p], axis=1) @ rot.T + origin
            moved = _carry_articulated(source, target, index, world)
            scene_moving[:, lo:hi] = ((moved - world) @ rot).T
            there_moving[:, lo:hi] = (moved @ back[:3, :3].T + back[:3, 3]).T
    scene_moving[:, gone] = np.nan
    there_moving[:, gone] = 0.0
    if there is not None:
        for i in range(3):
            there[i].ravel()[moving] = there_moving[i]
    if scene is not None:
        _pixels(scene).put(moving, _pixels(np.ascontiguousarray(scene_moving.T, np.float32)))
    return moving[gone]


STRIP = 32  # rows per strip: a strip's arrays stay in cache and reuse the allocator's memory


def motion(
    source: Geometry,
    target: Geometry,
    calib: CameraCalibration,
    optical: bool = True,
    scene_flow: bool = True,
) -> Motion:
    """The optical flow and the scene flow of ``source``'s pixels to ``target``'s frame (each
    None where ``optical`` or ``scene_flow`` is false).

    Dense and in float32 for the static world (its points only see the camera move: one rigid
    transform between the two camera frames, a strip of rows at a time); the road users'
    pixels, few, move with their objects (``_carry_moving``)."""
    there = None
    if optical:
        x, y, z = source.points
        m = (np.linalg.inv(target.world_from_camera) @ source.world_from_camera).astype(np.float32)
        there = np.empty((3, *z.shape), np.float32)
        for r0 in range(0, z.shape[0], STRIP):
            rows = slice(r0, r0 + STRIP)
            for i in range(3):
                _affine(m[i], x[rows], y[rows], z[rows], there[i, rows])
    scene = None
    if scene_flow:
        still = np.where(source.surface, np.float32(0.0), np.float32(np.nan))
        scene = cv2.merge((still, still, still))
    gone = _carry_moving(source, target, there, scene)
    if there is None:
        return Motion(None, scene)
    return Motion(_optical_flow(source, target, calib, there, gone), scene)


def _optical_flow(
    source: Geometry,
    target: Geometry,
    calib: CameraCalibration,
    there: np.ndarray,
    gone: np.ndarray,
) -> np.ndarray:
    """(H, W, 3) u, v, valid of ``source``'s pixels, whose points are ``there`` (3, H, W) in
    the target camera (``gone``: flat indices of those that are nowhere). The image is worked
    in strips of rows (``STRIP``)."""
    h, w = source.depth.shape
    defined = source.surface
    if len(gone):
        defined = defined.copy()
        defined.ravel()[gone] = False
    x, y, z = there
    ahead = z > Z_MIN
    ahead &= defined
    distorted = is_distorted(calib)
    if distorted:
        uv = np.zeros((h * w, 2))
        at = np.flatnonzero(ahead)
        uv[at] = project(calib, np.stack([c.ravel()[at] for c in there], 1).astype(np.float64))
        lens_u = uv[:, 0].reshape(h, w).astype(np.float32)
        lens_v = uv[:, 1].reshape(h, w).astype(np.float32)
    K = calib.K.astype(np.float32)
    inverse = target.inverse_depth
    one, zero = np.float32(1.0), np.float32(0.0)
    flow = np.empty((h, w, 3), np.float32)
    cols = np.arange(w, dtype=np.float32)[None, :]
    for r0 in range(0, h, STRIP):
        rows = slice(r0, r0 + STRIP)
        near = ahead[rows]
        depth_there = np.where(near, z[rows], one)
        if distorted:
            u, v = lens_u[rows], lens_v[rows]
        else:
            u = np.multiply(x[rows], K[0, 0])
            u /= depth_there
            u += K[0, 2]
            v = np.multiply(y[rows], K[1, 1])
            v /= depth_there
            v += K[1, 2]
        inside = u > -0.5
        inside &= near
        inside &= u < w - 0.5
        inside &= v > -0.5
        inside &= v < h - 0.5
        # valid: what the target sees there too (its inverse depth, bilinear, agrees)
        at = np.flatnonzero(inside)
        expected = 1.0 / depth_there.ravel().take(at).astype(np.float64)
        found = _bilinear(inverse, u.ravel().take(at), v.ravel().take(at))
        found -= expected
        np.abs(found, out=found)
        expected *= DEPTH_TOLERANCE
        seen = np.zeros(inside.shape, np.float32)
        seen.ravel()[at] = found <= expected
        flow[rows, :, 2] = seen
        far = ~near
        u = u - cols
        np.copyto(u, zero, where=far)
        flow[rows, :, 0] = u
        v = v - np.arange(r0, r0 + len(u), dtype=np.float32)[:, None]
        np.copyto(v, zero, where=far)
        flow[rows, :, 1] = v
    return flow


def nowhere(shape: tuple[int, int]) -> Motion:
    """The motion of a frame that has no neighbour on that side: invalid everywhere."""
    return Motion(np.zeros((*shape, 3), np.float32), np.full((*shape, 3), np.nan, np.float32))
