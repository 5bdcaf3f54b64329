"""The lidar back end: Open3D ``RaycastingScene`` ray casting.

Static geometry lives in one scene built once per simulation; road users go into a small scene
rebuilt for every slice of the sweep. With rolling shutter on, a sweep of 1/rotation_rate s is cut
into slices; each slice casts its columns against the world as it is at that slice's time (the
ego and every road user moved on at their velocities), and its points are expressed in the sensor
frame at their firing time, as a real spinning lidar delivers them before de-skewing.

Intensity = reflectivity x |cos(incidence)| x exp(-2 (alpha_air + fog) range): the material, the
angle and the two-way attenuation of the path, not the range alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import open3d as o3d

from simgen.scenario.models import LidarNoise
from simgen.sensors.rig import LidarCalibration
from simgen.sensors.scene import Placed

AIR_EXTINCTION = 0.002  # 1/m, clear air at 905 nm
DEFAULT_SLICES = 8

POINT_DTYPE = np.dtype(
    [
        ("x", "<f4"),
        ("y", "<f4"),
        ("z", "<f4"),
        ("intensity", "<f4"),
        ("ring", "<u2"),
        ("time", "<f4"),
        ("semantic", "u1"),
        ("instance", "<u2"),
    ]
)


@dataclass(frozen=True)
class _Mesh:
    """Triangles in world coordinates with per-triangle attributes."""

    vertices: np.ndarray
    triangles: np.ndarray
    instance: np.ndarray
    semantic: np.ndarray
    reflectivity: np.ndarray


def _merge(placed: list[Placed], transforms: list[np.ndarray] | None = None) -> _Mesh:
    verts, tris, inst, sem, refl = [], [], [], [], []
    offset = 0
    for i, p in enumerate(placed):
        t = p.transform if transforms is None else transforms[i]
        v = p.part.vertices @ t[:3, :3].T + t[:3, 3]
        verts.append(v)
        tris.append(p.part.faces + offset)
        n = len(p.part.faces)
        inst.append(np.full(n, p.instance_id, np.uint16))
        sem.append(np.full(n, p.class_id, np.uint8))
        refl.append(np.full(n, p.reflectivity, np.float32))
        offset += len(v)
    if not verts:
        empty = np.zeros((0, 3))
        return _Mesh(empty, empty.astype(np.uint32), *(np.zeros(0, d) for d in ("u2", "u1", "f4")))
    return _Mesh(
        np.concatenate(verts).astype(np.float32),
        np.concatenate(tris).astype(np.uint32),
        np.concatenate(inst),
        np.concatenate(sem),
        np.concatenate(refl),
    )


def _scene(mesh: _Mesh) -> o3d.t.geometry.RaycastingScene:
    scene = o3d.t.geometry.RaycastingScene()
    if len(mesh.triangles):
        scene.add_triangles(
            o3d.core.Tensor(mesh.vertices, o3d.core.float32),
            o3d.core.Tensor(mesh.triangles, o3d.core.uint32),
        )
    return scene


def ray_directions(calibration: LidarCalibration) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit directions (columns, channels, 3) in the sensor frame, ring ids and column times.

    Column j fires at azimuth pi - j * resolution (clockwise seen from above, starting behind the
    sensor) at time j / columns / rotation_rate.
    """
    scan = calibration.scan
    columns = scan.columns
    azimuth = math.pi - np.arange(columns) * (2 * math.pi / columns)
    elevation = np.radians(np.asarray(scan.vertical_angles))
    az, el = np.meshgrid(azimuth, elevation, indexing="ij")
    dirs = np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=-1)
    rings = np.broadcast_to(np.arange(scan.channels, dtype=np.uint16), (columns, scan.channels))
    times = (np.arange(columns) / columns / scan.rotation_rate).astype(np.float32)
    return dirs, rings, times


