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

from simgen.sensors import flow_kernels as kernels
from simgen.sensors.carry import Anchors, anchor, place, to_body
from simgen.sensors.lens import is_distorted, pixels
from simgen.sensors.rig import CameraCalibration
from simgen.sensors.scene import actor_pose
from simgen.world.state import WorldState

DEPTH_TOLERANCE = 0.005  # relative, on inverse depth: off by more, the point is not what is seen
Z_MIN = 0.1  # metres: the renderer's near plane
# as the kernels take them
TOLERANCE, NEAREST = np.float32(DEPTH_TOLERANCE), np.float32(1.0 / Z_MIN)


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
    def surface(self) -> np.ndarray:
        """(H, W) bool: the pixels that show a surface (not the sky)."""
        return np.asarray(self.depth > 0)

    @cached_property
    def moving(self) -> np.ndarray:
        """Flat indices of the surface pixels on road users, ordered by object (stable)."""
        at = np.flatnonzero(self.surface & (self.instance != 0))
        return at[np.argsort(self.instance.ravel().take(at), kind="stable")]

    @cached_property
    def road_users(self) -> list[tuple[int, int, int]]:
        """The road users seen: (id, lo, hi), their pixels' slice of ``moving``."""
        ids = self.instance.ravel().take(self.moving)
        if not len(ids):
            return []
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        ends = np.r_[starts[1:], len(ids)]
        return list(zip(ids[starts].tolist(), starts.tolist(), ends.tolist(), strict=True))

    @cached_property
    def still(self) -> np.ndarray:
        """(H, W) bool: the surface pixels of the static world (the road users move their own
        way; the sky has no flow)."""
        return self.surface & (self.instance == 0)

    @cached_property
    def anchors(self) -> dict[int, Anchors]:
        """Per articulated road user: its pixels' points tied to their triangles (filled on
        first use by ``_carry_articulated``)."""
        return {}

    @cached_property
    def inverse_depth(self) -> np.ndarray:
        """(H, W) float32 inverse depth, 0 at the sky (infinitely far): bilinear in it is exact
        on a plane, and a pixel's ray with it projects to another camera linearly."""
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
    """Bilinear samples of the (H, W) float32 ``image`` at pixels ``u``, ``v`` (finite, any
    shape), clamped to the image, as the flow's validity check takes them."""
    u, v = np.broadcast_arrays(np.asarray(u, np.float32), np.asarray(v, np.float32))
    image = np.ascontiguousarray(image, np.float32)
    return kernels.sample_all(image, u.ravel(), v.ravel()).reshape(u.shape)


def _inverse_depth_at(depth: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Bilinear inverse depth of ``depth`` (0 = sky: infinitely far) at pixels ``uv`` (N, 2),
    which lie inside the image."""
    inverse = np.where(depth > 0, 1.0 / np.maximum(depth, 1e-9), 0.0).astype(np.float32)
    uv = np.asarray(uv, np.float32)
    return _bilinear(inverse, uv[:, 0], uv[:, 1])


def _object_moves(
    source: Geometry, target: Geometry, ids: list[int]
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


def _road_users(source: Geometry, target: Geometry) -> list[tuple[int, int, Moved | None]]:
    """The road users' pixels of ``source`` (``source.moving``: slices ``lo:hi``, one per
    object) and how they move to ``target``'s state: None for one that is gone there."""
    at = source.moving
    moves = _object_moves(source, target, [index for index, _, _ in source.road_users])
    out: list[tuple[int, int, Moved | None]] = []
    for index, lo, hi in source.road_users:
        if index not in moves:  # articulated: each point with its body segment
            points = _points(source, at[lo:hi])
            out.append((lo, hi, Carried(*_carry_articulated(source, target, index, points))))
        else:
            found = moves[index]
            out.append((lo, hi, None if found is None else Rigid(*found)))
    return out


