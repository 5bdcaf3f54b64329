"""The normals decoded once per run of equal codes are those decoded pixel by pixel."""

import numpy as np

from simgen.sensors.pyrender.normals import _decode, decode


def per_pixel(rgb: np.ndarray, surface: np.ndarray) -> np.ndarray:
    out = np.empty(rgb.shape, np.float32)
    _decode(rgb, out)
    out[~surface] = 0.0
    return out


def test_normals_decoded_per_run_are_those_decoded_per_pixel():
    rng = np.random.default_rng(2)
    h, w = 40, 70
    # runs of equal codes along the rows (flat triangles), some across a row's end, and noise
    codes = rng.integers(0, 256, (h * w // 5, 1, 3), dtype=np.uint8)
    rgb = np.repeat(codes, 5, axis=0).reshape(h, w, 3)
    rgb[::7, ::3] = rng.integers(0, 256, rgb[::7, ::3].shape, dtype=np.uint8)
    surface = np.ones((h, w), bool)
    surface[:5] = False
    surface[10, 20:40] = False
    found = decode(rgb, surface)
    assert found.tobytes() == per_pixel(rgb, surface).tobytes()
    assert not found[:5].any()
    on = found[surface]
    np.testing.assert_allclose(np.linalg.norm(on, axis=1), 1.0, atol=1e-6)
    everywhere = decode(rgb)
    assert everywhere.tobytes() == per_pixel(rgb, np.ones((h, w), bool)).tobytes()
