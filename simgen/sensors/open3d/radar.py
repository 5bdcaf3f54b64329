"""The radar back end: rays cast with Open3D ``RaycastingScene`` over the field of view.

The world is cast as the lidar casts it (``open3d.lidar``: the static world built once, each road
user in its own frame, ``movers``); the rays sample the field of view several times finer than the
radar's resolution cells, and ``radar_model`` turns the hits into targets. A scan is taken at one
instant (a radar's cycle is tens of milliseconds; the lidar's rolling shutter is not needed).
"""

from __future__ import annotations

import math

import numpy as np
import open3d as o3d

from simgen.core.cpu import thread_share
from simgen.scenario.radar_presets import RadarPattern
from simgen.sensors.open3d.lidar import Body, LocalMesh, merge_parts, raycasting_scene
from simgen.sensors.open3d.movers import Span, cast_movers
from simgen.sensors.radar_model import RadarConditions, RayHits, targets
from simgen.sensors.rig import RadarCalibration
from simgen.sensors.scene import Placed

AZIMUTH_SAMPLES = 4  # rays per azimuth cell
MAX_AZIMUTH_STEP = 0.2  # degrees: small targets far away are still hit
ELEVATION_STEP = 0.5  # degrees
CONE_MARGIN = 1e-6  # a ray grazing a road user's bounding sphere is still cast


def ray_grid(pattern: RadarPattern) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unit directions (N, 3) in the radar frame, their azimuth and elevation (rad) and the
    solid angle (sr) each stands for."""
    az_step = min(pattern.azimuth_resolution / AZIMUTH_SAMPLES, MAX_AZIMUTH_STEP)
    el_step = min(ELEVATION_STEP, pattern.elevation_fov / 4)
    n_az = max(1, math.ceil(pattern.azimuth_fov / az_step))
    n_el = max(1, math.ceil(pattern.elevation_fov / el_step))
    # cell centres, symmetric about boresight
    az = np.radians(
        (np.arange(n_az) + 0.5) * (pattern.azimuth_fov / n_az) - pattern.azimuth_fov / 2
    )
    el = np.radians(
        (np.arange(n_el) + 0.5) * (pattern.elevation_fov / n_el) - pattern.elevation_fov / 2
    )
    a, e = (g.reshape(-1) for g in np.meshgrid(az, el, indexing="ij"))
    dirs = np.stack([np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)], axis=1)
    d_az = math.radians(pattern.azimuth_fov / n_az)
    d_el = math.radians(pattern.elevation_fov / n_el)
    return dirs, a, e, d_az * d_el * np.cos(e)


class Open3DRadar:
    def __init__(
        self,
        calibration: RadarCalibration,
        static: list[Placed],
        false_alarms: float,
        ghost_rate: float,
        max_targets: int,
    ) -> None:
        self.calibration = calibration
        self.false_alarms = false_alarms
        self.ghost_rate = ghost_rate
        self.max_targets = max_targets
        self.threads = thread_share()
        mesh = merge_parts(static)
        self.static_scene = raycasting_scene(mesh)
        self.static_semantic = np.r_[mesh.semantic, 0].astype(np.uint8)
        self.dirs, self.azimuth, self.elevation, self.solid_angle = ray_grid(calibration.pattern)

    def capture(
        self,
        world_from_sensor: np.ndarray,
        sensor_velocity: np.ndarray,
        bodies: list[Body],
        conditions: RadarConditions,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """One scan's targets (``RADAR_DTYPE``) in the radar frame; ``sensor_velocity`` is the
        radar's own velocity in the world (m/s)."""
        pattern = self.calibration.pattern
        origin = world_from_sensor[:3, 3]
        world_dirs = self.dirs @ world_from_sensor[:3, :3].T
        rays = np.empty((len(world_dirs), 6), np.float32)
        rays[:, :3], rays[:, 3:] = origin, world_dirs
        hit = self.static_scene.cast_rays(o3d.core.Tensor(rays), nthreads=self.threads)
        t = hit["t_hit"].numpy().copy()
        normals = hit["primitive_normals"].numpy().copy()
        prim = np.minimum(hit["primitive_ids"].numpy(), len(self.static_semantic) - 1)
        semantic = self.static_semantic[prim]
        instance = np.zeros(len(t), np.uint16)
        # road users within reach, posed now; each cast with the rays of the cone its bounding
        # sphere fills, and that the static world does not stop first (``movers``)
        jobs: list[tuple[int, LocalMesh, list[Span]]] = []
        near: list[Body] = []
        for b in bodies:
            centre = b.transform[:3, :3] @ b.mesh.center + b.transform[:3, 3] - origin
            away = float(np.linalg.norm(centre))
            if away > pattern.range * 2 + b.mesh.radius:
                continue
            near.append(b)
            if away > b.mesh.radius:
                towards = (centre / away) @ world_from_sensor[:3, :3]  # the radar's axes
                cone = math.cos(math.asin(b.mesh.radius / away)) - CONE_MARGIN
                rows = np.nonzero((self.dirs @ towards >= cone) & (t > away - b.mesh.radius))[0]
            else:  # the radar is inside its sphere
                rows = np.arange(len(rays))
            if len(rows):
                jobs.append((b.instance_id, b.mesh, [Span(b.transform, rows)]))
        velocity = np.zeros((1, 3))
        yaw_rate, position = np.zeros(1), np.zeros((1, 3))
        if near:
            cast_movers(rays, jobs, self.threads).cover(t, normals, instance, semantic)
            top = max(b.instance_id for b in near) + 1
            velocity, yaw_rate, position = np.zeros((top, 3)), np.zeros(top), np.zeros((top, 3))
            for b in near:
                velocity[b.instance_id] = b.velocity
                yaw_rate[b.instance_id] = b.yaw_rate
                position[b.instance_id] = b.transform[:3, 3]
        hits = np.nonzero(np.isfinite(t) & (t <= 2 * pattern.range))[0]
        r = t[hits].astype(np.float64)
        d = world_dirs[hits]
        ids = instance[hits]
        points = origin + d * r[:, None]
        # each hit point's velocity: its body's, turning at its yaw rate; the world stands still
        lever = points - position[ids]
        spin = yaw_rate[ids][:, None] * np.stack(
            [-lever[:, 1], lever[:, 0], np.zeros(len(r))], axis=1
        )
        moving = np.where((ids > 0)[:, None], velocity[ids] + spin, 0.0)
        own = d @ np.asarray(sensor_velocity, np.float64)
        found = RayHits(
            range=r,
            azimuth=self.azimuth[hits],
            elevation=self.elevation[hits],
            cos_incidence=np.abs(np.sum(normals[hits] * d, axis=1)),
            solid_angle=self.solid_angle[hits],
            radial_velocity=np.sum(moving * d, axis=1) - own,
            sensor_radial=own,
            semantic=semantic[hits],
            instance=ids,
        )
        return targets(
            found, pattern, conditions, self.false_alarms, self.ghost_rate, self.max_targets, rng
        )