@dataclass(frozen=True)
class Rigid:
    """A rigid road user's points: to the target camera, and to their place in the target
    state in the source camera (4x4 each)."""

    to_target: np.ndarray
    to_source: np.ndarray


@dataclass(frozen=True)
class Carried:
    """An articulated road user's points, each moved with its body segment (N, 3): in the
    target camera, and their scene flow in the source camera's axes."""

    there: np.ndarray
    moved_by: np.ndarray


Moved = Rigid | Carried


def _points(source: Geometry, at: np.ndarray) -> np.ndarray:
    """(N, 3) float64 source camera points of the pixels ``at`` (flat): ray times depth in
    float32, as the pixel's point is defined."""
    z = source.depth.ravel().take(at)
    rays = np.ascontiguousarray(source.rays).reshape(-1, 2).view(np.dtype((np.void, 8)))
    xy = rays.ravel().take(at).view(np.float32).reshape(-1, 2)
    p = np.empty((len(at), 3))
    np.multiply(xy, z[:, None], out=p[:, :2])
    p[:, 2] = z
    return p


def _carry_articulated(
    source: Geometry, target: Geometry, index: int, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The source camera's points (N, 3) on the articulated road user ``index`` (present in
    both states) -> where they are in ``target``'s state, in its camera, and their scene flow
    in the source camera's axes, each point with its body segment (as ``carry`` does). Each
    point's nearest triangle is found once per source frame: it serves the motion to the
    frame before and to the frame after."""
    rot, origin = source.world_from_camera[:3, :3], source.world_from_camera[:3, 3]
    world = points @ rot.T + origin
    a = next(actor for actor in source.state.actors if actor.id == index)
    b = next(actor for actor in target.state.actors if actor.id == index)
    pose_a, pose_b = a.body_transform(), b.body_transform()
    local = to_body(world, pose_a, a.scale)
    key_a, key_b = actor_pose(a), actor_pose(b)
    if key_a is not None and key_b is not None and a.model == b.model and key_a != key_b:
        anchors = source.anchors.get(index)
        if anchors is None:
            eye = to_body(origin[None], pose_a, a.scale)[0]  # the camera, in the body's frame
            anchors = source.anchors[index] = anchor(a.model, key_a, local, eye)
        local = place(a.model, key_b, anchors)
    moved = local @ pose_b[:3, :3].T + pose_b[:3, 3]
    back = np.linalg.inv(target.world_from_camera)
    return moved @ back[:3, :3].T + back[:3, 3], (moved - world) @ rot


def _pixels(image: np.ndarray) -> np.ndarray:
    """(..., 3) float32, C-contiguous -> a flat view whose items are whole pixels (12 bytes):
    one gather or scatter moves a pixel's three values at once (far faster than rows)."""
    return image.reshape(-1, 3).view(np.dtype((np.void, 12))).ravel()


def motion(
    source: Geometry,
    target: Geometry,
    calib: CameraCalibration,
    optical: bool = True,
    scene_flow: bool = True,
) -> Motion:
    """The optical flow and the scene flow of ``source``'s pixels to ``target``'s frame (each
    None where ``optical`` or ``scene_flow`` is false)."""
    users = _road_users(source, target) if optical or scene_flow else []
    scene = _scene_flow(source, users) if scene_flow else None
    flow = _optical_flow(source, target, calib, users) if optical else None
    return Motion(flow, scene)


def _scene_flow(source: Geometry, users: list[tuple[int, int, Moved | None]]) -> np.ndarray:
    """(H, W, 3) float32: 0 on the static world, NaN at the sky and on road users that are
    gone; the others' points move with them (float64)."""
    still = np.where(source.surface, np.float32(0.0), np.float32(np.nan))
    scene = cv2.merge((still, still, still))
    at = source.moving
    if not len(at):
        return scene
    moved_by = np.full((len(at), 3), np.nan, np.float32)
    for lo, hi, found in users:
        if found is None:
            continue
        if isinstance(found, Rigid):
            points = _points(source, at[lo:hi])[:, None]
            moved_by[lo:hi] = cv2.transform(points, (found.to_source - np.eye(4))[:3])[:, 0]
        else:
            moved_by[lo:hi] = found.moved_by
    _pixels(scene).put(at, _pixels(moved_by))
    return scene


