"""Lens distortion (OpenCV's Brown-Conrady model: k1, k2, p1, p2, k3).

A distorted camera is rendered as a pinhole on a canvas wide enough to hold every ray of the
distorted image (``render_calibration``), then each output pixel takes the rendered pixel its
ray hits (``source_maps``): colour interpolated, depth and masks by nearest pixel, so masks stay
exact and depth stays the distance along the optical axis. Points project through the same
model (``project``), so labels and images agree.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import cv2
import numpy as np

from simgen.sensors.rig import CameraCalibration

MARGIN = 2  # pixels of canvas beyond the outermost ray


def is_distorted(calib: CameraCalibration) -> bool:
    return any(c != 0.0 for c in calib.distortion)


def distort(xy: np.ndarray, coefficients: tuple[float, ...]) -> np.ndarray:
    """Normalised image coordinates (N, 2) through the distortion model."""
    k1, k2, p1, p2, k3 = (list(coefficients) + [0.0] * 5)[:5]
    x, y = xy[:, 0], xy[:, 1]
    r2 = x * x + y * y
    radial = 1 + k1 * r2 + k2 * r2 * r2 + k3 * r2 * r2 * r2
    xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
    yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
    return np.stack([xd, yd], axis=1)


def undistort_pixels(calib: CameraCalibration, uv: np.ndarray) -> np.ndarray:
    """Pixels (N, 2) of the distorted image -> normalised pinhole coordinates (N, 2), by Newton's
    method on the distortion model (OpenCV's fixed-point iteration stalls on strong barrels)."""
    try:
        return _undistort(calib.K, calib.distortion, uv)
    except ValueError as exc:
        raise ValueError(f"camera '{calib.name}': {exc}") from None


def _undistort(K: np.ndarray, coefficients: tuple[float, ...], uv: np.ndarray) -> np.ndarray:
    target = (np.asarray(uv, np.float64) - K[:2, 2]) / np.diag(K)[:2]
    xy = target.copy()
    step = 1e-6
    for _ in range(50):
        here = distort(xy, coefficients)
        residual = here - target
        if np.abs(residual).max() < 1e-12:
            break
        dx = (distort(xy + np.array([step, 0.0]), coefficients) - here) / step
        dy = (distort(xy + np.array([0.0, step]), coefficients) - here) / step
        det = dx[:, 0] * dy[:, 1] - dy[:, 0] * dx[:, 1]
        det = np.where(np.abs(det) < 1e-12, 1e-12, det)
        xy -= np.stack(
            [
                (dy[:, 1] * residual[:, 0] - dy[:, 0] * residual[:, 1]) / det,
                (-dx[:, 1] * residual[:, 0] + dx[:, 0] * residual[:, 1]) / det,
            ],
            axis=1,
        )
    if np.abs(distort(xy, coefficients) - target).max() > 1e-9:
        raise ValueError(
            f"its distortion {list(coefficients)} does not map the "
            "image one to one (the model folds back inside the field of view); use smaller "
            "coefficients or a narrower fov"
        )
    return xy


def pixels(K: np.ndarray, xy: np.ndarray, coefficients: tuple[float, ...] = ()) -> np.ndarray:
    """Normalised pinhole coordinates (N, 2) -> pixels (N, 2), through the lens if it distorts."""
    if any(coefficients):
        xy = distort(xy, coefficients)
    return xy * np.diag(K)[:2] + K[:2, 2]


def project(calib: CameraCalibration, points_cam: np.ndarray) -> np.ndarray:
    """Camera-frame points (N, 3), in front of the camera, -> pixels (N, 2) of its image."""
    return pixels(calib.K, points_cam[:, :2] / points_cam[:, 2:3], calib.distortion)


Lens = tuple[tuple[float, ...], int, int, tuple[float, ...]]  # K, width, height, coefficients


def _lens(calib: CameraCalibration) -> Lens:
    """What the lens geometry depends on, hashable (calibrations compare by value only)."""
    return tuple(calib.K.ravel().tolist()), calib.width, calib.height, tuple(calib.distortion)


@lru_cache(maxsize=16)
def _canvas(lens: Lens) -> tuple[int, int, float, float]:
    """Width, height and principal point of the pinhole canvas holding every ray of the lens."""
    k, w, h, coefficients = lens
    K = np.array(k).reshape(3, 3)
    border = np.concatenate(
        [
            np.stack([np.arange(w), np.zeros(w)], 1),
            np.stack([np.arange(w), np.full(w, h - 1)], 1),
            np.stack([np.zeros(h), np.arange(h)], 1),
            np.stack([np.full(h, w - 1), np.arange(h)], 1),
        ]
    ).astype(np.float64)
    xy = _undistort(K, coefficients, border)
    fx, fy = K[0, 0], K[1, 1]
    left = int(np.ceil(max(-xy[:, 0].min() * fx, K[0, 2]))) + MARGIN
    top = int(np.ceil(max(-xy[:, 1].min() * fy, K[1, 2]))) + MARGIN
    right = int(np.ceil(max(xy[:, 0].max() * fx, w - 1 - K[0, 2]))) + MARGIN
    bottom = int(np.ceil(max(xy[:, 1].max() * fy, h - 1 - K[1, 2]))) + MARGIN
    return left + right + 1, top + bottom + 1, float(left), float(top)


def render_calibration(calib: CameraCalibration) -> CameraCalibration:
    """The pinhole camera (same focal length, larger canvas) whose image holds every ray of the
    distorted one; the calibration itself when it does not distort."""
    if not is_distorted(calib):
        return calib
    try:
        width, height, cx, cy = _canvas(_lens(calib))
    except ValueError as exc:
        raise ValueError(f"camera '{calib.name}': {exc}") from None
    K = calib.K.copy()
    K[0, 2], K[1, 2] = cx, cy
    return replace(calib, width=width, height=height, K=K, distortion=())


@lru_cache(maxsize=8)
def _maps(lens: Lens) -> tuple[np.ndarray, np.ndarray]:
    k, w, h, coefficients = lens
    K = np.array(k).reshape(3, 3)
    _, _, cx, cy = _canvas(lens)
    u, v = np.meshgrid(np.arange(w), np.arange(h))
    xy = _undistort(K, coefficients, np.stack([u.ravel(), v.ravel()], 1).astype(np.float64))
    source_u = (xy[:, 0] * K[0, 0] + cx).reshape(h, w)
    source_v = (xy[:, 1] * K[1, 1] + cy).reshape(h, w)
    return source_u.astype(np.float32), source_v.astype(np.float32)


def source_maps(calib: CameraCalibration) -> tuple[np.ndarray, ...]:
    """For every output pixel, the pixel of the ``render_calibration`` canvas its ray hits
    (float32 maps for cv2.remap)."""
    return _maps(_lens(calib))


def warp(image: np.ndarray, maps: tuple[np.ndarray, ...], nearest: bool) -> np.ndarray:
    """A rendered (pinhole) image seen through the lens."""
    method = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
    return cv2.remap(image, maps[0], maps[1], method, borderMode=cv2.BORDER_CONSTANT)
