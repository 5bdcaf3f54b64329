"""Radar presets from the makers' public data sheets, and the concrete pattern of a radar spec.

Sources (the values used; "~" marks a number that is an approximation or a simplification):

- ``ars408_far``: Continental ARS 408-21 Premium Long Range Radar Sensor 77 GHz, data sheet,
  far-range scan: range 0.20...250 m, azimuth field of view -9...+9 deg, elevation 14 deg,
  range resolution 1.79 m, range accuracy +-0.40 m, azimuth resolution 1.6 deg, azimuth accuracy
  +-0.1 deg, velocity resolution 0.37 km/h (0.10 m/s), velocity accuracy 0.1 km/h (0.03 m/s),
  cycle ~72 ms (far and near scans together), up to 250 clusters.
  ~ the elevation resolution and noise (not in the sheet) are taken as the field of view and
  0.5 deg; ~ the data sheet's range is where a car is still detected, which simgen reads as
  "a 10 dBsm target at the detection threshold".
- ``ars408_near``: the same sheet, near-range scan: range 0.20...70 m (at 0...+-45 deg;
  20 m at +-60 deg), azimuth -60...+60 deg, elevation 20 deg, range resolution 0.39 m, range
  accuracy +-0.10 m, azimuth resolution 3.2 deg at 0 deg (4.5 deg at +-45, 12.3 deg at +-60),
  azimuth accuracy +-0.3 deg at 0 deg (+-1 deg at +-45), velocity resolution 0.43 km/h
  (0.12 m/s). ~ resolution and accuracy are taken as constant over the field of view (their
  boresight values), and the shorter range at the edges is not modelled.
- ``srr308``: Continental SRR 308-21 short range radar (corner radar), data sheet: 77 GHz,
  range ~0.2...95 m at boresight, azimuth field of view +-75 deg, ~elevation 12 deg.
  ~ the sheet gives fewer resolution figures; range resolution 0.5 m, azimuth 5 deg and
  velocity 0.14 m/s are typical values for that class of 77 GHz corner radar, not quoted ones.

Accuracy figures of a data sheet are worst-case bounds; simgen uses them as one standard
deviation of the noise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from simgen.scenario.models import Radar

KMH = 1.0 / 3.6


@dataclass(frozen=True)
class RadarPattern:
    """Everything a radar caster needs: field of view, resolution cells and noise."""

    range: float  # m: a 10 dBsm target is just detected here
    azimuth_fov: float  # full width, degrees
    elevation_fov: float  # full height, degrees
    range_resolution: float  # m
    azimuth_resolution: float  # degrees
    elevation_resolution: float  # degrees (targets are not split in elevation by these radars)
    velocity_resolution: float  # m/s
    range_std: float  # m
    azimuth_std: float  # degrees
    elevation_std: float  # degrees
    velocity_std: float  # m/s
    cycle: float  # s, one scan
    min_range: float = 0.2  # m

    def to_json(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.__dict__.items()}


PRESETS: dict[str, RadarPattern] = {
    "ars408_far": RadarPattern(
        range=250.0,
        azimuth_fov=18.0,
        elevation_fov=14.0,
        range_resolution=1.79,
        azimuth_resolution=1.6,
        elevation_resolution=14.0,
        velocity_resolution=0.37 * KMH,
        range_std=0.40,
        azimuth_std=0.1,
        elevation_std=0.5,
        velocity_std=0.1 * KMH,
        cycle=0.072,
    ),
    "ars408_near": RadarPattern(
        range=70.0,
        azimuth_fov=120.0,
        elevation_fov=20.0,
        range_resolution=0.39,
        azimuth_resolution=3.2,
        elevation_resolution=20.0,
        velocity_resolution=0.43 * KMH,
        range_std=0.10,
        azimuth_std=0.3,
        elevation_std=0.5,
        velocity_std=0.1 * KMH,
        cycle=0.072,
    ),
    "srr308": RadarPattern(
        range=95.0,
        azimuth_fov=150.0,
        elevation_fov=12.0,
        range_resolution=0.5,
        azimuth_resolution=5.0,
        elevation_resolution=12.0,
        velocity_resolution=0.14,
        range_std=0.2,
        azimuth_std=0.5,
        elevation_std=0.5,
        velocity_std=0.07,
        cycle=0.05,
    ),
}


def radar_pattern(spec: Radar) -> RadarPattern:
    """The preset with every key the spec gives explicitly put over it."""
    base = PRESETS[spec.preset]
    given = {
        key: float(getattr(spec, key))
        for key in (
            "range",
            "azimuth_fov",
            "elevation_fov",
            "range_resolution",
            "azimuth_resolution",
            "velocity_resolution",
        )
        if getattr(spec, key) is not None
    }
    noise = spec.noise
    for key in ("range_std", "azimuth_std", "elevation_std", "velocity_std"):
        value = getattr(noise, key)
        if value is not None:
            given[key] = float(value)
    if "elevation_fov" in given:
        given["elevation_resolution"] = given["elevation_fov"]
    return replace(base, **given)
