"""Optical flow in KITTI's PNG format: 16-bit, R = u, G = v, B = valid, each of u and v stored
as ``flow * 64 + 2**15`` (the devkit reads ``(value - 2**15) / 64``).

The codes come from one compiled pass over the flow (``simgen.core.jit``; OpenCV's conversion
needed a range check, a second pass for the valid flags and NumPy beyond 2**24), and
``flow_code_numpy`` is the definition they follow, bit for bit.
"""

from __future__ import annotations

import numpy as np

from simgen.core.jit import kernel
from simgen.dataset.png_encode import SUB, code16, encode_png

FLOW_SCALE = 64.0  # KITTI: a flow PNG value is flow * 64 + 2**15
FLOW_OFFSET = 2**15
_SCALE, _OFFSET = np.float32(FLOW_SCALE), np.float32(FLOW_OFFSET)


def flow_png(flow: np.ndarray) -> bytes:
    """(H, W, 3) float32 u, v, valid -> KITTI's flow PNG."""
    return encode_png(flow_code(flow), SUB)  # u and v change smoothly along a row


def flow_code(flow: np.ndarray) -> np.ndarray:
    """(H, W, 3) float32 u, v, valid -> (H, W, 3) uint16 KITTI codes: u * 64 + 2**15 and
    v * 64 + 2**15 in float32, rounded half to even, clipped to 16 bits; valid 0 or 1."""
    flow = np.ascontiguousarray(flow, np.float32)
    out = np.empty(flow.shape, np.uint16)
    _codes(flow, out)
    return out


def flow_code_numpy(flow: np.ndarray) -> np.ndarray:
    """``flow_code`` in NumPy: its definition, which the tests hold the compiled pass to."""
    uv = flow[..., :2] * FLOW_SCALE
    uv += FLOW_OFFSET
    np.rint(uv, out=uv)
    np.clip(uv, 0, 65535, out=uv)
    code = np.empty(flow.shape, np.uint16)
    code[..., :2] = uv
    code[..., 2] = flow[..., 2] > 0
    return code


@kernel
def _codes(flow: np.ndarray, out: np.ndarray) -> None:
    h, w, _ = flow.shape
    for r in range(h):
        for c in range(w):
            out[r, c, 0] = code16(flow[r, c, 0] * _SCALE + _OFFSET)
            out[r, c, 1] = code16(flow[r, c, 1] * _SCALE + _OFFSET)
            out[r, c, 2] = 1 if flow[r, c, 2] > 0 else 0
