"""Smooth shading for rounded bodies: a normal per triangle corner, averaged across the edges
that fold less than a crease angle.

Shaded by each facet's own normal (``pyrender.patches.SURFACE_NORMALS``), a low-poly body is
cut from card: a limb of six facets is six flat strips of colour, a lofted car body a set of
planks. Averaged normals round limbs, heads and bodywork off, as real ones are shaded; sharper
folds (the crease: a panel's edge, a shoe's sole) stay sharp. Each
triangle keeps its own three corners, in the same order, so the geometry drawn (depth, masks,
the flat label pass) is exactly the unsmoothed one: only the shading changes.
"""

from __future__ import annotations

import math

import numpy as np

CREASE_DEGREES = 40.0  # folds sharper than this stay sharp
# A human body has no edges but a shoe's sole and the torso's caps (70-90 degrees): its limbs,
# eight facets round (folds of 45 degrees), and its hands are rounded off whole. At 40 they were
# shaded as octagonal prisms, strips of flat colour down every arm and leg.
BODY_CREASE_DEGREES = 50.0


def corner_normals(
    vertices: np.ndarray, faces: np.ndarray, crease_degrees: float = CREASE_DEGREES
) -> np.ndarray:
    """(3F, 3) float64 unit normals, one per corner of ``faces`` in order (face 0's three
    corners first): the mean of the normals of the faces at that corner's vertex that turn less
    than ``crease_degrees`` from the corner's own face, each weighted by its angle there (so a
    quad counts the same however it is split into triangles)."""
    v = np.asarray(vertices, np.float64)
    f = np.asarray(faces, np.int64)
    if not len(f):
        return np.zeros((0, 3))
    tri = v[f]
    cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    length = np.linalg.norm(cross, axis=1)
    unit = cross / np.where(length > 0, length, 1.0)[:, None]
    angle = _corner_angles(tri).ravel()
    # corners sorted by vertex: the corners that share a vertex are a run
    face_of = np.repeat(np.arange(len(f)), 3)
    order = np.argsort(f.ravel(), kind="stable")
    vertex = f.ravel()[order]
    starts = np.flatnonzero(np.r_[True, vertex[1:] != vertex[:-1]])
    sizes = np.diff(np.r_[starts, len(vertex)])
    # every (corner, corner at the same vertex) pair, the corner itself included
    run_size = np.repeat(sizes, sizes)
    run_start = np.repeat(starts, sizes)
    left = np.repeat(np.arange(len(vertex)), run_size)
    offset = np.arange(len(left)) - np.repeat(np.cumsum(run_size) - run_size, run_size)
    right = np.repeat(run_start, run_size) + offset
    a, b = face_of[order[left]], face_of[order[right]]
    near = np.einsum("ij,ij->i", unit[a], unit[b]) >= math.cos(math.radians(crease_degrees))
    weight = angle[order[right[near]]]
    summed = np.zeros((len(vertex), 3))
    for axis in range(3):
        summed[:, axis] = np.bincount(
            left[near], weights=unit[b[near], axis] * weight, minlength=len(vertex)
        )
    out = np.empty((len(vertex), 3))
    out[order] = summed
    norm = np.linalg.norm(out, axis=1)
    flat = norm == 0  # a degenerate face alone at its vertex: its own (zero) normal
    out[~flat] /= norm[~flat, None]
    out[flat] = unit[face_of[flat]]
    return out


def _corner_angles(tri: np.ndarray) -> np.ndarray:
    """(F, 3) interior angle of each triangle at each of its corners (0 where an edge is
    degenerate)."""
    out = np.zeros(tri.shape[:2])
    for k in range(3):
        u = tri[:, (k + 1) % 3] - tri[:, k]
        w = tri[:, (k + 2) % 3] - tri[:, k]
        out[:, k] = np.arctan2(np.linalg.norm(np.cross(u, w), axis=1), np.einsum("ij,ij->i", u, w))
    return out
