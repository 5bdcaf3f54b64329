"""Optical flow in KITTI's PNG format: 16-bit, R = u, G = v, B = valid, each of u and v stored
as ``flow * 64 + 2**15`` (the devkit reads ``(value - 2**15) / 64``).

The codes come from one compiled pass over the flow (``simgen.core.jit``; OpenCV's conversion
needed a range check, a second pass for the valid flags and NumPy beyond 2**24), and
``flow_code_numpy`` is the definition they follow, bit for bit. The PNG's rows are filtered in
the same pass (``flow_png``): the codes are never stored.
"""

from __future__ import annotations

import numpy as np

from simgen.core.jit import kernel
from simgen.dataset.layout import FLOW_OFFSET, FLOW_SCALE
from simgen.dataset.png_encode import SUB, code16, filter_sample, pack_png, usable_filter

_SCALE, _OFFSET = np.float32(FLOW_SCALE), np.float32(FLOW_OFFSET)


def flow_png(flow: np.ndarray) -> bytes:
    """(H, W, 3) float32 u, v, valid -> KITTI's flow PNG: ``flow_code_numpy``'s pixels, each row
    filtered SUB (u and v change smoothly along a row), as ``png_encode.encode_png`` writes
    them."""
    flow = np.ascontiguousarray(flow, np.float32)
    h, w, _ = flow.shape
    if flow.size == 0:
        raise ValueError(f"cannot write a {flow.shape} flow as PNG")
    rows = np.empty((h, 6 * w + 1), np.uint8)
    _filtered_codes(flow, usable_filter(SUB, h, 6 * w, 6), rows)
    return pack_png(rows, w, 16, 3, "fast")


def flow_code_numpy(flow: np.ndarray) -> np.ndarray:
    """(H, W, 3) float32 u, v, valid -> (H, W, 3) uint16 KITTI codes: u * 64 + 2**15 and
    v * 64 + 2**15 in float32, rounded half to even, clipped to 16 bits (NaN: 0); valid 0 or 1.
    The definition that the tests hold the compiled pass to."""
    uv = flow[..., :2] * FLOW_SCALE
    uv += FLOW_OFFSET
    np.rint(uv, out=uv)
    np.clip(uv, 0, 65535, out=uv)
    code = np.empty(flow.shape, np.uint16)
    code[..., :2] = uv
    code[..., 2] = flow[..., 2] > 0
    return code


@kernel
def _filtered_codes(flow: np.ndarray, row_filter: int, out: np.ndarray) -> None:
    """``flow_code_numpy``'s codes, filtered as ``png_encode.filter_rows16`` filters them (SUB,
    or NONE on one-pixel rows), in one pass."""
    h, w, _ = flow.shape
    for r in range(h):
        out[r, 0] = row_filter
        left_u, left_v, left_valid = 0, 0, 0
        for c in range(w):
            u = code16(flow[r, c, 0] * _SCALE + _OFFSET)
            v = code16(flow[r, c, 1] * _SCALE + _OFFSET)
            valid = 1 if flow[r, c, 2] > 0 else 0
            at = 1 + 6 * c
            out[r, at], out[r, at + 1] = filter_sample(u, left_u, 0, row_filter)
            out[r, at + 2], out[r, at + 3] = filter_sample(v, left_v, 0, row_filter)
            out[r, at + 4], out[r, at + 5] = filter_sample(valid, left_valid, 0, row_filter)
            left_u, left_v, left_valid = u, v, valid
