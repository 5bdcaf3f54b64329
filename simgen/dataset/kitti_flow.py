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
from simgen.dataset.png_encode import SUB, code16, pack_png, usable_filter

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
def _codes(values: np.ndarray, out: np.ndarray) -> None:
    """``code16(value * 64 + 2**15)`` of every value (1-D): branch-free, so on vector lanes."""
    for i in range(values.size):
        out[i] = code16(values[i] * _SCALE + _OFFSET)


@kernel
def _big_endian_sub(samples: np.ndarray, step: int, out: np.ndarray) -> None:
    """16-bit ``samples`` (1-D, the first ``step`` of them 0: the left edge) -> each later
    one's big-endian bytes minus those of the sample ``step`` before it (PNG's SUB filter,
    byte by byte, modulo 256) into ``out``."""
    for i in range(samples.size - step):
        p, left = samples[i + step], samples[i]
        out[2 * i] = ((p >> 8) - (left >> 8)) & 255
        out[2 * i + 1] = ((p & 255) - (left & 255)) & 255


@kernel
def _filtered_codes(flow: np.ndarray, row_filter: int, out: np.ndarray) -> None:
    """``flow_code_numpy``'s codes, filtered as ``png_encode.filter_rows16`` filters them (SUB,
    or NONE on one-pixel rows: SUB from a zero on the left is the same bytes), row by row in
    two vectorised passes."""
    h, w, _ = flow.shape
    values = flow.reshape(h, 3 * w)
    codes = np.zeros(3 + 3 * w, np.int32)  # three zeros: what is left of the first pixel
    for r in range(h):
        out[r, 0] = row_filter
        _codes(values[r], codes[3:])
        for c in range(w):
            codes[5 + 3 * c] = 1 if flow[r, c, 2] > 0 else 0
        _big_endian_sub(codes, 3, out[r, 1:])
