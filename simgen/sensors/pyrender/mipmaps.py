"""Texture mip levels made on the CPU, as Mesa's llvmpipe makes them, for ``glTexImage2D``.

``glGenerateMipmap`` costs a rendering process about 70 ms the first time (llvmpipe compiles
its blit shader), once per GL context, and a GPU driver may filter with other rounding.
Uploading the levels instead costs a quarter of a millisecond per 256 x 256 texture and gives
the same texels on every driver: llvmpipe's own, byte for byte (each level a bilinear blit of
the one above at half size: the mean of two neighbours along a row, rounded half up, then of
two such rows).
"""

from __future__ import annotations

import numpy as np


def box_levels(image: np.ndarray) -> list[np.ndarray] | None:
    """Levels 1, 2, ... down to 1 x 1 of an 8-bit (H, W, C) ``image`` with square power-of-two
    sides, in the order they are uploaded; None for any other image (left to the driver)."""
    h, w = image.shape[:2]
    if image.dtype != np.uint8 or image.ndim != 3 or h != w or h < 2 or h & (h - 1):
        return None
    levels, level = [], image
    while level.shape[0] > 1:
        level = half_size(level)
        levels.append(level)
    return levels


def half_size(level: np.ndarray) -> np.ndarray:
    """One mip level from the one above (even sides): llvmpipe's blit, rows then columns."""
    wide = level.astype(np.uint16)
    rows = (wide[:, 0::2] + wide[:, 1::2] + 1) >> 1
    return ((rows[0::2] + rows[1::2] + 1) >> 1).astype(np.uint8)
