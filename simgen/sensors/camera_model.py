"""What a real camera does to the light that reaches it, in linear light, RGB only.

The renderer delivers scene radiance; a camera meters it, white-balances it, darkens its corners,
blurs it a little through its optics, adds sensor noise and maps it through a tone curve. Each
step here is a pure function; depth and masks never pass through them, so labels stay exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from simgen.sensors.effects import SensorNoise, coarse_pixels, normal_draws, to_srgb

KEY = 0.18  # metered mid-grey
AUTO_RANGE = (0.5, 2.0)  # how far auto-exposure may push (x gain): about +-1 stop


@dataclass(frozen=True)
class CameraLook:
    """The camera's own settings for one variant (drawn from the scenario's distributions)."""

    auto_exposure: bool = True
    white_balance_k: float = 5500.0  # what the camera assumes the light is
    light_k: float = 5500.0  # what the light is
    vignetting: float = 0.25  # fractional fall-off at the image corners
    blur_px: float = 0.6  # optics and demosaicing: Gaussian sigma in pixels
    sky_turbidity: float = 3.0


def kelvin_rgb(kelvin: float) -> np.ndarray:
    """Linear RGB of a black body at ``kelvin``, normalised to green = 1 (Tanner Helland's fit to
    the CIE colour-matching data, linearised)."""
    t = kelvin / 100.0
    r = 255.0 if t <= 66 else 329.698727446 * (t - 60) ** -0.1332047592
    g = (
        99.4708025861 * math.log(t) - 161.1195681661
        if t <= 66
        else 288.1221695283 * (t - 60) ** -0.0755148492
    )
    b = (
        255.0
        if t >= 66
        else (0.0 if t <= 19 else 138.5177312231 * math.log(t - 10) - 305.0447927307)
    )
    srgb = np.clip(np.array([r, g, b]) / 255.0, 1e-3, 1.0)
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    return (linear / linear[1]).astype(np.float32)


def white_balance(linear: np.ndarray, light_k: float, camera_k: float) -> np.ndarray:
    """A camera balanced for ``camera_k`` under light of ``light_k``: a cast when they differ."""
    if light_k == camera_k:
        return linear
    gains = kelvin_rgb(light_k) / kelvin_rgb(camera_k)
    return linear * gains.astype(np.float32)


def metered_gain(linear: np.ndarray) -> float:
    """Auto-exposure: bring the log-average luminance to mid-grey (Reinhard et al. 2002), within
    the camera's range."""
    small = linear[::8, ::8]
    luminance = small @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    log_average = float(np.exp(np.mean(np.log(luminance + 1e-4))))
    return float(np.clip(KEY / max(log_average, 1e-4), *AUTO_RANGE))


def vignette(linear: np.ndarray, K: np.ndarray, strength: float) -> np.ndarray:
    """Natural vignetting: a cos^4 law of the angle off the optical axis, scaled so the corner
    loses ``strength`` of its light."""
    if strength <= 0:
        return linear
    h, w = linear.shape[:2]
    x = (np.arange(w, dtype=np.float32) - K[0, 2]) / K[0, 0]
    y = (np.arange(h, dtype=np.float32) - K[1, 2]) / K[1, 1]
    r2 = y[:, None] ** 2 + x[None, :] ** 2
    cos4 = 1.0 / (1.0 + r2) ** 2
    corner = float(cos4.min())
    falloff = 1.0 - strength * (1.0 - cos4) / max(1.0 - corner, 1e-6)
    return linear * falloff[..., None]


def optics_blur(linear: np.ndarray, sigma: float) -> np.ndarray:
    """The lens's point-spread function and demosaicing, as one small Gaussian."""
    if sigma <= 0:
        return linear
    return cv2.GaussianBlur(linear, (0, 0), sigma)


def filmic(linear: np.ndarray) -> np.ndarray:
    """A filmic tone curve (Narkowicz's fit to ACES): soft shoulder, slight toe, contrast."""
    x = np.maximum(linear, 0.0) * np.float32(0.8)
    return (x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14)