def _optical_flow(
    source: Geometry,
    target: Geometry,
    calib: CameraCalibration,
    users: list[tuple[int, int, Moved | None]],
) -> np.ndarray:
    """(H, W, 3) u, v, valid of ``source``'s pixels (0 at the sky).

    A pixel of the static world only sees the camera move, and one of a rigid road user its
    object's motion too: its ray and inverse depth (rx, ry, 1, s) go to the target image by one
    3x4 matrix per object (homogeneous: the point is the ray over s), in float32. A pinhole
    camera's ray is affine in the pixel's column and row: the matrices take those, and one
    compiled pass over the image takes each pixel through its object's matrix
    (``flow_kernels``). An articulated road user's points move each with its body segment
    (``Carried``); a distorted camera's pixels go by their rays, gathered."""
    h, w = source.depth.shape
    distorted = is_distorted(calib)
    lens = np.eye(3) if distorted else calib.K
    from_source = np.linalg.inv(target.world_from_camera) @ source.world_from_camera
    static = _terms(lens @ from_source[:3], calib)
    checked = (target.inverse_depth, TOLERANCE, NEAREST)
    rigid = {
        index: _terms(lens @ found.to_target[:3], calib)
        for (index, _, _), (_, _, found) in zip(source.road_users, users, strict=True)
        if isinstance(found, Rigid)
    }
    if not distorted:  # every pixel written: 0 at the sky, on road users gone and carried ones
        slots = np.full(max([0, *(i for i, _, _ in source.road_users)]) + 1, -1, np.int32)
        slots[0] = 0
        for k, index in enumerate(rigid, start=1):
            slots[index] = k
        terms = np.stack([static, *rigid.values()])
        flow = np.empty((h, w, 3), np.float32)
        kernels.pinhole_flow(terms, slots, source.inverse_depth, source.instance, *checked, flow)
    else:
        flow = np.zeros((h, w, 3), np.float32)
        at = np.flatnonzero(source.still)
        a, b = _rays_at(source, at)
        cols, rows, s = _pixels_at(source, at)
        _pixels(flow).put(at, _pixels(_flow(static, a, b, s, cols, rows, target, calib)))
    # the road users the pass above left: all of them for a distorted camera, else the carried
    spans = [
        (index, lo, hi, found)
        for (index, _, _), (lo, hi, found) in zip(source.road_users, users, strict=True)
        if found is not None and (distorted or isinstance(found, Carried))
    ]
    if not spans:
        return flow
    at = source.moving.take(np.concatenate([np.arange(lo, hi) for _, lo, hi, _ in spans]))
    cols, rows, s = _pixels_at(source, at)
    a, b = _rays_at(source, at) if distorted else (cols, rows)
    u, v, iz = (np.empty(len(at), np.float32) for _ in range(3))
    carried = _terms(lens @ np.eye(4)[:3], calib, False)  # points already in the target camera
    start = 0
    for index, lo, hi, found in spans:
        end = start + hi - lo
        part = slice(start, end)
        if isinstance(found, Rigid):  # like the static world
            kernels.project(rigid[index], a[part], b[part], s[part], u[part], v[part], iz[part])
        else:
            x, y, z = (c.ravel() for c in _split(found.there))
            kernels.project(carried, x, y, z, u[part], v[part], iz[part])
        start = end
    out = np.empty((len(at), 3), np.float32)
    _check(u, v, iz, cols, rows, target, calib, out)
    _pixels(flow).put(at, _pixels(out))
    return flow


