"""Image effects: pure functions of arrays, in linear light (float32 RGB, 1.0 = display white).

They touch RGB only. Depth, semantic and instance images come from the exact geometry pass and
are inputs here, never outputs, so labels cannot change with an effect.

Physical models (README, "Edge cases" lists the sources):
- fog and rain extinction: Koschmieder, I = J t + A (1 - t), t = exp(-alpha d) on the ray length;
- rain streaks: Marshall-Palmer drop sizes, Atlas terminal speeds, streak length = speed x
  exposure, brightness = time on the pixel / exposure (Garg and Nayar);
- sensor noise: Wei et al. (CVPR 2020), D = K (I + N_shot) + N_read + N_row + N_quant, in electrons;
- glare: the sun's disk, bloom and lens ghosts, with Stiles-Holladay veiling glare ~ 1 / theta^2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

FOG_COLOR = np.array([0.72, 0.74, 0.76])  # airlight: a light, slightly blue grey (display values)
SKY_DISTANCE = 1000.0  # metres: how far the sky is for fog


# --- colour encoding ---------------------------------------------------------------------------


def _srgb_decode(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)


LINEAR_OF_CODE = _srgb_decode(np.arange(256, dtype=np.float64) / 255.0)


def to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB-encoded values in 0..255 -> linear float32 (the IEC 61966-2-1 curve); 8-bit images
    by table (cv2's, for images: a third of the cost of NumPy's indexing)."""
    rgb = np.asarray(rgb)
    if rgb.dtype == np.uint8:
        if rgb.ndim == 3 and rgb.shape[2] in (3, 4):
            return cv2.LUT(rgb, LINEAR_OF_CODE)
        return LINEAR_OF_CODE[rgb]
    return _srgb_decode(rgb.astype(np.float32) / 255.0)


def to_srgb(linear: np.ndarray) -> np.ndarray:
    """Linear float -> sRGB-encoded uint8, clipped: what a camera writes."""
    c = np.clip(linear, 0.0, 1.0)
    encoded = np.where(c <= 0.0031308, 12.92 * c, 1.055 * np.power(c, 1 / 2.4) - 0.055)
    return np.clip(np.round(encoded * 255.0), 0, 255).astype(np.uint8)


# --- geometry of pixels ------------------------------------------------------------------------


