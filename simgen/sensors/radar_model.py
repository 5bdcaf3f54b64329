"""From ray hits to a radar's target list: back-scatter, resolution cells, detection and noise.

A radar back end casts rays over the field of view, finer than the resolution, and hands each
hit here (``RayHits``). Then:

- Back-scatter: each ray stands for the patch of surface it hits, of projected area
  r^2 dOmega. Its radar cross section is sigma0(class) x r^2 dOmega x cos(incidence)^n, with the
  material table ``BACKSCATTER`` (metal vehicles bright and mirror-like, people weak, the road
  at grazing incidence almost dark). The numbers are approximations, set so that a car seen from
  behind is about 10 dBsm, a truck about 15-20 dBsm and a person about -5 dBsm, as measured
  automotive RCS values run (e.g. Yamada, "Radar cross section for pedestrian in 76 GHz band",
  APMC 2005; Schipper et al., "RCS of cars and pedestrians at 77 GHz", EuCAP).
- Resolution cells: returns in the same range x azimuth x elevation x radial velocity cell are
  one target, as an FFT-based radar cannot tell them apart. Its RCS is their sum; its range,
  angles and velocity their RCS-weighted means; its object and class those of the strongest.
- Detection: SNR = threshold + (RCS - 10 dBsm) - 40 log10(r / range) - losses, the radar
  equation scaled so that a 10 dBsm target is just detected at the pattern's range. Losses are
  the weather's two-way attenuation (``radar_weather``) and faults (a blocked radome, a raised
  noise floor).
- Noise, artefacts: Gaussian range, angle and velocity noise; multipath ghosts (the echo
  bouncing between the target and the ego's bumper once more: twice the range and the radial
  velocity, 10 dB weaker); false alarms uniform over the field of view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simgen.core.classes import BY_NAME, CLASSES
from simgen.dataset.layout import RADAR_DTYPE
from simgen.scenario.radar_presets import RadarPattern
from simgen.sensors.radar_weather import two_way_loss_db

THRESHOLD_DB = 12.0  # detection threshold on the SNR
REFERENCE_RCS_DB = 10.0  # the target a pattern's range is quoted for: a car
GHOST_LOSS_DB = 10.0  # a multipath ghost's extra loss (one more bounce)
FALSE_ALARM_SPEED = 30.0  # m/s: false alarms' radial velocities are uniform in +-this
TARGET, GHOST, FALSE_ALARM = 0, 1, 2

# sigma0 (m^2 of RCS per m^2 of projected area, face-on) and the incidence exponent n
BACKSCATTER: dict[str, tuple[float, float]] = {
    "unlabeled": (0.1, 1.0),
    "road": (0.05, 4.0),
    "sidewalk": (0.1, 3.0),
    "lane_marking": (0.05, 4.0),
    "kerb": (0.2, 2.0),
    "building": (1.0, 2.0),
    "pole": (2.0, 1.0),
    "vegetation": (0.2, 1.0),
    "sky": (0.0, 1.0),
    "person": (0.5, 1.0),
    "rider": (0.5, 1.0),
    "car": (5.0, 2.0),
    "truck": (5.0, 2.0),
    "bus": (5.0, 2.0),
    "motorcycle": (3.0, 2.0),
    "bicycle": (1.0, 1.0),
    "traffic_cone": (0.3, 1.0),
    "barrier": (3.0, 2.0),
    "debris": (1.0, 1.0),
    "street_light": (2.0, 1.0),
    "terrain": (0.1, 3.0),
    "scatter": (0.0, 1.0),
    "traffic_light": (3.0, 2.0),  # a metal box: strong face-on
    "traffic_sign": (10.0, 4.0),  # a flat metal plate: a mirror face-on, little off-axis
}
assert set(BACKSCATTER) == set(BY_NAME), "every class has a radar material"
SIGMA0 = np.array([BACKSCATTER[c.name][0] for c in CLASSES], np.float64)
EXPONENT = np.array([BACKSCATTER[c.name][1] for c in CLASSES], np.float64)


@dataclass(frozen=True)
class RadarConditions:
    """The atmosphere and the faults acting on one scan."""

    fog: float = 0.0  # optical extinction, 1/m
    rain_mmh: float = 0.0
    blocked: tuple[tuple[float, float, float], ...] = ()  # (from, to) deg, loss dB
    noise_rise: float = 0.0  # dB
    extra_false_alarms: float = 0.0  # per scan
    dropout: float = 0.0  # chance a target is lost


@dataclass(frozen=True)
class RayHits:
    """The rays of one scan that hit something, in the radar frame."""

    range: np.ndarray  # (N,) m
    azimuth: np.ndarray  # (N,) rad
    elevation: np.ndarray  # (N,) rad
    cos_incidence: np.ndarray  # (N,) |cos| of the angle between ray and surface normal
    solid_angle: np.ndarray  # (N,) sr each ray stands for
    radial_velocity: np.ndarray  # (N,) m/s, relative to the radar, + moving away
    sensor_radial: np.ndarray  # (N,) m/s, the radar's own velocity along each ray (away: +)
    semantic: np.ndarray  # (N,) uint8
    instance: np.ndarray  # (N,) uint16


def ray_rcs(hits: RayHits) -> np.ndarray:
    """Each ray's radar cross section (m^2) from its material and incidence angle."""
    area = hits.range.astype(np.float64) ** 2 * hits.solid_angle
    cos = np.clip(hits.cos_incidence.astype(np.float64), 0.0, 1.0)
    return SIGMA0[hits.semantic] * area * cos ** EXPONENT[hits.semantic]


