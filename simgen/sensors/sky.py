"""The sun and the sky as the camera sees them: pure functions of the sun's position."""

from __future__ import annotations

import math

import numpy as np


def sun_direction(elevation_deg: float, azimuth_deg: float) -> np.ndarray:
    """Unit vector towards the sun; azimuth counter-clockwise from +x, like yaw."""
    el, az = math.radians(elevation_deg), math.radians(azimuth_deg)
    return np.array([math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el)])


def sky_color(elevation_deg: float) -> np.ndarray:
    day, dusk, night = (
        np.array([0.52, 0.68, 0.9]),
        np.array([0.85, 0.55, 0.38]),
        np.array([0.02, 0.025, 0.05]),
    )
    if elevation_deg >= 15:
        return day
    if elevation_deg >= 0:
        return dusk + (day - dusk) * elevation_deg / 15
    if elevation_deg >= -10:
        return night + (dusk - night) * (elevation_deg + 10) / 10
    return night


def sun_strength(elevation_deg: float) -> float:
    """0 below the horizon, full above 20 degrees."""
    return float(np.clip(elevation_deg / 20.0, 0.0, 1.0))
