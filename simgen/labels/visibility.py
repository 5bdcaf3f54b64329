"""How much of an object a camera sees: amodal boxes, truncation and occlusion.

- The amodal box is the 2D box of the projected 3D box (clipped at the near plane).
- Truncation is the fraction of that box's area outside the image.
- Visibility is visible pixels (from the instance mask) over unoccluded pixels: the object's own
  silhouette rasterised alone, with nothing in front of it, inside the image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from simgen.core.geometry import box_corners
from simgen.labels.schema import CameraView
from simgen.sensors.lens import pixels

__all__ = ["CameraView", "amodal_box", "box_corners", "kitti_occlusion", "silhouette_pixels"]

NEAR = 0.1
SHIFT = 4  # fixed-point bits for cv2.fillPoly: sub-pixel accurate edges


def kitti_occlusion(visibility: float) -> int:
    if visibility >= 0.75:
        return 0
    if visibility >= 0.25:
        return 1
    return 2


def _clip_polygon(points: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman against z >= NEAR for one polygon in camera coordinates."""
    out = []
    n = len(points)
    for i in range(n):
        a, b = points[i], points[(i + 1) % n]
        a_in, b_in = a[2] >= NEAR, b[2] >= NEAR
        if a_in:
            out.append(a)
        if a_in != b_in:
            t = (NEAR - a[2]) / (b[2] - a[2])
            out.append(a + t * (b - a))
    clipped: np.ndarray = np.asarray(out)
    return clipped


def _project(K: np.ndarray, points: np.ndarray) -> np.ndarray:
    pixels: np.ndarray = (points[:, :2] / points[:, 2:3]) * (K[0, 0], K[1, 1]) + (K[0, 2], K[1, 2])
    return pixels


BOX_FACES = ((0, 1, 2, 3), (4, 5, 6, 7), (0, 1, 5, 4), (1, 2, 6, 5), (2, 3, 7, 6), (3, 0, 4, 7))


def amodal_box(
    K: np.ndarray,
    corners_cam: np.ndarray,
    width: int,
    height: int,
    distortion: tuple[float, ...] = (),
) -> tuple[tuple[float, float, float, float] | None, float]:
    """Clipped 2D box of projected 3D box corners and the truncated fraction of its area.
    Through a distorting lens straight edges bend: each is followed at 32 points."""
    depth = corners_cam[:, 2]
    if depth.max() < NEAR:  # wholly behind the near plane: every face clips away
        return None, 1.0
    if not any(distortion) and depth.min() >= NEAR:
        # nothing to clip: the faces' corners are the box's corners, and so are their extremes
        uv = _project(K, corners_cam)
        return _clipped_box(uv, width, height)
    pieces = [_clip_polygon(corners_cam[list(face)]) for face in BOX_FACES]
    pieces = [p for p in pieces if len(p)]
    if not pieces:
        return None, 1.0
    if any(distortion):
        t = np.linspace(0.0, 1.0, 32)[None, :, None]
        points = np.concatenate(
            [(p[:, None] * (1 - t) + np.roll(p, -1, 0)[:, None] * t).reshape(-1, 3) for p in pieces]
        )
        uv = pixels(K, points[:, :2] / points[:, 2:3], distortion)
    else:
        uv = _project(K, np.concatenate(pieces))
    return _clipped_box(uv, width, height)


def _clipped_box(
    uv: np.ndarray, width: int, height: int
) -> tuple[tuple[float, float, float, float] | None, float]:
    """The box around projected points, clipped to the image, and the fraction cut off."""
    u0, v0 = uv.min(axis=0)
    u1, v1 = uv.max(axis=0)
    full = max(u1 - u0, 1e-9) * max(v1 - v0, 1e-9)
    cu0, cv0 = max(u0, -0.5), max(v0, -0.5)
    cu1, cv1 = min(u1, width - 0.5), min(v1, height - 0.5)
    if cu1 <= cu0 or cv1 <= cv0:
        return None, 1.0
    inside = (cu1 - cu0) * (cv1 - cv0)
    return (float(cu0), float(cv0), float(cu1), float(cv1)), float(1.0 - inside / full)


def _supersampling(area: float) -> int:
    """Sub-samples per pixel side: edges matter most for small silhouettes."""
    if area < 4_000:
        return 8
    if area < 40_000:
        return 4
    return 2


