"""Radar scans in nuScenes' form: the channel a mount becomes, and the binary PCD of a scan.

nuScenes' radars are Continental ARS 408-21 units whose cluster list is written as PCD v0.7 with
18 fields; nuscenes-devkit's ``RadarPointCloud.from_file`` reads exactly this header layout.
simgen fills the fields it knows exactly (position, RCS, Doppler velocity raw and over ground)
and encodes the rest as an ARS 408 would report a valid, unambiguous cluster:

- ``vx, vy``: the radial velocity as a vector along the line of sight, in the radar frame;
  ``vx_comp, vy_comp`` the same with the ego's motion removed (nuScenes recommends these).
- ``dyn_prop``: 1 stationary (|v over ground| < 0.5 m/s), 2 oncoming (approaching over ground),
  0 moving; ``invalid_state`` 0 (valid); ``ambig_state`` 3 (unambiguous);
  ``is_quality_valid`` 1.
- ``x_rms, y_rms, vx_rms, vy_rms``: the noise's standard deviation as a 5-bit code; the ARS 408
  table is read as a geometric series from 0.005 to 100 (an approximation of its steps).
- ``pdh0`` (false alarm probability code): from the SNR's margin over the detection threshold,
  1 (< 25 %) above 10 dB, 2 (50 %) above 5 dB, 3 (75 %) above 2 dB, else 4 (90 %). A radar
  cannot tell its ghosts from targets; simgen's ``kind`` field says which they are.
"""

from __future__ import annotations

import math

import numpy as np

from simgen.scenario.radar_presets import RadarPattern
from simgen.sensors.radar_model import THRESHOLD_DB

FIELDS = (
    ("x", "<f4"),
    ("y", "<f4"),
    ("z", "<f4"),
    ("dyn_prop", "i1"),
    ("id", "<i2"),
    ("rcs", "<f4"),
    ("vx", "<f4"),
    ("vy", "<f4"),
    ("vx_comp", "<f4"),
    ("vy_comp", "<f4"),
    ("is_quality_valid", "i1"),
    ("ambig_state", "i1"),
    ("x_rms", "i1"),
    ("y_rms", "i1"),
    ("invalid_state", "i1"),
    ("pdh0", "i1"),
    ("vx_rms", "i1"),
    ("vy_rms", "i1"),
)
PCD_DTYPE = np.dtype(list(FIELDS))  # packed, 43 bytes a point
STATIONARY = 0.5  # m/s over ground
RMS_LOW, RMS_HIGH = 0.005, 100.0

# nuScenes' five radar channels by the mount's yaw (degrees, counter-clockwise from ego +x)
CHANNELS = (
    ("RADAR_FRONT", -30.0, 30.0),
    ("RADAR_FRONT_LEFT", 30.0, 120.0),
    ("RADAR_BACK_LEFT", 120.0, 180.0),
    ("RADAR_FRONT_RIGHT", -120.0, -30.0),
    ("RADAR_BACK_RIGHT", -180.0, -120.0),
)


def radar_channel(ego_from_radar: np.ndarray, name: str, taken: set[str]) -> str:
    """The nuScenes channel of a radar mount by its yaw; ``RADAR_<NAME>`` when a second radar
    faces the same way (the devkit reads any channel name)."""
    yaw = math.degrees(math.atan2(ego_from_radar[1, 0], ego_from_radar[0, 0]))
    channel = next(c for c, lo, hi in CHANNELS if lo <= yaw <= hi)
    return channel if channel not in taken else f"RADAR_{name.upper()}"


def rms_code(std: np.ndarray) -> np.ndarray:
    """ARS 408 5-bit code of a standard deviation (geometric steps from 0.005 to 100)."""
    ratio = math.log(RMS_HIGH / RMS_LOW) / 31
    value = np.maximum(np.asarray(std, np.float64), RMS_LOW)
    return np.clip(np.ceil(np.log(value / RMS_LOW) / ratio), 0, 31).astype(np.int8)


def pcd_points(targets: np.ndarray, pattern: RadarPattern) -> np.ndarray:
    """A scan's targets (``RADAR_DTYPE``) as nuScenes radar points (``PCD_DTYPE``)."""
    out = np.zeros(len(targets), PCD_DTYPE)
    az = targets["azimuth"].astype(np.float64)
    r = targets["range"].astype(np.float64)
    c, s = np.cos(az), np.sin(az)
    out["x"], out["y"], out["z"] = targets["x"], targets["y"], targets["z"]
    out["id"] = np.arange(len(targets)) % 32768
    out["rcs"] = targets["rcs"]
    out["vx"], out["vy"] = targets["vr"] * c, targets["vr"] * s
    out["vx_comp"], out["vy_comp"] = targets["vr_comp"] * c, targets["vr_comp"] * s
    ground = targets["vr_comp"]
    out["dyn_prop"] = np.where(np.abs(ground) < STATIONARY, 1, np.where(ground < 0, 2, 0))
    out["is_quality_valid"] = 1
    out["ambig_state"] = 3
    out["invalid_state"] = 0
    lateral = r * math.radians(pattern.azimuth_std)
    out["x_rms"] = rms_code(np.hypot(pattern.range_std * c, lateral * s))
    out["y_rms"] = rms_code(np.hypot(pattern.range_std * s, lateral * c))
    out["vx_rms"] = rms_code(np.abs(pattern.velocity_std * c))
    out["vy_rms"] = rms_code(np.abs(pattern.velocity_std * s))
    margin = targets["snr"] - THRESHOLD_DB
    out["pdh0"] = np.select([margin > 10, margin > 5, margin > 2], [1, 2, 3], 4)
    return out


def radar_pcd(targets: np.ndarray, pattern: RadarPattern) -> bytes:
    """A binary PCD v0.7 file in the layout nuscenes-devkit's ``RadarPointCloud`` reads. An
    empty scan is one all-NaN point, the devkit's mark of an empty cloud."""
    points = pcd_points(targets, pattern)
    if not len(points):
        points = np.zeros(1, PCD_DTYPE)
        for name in ("x", "y", "z", "rcs", "vx", "vy", "vx_comp", "vy_comp"):
            points[name] = np.nan
    header = "\n".join(
        [
            "# .PCD v0.7 - Point Cloud Data file format",
            "VERSION 0.7",
            "FIELDS " + " ".join(name for name, _ in FIELDS),
            "SIZE " + " ".join(str(np.dtype(t).itemsize) for _, t in FIELDS),
            "TYPE " + " ".join("F" if t.endswith("f4") else "I" for _, t in FIELDS),
            "COUNT " + " ".join("1" for _ in FIELDS),
            f"WIDTH {len(points)}",
            "HEIGHT 1",
            "VIEWPOINT 0 0 0 1 0 0 0",
            f"POINTS {len(points)}",
            "DATA binary",
        ]
    )
    # a trailing newline: the devkit's reader wants a byte after the last point's last field
    return header.encode("ascii") + b"\n" + points.tobytes() + b"\n"
