"""Contact shadows: the dark patch of road under a vehicle, where the sky cannot reach.

The renderer's sky light is an ambient term that knows nothing of what stands over the road, so
without it a car floats on evenly lit asphalt whenever the sun's own shadow falls behind it. The
patch is a soft-edged black mesh just above the ground under the vehicle's footprint, drawn in
the colour pass only: it is no labelled node, so the label and depth pass never draw it, and
depth, masks and boxes stay those of the geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simgen.core.classes import BY_NAME

SHADOWED = frozenset(BY_NAME[n].id for n in ("car", "truck", "bus"))
LIFT = 0.015  # m above the lowest point of the vehicle (the tyres' contact): no z-fighting
CORE = 0.8  # opacity under the body (sky light that still reaches under a car: ~0.2)
MARGIN = 0.3  # m: how far the penumbra reaches beyond the footprint
INSET = 0.15  # m: the dark core stops this far inside the footprint
STEPS = 8  # points along each quarter of the outline


@dataclass(frozen=True)
class ShadowMesh:
    """Vertices (N, 3) in the vehicle's frame, triangles (M, 3), opacity per vertex (N,)."""

    vertices: np.ndarray
    faces: np.ndarray
    alpha: np.ndarray


def _outline(half_l: float, half_w: float, centre: tuple[float, float], z: float) -> np.ndarray:
    """A superellipse (|x/a|^4 + |y/b|^4 = 1) round ``centre``: a rounded rectangle with a
    smooth fall of curvature, the shape of the light that gets under a car."""
    t = np.linspace(0.0, 2.0 * np.pi, 4 * STEPS, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    x = half_l * np.sign(c) * np.abs(c) ** 0.5 + centre[0]
    y = half_w * np.sign(s) * np.abs(s) ** 0.5 + centre[1]
    return np.stack([x, y, np.full_like(x, z)], axis=1)


def contact_shadow(vertices: np.ndarray) -> ShadowMesh:
    """The shadow under a vehicle whose mesh vertices (in its own frame, z up) are given: an
    opaque core inset from the footprint, fading to nothing ``MARGIN`` beyond it."""
    lo, hi = vertices.min(axis=0), vertices.max(axis=0)
    centre = ((lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0)
    half_l, half_w = (hi[0] - lo[0]) / 2.0, (hi[1] - lo[1]) / 2.0
    z = float(lo[2]) + LIFT
    inner = _outline(max(half_l - INSET, 0.1), max(half_w - INSET, 0.1), centre, z)
    outer = _outline(half_l + MARGIN, half_w + MARGIN, centre, z)
    n = len(inner)
    middle = np.array([[centre[0], centre[1], z]])
    verts = np.concatenate([middle, inner, outer])
    faces = []
    for i in range(n):
        j = (i + 1) % n
        faces.append((0, 1 + i, 1 + j))  # the core: a fan round the middle
        a, b, c, d = 1 + i, 1 + j, 1 + n + i, 1 + n + j
        faces += [(a, c, d), (a, d, b)]  # the penumbra: a ring, counter-clockwise from above
    alpha = np.concatenate([[CORE], np.full(n, CORE), np.zeros(n)])
    return ShadowMesh(verts.astype(np.float32), np.asarray(faces, np.int32), alpha)
