"""Sensor rig and calibration: intrinsics, extrinsics and the frame conventions of DESIGN.md.

- Ego frame: x forward, y left, z up, origin at the centre of the box's bottom face.
- Camera optical frame (OpenCV): x right, y down, z forward; pixel (u, v) centres are integers.
- Lidar frame: x forward, y left, z up, origin at the sensor.
- Radar frame: x forward (boresight), y left, z up, origin at the sensor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from simgen.core.geometry import rotation_rpy
from simgen.scenario.lidar_presets import ScanPattern, scan_pattern
from simgen.scenario.models import Camera, Lidar, Mount, Radar
from simgen.scenario.radar_presets import RadarPattern, radar_pattern
from simgen.scenario.sample import ScenarioInstance

# optical (x right, y down, z forward) expressed in a body frame (x forward, y left, z up)
BODY_FROM_OPTICAL = np.array(
    [[0.0, 0.0, 1.0, 0.0], [-1.0, 0.0, 0.0, 0.0], [0.0, -1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
)


def mount_transform(mount: Mount) -> np.ndarray:
    """4x4 pose of a sensor's body frame in the ego frame (rpy in degrees)."""
    out = np.eye(4)
    out[:3, :3] = rotation_rpy(*(math.radians(a) for a in mount.rpy))
    out[:3, 3] = mount.xyz
    return out


def intrinsics(width: int, height: int, hfov_deg: float) -> np.ndarray:
    """K from the image size and the horizontal field of view, square pixels, centred."""
    fx = (width / 2.0) / math.tan(math.radians(hfov_deg) / 2.0)
    return np.array([[fx, 0.0, (width - 1) / 2.0], [0.0, fx, (height - 1) / 2.0], [0.0, 0.0, 1.0]])


def _equal_by_json(self: Any, other: object) -> bool:
    """Dataclass equality over NumPy arrays is ambiguous; compare names and JSON instead."""
    return type(other) is type(self) and (self.name, self.to_json()) == (
        other.name,  # type: ignore[attr-defined]
        other.to_json(),  # type: ignore[attr-defined]
    )


@dataclass(frozen=True, eq=False)
class CameraCalibration:
    name: str
    width: int
    height: int
    K: np.ndarray  # 3x3
    ego_from_camera: np.ndarray  # 4x4, optical frame -> ego frame
    distortion: tuple[float, ...] = ()  # OpenCV k1 k2 p1 p2 k3; () or zeros: a pinhole

    __eq__ = _equal_by_json

    def to_json(self) -> dict[str, Any]:
        out = {
            "type": "camera",
            "width": self.width,
            "height": self.height,
            "K": self.K.tolist(),
            "ego_from_sensor": self.ego_from_camera.tolist(),
            "frame": "optical: x right, y down, z forward",
        }
        if any(self.distortion):
            out["distortion"] = list(self.distortion)
            out["distortion_model"] = "opencv: k1 k2 p1 p2 k3"
        return out

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any]) -> CameraCalibration:
        return cls(
            name,
            int(data["width"]),
            int(data["height"]),
            _matrix(data["K"], (3, 3)),
            _matrix(data["ego_from_sensor"], (4, 4)),
            tuple(float(c) for c in data.get("distortion", ())),
        )


@dataclass(frozen=True, eq=False)
class LidarCalibration:
    name: str
    scan: ScanPattern
    ego_from_lidar: np.ndarray  # 4x4

    __eq__ = _equal_by_json

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "lidar",
            "ego_from_sensor": self.ego_from_lidar.tolist(),
            "vertical_angles": list(self.scan.vertical_angles),
            "horizontal_resolution": self.scan.horizontal_resolution,
            "range": self.scan.range,
            "rotation_rate": self.scan.rotation_rate,
            "frame": "x forward, y left, z up",
        }

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any]) -> LidarCalibration:
        scan = ScanPattern(
            tuple(float(a) for a in data["vertical_angles"]),
            float(data["horizontal_resolution"]),
            float(data["range"]),
            float(data["rotation_rate"]),
        )
        return cls(name, scan, _matrix(data["ego_from_sensor"], (4, 4)))