def snr_db(pattern: RadarPattern, rcs_db: np.ndarray, rng_m: np.ndarray) -> np.ndarray:
    """The radar equation (SNR ~ sigma / r^4), scaled to the pattern's quoted range."""
    r = np.maximum(np.asarray(rng_m, np.float64), pattern.min_range)
    return THRESHOLD_DB + (rcs_db - REFERENCE_RCS_DB) - 40.0 * np.log10(r / pattern.range)


def targets(
    hits: RayHits,
    pattern: RadarPattern,
    conditions: RadarConditions,
    false_alarms: float,
    ghost_rate: float,
    max_targets: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The scan's target list (``RADAR_DTYPE``), nearest first."""
    cells = _cluster(hits, pattern)
    rcs_db = 10.0 * np.log10(np.maximum(cells["rcs"], 1e-12))
    loss = two_way_loss_db(cells["range"], conditions.fog, conditions.rain_mmh)
    loss = loss + _blockage(cells["azimuth"], conditions) + conditions.noise_rise
    snr = snr_db(pattern, rcs_db, cells["range"]) - loss
    keep = (snr >= THRESHOLD_DB) & (cells["range"] >= pattern.min_range)
    real = _noisy(pattern, {k: v[keep] for k, v in cells.items()}, rng)
    real["rcs"], real["snr"] = rcs_db[keep], snr[keep]
    real["kind"] = np.full(int(keep.sum()), TARGET, np.uint8)
    parts = [real, _ghosts(real, pattern, conditions, ghost_rate, rng)]
    parts.append(_false_alarms(pattern, false_alarms + conditions.extra_false_alarms, rng))
    every = {k: np.concatenate([p[k] for p in parts]) for k in real}
    if conditions.dropout > 0:
        kept = rng.random(len(every["range"])) >= conditions.dropout
        every = {k: v[kept] for k, v in every.items()}
    strongest = np.argsort(-every["snr"], kind="stable")[:max_targets]
    order = strongest[np.argsort(every["range"][strongest], kind="stable")]
    return _structured({k: v[order] for k, v in every.items()})


def _cluster(hits: RayHits, pattern: RadarPattern) -> dict[str, np.ndarray]:
    """One entry per occupied resolution cell: summed RCS, weighted means, strongest ids."""
    sigma = ray_rcs(hits)
    ok = sigma > 0
    n = int(ok.sum())
    if n == 0:
        empty = np.zeros(0)
        return {
            "rcs": empty, "range": empty, "azimuth": empty, "elevation": empty, "vr": empty,
            "sensor_radial": empty, "semantic": empty.astype(np.uint8),
            "instance": empty.astype(np.uint16),
        }  # fmt: skip
    sigma = sigma[ok]
    r = hits.range[ok].astype(np.float64)
    az = hits.azimuth[ok].astype(np.float64)
    el = hits.elevation[ok].astype(np.float64)
    vr = hits.radial_velocity[ok].astype(np.float64)
    own = hits.sensor_radial[ok].astype(np.float64)
    # one int64 per cell (range, azimuth, elevation, velocity bins, each offset to >= 0)
    key = np.zeros(len(r), np.int64)
    for value, size in (
        (r / pattern.range_resolution, 1 << 16),
        (az / math.radians(pattern.azimuth_resolution), 1 << 12),
        (el / math.radians(pattern.elevation_resolution), 1 << 10),
        (vr / pattern.velocity_resolution, 1 << 24),
    ):
        key = key * size + np.clip(np.floor(value).astype(np.int64) + size // 2, 0, size - 1)
    _, cell = np.unique(key, return_inverse=True)
    cell = cell.reshape(-1)
    count = int(cell.max()) + 1
    total = np.bincount(cell, sigma, count)

    def mean(values: np.ndarray) -> np.ndarray:
        return np.bincount(cell, sigma * values, count) / total

    # the strongest return of each cell: sort by (cell, sigma) and take each cell's last
    order = np.lexsort((sigma, cell))
    last = order[np.r_[np.nonzero(np.diff(cell[order]))[0], len(order) - 1]]
    return {
        "rcs": total,
        "range": mean(r),
        "azimuth": mean(az),
        "elevation": mean(el),
        "vr": mean(vr),
        "sensor_radial": mean(own),
        "semantic": hits.semantic[ok][last],
        "instance": hits.instance[ok][last],
    }


def _blockage(azimuth: np.ndarray, conditions: RadarConditions) -> np.ndarray:
    loss = np.zeros(len(azimuth))
    degrees = np.degrees(azimuth)
    for lo, hi, db in conditions.blocked:
        inside = (degrees - lo) % 360.0 <= (hi - lo) % 360.0 if hi - lo < 360.0 else True
        loss = loss + np.where(inside, db, 0.0)
    return loss


def _noisy(
    pattern: RadarPattern, cells: dict[str, np.ndarray], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    n = len(cells["range"])
    out = dict(cells)
    out["range"] = cells["range"] + rng.normal(0.0, pattern.range_std, n)
    out["azimuth"] = cells["azimuth"] + np.radians(rng.normal(0.0, pattern.azimuth_std, n))
    out["elevation"] = cells["elevation"] + np.radians(rng.normal(0.0, pattern.elevation_std, n))
    out["vr"] = cells["vr"] + rng.normal(0.0, pattern.velocity_std, n)
    del out["rcs"]
    return out


def _ghosts(
    real: dict[str, np.ndarray],
    pattern: RadarPattern,
    conditions: RadarConditions,
    rate: float,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    chosen = rng.random(len(real["range"])) < rate
    ghost = {k: v[chosen].copy() for k, v in real.items()}
    ghost["range"] = 2.0 * ghost["range"]
    ghost["vr"] = 2.0 * ghost["vr"]
    ghost["sensor_radial"] = 2.0 * ghost["sensor_radial"]  # the echo's Doppler doubles too
    ghost["rcs"] = ghost["rcs"] - GHOST_LOSS_DB
    # the ghost's echo travels twice as far: the radar equation over the doubled path
    extra = two_way_loss_db(ghost["range"] / 2.0, conditions.fog, conditions.rain_mmh)
    ghost["snr"] = ghost["snr"] - GHOST_LOSS_DB - 40.0 * math.log10(2.0) - extra
    ghost["semantic"][:] = 0
    ghost["instance"][:] = 0
    ghost["kind"][:] = GHOST
    seen = (ghost["snr"] >= THRESHOLD_DB) & (ghost["range"] <= 2.0 * pattern.range)
    return {k: v[seen] for k, v in ghost.items()}


def _false_alarms(
    pattern: RadarPattern, mean: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    n = int(rng.poisson(mean)) if mean > 0 else 0
    half_az, half_el = (
        math.radians(pattern.azimuth_fov) / 2,
        math.radians(pattern.elevation_fov) / 2,
    )
    return {
        "range": rng.uniform(pattern.min_range, pattern.range, n),
        "azimuth": rng.uniform(-half_az, half_az, n),
        "elevation": rng.uniform(-half_el, half_el, n),
        "vr": rng.uniform(-FALSE_ALARM_SPEED, FALSE_ALARM_SPEED, n),
        "sensor_radial": np.zeros(n),
        "semantic": np.zeros(n, np.uint8),
        "instance": np.zeros(n, np.uint16),
        "rcs": rng.uniform(-20.0, 0.0, n),
        "snr": THRESHOLD_DB + rng.exponential(3.0, n),
        "kind": np.full(n, FALSE_ALARM, np.uint8),
    }


def _structured(t: dict[str, np.ndarray]) -> np.ndarray:
    out = np.zeros(len(t["range"]), RADAR_DTYPE)
    r, az, el = t["range"], t["azimuth"], t["elevation"]
    out["x"] = r * np.cos(el) * np.cos(az)
    out["y"] = r * np.cos(el) * np.sin(az)
    out["z"] = r * np.sin(el)
    out["range"], out["azimuth"], out["elevation"] = r, az, el
    out["vr"] = t["vr"]
    # over ground: add back the radar's own velocity along the line of sight
    out["vr_comp"] = t["vr"] + t["sensor_radial"]
    out["rcs"], out["snr"] = t["rcs"], t["snr"]
    out["semantic"], out["instance"], out["kind"] = t["semantic"], t["instance"], t["kind"]
    return out