def silhouette_pixels(
    K: np.ndarray,
    vertices_cam: np.ndarray,
    faces: np.ndarray,
    width: int,
    height: int,
    region: Sequence[float] | None = None,
    pieces: tuple[Piece, ...] = (),
) -> int:
    """Pixels of the image the mesh covers when nothing is in front of it.

    A pixel counts when at least half of it is covered, which matches the renderer's rule (the
    pixel centre lies inside) to within a fraction of a pixel along edges. ``region`` (a box in
    pixels, e.g. the amodal box) limits the work to where the mesh can be. ``pieces`` name the
    mesh's convex parts: a convex part wholly in front of the camera projects to the convex hull
    of its projected vertices, one polygon instead of hundreds of triangles.
    """
    convex = _convex(pieces)
    hulls = np.zeros((0, 3))  # the convex pieces wholly in front: their vertices, piece by piece
    sizes = np.zeros(0, int)
    in_front = np.zeros(0, bool)
    if len(convex.sizes):
        hulls = vertices_cam[convex.vertices]
        in_front = np.minimum.reduceat(hulls[:, 2], convex.starts) >= NEAR
        sizes = convex.sizes
        if not in_front.all():
            hulls, sizes = hulls[np.repeat(in_front, sizes)], sizes[in_front]
    # faces drawn one by one: those of no convex piece in front
    loose = np.ones(len(faces), bool)
    loose[: len(convex.face_piece)] = ~np.r_[in_front, False][convex.face_piece]
    front = np.zeros(0, bool)
    clipped: list[np.ndarray] = []
    if loose.any():
        tris = vertices_cam[faces[loose]]  # (F, 3, 3)
        # the silhouette of a closed mesh is the union of the faces turned towards the camera
        normals = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
        tris = tris[np.einsum("ij,ij->i", normals, tris[:, 0]) < 0]
        z = tris[:, :, 2]
        front = np.all(z >= NEAR, axis=1)
        clipped = [_clip_polygon(tri) for tri in tris[~front & np.any(z >= NEAR, axis=1)]]
        clipped = [polygon for polygon in clipped if len(polygon) >= 3]
    if not (len(sizes) or front.any() or clipped):
        return 0
    u0, v0, u1, v1 = region if region is not None else (0, 0, width - 1, height - 1)
    x0, y0 = max(0, int(np.floor(u0)) - 1), max(0, int(np.floor(v0)) - 1)
    x1, y1 = min(width - 1, int(np.ceil(u1)) + 1), min(height - 1, int(np.ceil(v1)) + 1)
    if x1 < x0 or y1 < y0:
        return 0
    w, h = x1 - x0 + 1, y1 - y0 + 1
    scale = _supersampling(w * h)
    # sub-pixel (i, j) has its centre at image coordinate x0 - 0.5 + (i + 0.5) / scale
    offset = np.array([x0 - 0.5, y0 - 0.5])

    def fixed(points: np.ndarray) -> np.ndarray:
        scaled: np.ndarray = np.round(((points - offset) * scale - 0.5) * (1 << SHIFT))
        return scaled.astype(np.int32)

    canvas = np.zeros((h * scale, w * scale), np.uint8)
    # one by one: fillPoly would XOR overlapping polygons away. Projection and fixed point are
    # elementwise, so each is done once for all the polygons of a kind (the same numbers).
    if len(sizes):
        projected = fixed(_project(K, hulls))
        for start, size in zip(np.cumsum(sizes) - sizes, sizes.tolist(), strict=True):
            points = projected[start : start + size]
            if size > 3:
                points = cv2.convexHull(points)
            cv2.fillConvexPoly(canvas, points, 255, lineType=cv2.LINE_8, shift=SHIFT)
    if front.any():
        for points in fixed(_project(K, tris[front].reshape(-1, 3))).reshape(-1, 3, 2):
            cv2.fillConvexPoly(canvas, points, 255, lineType=cv2.LINE_8, shift=SHIFT)
    for polygon in clipped:
        points = fixed(_project(K, polygon))
        if len(points) > 3:
            points = cv2.convexHull(points)
        cv2.fillConvexPoly(canvas, points, 255, lineType=cv2.LINE_8, shift=SHIFT)
    coverage = cv2.resize(canvas, (w, h), interpolation=cv2.INTER_AREA)
    return int(np.count_nonzero(coverage >= 128))


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: cached per mesh
class Piece:
    """One connected part of a mesh: its faces and vertices, and whether it is convex."""

    faces: np.ndarray
    vertices: np.ndarray
    convex: bool


