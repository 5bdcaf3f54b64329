"""The normals decoded once per run of equal codes (a compiled pass) are those the octahedral
decoding gives pixel by pixel in NumPy, bit for bit."""

import numpy as np

from simgen.sensors.pyrender.normals import _ABS_E, _E, _FOLD, _SIGN_E, decode


def per_pixel(rgb: np.ndarray, surface: np.ndarray) -> np.ndarray:
    """The decoding, whole-array: 12 + 12 bits -> octahedron -> unit vector (float64), then the
    OpenGL camera axes turned to the optical frame (y and z negated), in float32."""
    c = rgb.astype(np.uint16)
    qx = (c[..., 0] << 4) | (c[..., 1] >> 4)
    qy = ((c[..., 1] & 15) << 8) | c[..., 2]
    fx, fy = _E.take(qx), _E.take(qy)
    z = 1.0 - _ABS_E.take(qx) - _ABS_E.take(qy)
    back = z < 0  # the back half of the octahedron folds over
    fx, fy = (
        np.where(back, _FOLD.take(qy) * _SIGN_E.take(qx), fx),
        np.where(back, _FOLD.take(qx) * _SIGN_E.take(qy), fy),
    )
    length = np.sqrt(fx * fx + fy * fy + z * z)
    out = np.stack([fx / length, -(fy / length), -(z / length)], axis=-1).astype(np.float32)
    out[~surface | ~rgb.any(axis=-1)] = 0.0
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
