"""Convex hulls whose bytes do not depend on the Qhull that made them.

Qhull splits a flat face of four or more corners (a limb's band between two rings, a box's
side) into triangles however its version likes: scipy 1.17 flipped the diagonal of one quad on
a child's arm, and the committed assets no longer matched a fresh build. Here each flat face is
split the same way every time (a fan from its lowest corner), and the corners and triangles are
put in a fixed order, so the same points always give the same mesh, byte for byte.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import numpy as np
import trimesh

FLAT_EPS = 1e-9  # metres off a face's plane within which a neighbour's corner lies in it
AREA_EPS = 1e-14  # twice the area below which a fan triangle is a sliver on a straight edge


def hull(points: Iterable[Sequence[float]] | np.ndarray) -> trimesh.Trimesh:
    """The convex hull of ``points``, with its flat faces split and ordered canonically."""
    raw = trimesh.convex.convex_hull(np.asarray(points, dtype=float))
    order = np.lexsort(raw.vertices.T[::-1])  # corners sorted by x, then y, then z
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    vertices = raw.vertices[order]
    faces = rank[raw.faces]
    in_facet = np.zeros(len(faces), bool)
    triangles: list[np.ndarray] = []
    for group in _flat_faces(raw):
        in_facet[group] = True
        triangles.extend(_fan(_boundary_loop(faces[group]), vertices))
    triangles.extend(faces[~in_facet])
    return trimesh.Trimesh(vertices, _ordered(np.array(triangles)), process=False)


def _flat_faces(mesh: trimesh.Trimesh) -> list[np.ndarray]:
    """Groups of two or more neighbouring triangles that lie in one plane to rounding (only
    those: a nearly flat fold is Qhull's to split, and it splits it the one convex way)."""
    pairs = mesh.face_adjacency
    corner = mesh.vertices[mesh.face_adjacency_unshared[:, 1]]
    origin = mesh.vertices[mesh.faces[pairs[:, 0], 0]]
    off = np.abs(np.einsum("ij,ij->i", mesh.face_normals[pairs[:, 0]], corner - origin))
    return trimesh.graph.connected_components(
        pairs[off < FLAT_EPS], nodes=np.arange(len(mesh.faces)), min_len=2
    )


def _boundary_loop(faces: np.ndarray) -> list[int]:
    """The corners around a flat face made of ``faces``, in their winding, from the lowest."""
    edges = {(int(a), int(b)) for f in faces for a, b in ((f[0], f[1]), (f[1], f[2]), (f[2], f[0]))}
    following = {a: b for a, b in edges if (b, a) not in edges}
    start = min(following)
    loop = [start]
    while (corner := following[loop[-1]]) != start:
        loop.append(corner)
    return loop


def _fan(loop: list[int], vertices: np.ndarray) -> list[np.ndarray]:
    """A convex polygon split into a fan from its first corner (slivers left out)."""
    out = []
    for b, c in itertools.pairwise(loop[1:]):
        tri = vertices[[loop[0], b, c]]
        if np.linalg.norm(np.cross(tri[1] - tri[0], tri[2] - tri[0])) > AREA_EPS:
            out.append(np.array([loop[0], b, c]))
    return out


def _ordered(faces: np.ndarray) -> np.ndarray:
    """Each triangle turned to start at its lowest corner (its winding kept), then sorted."""
    turn = np.argmin(faces, axis=1)
    rows = np.arange(len(faces))[:, None]
    faces = faces[rows, (turn[:, None] + np.arange(3)) % 3]
    return faces[np.lexsort(faces.T[::-1])]