def sky_gradient(
    world_from_camera: np.ndarray,
    K: np.ndarray,
    shape: tuple[int, int],
    sun: np.ndarray,
    zenith: np.ndarray,
    horizon: np.ndarray,
    turbidity: float,
) -> np.ndarray:
    """Linear sky radiance per pixel: horizon to zenith by elevation, brighter and warmer towards
    the sun (a Perez-like circumsolar term whose width grows with turbidity)."""
    h, w = shape
    us, vs = coarse_pixels(shape, 4)  # the sky is smooth: evaluate it coarsely, then resize
    rays = np.stack(
        np.broadcast_arrays(
            ((us - K[0, 2]) / K[0, 0])[None, :], ((vs - K[1, 2]) / K[1, 1])[:, None], np.float32(1)
        ),
        axis=-1,
    ).astype(np.float32)
    world = rays @ world_from_camera[:3, :3].T.astype(np.float32)
    world /= np.linalg.norm(world, axis=-1, keepdims=True)
    up = np.clip(world[..., 2], 0.0, 1.0)
    t = up ** (0.5 if turbidity < 4 else 0.7)
    sky = horizon * (1 - t[..., None]) + zenith * t[..., None]
    cos_sun = np.clip(world @ sun.astype(np.float32), -1.0, 1.0)
    halo = np.exp((cos_sun - 1.0) * (40.0 / turbidity)) * (0.4 + 0.1 * turbidity)
    sky = sky + halo[..., None] * horizon
    return cv2.resize(sky.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


@lru_cache(maxsize=8)
def _lens_map(
    k: tuple[float, ...], shape: tuple[int, int], strength: float, light_k: float, camera_k: float
) -> np.ndarray:
    K = np.array(k).reshape(3, 3)
    falloff = vignette(np.ones((*shape, 1), np.float32), K, strength)
    balanced = white_balance(falloff, light_k, camera_k)
    return np.ascontiguousarray(np.broadcast_to(balanced, (*shape, 3)), np.float32)


def lens_map(K: np.ndarray, shape: tuple[int, int], look: CameraLook) -> np.ndarray:
    """Vignetting and white balance as one cached per-pixel, per-channel gain (H, W, 3)."""
    return _lens_map(
        tuple(float(v) for v in K.ravel()),
        shape,
        look.vignetting,
        look.light_k,
        look.white_balance_k,
    )


def sense_and_tone(
    linear: np.ndarray, gains: np.ndarray, exposure: float, rng: np.random.Generator
) -> np.ndarray:
    """Light through the lens onto the sensor at daylight levels, then the tone curve:
    vignetting and white balance (``gains``), exposure, shot and read noise. Shot noise
    (thousands of electrons) is Gaussian to within a fraction of a percent,
    sigma^2 = electrons + read^2. Dark or gained-up frames take ``effects.expose``'s exact
    Poisson path, then ``tone_encode``.

    Computed in float32 by bands of rows (``BAND_ROWS``), in place, so that the temporaries
    stay in the CPU's cache: a quarter of the CPU of one whole-image expression."""
    noise = SensorNoise()
    draws = normal_draws(linear.shape, rng)
    e = np.float32(exposure)
    fw = np.float32(noise.full_well)
    r2 = np.float32(noise.read_noise**2)
    out = np.empty(linear.shape, np.uint8)
    for rows in _bands(linear.shape[0]):
        signal = np.multiply(linear[rows], gains[rows])
        signal *= e  # (x m) e: the order of the float32 products is kept
        sensed = np.maximum(signal, np.float32(0))  # electrons / full well; none below zero
        sensed *= fw
        sensed += r2
        np.sqrt(sensed, out=sensed)
        sensed *= draws[rows]
        sensed /= fw
        sensed += signal
        _tone_into(sensed, out[rows])
    return out


TONE_RANGE = 4.0  # linear input at which the tone curve's table ends (output ~0.97)
_TONE_STEPS = 65536
BAND_ROWS = 48  # rows per band: 48 x 1280 x 3 float32 (0.7 MB) stay in a core's cache


def _bands(height: int) -> list[slice]:
    return [slice(top, top + BAND_ROWS) for top in range(0, height, BAND_ROWS)]


@lru_cache(maxsize=1)
def _tone_table() -> np.ndarray:
    x = np.linspace(0.0, TONE_RANGE, _TONE_STEPS, dtype=np.float64)
    return to_srgb(filmic(x).astype(np.float32)).astype(np.uint8)


def _tone_into(sensed: np.ndarray, out: np.ndarray) -> None:
    """Tone-map float32 ``sensed`` (overwritten) into ``out`` (uint8) by the table."""
    np.clip(sensed, np.float32(0), np.float32(TONE_RANGE), out=sensed)
    sensed *= np.float32((_TONE_STEPS - 1) / TONE_RANGE)
    np.take(_tone_table(), sensed.astype(np.uint16), out=out)


def tone_encode(linear: np.ndarray) -> np.ndarray:
    """The filmic curve and sRGB encoding to 8 bits, by a 65,536-entry table (exact to within
    one code value of the formulas); float32 arithmetic, by bands of rows."""
    out = np.empty(linear.shape, np.uint8)
    for rows in _bands(linear.shape[0]):
        _tone_into(linear[rows].astype(np.float32), out[rows])
    return out
