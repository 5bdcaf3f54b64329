"""Image statistics that tell synthetic frames from real photographs at a glance: brightness,
contrast, saturation, noise, sharpness and edge density, per image and summarised over a set.

- brightness: mean luma (Rec. 601, 0..255);
- contrast: RMS contrast, the standard deviation of luma (0..127.5);
- saturation: mean HSV saturation (0..1), (max - min) / max per pixel;
- noise: Immerkær's estimate of Gaussian noise sigma ("Fast Noise Variance Estimation", CVIU
  1996): a 3x3 mask that cancels every linear ramp, so scene gradients barely count;
- sharpness: the variance of the Laplacian (4-neighbour) of luma;
- edge density: the fraction of pixels Canny (thresholds 100, 200 on luma) marks as edges.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float64)
_LAPLACIAN = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], np.float64)


@dataclass(frozen=True)
class ImageStats:
    brightness: float
    contrast: float
    saturation: float
    noise: float
    sharpness: float
    edge_density: float


STAT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ImageStats))


def luma(rgb: np.ndarray) -> np.ndarray:
    """(H, W) float64 Rec. 601 luma of an RGB uint8 image, 0..255."""
    image = rgb.astype(np.float64)
    return 0.299 * image[..., 0] + 0.587 * image[..., 1] + 0.114 * image[..., 2]


def noise_sigma(gray: np.ndarray) -> float:
    """Immerkær's estimate: sqrt(pi / 2) / 6 x the mean |mask response| over the interior (the
    mask's weights have squares summing to 36, so Gaussian noise of sigma s gives E|r| =
    6 s sqrt(2 / pi))."""
    import cv2

    if min(gray.shape) < 3:
        return 0.0
    response = cv2.filter2D(gray, cv2.CV_64F, _IMMERKAER, borderType=cv2.BORDER_REFLECT_101)
    interior = np.abs(response[1:-1, 1:-1])
    return float(math.sqrt(math.pi / 2) / 6 * interior.mean())


def image_stats(rgb: np.ndarray) -> ImageStats:
    """Every statistic of one RGB uint8 image (H, W, 3)."""
    import cv2

    gray = luma(rgb)
    image = rgb.astype(np.float64)
    high, low = image.max(axis=2), image.min(axis=2)
    saturation = np.divide(high - low, high, out=np.zeros_like(high), where=high > 0)
    laplacian = cv2.filter2D(gray, cv2.CV_64F, _LAPLACIAN, borderType=cv2.BORDER_REFLECT_101)
    edges = cv2.Canny(np.clip(np.rint(gray), 0, 255).astype(np.uint8), 100, 200)
    return ImageStats(
        brightness=float(gray.mean()),
        contrast=float(gray.std()),
        saturation=float(saturation.mean()),
        noise=noise_sigma(gray),
        sharpness=float(laplacian.var()),
        edge_density=float(np.count_nonzero(edges) / edges.size),
    )


@dataclass(frozen=True)
class StatsSummary:
    """Mean and standard deviation of each statistic over ``images`` images."""

    images: int
    mean: ImageStats
    std: ImageStats


def summarize(stats: Iterable[ImageStats]) -> StatsSummary | None:
    rows = np.array([[getattr(s, n) for n in STAT_NAMES] for s in stats], np.float64)
    if len(rows) == 0:
        return None
    mean = ImageStats(*(float(v) for v in rows.mean(axis=0)))
    std = ImageStats(*(float(v) for v in rows.std(axis=0)))
    return StatsSummary(len(rows), mean, std)


def folder_images(folder: Path) -> Iterator[tuple[Path, np.ndarray]]:
    """Every image file directly in ``folder``, sorted by name, as RGB uint8."""
    import cv2

    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is not None:
            yield path, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
