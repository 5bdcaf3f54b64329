"""The optical flow's per-pixel loops, compiled (``simgen.core.jit``).

Each pixel's ray and inverse depth go to the other image through a 3x4 matrix (``project``),
and its flow is checked against what the other frame sees there (``flow_at``): the same float32
operations, in the same order, as the NumPy expressions they replaced, so the flow is the same
to the bit, in one pass over memory instead of some fifty. The helpers take and return scalars
and return scalars (a helper that hands back arrays, or writes into them, costs reference
counting at every pixel; reading from one, as ``_sample`` does, does not).
"""

from __future__ import annotations

import numpy as np

from simgen.core.jit import inline, kernel

F32 = np.float32
ZERO, ONE, HALF = F32(0.0), F32(1.0), F32(0.5)


@inline
def _project_one(
    m: np.ndarray, a: np.float32, b: np.float32, s: np.float32
) -> tuple[np.float32, np.float32, np.float32]:
    """A pixel's terms (a, b, s, 1) through the 3x4 float32 ``m`` -> u, v and 1 / Z in the
    other image (``flow._terms``)."""
    big_u = a * m[0, 0] + b * m[0, 1] + s * m[0, 2] + m[0, 3]
    big_v = a * m[1, 0] + b * m[1, 1] + s * m[1, 2] + m[1, 3]
    big_w = a * m[2, 0] + b * m[2, 1] + s * m[2, 2] + m[2, 3]
    r = ONE / big_w
    return big_u * r, big_v * r, r * s


@inline
def _status(
    u: np.float32, v: np.float32, iz: np.float32, w: int, h: int, nearest: np.float32
) -> tuple[bool, bool]:
    """Whether a point at ``u``, ``v``, 1 / Z ``iz`` in a ``w`` x ``h`` image is ahead (1 / Z
    above 0 and below ``nearest``) and inside the image."""
    ahead = iz > ZERO and iz < nearest
    inside = ahead and u > -HALF and u < F32(w) - HALF and v > -HALF and v < F32(h) - HALF
    return ahead, inside


@inline
def _corner(u: np.float32, v: np.float32, w: int, h: int) -> tuple[int, np.float32, np.float32]:
    """Bilinear sampling at ``u``, ``v`` (finite) of a ``w`` x ``h`` image, clamped to it: the
    flat index of the top-left neighbour and the weights of the right and lower ones."""
    u = min(max(u, ZERO), F32(w - 1))
    v = min(max(v, ZERO), F32(h - 1))
    col, row = int(u), int(v)  # their floors (at least 0), without a libm call
    return row * w + col, u - F32(col), v - F32(row)


@inline
def _blend(flat: np.ndarray, w: int, h: int, at: int, u: np.float32, v: np.float32) -> np.float32:
    """Bilinear blend of a ``w`` x ``h`` float32 image, given flat, around its pixel ``at``
    (``_corner``) with the right and lower neighbours weighted ``u`` and ``v``: past the last
    column or row that neighbour's weight is 0."""
    last = flat.size - 1
    right, below = (1 if w > 1 else 0), (w if h > 1 else 0)
    top = flat[at]
    bottom = flat[min(at + below, last)]
    top = top + (flat[min(at + right, last)] - top) * u
    bottom = bottom + (flat[min(at + below + right, last)] - bottom) * u
    return top + (bottom - top) * v


@inline
def _sample(flat: np.ndarray, w: int, h: int, u: np.float32, v: np.float32) -> np.float32:
    """Bilinear sample of a ``w`` x ``h`` float32 image, given flat, at ``u``, ``v`` (finite),
    clamped to the image."""
    at, fu, fv = _corner(u, v, w, h)
    return _blend(flat, w, h, at, fu, fv)