@dataclass(frozen=True)
class _Convex:
    """A mesh's convex pieces laid out for one gather per frame."""

    vertices: np.ndarray  # the pieces' vertex ids, piece after piece
    starts: np.ndarray  # where each piece begins in ``vertices``
    sizes: np.ndarray  # its vertex count
    face_piece: np.ndarray  # per face of the mesh: its convex piece, or -1


@lru_cache(maxsize=1024)
def _convex(pieces: tuple[Piece, ...]) -> _Convex:
    convex = [piece for piece in pieces if piece.convex]
    sizes = np.array([len(piece.vertices) for piece in convex], int)
    faces = max((int(piece.faces.max()) + 1 for piece in pieces if len(piece.faces)), default=0)
    face_piece = np.full(faces, -1, np.intp)
    for i, piece in enumerate(convex):
        face_piece[piece.faces] = i
    vertices = np.concatenate([piece.vertices for piece in convex]) if convex else sizes
    return _Convex(vertices, np.cumsum(sizes) - sizes, sizes, face_piece)


def convex_pieces(vertices: np.ndarray, faces: np.ndarray) -> tuple[Piece, ...]:
    """The mesh's connected parts; a part is convex when it is closed and its volume fills its
    convex hull. Closure and volume are found for all parts at once (trimesh per part cost
    three quarters of a first frame's labels)."""
    import trimesh

    faces = np.asarray(faces)
    mesh = trimesh.Trimesh(vertices, faces, process=False)
    labels = trimesh.graph.connected_component_labels(  # type: ignore[no-untyped-call]  # unannotated in trimesh
        mesh.face_adjacency, len(faces)
    )
    parts = int(labels.max()) + 1 if len(labels) else 0
    closed = _closed_parts(faces, labels, parts)
    volumes = _part_volumes(np.asarray(vertices, np.float64)[faces], labels, parts)
    order = np.argsort(labels, kind="stable")  # each part's faces in ascending order
    bounds = np.searchsorted(labels[order], np.arange(parts + 1))
    out = []
    for label in np.unique(labels):
        index = order[bounds[label] : bounds[label + 1]]
        used = np.unique(faces[index])
        convex = bool(closed[label]) and _fills_its_hull(vertices[used], float(volumes[label]))
        out.append(Piece(index, used, convex))
    return tuple(out)


def _closed_parts(faces: np.ndarray, labels: np.ndarray, parts: int) -> np.ndarray:
    """Per part: whether every edge of it is shared by exactly two of its faces (trimesh's
    ``is_watertight``). An edge lies in one part only: faces that share it are connected."""
    edges = np.sort(faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1).astype(np.int64)
    keys = edges[:, 0] * (int(faces.max(initial=0)) + 1) + edges[:, 1]
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    open_edges = counts[inverse.reshape(-1)] != 2
    closed: np.ndarray = np.bincount(np.repeat(labels, 3), weights=open_edges, minlength=parts) == 0
    return closed


def _part_volumes(triangles: np.ndarray, labels: np.ndarray, parts: int) -> np.ndarray:
    """Per part: its signed volume by the divergence theorem, as trimesh integrates it."""
    v0, v1, v2 = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    crosses = np.cross(v1 - v0, v2 - v1)
    f1 = v0[:, 0] + v1[:, 0] + v2[:, 0]
    return np.bincount(labels, weights=crosses[:, 0] * f1, minlength=parts) / 6.0


def _fills_its_hull(points: np.ndarray, volume: float) -> bool:
    """Whether a closed part's ``volume`` is its points' convex hull's."""
    from scipy.spatial import ConvexHull

    try:  # Qhull's own volume: trimesh's hull mesh would cost 8x more, for the same volume
        hull = ConvexHull(points).volume
    except Exception:  # degenerate (flat) pieces: draw their triangles
        return False
    return bool(abs(volume - hull) <= 1e-3 * max(hull, 1e-9))