def _pixels_at(source: Geometry, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The column, row and inverse depth (1-D float32) of the pixels ``at`` (flat)."""
    rows, cols = np.divmod(at, source.depth.shape[1])
    inverse = source.inverse_depth.ravel().take(at)
    return cols.astype(np.float32), rows.astype(np.float32), inverse


def _rays_at(source: Geometry, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rays' x / z and y / z (1-D float32, contiguous) of the pixels ``at`` (flat)."""
    picked = source.rays.reshape(-1, 2).take(at, 0)
    return np.ascontiguousarray(picked[:, 0]), np.ascontiguousarray(picked[:, 1])


def _flow(
    m: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    s: np.ndarray,
    cols: np.ndarray,
    rows: np.ndarray,
    target: Geometry,
    calib: CameraCalibration,
) -> np.ndarray:
    """(N, 3) flow of pixels at ``cols``, ``rows`` whose terms are ``a``, ``b``, ``s`` (1-D
    float32; ``_terms``)."""
    u, v, iz = (np.empty(len(a), np.float32) for _ in range(3))
    kernels.project(m, a, b, s, u, v, iz)
    out = np.empty((len(a), 3), np.float32)
    _check(u, v, iz, cols, rows, target, calib, out)
    return out


def _check(
    u: np.ndarray,
    v: np.ndarray,
    iz: np.ndarray,
    cols: np.ndarray,
    rows: np.ndarray,
    target: Geometry,
    calib: CameraCalibration,
    out: np.ndarray,
) -> None:
    """Pixels at ``cols``, ``rows`` whose points are at ``u``, ``v`` in the target image
    (normalised coordinates for a distorted camera: taken through its lens here, in place),
    1 / Z ``iz`` there -> ``out`` (N, 3): their flow and whether it is valid
    (``flow_kernels.flow_at``)."""
    if is_distorted(calib):
        at = np.flatnonzero((iz > 0) & (iz < NEAREST))
        xy = np.stack([u.take(at), v.take(at)], 1).astype(np.float64)
        uv = pixels(calib.K, xy, calib.distortion).astype(np.float32)
        u[at] = uv[:, 0]
        v[at] = uv[:, 1]
    kernels.flow_at(u, v, iz, cols, rows, target.inverse_depth, TOLERANCE, NEAREST, out)


def _split(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Target camera points (N, 3) -> x/z, y/z, 1/z (N, 1) float32: a ray and its inverse
    depth, as ``_project`` takes them (not pixels)."""
    inverse = 1.0 / points[:, 2:]
    x, y = points[:, :1] * inverse, points[:, 1:2] * inverse
    return x.astype(np.float32), y.astype(np.float32), inverse.astype(np.float32)


def _terms(m: np.ndarray, calib: CameraCalibration, pixel: bool | None = None) -> np.ndarray:
    """A 3x4 matrix from a source camera point (x, y, z, 1) to the target image's homogeneous
    (U, V, W) -> (3, 4) float32 terms in (a, b, s, 1) of a source pixel whose inverse depth is s
    and whose ray is (a, b) or, for a pinhole camera (``pixel``: not distorted), whose column
    and row are (a, b) (``pixel_rays``: the ray is (a - cx) / fx, (b - cy) / fy)."""
    terms = m[:, [0, 1, 3, 2]].copy()  # the point is (rx, ry, 1) / s: times s, homogeneous
    if pixel is None:
        pixel = not is_distorted(calib)
    if pixel:
        K = calib.K
        terms[:, 3] -= terms[:, 0] * K[0, 2] / K[0, 0] + terms[:, 1] * K[1, 2] / K[1, 1]
        terms[:, 0] /= K[0, 0]
        terms[:, 1] /= K[1, 1]
    return terms.astype(np.float32)


def nowhere(shape: tuple[int, int]) -> Motion:
    """The motion of a frame that has no neighbour on that side: invalid everywhere."""
    return Motion(np.zeros((*shape, 3), np.float32), np.full((*shape, 3), np.nan, np.float32))