@kernel
def sample_all(image: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``_sample`` of the (H, W) float32 ``image`` (C-contiguous) at every ``u``, ``v`` (1-D
    float32, finite)."""
    h, w = image.shape
    flat = image.reshape(h * w)
    out = np.empty(u.size, np.float32)
    for i in range(u.size):
        out[i] = _sample(flat, w, h, u[i], v[i])
    return out


@kernel
def project(
    m: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    s: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    iz: np.ndarray,
) -> None:
    """``_project_one`` of every pixel of ``a``, ``b``, ``s`` (1-D) into ``u``, ``v``, ``iz``."""
    for i in range(a.size):
        u[i], v[i], iz[i] = _project_one(m, a[i], b[i], s[i])


@kernel
def flow_at(
    u: np.ndarray,
    v: np.ndarray,
    iz: np.ndarray,
    cols: np.ndarray,
    rows: np.ndarray,
    target: np.ndarray,
    tolerance: np.float32,
    nearest: np.float32,
    out: np.ndarray,
) -> None:
    """Pixels at ``cols``, ``rows`` whose points are at ``u``, ``v`` in the target image, 1 / Z
    ``iz`` there (1-D) -> ``out`` (N, 3): their flow (0 where the point is not ahead) and
    whether it is valid (1 or 0): inside the image, and what the target sees there (its inverse
    depth ``target``, H x W, bilinear) agrees within ``tolerance``, relative."""
    h, w = target.shape
    flat = target.reshape(h * w)
    for i in range(u.size):
        x, y, z = u[i], v[i], iz[i]
        ahead, valid = _status(x, y, z, w, h, nearest)
        valid = valid and abs(_sample(flat, w, h, x, y) - z) <= z * tolerance
        out[i, 0] = x - cols[i] if ahead else ZERO
        out[i, 1] = y - rows[i] if ahead else ZERO
        out[i, 2] = ONE if valid else ZERO


@kernel
def _static_row(
    m: np.ndarray,
    row: np.float32,
    s: np.ndarray,
    th: int,
    tw: int,
    nearest: np.float32,
    xyz: np.ndarray,
    weights: np.ndarray,
    corner: np.ndarray,
    status: np.ndarray,
) -> None:
    """One image row's pixels (inverse depth ``s``, 1-D) through the static world's 3x4 ``m``,
    as if every one showed it: u, v, 1 / Z into ``xyz`` (3, W), the bilinear sample's
    top-left neighbour and weights at that place (``_corner``; 0 when not inside) into
    ``corner`` and ``weights`` (2, W), and ``status`` 0 (behind), 1 (ahead) or 2 (inside).
    Without branches or gathers, so the compiler runs it on vector lanes: most of a frame is
    the static world, and this is most of its arithmetic."""
    for c in range(s.size):
        col = F32(c)
        x, y, z = _project_one(m, col, row, s[c])
        ahead, inside = _status(x, y, z, tw, th, nearest)
        at, fu, fv = _corner(x if inside else ZERO, y if inside else ZERO, tw, th)
        xyz[0, c], xyz[1, c], xyz[2, c] = x, y, z
        corner[c], weights[0, c], weights[1, c] = at, fu, fv
        status[c] = np.uint8(ahead) + np.uint8(inside)


@kernel
def pinhole_flow(
    terms: np.ndarray,
    slots: np.ndarray,
    inverse: np.ndarray,
    instance: np.ndarray,
    target: np.ndarray,
    tolerance: np.float32,
    nearest: np.float32,
    out: np.ndarray,
) -> None:
    """``flow_at`` of every pixel of a pinhole camera, projected here -> ``out`` (H, W, 3),
    which may be uninitialised. A pixel's terms are its column, row and inverse depth
    (``inverse``, H, W; 0: the sky), taken through the 3x4 matrix ``terms[k]`` (K, 3, 4) of its
    object: ``k = slots[instance]`` (``slots``: one per object id, 0 for the static world). The
    sky, objects without a slot (-1, or an id past ``slots``) and those that are gone get 0
    (no flow, invalid). Each row is first taken through the static world's matrix at once
    (``_static_row``); the road users' pixels are projected one by one."""
    h, w = inverse.shape
    th, tw = target.shape
    flat = target.reshape(th * tw)
    known = slots.size
    xyz, weights = np.empty((3, w), np.float32), np.empty((2, w), np.float32)
    corner, status = np.empty(w, np.int64), np.empty(w, np.uint8)
    for r in range(h):
        row = F32(r)
        _static_row(terms[0], row, inverse[r], th, tw, nearest, xyz, weights, corner, status)
        for c in range(w):
            s = inverse[r, c]
            index = instance[r, c]
            k = slots[index] if index < known else -1
            if s == ZERO or k < 0:
                out[r, c, 0] = out[r, c, 1] = out[r, c, 2] = ZERO
                continue
            col = F32(c)
            if k == 0:
                x, y, z = xyz[0, c], xyz[1, c], xyz[2, c]
                ahead, valid = status[c] > 0, status[c] > 1
                if valid:  # ``_sample`` at the corner found above
                    sampled = _blend(flat, tw, th, corner[c], weights[0, c], weights[1, c])
                    valid = abs(sampled - z) <= z * tolerance
            else:
                x, y, z = _project_one(terms[k], col, row, s)
                ahead, valid = _status(x, y, z, tw, th, nearest)
                valid = valid and abs(_sample(flat, tw, th, x, y) - z) <= z * tolerance
            out[r, c, 0] = x - col if ahead else ZERO
            out[r, c, 1] = y - row if ahead else ZERO
            out[r, c, 2] = ONE if valid else ZERO