def ray_lengths(depth: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Distance along each pixel's ray (depth is along the optical axis; 0 = sky)."""
    h, w = depth.shape
    u = (np.arange(w, dtype=np.float32) - K[0, 2]) / K[0, 0]
    v = (np.arange(h, dtype=np.float32) - K[1, 2]) / K[1, 1]
    stretch = np.sqrt(1.0 + u[None, :] ** 2 + v[:, None] ** 2)
    return np.where(depth > 0, depth * stretch, SKY_DISTANCE).astype(np.float32)


def coarse_pixels(shape: tuple[int, int], step: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates (x, y) of the cells of a grid ``step`` times coarser than ``shape``,
    placed where ``cv2.resize`` (bilinear) takes them when it brings the grid back to ``shape``:
    smooth fields are evaluated there, then resized."""
    h, w = shape
    hs, ws = -(-h // step), -(-w // step)
    xs = (np.arange(ws, dtype=np.float32) + 0.5) * np.float32(w / ws) - 0.5
    ys = (np.arange(hs, dtype=np.float32) + 0.5) * np.float32(h / hs) - 0.5
    return xs, ys


# --- the atmosphere ----------------------------------------------------------------------------


def koschmieder(
    linear: np.ndarray, distance: np.ndarray, alpha: float, airlight: np.ndarray
) -> np.ndarray:
    """I = J t + A (1 - t), t = exp(-alpha d): what a uniform scattering medium does."""
    t = np.exp(-alpha * distance)[..., None].astype(np.float32)
    return linear * t + np.asarray(airlight, np.float32)[None, None, :] * (1.0 - t)


def apply_fog(
    rgb: np.ndarray, depth: np.ndarray, density: float, color: np.ndarray = FOG_COLOR
) -> np.ndarray:
    """Fog on an 8-bit image by its optical-axis depth (kept for quick looks and tests)."""
    distance = np.where(depth > 0, depth, SKY_DISTANCE).astype(np.float32)
    t = np.exp(-density * distance)[..., None]
    out = rgb.astype(np.float32) * t + (np.asarray(color) * 255.0)[None, None, :] * (1.0 - t)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


# --- rain --------------------------------------------------------------------------------------


def rain_extinction(rate_mmh: float) -> float:
    """Extinction (1/m) of rain, the same for visible light and 905 nm (drops >> wavelength):
    1.076 R^0.67 dB/km (Carbonneau and Wisely, 1998, free-space optics in rain)."""
    return 1.076 * rate_mmh**0.67 / (10.0 / math.log(10.0)) / 1000.0 if rate_mmh > 0 else 0.0


def marshall_palmer_lambda(rate_mmh: float) -> float:
    """Slope (1/mm) of the drop size distribution N(D) = 8000 exp(-lambda D) per m^3 and mm."""
    return 4.1 * rate_mmh**-0.21


def drop_speed(diameter_mm: np.ndarray) -> np.ndarray:
    """Terminal fall speed (m/s) of rain drops (Atlas, Srivastava and Sekhon, 1973)."""
    return np.maximum(9.65 - 10.3 * np.exp(-0.6 * diameter_mm), 0.5)


def wet_road(
    linear: np.ndarray, road: np.ndarray, wetness: float, reflected: np.ndarray
) -> np.ndarray:
    """A wet surface: darker (water fills the texture, less diffuse light) and a sheen that
    mirrors ``reflected`` (the sky colour), strongest towards the horizon."""
    if wetness <= 0:
        return linear
    h = linear.shape[0]
    grazing = np.linspace(1.0, 0.15, h, dtype=np.float32)[:, None, None]  # far rows are higher
    sheen = np.asarray(reflected, np.float32)[None, None, :] * (0.25 * grazing) * wetness
    wet = linear * (1.0 - 0.45 * wetness) + sheen
    return np.where(road[..., None], wet, linear).astype(np.float32)


@dataclass(frozen=True)
class Streaks:
    """Rain drops in front of the camera during one exposure, as image segments."""

    start: np.ndarray  # (N, 2) pixels
    end: np.ndarray  # (N, 2)
    alpha: np.ndarray  # (N,) share of the exposure each drop spends on a pixel of its streak
    depth: np.ndarray  # (N,) metres


def rain_streaks(
    rate_mmh: float,
    K: np.ndarray,
    size: tuple[int, int],
    exposure: float,
    rng: np.random.Generator,
    near: float = 0.5,
    far: float = 3.0,
) -> Streaks:
    """Drops (D > 1.5 mm, the ones a camera resolves) falling through the near frustum, drawn
    from Marshall-Palmer."""
    h, w = size
    lam = marshall_palmer_lambda(rate_mmh)
    d_min = 1.5
    density = 8000.0 / lam * math.exp(-lam * d_min)  # drops per m^3 above d_min
    volume = (far**3 - near**3) / 3.0 * (w / K[0, 0]) * (h / K[1, 1])
    count = int(rng.poisson(density * volume))
    z = np.cbrt(rng.uniform(near**3, far**3, count))  # uniform in the frustum's volume
    u, v = rng.uniform(0, w, count), rng.uniform(0, h, count)
    diameter = d_min + rng.exponential(1.0 / lam, count)
    speed = drop_speed(diameter)
    length = speed * exposure * K[1, 1] / z  # pixels the drop falls during the exposure
    pixel = z / K[0, 0]  # metres one pixel spans at the drop
    alpha = np.minimum(1.0, (pixel + diameter / 1000.0) / speed / exposure)
    start = np.stack([u, v - length / 2], axis=1)
    end = np.stack([u, v + length / 2], axis=1)
    return Streaks(start, end, alpha.astype(np.float32), z.astype(np.float32))


def draw_streaks(
    linear: np.ndarray, streaks: Streaks, depth: np.ndarray, brightness: np.ndarray
) -> np.ndarray:
    """Blend the streaks over the image where the drop is in front of the scene."""
    h, w = depth.shape
    out = linear.copy()
    bins = np.clip((streaks.alpha * 16).astype(int), 0, 15)
    scene = np.where(depth > 0, depth, np.inf)
    for level in np.unique(bins):
        chosen = np.nonzero(bins == level)[0]
        mask = np.zeros((h, w), np.uint8)
        lines = [
            np.round(np.stack([streaks.start[i], streaks.end[i]]) * 4).astype(np.int32)
            for i in chosen
        ]
        cv2.polylines(mask, lines, False, 255, 1, cv2.LINE_AA, shift=2)
        nearest = float(streaks.depth[chosen].max())
        cover = (mask.astype(np.float32) / 255.0) * (scene > nearest)
        a = ((level + 0.5) / 16.0) * cover
        out = out * (1.0 - a[..., None]) + np.asarray(brightness, np.float32) * a[..., None]
    return out


# --- the lens ----------------------------------------------------------------------------------


def lens_occlusion(
    linear: np.ndarray, kind: str, coverage: float, rng: np.random.Generator
) -> np.ndarray:
    """Something on the lens, out of focus: dirt (dark, translucent), a leaf (opaque), or water
    drops (each a blurred, brighter patch of the scene behind it). ``rng`` fixes its layout."""
    h, w = linear.shape[:2]
    target = coverage * h * w
    mask = np.zeros((h, w), np.float32)
    if kind == "leaf":
        cx, cy = rng.uniform(0.15, 0.85) * w, rng.uniform(0.5, 0.9) * h
        area = target
        a = math.sqrt(area / math.pi * 2.2)
        b = area / math.pi / a
        cv2.ellipse(mask, (int(cx), int(cy)), (int(a), int(b)), float(rng.uniform(0, 180)),
                    0, 360, 1.0, -1)  # fmt: skip
        blur = max(3, int(0.02 * w) | 1)
        alpha = cv2.GaussianBlur(mask, (blur, blur), 0)
        leaf = np.array([0.05, 0.08, 0.02], np.float32)
        return linear * (1 - alpha[..., None]) + leaf * alpha[..., None]
    sizes = (0.005, 0.02) if kind == "drops" else (0.015, 0.06)  # of the image width
    while mask.sum() < target:
        r = rng.uniform(*sizes) * w
        cv2.circle(mask, (int(rng.uniform(0, w)), int(rng.uniform(0, h))), int(r), 1.0, -1)
    blur = max(3, int(0.03 * w) | 1)
    alpha = np.clip(cv2.GaussianBlur(mask, (blur, blur), 0), 0, 1)
    if kind == "drops":
        # an out-of-focus drop shows a blurred, slightly brighter view of what lies behind it
        k = max(3, int(0.04 * w) | 1)
        seen = cv2.GaussianBlur(linear, (k, k), 0)
        a = 0.8 * alpha[..., None]
        return linear * (1 - a) + (1.08 * seen + 0.02) * a
    dirt = np.array([0.06, 0.05, 0.035], np.float32)
    a = 0.85 * alpha[..., None]
    return linear * (1 - a) + dirt * a


GLARE_STEP = 4  # the glare's smooth terms are evaluated on a grid this much coarser, then resized
SUN_RADIUS_DEG = 0.53  # the disk as drawn: twice the real radius (0.265 deg), to read on video
VEIL_TINT = (1.0, 0.95, 0.85)
GHOSTS = ((0.4, 0.03, (0.3, 0.5, 0.9)), (0.9, 0.06, (0.6, 0.9, 0.4)), (1.4, 0.02, (0.9, 0.6, 0.3)))


def glare(
    linear: np.ndarray, sun_px: tuple[float, float], strength: float, fx: float, sun_visible: bool
) -> np.ndarray:
    """The sun at ``sun_px`` (may lie outside the image): disk, bloom, veiling glare that falls
    off as 1 / theta^2 (Stiles-Holladay), and ghosts mirrored through the image centre. Every
    term but the disk is smooth, so they are summed on a coarse grid and resized once; the disk
    (a few pixels) is drawn in a window round the sun."""
    h, w = linear.shape[:2]
    xs, ys = coarse_pixels((h, w), GLARE_STEP)
    hs, ws = len(ys), len(xs)
    sx, sy = w / ws, h / hs  # coarse cell size
    dx2 = (xs - np.float32(sun_px[0]))[None, :] ** 2
    dy2 = (ys - np.float32(sun_px[1]))[:, None] ** 2
    theta = np.degrees(np.arctan(np.sqrt(dx2 + dy2) / np.float32(fx)))
    field = (strength / (theta**2 + 0.8))[..., None] * np.array(VEIL_TINT, np.float32)
    r0 = math.tan(math.radians(SUN_RADIUS_DEG)) * fx  # the disk's radius in pixels
    if sun_visible:
        # bloom: the disk through a wide Gaussian; the disk is small against it, so it is the
        # Gaussian itself carrying the disk's area
        sigma = 0.02 * w
        area = math.pi * r0**2 / (2 * math.pi * sigma**2)
        bloom = strength * 8.0 * area * np.exp(-(dx2 + dy2) / np.float32(2 * sigma**2))
        field += bloom[..., None]
    centre = np.array([(w - 1) / 2, (h - 1) / 2])
    mirrored = centre - np.asarray(sun_px)  # ghosts lie on the line through the centre
    ghosts = np.zeros((hs, ws, 3), np.float32)
    for g, radius, tint in GHOSTS:
        p = centre + mirrored * g
        if abs(p[0]) < 4 * w and abs(p[1]) < 4 * h:
            at = (int((p[0] + 0.5) / sx), int((p[1] + 0.5) / sy))
            cv2.circle(ghosts, at, max(1, round(radius * w / sx)), tint, -1)
    field += strength * 0.6 * cv2.GaussianBlur(ghosts, (0, 0), (0.01 * w + 1) / sx)
    out = linear + cv2.resize(field, (w, h), interpolation=cv2.INTER_LINEAR)
    if sun_visible:
        _sun_disk(out, sun_px, r0, strength * 60.0)
    return out


LAMP_HALO = ((0.004, 0.8), (0.025, 0.2))  # lens spread: (sigma as a fraction of fx, share)
BLOOM_STEP = 2  # the halo is summed on a grid this much coarser, then resized


def lamp_bloom(
    linear: np.ndarray,
    points: list[tuple[float, float, float, tuple[float, float, float]]],
    fx: float,
) -> np.ndarray:
    """Lamps that glow: each point (u, v, flux, linear colour) spread by the lens's point
    spread (a tight halo and a wide veil, fixed in pixels: a property of the lens, not of the
    lamp). ``flux`` is in display-white pixels: the light the 8-bit render clipped off."""
    if not points:
        return linear
    h, w = linear.shape[:2]
    hs, ws = -(-h // BLOOM_STEP), -(-w // BLOOM_STEP)
    deltas = np.zeros((hs, ws, 3), np.float32)
    for u, v, flux, color in points:
        iu, iv = int((u + 0.5) / BLOOM_STEP), int((v + 0.5) / BLOOM_STEP)
        if 0 <= iu < ws and 0 <= iv < hs:
            deltas[iv, iu] += np.float32(flux / BLOOM_STEP**2) * np.asarray(color, np.float32)
    halo = np.zeros_like(deltas)
    for sigma, share in LAMP_HALO:
        halo += np.float32(share) * cv2.GaussianBlur(deltas, (0, 0), sigma * fx / BLOOM_STEP)
    return linear + cv2.resize(halo, (w, h), interpolation=cv2.INTER_LINEAR)


def _sun_disk(out: np.ndarray, sun_px: tuple[float, float], r0: float, gain: float) -> None:
    """Add the sun's disk, softened by a 2 px Gaussian, in a window round it (in place)."""
    h, w = out.shape[:2]
    reach = math.ceil(r0 + 4 * 2.0) + 1
    x0, y0 = max(0, int(sun_px[0]) - reach), max(0, int(sun_px[1]) - reach)
    x1, y1 = min(w, int(sun_px[0]) + reach + 1), min(h, int(sun_px[1]) + reach + 1)
    if x1 <= x0 or y1 <= y0:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    disk = (np.hypot(xs - sun_px[0], ys - sun_px[1]) < r0).astype(np.float32)
    out[y0:y1, x0:x1] += gain * cv2.GaussianBlur(disk, (0, 0), 2.0)[..., None]


# --- the sensor --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SensorNoise:
    """Noise in electrons for a small automotive CMOS sensor (the form of Wei et al. 2020).

    ``full_well`` electrons make linear 1.0 at base gain; ``gain_ev`` stops of analogue gain
    amplify a shorter exposure back to the same mean (more noise, same brightness)."""

    full_well: float = 6000.0
    read_noise: float = 2.5  # e-, Gaussian
    row_noise: float = 0.6  # e-, one Gaussian offset per row and channel (banding)
    bits: int = 12


def expose(
    linear: np.ndarray,
    ev: float,
    rng: np.random.Generator | None,
    gain_ev: float = 0.0,
    noise: SensorNoise = SensorNoise(),
) -> np.ndarray:
    """Exposure ``ev`` (stops), then photon shot noise, read and row noise and quantisation.
    Without an ``rng`` only the exposure is applied (a noiseless sensor)."""
    scaled = linear * np.float32(2.0**ev)
    if rng is None:
        return scaled
    electrons = np.maximum(scaled, 0) * (noise.full_well / 2.0**gain_ev)
    shot = rng.poisson(electrons).astype(np.float32)
    h = linear.shape[0]
    read = rng.normal(0.0, noise.read_noise, linear.shape).astype(np.float32)
    row = rng.normal(0.0, noise.row_noise, (h, 1, linear.shape[2])).astype(np.float32)
    levels = 2**noise.bits - 1
    gain = levels * 2.0**gain_ev / noise.full_well  # digital numbers per electron
    digital = np.clip(np.round((shot + read + row) * gain), 0, levels)
    return (digital / levels).astype(np.float32)


def motion_blur(linear: np.ndarray, flow: np.ndarray, taps: int = 9) -> np.ndarray:
    """Average the image along each pixel's motion during the exposure (``flow``: (H, W, 2)
    pixels moved over the whole exposure, centred on its middle)."""
    h, w = linear.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    out = np.zeros_like(linear)
    for k in range(taps):
        s = (k / (taps - 1) - 0.5) if taps > 1 else 0.0
        map_x = xs - flow[..., 0] * s
        map_y = ys - flow[..., 1] * s
        out += cv2.remap(linear, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out / taps


def normal_draws(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Standard normal draws for an array of ``shape``: a contiguous window, at an offset drawn
    from ``rng``, of one fixed field a little larger (two draws per frame, not millions)."""
    size = math.prod(shape)
    offset = int(rng.integers(0, FIELD_SLACK))
    return _field(size + FIELD_SLACK)[offset : offset + size].reshape(shape)


FIELD_SLACK = 1 << 16


@cache
def _field(size: int) -> np.ndarray:
    return np.random.default_rng(0x5EED).standard_normal(size, dtype=np.float32)
