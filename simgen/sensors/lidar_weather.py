"""What fog and rain do to lidar returns: one physical parameter per medium, shared with the camera.

Received power follows the lidar equation for a Lambertian target, P = (rho |cos| / pi) / r^2
times the two-way transmission exp(-2 alpha r), relative to a detection threshold: the sensor
detects a 1 % target at normal incidence at its rated range in clear air.

- Fog, after Hahner et al. (ICCV 2021): the fog itself returns light (soft target). Its response
  is the pulse, sin^2 over 2 tau_H (tau_H = 20 ns), convolved with the back-scatter
  beta exp(-2 alpha R) / R^2 (beta = 0.046 / MOR) behind a beam-overlap ramp from 0.9 to 1.0 m.
  Where the peak of that response beats the attenuated hard return, the point moves to the range
  of the peak and belongs to no object; a hard return below the threshold is lost. As there,
  only rays that hit a surface in range can move; rays into the open stay empty.
- Rain, after Goodin et al. (Electronics 2019): extinction from the rain rate (the same as the
  camera's), and range noise with standard deviation 0.02 r (1 - exp(-R))^2, R in mm/h.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simgen.sensors.effects import rain_extinction

SPEED_OF_LIGHT = 299_792_458.0
TAU_H = 20e-9  # s, half-power pulse width
OVERLAP = (0.9, 1.0)  # m: where the receiver starts to see the beam
AIR_EXTINCTION = 0.002  # 1/m, clear air at 905 nm
THRESHOLD_REFLECTIVITY = 0.01


@dataclass(frozen=True)
class Returns:
    """Per ray: measured range, intensity (reflectivity x cos x transmission), kept or not, and
    whether the return is weather (scatter) rather than the surface the ray hit."""

    range: np.ndarray
    intensity: np.ndarray
    keep: np.ndarray
    scatter: np.ndarray


def threshold(rated_range: float) -> float:
    return (
        THRESHOLD_REFLECTIVITY
        / math.pi
        / rated_range**2
        * math.exp(-2 * AIR_EXTINCTION * rated_range)
    )


@lru_cache(maxsize=32)
def fog_response(alpha: float, step: float = 0.02, reach: float = 40.0) -> tuple[float, float]:
    """(range of the peak, peak power) of the fog's own return for extinction ``alpha``."""
    mor = math.log(20.0) / alpha
    beta = 0.046 / mor
    x = np.arange(step, reach, step)
    lo, hi = OVERLAP
    overlap = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    backscatter = beta * overlap * np.exp(-2 * alpha * x) / x**2
    pulse_length = SPEED_OF_LIGHT * TAU_H  # metres over which sin^2 rises and falls (2 tau_H)
    kernel_x = np.arange(0.0, pulse_length, step)
    kernel = np.sin(np.pi * kernel_x / pulse_length) ** 2
    response = np.convolve(backscatter, kernel)[: len(x)] * step
    peak = int(np.argmax(response))
    return float(x[peak]), float(response[peak])


def weather_returns(
    t: np.ndarray,
    reflect_cos: np.ndarray,
    fog: float,
    rain_mmh: float,
    rated_range: float,
    rng: np.random.Generator,
) -> Returns:
    """Apply the atmosphere to hit distances ``t`` (inf: no hit) of surfaces returning
    ``reflect_cos`` (reflectivity x |cos incidence|)."""
    alpha = AIR_EXTINCTION + fog + rain_extinction(rain_mmh)
    hit = np.isfinite(t) & (t <= rated_range)
    r = np.where(hit, t, rated_range).astype(np.float64)
    transmission = np.exp(-2.0 * alpha * r)
    power = reflect_cos / math.pi / np.maximum(r, 1e-3) ** 2 * transmission
    keep = hit & (power >= threshold(rated_range))
    scatter = np.zeros(len(t), bool)
    measured = r.copy()
    if fog > 0:
        peak_range, peak_power = fog_response(round(fog + rain_extinction(rain_mmh), 6))
        beats = peak_power > np.where(keep, power, 0.0)
        # as in Hahner et al., a ray's return moves to the fog when the fog outshines it; rays
        # that hit nothing within range stay empty (the sensor's near-field clutter filter)
        scatter = hit & beats & (peak_power >= threshold(rated_range))
        scatter &= ~(keep & (r < peak_range))  # a surface nearer than the peak is seen first
        measured = np.where(scatter, peak_range + rng.normal(0.0, 0.05, len(t)), measured)
        power = np.where(scatter, peak_power, power)
        keep = keep | scatter
    if rain_mmh > 0:
        sigma = 0.02 * measured * (1.0 - math.exp(-rain_mmh)) ** 2
        measured = measured + rng.normal(0.0, 1.0, len(t)) * sigma
    intensity = power * math.pi * measured**2  # back to reflectivity x cos x transmission
    return Returns(measured.astype(np.float32), intensity.astype(np.float32), keep, scatter)
