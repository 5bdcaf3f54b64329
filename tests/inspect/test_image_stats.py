"""Image statistics against images whose values are known by hand."""

import math

import numpy as np
import pytest

from simgen.inspect.image_stats import folder_images, image_stats, summarize


def grey(values: np.ndarray) -> np.ndarray:
    return np.repeat(np.asarray(values, np.uint8)[..., None], 3, axis=2)


def test_a_flat_grey_image_has_no_contrast_noise_sharpness_or_edges():
    s = image_stats(np.full((48, 64, 3), 100, np.uint8))
    assert s.brightness == pytest.approx(100.0)
    assert (s.contrast, s.saturation, s.noise, s.sharpness, s.edge_density) == (0, 0, 0, 0, 0)


def test_a_one_pixel_checkerboard():
    """Luma 0 and 255 in equal parts: mean 127.5, std 127.5; every pixel's four neighbours
    are the other colour, so the Laplacian is +-4 x 255 everywhere: variance 1020^2."""
    s = image_stats(grey(np.indices((32, 32)).sum(axis=0) % 2 * 255))
    assert s.brightness == pytest.approx(127.5) and s.contrast == pytest.approx(127.5)
    assert s.sharpness == pytest.approx(1020.0**2)


def test_a_vertical_step_edge():
    """Black left half, white right half: Canny marks one column; the Laplacian is +255 and
    -255 on the two columns at the step: variance 2 x 255^2 / width."""
    image = np.zeros((64, 64, 3), np.uint8)
    image[:, 32:] = 255
    s = image_stats(image)
    assert s.edge_density == pytest.approx(1 / 64)
    assert s.sharpness == pytest.approx(2 * 255**2 / 64)
    assert s.noise == 0.0  # the mask's columns cancel on a step along rows


def test_noise_is_the_sigma_of_added_gaussian_noise_and_ignores_ramps():
    rng = np.random.default_rng(0)
    noisy = np.clip(np.rint(128 + rng.normal(0.0, 8.0, (256, 256))), 0, 255)
    s = image_stats(grey(noisy))
    assert s.noise == pytest.approx(8.0, rel=0.03)  # (+ rounding's 1/sqrt(12))
    assert s.contrast == pytest.approx(8.0, rel=0.03)
    ramp = grey(np.tile(np.arange(0, 200, 2), (50, 1)))
    r = image_stats(ramp)
    assert r.noise == pytest.approx(0.0, abs=1e-9)
    assert r.contrast == pytest.approx(float(np.arange(0, 200, 2).std()))


def test_saturation_and_brightness_of_pure_colours():
    red = np.zeros((8, 8, 3), np.uint8)
    red[..., 0] = 255
    s = image_stats(red)
    assert s.saturation == 1.0 and s.brightness == pytest.approx(0.299 * 255)
    half = np.full((8, 8, 3), (200, 100, 100), np.uint8)
    assert image_stats(half).saturation == pytest.approx(0.5)


def test_summaries_and_folders(tmp_path):
    import cv2

    cv2.imwrite(str(tmp_path / "a.png"), np.full((8, 8, 3), 50, np.uint8))
    cv2.imwrite(str(tmp_path / "b.png"), np.full((8, 8, 3), 150, np.uint8))
    (tmp_path / "notes.txt").write_text("not an image")
    found = list(folder_images(tmp_path))
    assert [p.name for p, _ in found] == ["a.png", "b.png"]
    summary = summarize(image_stats(rgb) for _, rgb in found)
    assert summary.images == 2
    assert summary.mean.brightness == pytest.approx(100.0)
    assert summary.std.brightness == pytest.approx(50.0)
    assert summarize([]) is None
    assert not math.isnan(summary.std.noise)