class Open3DLidar:
    def __init__(
        self,
        calibration: LidarCalibration,
        static: list[Placed],
        noise: LidarNoise,
        rolling_shutter: bool,
        slices: int = DEFAULT_SLICES,
    ) -> None:
        self.calibration = calibration
        self.noise = noise
        self.slices = slices if rolling_shutter else 1
        self.static_mesh = _merge(static)
        self.static_scene = _scene(self.static_mesh)
        self.dirs, self.rings, self.times = ray_directions(calibration)

    def _cast(self, pose: np.ndarray, dirs: np.ndarray, dynamic: _Mesh) -> dict[str, np.ndarray]:
        world_dirs = dirs @ pose[:3, :3].T
        origins = np.broadcast_to(pose[:3, 3], world_dirs.shape)
        rays = o3d.core.Tensor(np.c_[origins, world_dirs].astype(np.float32))
        hit_s = self.static_scene.cast_rays(rays)
        t = hit_s["t_hit"].numpy()
        prim = hit_s["primitive_ids"].numpy()
        normals = hit_s["primitive_normals"].numpy()
        inst = np.zeros(len(t), np.uint16)
        hit_static = np.isfinite(t)
        safe = np.where(hit_static, prim, 0)
        sem = np.where(hit_static, self.static_mesh.semantic[safe] if len(safe) else 0, 0).astype(
            np.uint8
        )
        refl = np.where(hit_static, self.static_mesh.reflectivity[safe] if len(safe) else 0, 0)
        if len(dynamic.triangles):
            hit_d = _scene(dynamic).cast_rays(rays)
            td = hit_d["t_hit"].numpy()
            nearer = td < t
            if nearer.any():
                pd = hit_d["primitive_ids"].numpy()[nearer]
                t = np.where(nearer, td, t)
                normals[nearer] = hit_d["primitive_normals"].numpy()[nearer]
                inst[nearer] = dynamic.instance[pd]
                sem[nearer] = dynamic.semantic[pd]
                refl = refl.astype(np.float32)
                refl[nearer] = dynamic.reflectivity[pd]
        cos = np.abs(np.einsum("ij,ij->i", normals, world_dirs))
        return {"t": t, "cos": cos, "instance": inst, "semantic": sem, "reflectivity": refl}

    def capture(
        self,
        sensor_pose_at: Callable[[float], np.ndarray],  # tau -> world_from_sensor
        dynamic_at: Callable[[float], list[Placed]],  # tau -> the road users then
        fog: float,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """A full sweep as a structured array (POINT_DTYPE), in firing order."""
        columns = self.calibration.scan.columns
        bounds = np.linspace(0, columns, self.slices + 1).round().astype(int)
        parts = []
        for k in range(self.slices):
            lo, hi = bounds[k], bounds[k + 1]
            if hi <= lo:
                continue
            tau = float(self.times[lo]) if self.slices > 1 else 0.0
            dirs = self.dirs[lo:hi].reshape(-1, 3)
            hit = self._cast(sensor_pose_at(tau), dirs, _merge(dynamic_at(tau)))
            hit["dirs"] = dirs
            hit["ring"] = self.rings[lo:hi].reshape(-1)
            hit["time"] = np.repeat(self.times[lo:hi], self.calibration.scan.channels)
            parts.append(hit)
        t = np.concatenate([p["t"] for p in parts])
        keep = np.isfinite(t) & (t <= self.calibration.scan.range)
        if self.noise.dropout > 0:
            keep &= rng.random(len(t)) >= self.noise.dropout
        rng_noise = (
            rng.normal(0.0, self.noise.range_std, len(t)) if self.noise.range_std > 0 else 0.0
        )
        r = (t + rng_noise)[keep]
        dirs = np.concatenate([p["dirs"] for p in parts])[keep]
        cos = np.concatenate([p["cos"] for p in parts])[keep]
        refl = np.concatenate([p["reflectivity"] for p in parts])[keep]
        out = np.zeros(len(r), POINT_DTYPE)
        xyz = dirs * r[:, None]
        out["x"], out["y"], out["z"] = xyz[:, 0], xyz[:, 1], xyz[:, 2]
        out["intensity"] = refl * cos * np.exp(-2.0 * (AIR_EXTINCTION + fog) * r)
        out["ring"] = np.concatenate([p["ring"] for p in parts])[keep]
        out["time"] = np.concatenate([p["time"] for p in parts])[keep]
        out["semantic"] = np.concatenate([p["semantic"] for p in parts])[keep]
        out["instance"] = np.concatenate([p["instance"] for p in parts])[keep]
        return out
