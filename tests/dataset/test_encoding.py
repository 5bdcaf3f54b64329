"""The writer's fast encoders: PNGs that libpng decodes to their pixels, NumPy's rounding of
flow and normal codes, ``np.save``'s files."""

import io
import zlib

import cv2
import numpy as np
import pytest

from simgen.core.atomic import pieces
from simgen.dataset.kitti_flow import flow_code_numpy, flow_png
from simgen.dataset.layout import POINT_FLOW_DTYPE
from simgen.dataset.png_encode import AVERAGE, NONE, SUB, UP, encode_png
from simgen.dataset.writer import normals_code, normals_png, npy
from tests.dataset.png_stream import idat

SHAPES = [(1, 1), (1, 9), (6, 1), (2, 3), (17, 23), (40, 60), (96, 160)]
FILTERS = [NONE, SUB, UP, AVERAGE]


def smooth_pixels(shape: tuple[int, int], seed: int, channels: int = 3) -> np.ndarray:
    """16-bit pixels with smooth ramps, flat runs and noise, as flow and normal codes look."""
    rng = np.random.default_rng(seed)
    h, w = shape
    ramp = np.add.outer(np.arange(h) * 37.0, np.arange(w) * 11.0)
    pixels = np.stack([ramp, ramp[::-1] * 3, np.zeros(shape), ramp * 0.5], axis=-1) + 30000
    pixels[..., 2] = rng.random(shape) > 0.5
    pixels[: h // 2, : w // 3] += rng.integers(0, 400, (h // 2, w // 3, 4))
    return pixels[..., :channels].astype(np.uint16)


KINDS = [(np.uint16, 3), (np.uint8, 3), (np.uint16, 1), (np.uint8, 1), (np.uint8, 4)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("row_filter", FILTERS)
@pytest.mark.parametrize(("dtype", "channels"), KINDS)
def test_png_decodes_to_its_pixels_with_the_filter_asked_for(shape, row_filter, dtype, channels):
    pixels = smooth_pixels(shape, seed=shape[0] * 100 + shape[1], channels=channels)
    if dtype == np.uint8:
        pixels = (pixels % 251).astype(np.uint8)
    image = pixels[..., 0] if channels == 1 else pixels
    for packing in ("fast", "stored"):
        data = encode_png(image, row_filter, packing)
        back = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
        if channels >= 3:  # OpenCV gives BGR(A)
            back = back[..., [2, 1, 0, 3][:channels]]
        assert back.dtype == dtype and np.array_equal(back, image)
        rows = zlib.decompress(idat(data))  # each row: its filter byte, then its bytes
        step = shape[1] * channels * np.dtype(dtype).itemsize + 1
        kinds = {rows[i] for i in range(0, len(rows), step)}
        # a filter with no neighbour to use is written as NONE, as libpng does
        idle = (row_filter == SUB and shape[1] == 1) or (
            row_filter in (UP, AVERAGE) and shape[0] == 1
        )
        assert kinds == {NONE if idle else row_filter}


def test_png_refuses_what_it_cannot_hold():
    with pytest.raises(ValueError, match="8- or 16-bit"):
        encode_png(np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError, match="cannot write"):
        encode_png(np.zeros((2, 2, 5), np.uint8))


def test_flow_codes_round_as_numpy_does_on_every_half():
    # u * 64 + 2**15 lands on every half-integer and next to it: OpenCV's rounding must be
    # NumPy's rint (half to even) of the float32 sum
    halves = (np.arange(-(2**16), 2**16, dtype=np.float32) + 0.5) / 64
    values = np.concatenate(
        [halves, np.nextafter(halves, np.float32(1e9)), np.nextafter(halves, np.float32(-1e9))]
    )
    flow = np.zeros((3, len(values) // 3, 3), np.float32)
    flow[..., 0] = values.reshape(3, -1)
    flow[..., 1] = -values.reshape(3, -1)[::-1]
    flow[..., 2] = np.arange(flow[..., 2].size).reshape(3, -1) % 3 == 0
    assert np.array_equal(_decoded(flow_png(flow)), flow_code_numpy(flow))
    flow[0, 0, 0] = 1e30  # beyond OpenCV's exact range: NumPy's path, clipped
    flow[0, 1, 1] = -3e9
    code = _decoded(flow_png(flow))
    assert np.array_equal(code, flow_code_numpy(flow))
    assert code[0, 0, 0] == 65535 and code[0, 1, 1] == 0


def test_flow_png_decodes_to_the_kitti_values():
    rng = np.random.default_rng(3)
    flow = (rng.normal(size=(30, 50, 3)) * 40).astype(np.float32)
    flow[..., 2] = rng.random((30, 50)) > 0.4
    assert np.array_equal(_decoded(flow_png(flow)), flow_code_numpy(flow))


def _decoded(png: bytes) -> np.ndarray:
    """A 16-bit RGB PNG's pixels, R G B in that order, as any reader decodes them."""
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)[..., ::-1]


@pytest.mark.parametrize("shape", [(30, 50, 3), (4, 1, 3), (1, 7, 3)])
def test_flow_png_is_the_png_of_its_codes(shape: tuple[int, int, int]):
    """The one-pass encoder writes the bytes that encoding the codes writes, one-pixel rows
    (filtered NONE) included."""
    rng = np.random.default_rng(4)
    flow = (rng.normal(size=shape) * 300).astype(np.float32)
    flow[..., 2] = rng.random(shape[:2]) > 0.4
    flow.flat[::17] = np.nan
    assert flow_png(flow) == encode_png(flow_code_numpy(flow), SUB)


def test_normal_codes_round_as_numpy_does():
    e = np.linspace(-1, 1, 600_000, dtype=np.float32)
    values = np.concatenate([e, np.nextafter(e, np.float32(2)), np.nextafter(e, np.float32(-2))])
    normals = values.reshape(100, -1, 3).copy()
    normals[5, 7] = 0.0
    normals[6, 8] = (-0.0, 0.0, -0.0)
    normals[7, 9] = (0.0, 1e-38, 0.0)  # tiny, but not zero
    scaled = normals + 1.0
    scaled *= 0.5
    scaled *= 65535
    expected = np.clip(np.rint(scaled), 0, 65535).astype(np.uint16)
    expected[(normals == 0).all(axis=-1)] = 0
    code = normals_code(normals)
    assert np.array_equal(code, expected)
    assert code[5, 7].tolist() == [0, 0, 0] and code[6, 8].tolist() == [0, 0, 0]
    assert code[7, 9].tolist() != [0, 0, 0]
    raw = cv2.imdecode(np.frombuffer(normals_png(normals), np.uint8), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(raw[..., ::-1], expected)


@pytest.mark.parametrize(
    "array",
    [
        np.arange(24, dtype=np.float32).reshape(2, 4, 3),
        np.float32(3.5),
        np.zeros((0, 3), np.float32),
        np.zeros(5, POINT_FLOW_DTYPE),
        np.array([True, False]),
        np.zeros((2, 3), ">f4"),
        np.ones((4, 5), order="F"),  # not C-contiguous: np.save's own bytes
        np.ones((4, 6))[:, ::2],
    ],
    ids=["flow", "scalar", "empty", "points", "bool", "big-endian", "fortran", "strided"],
)
def test_npy_pieces_are_np_saves_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    assert b"".join(bytes(p) for p in pieces(npy(array))) == buffer.getvalue()


@pytest.mark.parametrize("row_filter", FILTERS)
def test_16_bit_rows_are_filtered_as_their_big_endian_bytes(row_filter):
    """The compiled 16-bit pass against the byte filter on a byte-swapped copy, with samples
    at both ends of the range (every byte difference wraps modulo 256)."""
    from simgen.dataset.png_encode import filter_rows, filter_rows16

    rng = np.random.default_rng(row_filter)
    for shape, channels in (((5, 7), 3), ((1, 4), 1), ((6, 1), 1), ((9, 12), 4)):
        samples = rng.choice([0, 1, 255, 256, 32767, 65280, 65535], size=shape).astype(np.uint16)
        big_endian = samples.astype(">u2").view(np.uint8).reshape(shape[0], -1)
        expected = filter_rows(big_endian, row_filter, 2 * channels)
        assert np.array_equal(filter_rows16(samples, row_filter, channels), expected)
