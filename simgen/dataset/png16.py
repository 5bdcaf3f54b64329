"""16-bit RGB PNGs encoded with NumPy and zlib, byte for byte what OpenCV's libpng writes at
zlib level 1 with one fixed row filter (``cv2.imencode`` with ``IMWRITE_PNG_FILTER_SUB`` or
``_UP`` and the default strategy), in less time: the filter is one vectorised subtraction over
the whole image instead of libpng's per-row pass, with its byte swap and channel order folded in.

What libpng does that shapes the bytes, reproduced here: the zlib window shrunk for a small image
(``png_deflate_claim``) and the stream header's window size lowered after the fact
(``optimize_cmf``); a filter that has no neighbour to use (SUB on a one-pixel-wide image, UP on a
one-row image) written as NONE; IDAT chunks of 8192 bytes; no chunk but IHDR, IDAT and IEND.
"""

from __future__ import annotations

import struct
import sys
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
IDAT_BYTES = 8192  # libpng's compression buffer: one IDAT chunk each
NONE, SUB, UP = 0, 1, 2  # PNG row filter types
LEVEL = 1  # zlib level, as ``simgen.dataset.writer.png`` asks libpng for


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(data, zlib.crc32(kind))
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _window_bits(size: int) -> int:
    """libpng's zlib window for ``size`` bytes of filtered image (``png_deflate_claim``)."""
    bits = 15
    if size <= 16384:
        half = 1 << (bits - 1)
        while size + 262 <= half:
            half >>= 1
            bits -= 1
    return bits  # 9 at least: 263 bytes or more never fit half of 2**8


def _optimize_cmf(stream: bytearray, size: int) -> None:
    """libpng's ``optimize_cmf``: the header of a small image's stream names the smallest
    window that holds it."""
    if size > 16384 or (stream[0] & 0x0F) != 8 or (stream[0] & 0xF0) > 0x70:
        return
    cinfo = stream[0] >> 4
    half = 1 << (cinfo + 7)
    if size > half:
        return
    while True:
        half >>= 1
        cinfo -= 1
        if cinfo <= 0 or size > half:
            break
    cmf = (stream[0] & 0x0F) | (cinfo << 4)
    flags = stream[1] & 0xE0
    flags += 0x1F - ((cmf << 8) + flags) % 0x1F
    stream[0], stream[1] = cmf, flags


def encode_rgb16(pixels: np.ndarray, row_filter: int) -> bytes:
    """(H, W, 3) uint16 R G B (native byte order) -> a PNG, every row filtered ``row_filter``
    (``SUB`` or ``UP``)."""
    if pixels.dtype != np.uint16 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError(f"expected (H, W, 3) uint16 pixels, got {pixels.dtype} {pixels.shape}")
    h, w, _ = pixels.shape
    big = pixels.astype(">u2", copy=False) if sys.byteorder == "big" else pixels.byteswap()
    rows = np.ascontiguousarray(big).view(np.uint8).reshape(h, w * 6)
    if (row_filter == SUB and w == 1) or (row_filter == UP and h == 1):
        row_filter = NONE
    filtered = np.empty((h, w * 6 + 1), np.uint8)
    filtered[:, 0] = row_filter
    if row_filter == SUB:  # each byte minus the same byte of the pixel on its left
        filtered[:, 1:7] = rows[:, :6]
        np.subtract(rows[:, 6:], rows[:, :-6], out=filtered[:, 7:])
    elif row_filter == UP:  # each byte minus the same byte of the row above
        filtered[0, 1:] = rows[0]
        np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])
    else:
        filtered[:, 1:] = rows
    size = filtered.size
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, _window_bits(size), 8)
    stream = bytearray(packer.compress(filtered.data))
    stream += packer.flush()
    _optimize_cmf(stream, size)
    header = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)  # 16-bit truecolour, not interlaced
    parts = [SIGNATURE, _chunk(b"IHDR", header)]
    view = bytes(stream)
    parts += [_chunk(b"IDAT", view[i : i + IDAT_BYTES]) for i in range(0, len(view), IDAT_BYTES)]
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)
