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
  camera's), and range noise with standard deviation 0.02 r (1 - exp(-R))^2, R in mm/h. Wet
  ground turns specular: its diffuse return falls by up to 70 % (soaked from 10 mm/h), so far,
  grazing road returns drop out, as measured in rain by Filgueira et al. (2017). Drops in the
  first metres return some pulses themselves: a ray meets a drop (Marshall-Palmer, D > 0.5 mm)
  within ``DROP_REACH`` with probability 1 - exp(-n sigma L); that point is scatter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simgen.sensors.effects import marshall_palmer_lambda, rain_extinction

SPEED_OF_LIGHT = 299_792_458.0
TAU_H = 20e-9  # s, half-power pulse width
OVERLAP = (0.9, 1.0)  # m: where the receiver starts to see the beam
AIR_EXTINCTION = 0.002  # 1/m, clear air at 905 nm
THRESHOLD_REFLECTIVITY = 0.01
WET_LOSS = 0.7  # share of a soaked surface's diffuse return lost to its water film
DROP_REACH = (1.0, 6.0)  # m: where drops are near enough to return a pulse themselves
DROP_REFLECTIVITY = 0.05


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


def drop_hit_probability(rate_mmh: float) -> float:
    """Chance that a ray meets a rain drop within ``DROP_REACH``."""
    lam = marshall_palmer_lambda(rate_mmh)
    d0 = 0.5  # mm
    count = 8000.0 / lam * math.exp(-lam * d0)  # drops per m^3 above d0
    mean_square = d0**2 + 2 * d0 / lam + 2 / lam**2  # E[D^2] above d0 (mm^2)
    sigma = math.pi / 4 * mean_square * 1e-6  # m^2
    return 1.0 - math.exp(-count * sigma * (DROP_REACH[1] - DROP_REACH[0]))


def weather_returns(
    t: np.ndarray,
    reflect_cos: np.ndarray,
    fog: float,
    rain_mmh: float,
    rated_range: float,
    rng: np.random.Generator,
    ground: np.ndarray | None = None,
) -> Returns:
    """Apply the atmosphere to hit distances ``t`` (inf: no hit) of surfaces returning
    ``reflect_cos`` (reflectivity x |cos incidence|); ``ground`` marks rays that hit the road
    or the sidewalk (wet in rain)."""
    if rain_mmh > 0 and ground is not None:
        wetness = min(1.0, rain_mmh / 10.0)
        reflect_cos = np.where(ground, reflect_cos * (1.0 - WET_LOSS * wetness), reflect_cos)
    alpha = np.float32(AIR_EXTINCTION + fog + rain_extinction(rain_mmh))
    hit = t <= rated_range  # inf (no hit) compares False
    r = np.where(hit, t, np.float32(rated_range)).astype(np.float32)
    # float32 throughout: this runs on every ray of every sweep
    intensity = reflect_cos.astype(np.float32) * np.exp(-2.0 * alpha * r)
    power = intensity / np.float32(math.pi) / np.maximum(r, np.float32(1e-3)) ** 2
    keep = hit & (power >= np.float32(threshold(rated_range)))
    scatter = np.zeros(len(t), bool)
    measured = r
    if fog > 0:
        peak_range, peak_power = fog_response(round(fog + rain_extinction(rain_mmh), 6))
        beats = peak_power > np.where(keep, power, 0.0)
        # as in Hahner et al., a ray's return moves to the fog when the fog outshines it; rays
        # that hit nothing within range stay empty (the sensor's near-field clutter filter)
        scatter = hit & beats & (peak_power >= threshold(rated_range))
        scatter &= ~(keep & (r < peak_range))  # a surface nearer than the peak is seen first
        jitter = rng.normal(0.0, 0.05, len(t)).astype(np.float32)
        measured = np.where(scatter, np.float32(peak_range) + jitter, measured)
        fog_intensity = np.float32(peak_power * math.pi * peak_range**2)
        intensity = np.where(scatter, fog_intensity, intensity)
        keep = keep | scatter
    if rain_mmh > 0:
        sigma = 0.02 * measured * (1.0 - math.exp(-rain_mmh)) ** 2
        measured = (measured + rng.normal(0.0, 1.0, len(t)) * sigma).astype(np.float32)
        drop_range = rng.uniform(*DROP_REACH, len(t)).astype(np.float32)
        drop = rng.random(len(t)) < drop_hit_probability(rain_mmh)
        drop &= ~(keep & (measured < drop_range))  # a nearer surface answers first
        measured = np.where(drop, drop_range, measured)
        intensity = np.where(drop, np.float32(DROP_REFLECTIVITY), intensity)
        scatter |= drop
        keep |= drop
    return Returns(measured, intensity.astype(np.float32), keep, scatter)