@dataclass(frozen=True, eq=False)
class RadarCalibration:
    name: str
    pattern: RadarPattern
    ego_from_radar: np.ndarray  # 4x4

    __eq__ = _equal_by_json

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "radar",
            "ego_from_sensor": self.ego_from_radar.tolist(),
            **self.pattern.to_json(),
            "frame": "x forward (boresight), y left, z up",
        }

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any]) -> RadarCalibration:
        pattern = RadarPattern(**{f.name: float(data[f.name]) for f in fields(RadarPattern)})
        return cls(name, pattern, _matrix(data["ego_from_sensor"], (4, 4)))


@dataclass(frozen=True)
class Calibrations:
    """Every sensor of a rig, by name; written once per variant and read back by datasets."""

    cameras: dict[str, CameraCalibration]
    lidars: dict[str, LidarCalibration]
    radars: dict[str, RadarCalibration] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        every = {**self.cameras, **self.lidars, **self.radars}
        return {name: c.to_json() for name, c in every.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibrations:
        kinds = {name: entry.get("type") for name, entry in data.items()}
        known = ("camera", "lidar", "radar")
        unknown = sorted(n for n, kind in kinds.items() if kind not in known)
        if unknown:
            raise ValueError(
                f"calibration of {', '.join(unknown)}: type must be camera, lidar or radar"
            )
        cameras = {n: e for n, e in data.items() if kinds[n] == "camera"}
        lidars = {n: e for n, e in data.items() if kinds[n] == "lidar"}
        radars = {n: e for n, e in data.items() if kinds[n] == "radar"}
        return cls(
            {n: CameraCalibration.from_json(n, e) for n, e in cameras.items()},
            {n: LidarCalibration.from_json(n, e) for n, e in lidars.items()},
            {n: RadarCalibration.from_json(n, e) for n, e in radars.items()},
        )

    def sensor_from_ego(self, name: str) -> np.ndarray:
        """4x4 transform from the ego frame into a sensor's own frame."""
        if name in self.cameras:
            return np.linalg.inv(self.cameras[name].ego_from_camera)
        if name in self.radars:
            return np.linalg.inv(self.radars[name].ego_from_radar)
        return np.linalg.inv(self.lidars[name].ego_from_lidar)


def _matrix(rows: Any, shape: tuple[int, int]) -> np.ndarray:
    out = np.asarray(rows, dtype=float)
    if out.shape != shape:
        raise ValueError(f"expected a {shape[0]}x{shape[1]} matrix, got shape {out.shape}")
    return out


def camera_calibration(spec: Camera) -> CameraCalibration:
    return CameraCalibration(
        spec.name,
        spec.width,
        spec.height,
        intrinsics(spec.width, spec.height, spec.fov),
        mount_transform(spec.mount) @ BODY_FROM_OPTICAL,
        tuple(float(c) for c in spec.distortion)
        if spec.distortion and any(spec.distortion)
        else (),
    )


def lidar_calibration(spec: Lidar) -> LidarCalibration:
    return LidarCalibration(spec.name, scan_pattern(spec), mount_transform(spec.mount))


def radar_calibration(spec: Radar) -> RadarCalibration:
    return RadarCalibration(spec.name, radar_pattern(spec), mount_transform(spec.mount))


def calibrations(instance: ScenarioInstance) -> Calibrations:
    sensors = instance.scenario.ego.sensors
    return Calibrations(
        {s.name: camera_calibration(s) for s in sensors if isinstance(s, Camera)},
        {s.name: lidar_calibration(s) for s in sensors if isinstance(s, Lidar)},
        {s.name: radar_calibration(s) for s in sensors if isinstance(s, Radar)},
    )


def project(K: np.ndarray, camera_from_world: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Pixel coordinates (N, 2) and depth (N,) of world points (N, 3)."""
    homogeneous = np.c_[points, np.ones(len(points))]
    cam = (camera_from_world @ homogeneous.T).T[:, :3]
    uv = (K @ cam.T).T
    return np.c_[uv[:, :2] / uv[:, 2:3], cam[:, 2]]
