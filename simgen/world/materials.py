"""The road-surface material table: one semantic class, colour and lidar reflectivity per part.

Every road source (procedural roads, OpenDRIVE maps) builds its static surfaces with these, so a
lane marking or a kerb looks and reflects the same wherever it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh


@dataclass(frozen=True)
class SurfaceMaterial:
    semantic_class: str
    color: tuple[float, float, float]  # linear RGB
    reflectivity: float  # lidar, 905 nm


TERRAIN = SurfaceMaterial("terrain", (0.16, 0.22, 0.09), 0.3)
ASPHALT = SurfaceMaterial("road", (0.09, 0.09, 0.1), 0.12)
MARKING = SurfaceMaterial("lane_marking", (0.9, 0.9, 0.85), 0.8)
YELLOW_MARKING = SurfaceMaterial("lane_marking", (0.85, 0.65, 0.1), 0.7)
SIDEWALK = SurfaceMaterial("sidewalk", (0.36, 0.35, 0.33), 0.35)
KERB = SurfaceMaterial("kerb", (0.5, 0.49, 0.46), 0.4)
BUILDING = SurfaceMaterial("building", (0.45, 0.42, 0.38), 0.3)
BARRIER = SurfaceMaterial("barrier", (0.55, 0.56, 0.58), 0.5)
POLE = SurfaceMaterial("pole", (0.4, 0.4, 0.42), 0.45)
VEGETATION = SurfaceMaterial("vegetation", (0.1, 0.25, 0.07), 0.35)


def ribbon(first: np.ndarray, second: np.ndarray, up: bool) -> trimesh.Trimesh:
    """Quads between two (N, 3) rows of points sampled at the same stations.

    ``up``: the faces' normals point to the left of the rows' direction crossed with
    first -> second (for a flat strip with ``second`` left of ``first``: upwards).
    """
    n = len(first)
    verts = np.empty((2 * n, 3), dtype=float)
    verts[0::2] = first
    verts[1::2] = second
    i = 2 * np.arange(n - 1)
    a, b, c, d = i, i + 1, i + 2, i + 3
    if up:
        tris = np.stack([np.stack([a, c, b], 1), np.stack([b, c, d], 1)], 1)
    else:
        tris = np.stack([np.stack([a, b, c], 1), np.stack([b, d, c], 1)], 1)
    return trimesh.Trimesh(verts, tris.reshape(-1, 3), process=False)


def merge(meshes: list[trimesh.Trimesh]) -> trimesh.Trimesh:
    return trimesh.util.concatenate(meshes) if meshes else trimesh.Trimesh()
