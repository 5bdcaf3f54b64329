"""Texture mip levels made on the CPU are the levels llvmpipe's glGenerateMipmap makes, and
pyrender's textures get them without the driver's help."""

from __future__ import annotations

import numpy as np
import pytest

from simgen.sensors.pyrender.compat import import_pyrender
from simgen.sensors.pyrender.mipmaps import box_levels, half_size
from simgen.sensors.pyrender.patches import Hook, original


def test_half_size_is_the_mean_of_pairs_rounded_half_up_rows_first() -> None:
    level = np.array([[[0], [1], [3], [3]], [[2], [2], [255], [254]]], np.uint8)
    # rows first: (0 + 1 + 1) >> 1 = 1 and (2 + 2 + 1) >> 1 = 2, then (1 + 2 + 1) >> 1 = 2 (a
    # mean of all four rounded once: 1); (3 + 3 + 1) >> 1 = 3, (255 + 254 + 1) >> 1 = 255,
    # then (3 + 255 + 1) >> 1 = 129
    assert half_size(level)[:, :, 0].tolist() == [[2, 129]]


def test_only_square_power_of_two_8_bit_images_get_levels() -> None:
    levels = box_levels(np.zeros((8, 8, 3), np.uint8))
    assert levels is not None and [lv.shape for lv in levels] == [(4, 4, 3), (2, 2, 3), (1, 1, 3)]
    assert box_levels(np.zeros((8, 4, 3), np.uint8)) is None
    assert box_levels(np.zeros((12, 12, 3), np.uint8)) is None
    assert box_levels(np.zeros((8, 8, 3), np.uint16)) is None


@pytest.fixture(scope="module")
def gl() -> object:
    pr = import_pyrender()
    renderer = pr.OffscreenRenderer(8, 8)
    from OpenGL import GL

    yield GL
    renderer.delete()


def _levels(gl: object, texid: int, size: int) -> list[np.ndarray]:
    gl.glBindTexture(gl.GL_TEXTURE_2D, texid)
    out = []
    while size > 1:
        size //= 2
        raw = gl.glGetTexImage(gl.GL_TEXTURE_2D, len(out) + 1, gl.GL_RGB, gl.GL_UNSIGNED_BYTE)
        out.append(np.frombuffer(raw, np.uint8).reshape(size, size, 3))
    return out


def test_the_levels_are_the_drivers_own(gl: object) -> None:
    """llvmpipe's byte for byte; another driver's filter may round otherwise, by one code."""
    exact = "llvmpipe" in gl.glGetString(gl.GL_RENDERER).decode()
    image = np.random.default_rng(3).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    texid = gl.glGenTextures(1)
    gl.glBindTexture(gl.GL_TEXTURE_2D, texid)
    gl.glTexImage2D(
        gl.GL_TEXTURE_2D, 0, gl.GL_RGB, 64, 64, 0, gl.GL_RGB, gl.GL_UNSIGNED_BYTE, image
    )
    original(Hook("pyrender.texture", "glGenerateMipmap"), "test")(gl.GL_TEXTURE_2D)
    made = box_levels(image)
    assert made is not None
    for driver, ours in zip(_levels(gl, texid, 64), made, strict=True):
        difference = np.abs(driver.astype(int) - ours)
        assert difference.max() <= (0 if exact else 1)
    gl.glDeleteTextures([texid])


def test_a_pyrender_texture_is_uploaded_with_the_levels(gl: object) -> None:
    pr = import_pyrender()
    image = np.random.default_rng(4).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    texture = pr.Texture(source=image, source_channels="RGB")
    texture._add_to_context()
    made = box_levels(np.ascontiguousarray(np.flip(image, axis=0)))  # pyrender uploads it flipped
    assert made is not None
    for driver, ours in zip(_levels(gl, texture._texid, 32), made, strict=True):
        np.testing.assert_array_equal(driver, ours)
    texture.delete()
