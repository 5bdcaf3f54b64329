"""The lidar back end: Open3D ``RaycastingScene`` ray casting.

Static geometry lives in one scene built once per simulation; each road user's mesh keeps a scene
of its own, built once, and the rays that may reach it are taken into its frame
(``movers``). With rolling shutter on, a sweep of 1/rotation_rate s is cut into slices; each slice
casts its columns against the world as it is at that slice's time (the ego and every road user
moved on at their velocities), and its points are expressed in the sensor frame at their firing
time, as a real spinning lidar delivers them before de-skewing.

Intensity = reflectivity x |cos(incidence)| x exp(-2 alpha range): the material, the angle and
the two-way attenuation of the path (clear air, fog and rain; ``lidar_weather``), not the range
alone. Faults (dead rings, a blocked sector of the window) remove exactly the rays they hit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import open3d as o3d

from simgen.core.classes import BY_NAME
from simgen.core.cpu import thread_share
from simgen.dataset.layout import POINT_DTYPE
from simgen.scenario.models import LidarNoise
from simgen.sensors.lidar_weather import weather_returns
from simgen.sensors.open3d.movers import Span, cast_movers
from simgen.sensors.rig import LidarCalibration
from simgen.sensors.scene import Placed, extrapolate_pose

DEFAULT_SLICES = 8
ELEVATION_MARGIN = 1e-6  # radians: a ring at the very edge of a road user's sphere is still cast
SCATTER_ID = BY_NAME["scatter"].id
GROUND = [BY_NAME[n].id for n in ("road", "lane_marking", "sidewalk", "kerb")]


@dataclass(frozen=True)
class LidarConditions:
    """The atmosphere and the faults acting on one sweep."""

    fog: float = 0.0  # extinction, 1/m
    rain_mmh: float = 0.0
    dead_rings: tuple[int, ...] = ()
    blocked: tuple[tuple[float, float], ...] = ()  # azimuth sectors, degrees, lidar frame


@dataclass(frozen=True)
class LocalMesh:
    """A road user's parts merged in its own frame, with per-triangle class and reflectivity."""

    vertices: np.ndarray
    triangles: np.ndarray
    semantic: np.ndarray
    reflectivity: np.ndarray
    radius: float  # of a sphere around ``center`` that holds every vertex
    center: np.ndarray  # (3,) the centre of the mesh's bounds, in its own frame

    @cached_property
    def scene(self) -> o3d.t.geometry.RaycastingScene:
        """Its BVH, in its own frame, built on first use: rays come to it (``movers``)."""
        return raycasting_scene(self)

    @cached_property
    def corners(self) -> np.ndarray:
        """(8, 3) the corners of its vertices' bounding box, in its own frame."""
        lo, hi = self.vertices.min(axis=0), self.vertices.max(axis=0)
        return np.array([[(lo, hi)[(k >> a) & 1][a] for a in range(3)] for k in range(8)])


@dataclass(frozen=True)
class Reach:
    """The bodies a slice of columns can hit (``index`` into its bodies) and, for each, the
    first and last column (unwrapped: may lie outside the slice) and the lowest and highest
    elevation (radians, sensor frame) of a ray that can, and the least distance at which one
    can (less than any hit on it)."""

    index: np.ndarray
    first: np.ndarray
    last: np.ndarray
    low: np.ndarray
    high: np.ndarray
    nearest: np.ndarray


@dataclass(frozen=True)
class Body:
    """A road user as the lidar needs it: an id, its mesh, its pose and how it moves on."""

    instance_id: int
    mesh: LocalMesh
    transform: np.ndarray  # world pose at the start of the sweep
    velocity: np.ndarray  # m/s, world
    yaw_rate: float  # rad/s

    def pose_at(self, tau: float) -> np.ndarray:
        return extrapolate_pose(self.transform, self.velocity, self.yaw_rate, tau)


@dataclass(frozen=True)
class Moving:
    """The road users of a sweep as arrays: their mesh boxes and how they move on, so that the
    box of every one is posed at a slice's time in one pass."""

    corners: np.ndarray  # (B, 8, 3) each mesh's box corners, in its own frame
    transforms: np.ndarray  # (B, 4, 4) world poses at the start of the sweep
    velocities: np.ndarray  # (B, 3)
    yaw_rates: np.ndarray  # (B,)

    @staticmethod
    def of(bodies: list[Body]) -> Moving:
        return Moving(
            np.array([b.mesh.corners for b in bodies]).reshape(-1, 8, 3),
            np.array([b.transform for b in bodies]).reshape(-1, 4, 4),
            np.array([b.velocity for b in bodies], float).reshape(-1, 3),
            np.array([b.yaw_rate for b in bodies], float),
        )

    def boxes(self, tau: float, sensor: np.ndarray) -> Boxed:
        """Each body's box, the body posed ``tau`` s into the sweep (``extrapolate_pose``), as
        a sensor posed ``sensor`` sees it (``Boxed``)."""
        turn = self.yaw_rates * tau
        c, s = np.cos(turn), np.sin(turn)
        yaw = np.zeros((len(turn), 3, 3))
        yaw[:, 0, 0], yaw[:, 0, 1], yaw[:, 1, 0], yaw[:, 1, 1] = c, -s, s, c
        yaw[:, 2, 2] = 1.0
        rotation = yaw @ self.transforms[:, :3, :3]
        origin = self.transforms[:, :3, 3] + self.velocities * tau
        world = np.einsum("bij,bkj->bki", rotation, self.corners) + origin[:, None, :]
        local = (world - sensor[:3, 3]) @ sensor[:3, :3]
        lo, hi = local.min(axis=1), local.max(axis=1)
        # horizontal distance from the sensor's axis to the box's footprint: least, greatest
        near = np.hypot(np.maximum(np.maximum(lo[:, 0], -hi[:, 0]), 0.0),
                        np.maximum(np.maximum(lo[:, 1], -hi[:, 1]), 0.0))  # fmt: skip
        far = np.hypot(np.maximum(np.abs(lo[:, 0]), np.abs(hi[:, 0])),
                       np.maximum(np.abs(lo[:, 1]), np.abs(hi[:, 1])))  # fmt: skip
        top, bottom = hi[:, 2], lo[:, 2]
        high = np.arctan2(top, np.where(top >= 0, near, far))
        low = np.arctan2(bottom, np.where(bottom >= 0, far, near))
        return Boxed(low, high, lo[:, :2], hi[:, :2], near > 0)


@dataclass(frozen=True)
class Boxed:
    """Bodies' boxes in a sensor's frame, by the box (in that frame) around each posed box's
    corners, which holds the body: the least and greatest elevation (radians) of a point in
    it, and its footprint, the rectangle ``lo``..``hi`` (x, y), which does not hold the
    sensor's vertical axis where ``apart``."""

    low: np.ndarray
    high: np.ndarray
    lo: np.ndarray  # (B, 2)
    hi: np.ndarray  # (B, 2)
    apart: np.ndarray  # (B,) bool

    def azimuths(self, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """How far the footprint reaches from azimuth ``centre`` (B,) (radians, towards larger
        azimuths and towards smaller ones; inf where it holds the axis): from outside, a
        rectangle spans the angles of its corners."""
        xs = np.stack([self.lo[:, 0], self.hi[:, 0], self.hi[:, 0], self.lo[:, 0]], axis=1)
        ys = np.stack([self.lo[:, 1], self.lo[:, 1], self.hi[:, 1], self.hi[:, 1]], axis=1)
        delta = (np.arctan2(ys, xs) - centre[:, None] + math.pi) % (2 * math.pi) - math.pi
        larger = np.where(self.apart, delta.max(axis=1), np.inf)
        smaller = np.where(self.apart, -delta.min(axis=1), np.inf)
        return larger, smaller


def local_mesh(parts: list[Placed]) -> LocalMesh:
    """Merge one road user's placed parts (all in the same frame) into a LocalMesh."""
    merged = merge_parts(
        [Placed(p.part, np.eye(4), 0, p.class_id, p.color, p.reflectivity) for p in parts]
    )
    lo, hi = merged.vertices.min(axis=0), merged.vertices.max(axis=0)
    radius = float(np.linalg.norm(hi - lo) / 2)
    return LocalMesh(
        merged.vertices.astype(np.float64),
        merged.triangles,
        merged.semantic,
        merged.reflectivity,
        radius,
        ((lo + hi) / 2).astype(np.float64),
    )


@dataclass(frozen=True)
class _Mesh:
    """Triangles in world coordinates with per-triangle attributes."""

    vertices: np.ndarray
    triangles: np.ndarray
    instance: np.ndarray
    semantic: np.ndarray
    reflectivity: np.ndarray


def merge_parts(placed: list[Placed], transforms: list[np.ndarray] | None = None) -> _Mesh:
    """Placed parts as one mesh with per-triangle ids and materials (the radar casts it too)."""
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
    return _concat(verts, tris, inst, sem, refl)


def _concat(verts: list, tris: list, inst: list, sem: list, refl: list) -> _Mesh:
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


def raycasting_scene(mesh: _Mesh) -> o3d.t.geometry.RaycastingScene:
    """A BVH over ``mesh`` for casting, shared by the lidar and the radar."""
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
        self.threads = thread_share()  # Embree's threads; a pool worker keeps to its share
        self.static_mesh = merge_parts(static)
        self.static_scene = raycasting_scene(self.static_mesh)
        self.static_semantic = np.r_[self.static_mesh.semantic, 0].astype(np.uint8)
        self.static_reflectivity = np.r_[self.static_mesh.reflectivity, 0].astype(np.float32)
        self.dirs, self.rings, self.times = ray_directions(calibration)
        self.elevations = np.radians(np.asarray(calibration.scan.vertical_angles))
        flat = self.dirs.reshape(-1, 3)
        self.flat_dirs = np.ascontiguousarray(flat, np.float32)
        self._rays = np.empty((len(flat), 6), np.float32)
        bounds = np.linspace(0, calibration.scan.columns, self.slices + 1).round().astype(int)
        column_slice = np.searchsorted(
            bounds[1:], np.arange(calibration.scan.columns), side="right"
        )
        self.column_slice = column_slice
        self.dir_x, self.dir_y, self.dir_z = (
            np.ascontiguousarray(flat[:, i], np.float32) for i in range(3)
        )
        self.flat_rings = np.ascontiguousarray(self.rings.reshape(-1))
        self.flat_times = np.repeat(self.times, calibration.scan.channels)

    def capture(
        self,
        sensor_pose_at: Callable[[float], np.ndarray],
        bodies: list[Body],
        conditions: LidarConditions,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """A full sweep as a structured array (POINT_DTYPE), in firing order.

        ``sensor_pose_at(tau)`` is the world_from_sensor pose ``tau`` s after the sweep starts;
        each body knows its own pose at any ``tau``.
        """
        scan = self.calibration.scan
        bounds = np.linspace(0, scan.columns, self.slices + 1).round().astype(int)
        slices = [(int(lo), int(hi)) for lo, hi in itertools.pairwise(bounds) if hi > lo]
        taus = [float(self.times[lo]) if self.slices > 1 else 0.0 for lo, _ in slices]
        poses = [sensor_pose_at(tau) for tau in taus]
        # every ray leaves from where the sensor is when it fires; static geometry: one cast
        rays = self._rays  # (columns * channels, 6) float32, reused: origin, direction
        for (lo, hi), pose in zip(slices, poses, strict=True):
            rows = slice(lo * scan.channels, hi * scan.channels)
            rays[rows, 3:] = self.flat_dirs[rows] @ pose[:3, :3].T.astype(np.float32)
            rays[rows, :3] = pose[:3, 3]
        world_dirs = rays[:, 3:]
        hit = self.static_scene.cast_rays(o3d.core.Tensor(rays), nthreads=self.threads)
        t = hit["t_hit"].numpy()
        normals = hit["primitive_normals"].numpy()
        # misses carry Open3D's invalid id (2**32 - 1): clamp it onto a trailing "nothing" entry
        prim = np.minimum(hit["primitive_ids"].numpy(), len(self.static_semantic) - 1)
        semantic = self.static_semantic[prim]
        reflectivity = self.static_reflectivity[prim]
        instance = np.zeros(len(t), np.uint16)
        # road users: each slice's bodies near its sector, posed at its time; the columns that
        # may see one are cast against it, in its frame
        channels = scan.channels
        starts = np.array(
            [b.transform[:3, :3] @ b.mesh.center + b.transform[:3, 3] for b in bodies]
        ).reshape(-1, 3)  # bounding spheres: a posed body's bounds need not centre on its origin
        radii = np.array([b.mesh.radius for b in bodies])
        moving = Moving.of(bodies)
        spans: dict[int, list[Span]] = {}
        for (lo, hi), tau, pose in zip(slices, taus, poses, strict=True):
            centers = starts + moving.velocities * tau
            reach = self._in_sector(centers, radii, pose, lo, hi, moving.boxes(tau, pose))
            for k, i in enumerate(reach.index.tolist()):
                a, b = reach.first[k], reach.last[k]
                begin = lo if a <= lo else math.ceil(a)
                end = hi if b >= hi - 1 else math.floor(b) + 1
                up = (self.elevations >= reach.low[k]) & (self.elevations <= reach.high[k])
                rings = np.nonzero(up)[0]
                if end <= begin or not len(rings):
                    continue
                rows = (np.arange(begin, end)[:, None] * channels + rings).ravel()
                rows = rows[t[rows] > reach.nearest[k]]  # the world is nearer: it cannot show
                if len(rows):
                    spans.setdefault(i, []).append(Span(bodies[i].pose_at(tau), rows))
        if spans:
            jobs = [(bodies[i].instance_id, bodies[i].mesh, spans[i]) for i in sorted(spans)]
            movers = cast_movers(rays, jobs, self.threads)
            movers.cover(t, normals, instance, semantic, reflectivity)
        return self._points(
            t, normals, world_dirs, instance, semantic, reflectivity, conditions, rng
        )

    def _in_sector(
        self,
        centers: np.ndarray,
        radius: np.ndarray,
        pose: np.ndarray,
        lo: int,
        hi: int,
        boxed: Boxed,
    ) -> Reach:
        """The bodies (bounding spheres) that columns lo..hi of a sensor at ``pose`` can hit;
        ``boxed``, their boxes (``Moving.boxes``), narrow the columns and rings a sphere
        spans (a car seen end on spans a third of its sphere's columns)."""
        if not len(centers):
            empty = np.zeros(0)
            return Reach(empty.astype(int), empty, empty, empty, empty, empty)
        local = (centers - pose[:3, 3]) @ pose[:3, :3]
        distance = np.hypot(local[:, 0], local[:, 1])
        half = np.arcsin(np.clip(radius / np.maximum(distance, 1e-9), 0.0, 1.0))
        step = 2 * math.pi / self.calibration.scan.columns
        first = math.pi - lo * step  # columns sweep clockwise from behind
        azimuth = np.arctan2(local[:, 1], local[:, 0])
        offset = (first - azimuth) % (2 * math.pi)
        # a point at a larger azimuth fires at an earlier column: a smaller offset
        larger, smaller = boxed.azimuths(azimuth)
        before, after = np.minimum(half, larger), np.minimum(half, smaller)
        inside = (offset - before <= (hi - lo) * step) | (offset + after >= 2 * math.pi)
        close = distance <= radius
        keep = (close | inside) & (distance <= self.calibration.scan.range + radius)
        # columns (relative to lo, unwrapped) from which each kept body may be seen
        start = np.where(close, -np.inf, np.floor((offset - before) / step) - 1)
        stop = np.where(close, np.inf, np.ceil((offset + after) / step) + 1)
        wrapped = offset + after >= 2 * math.pi
        start = np.where(wrapped & ~close, start - 2 * math.pi / step, start)
        stop = np.where(wrapped & ~close, stop - 2 * math.pi / step, stop)
        # a ray's angle to the centre is at least their difference in elevation
        away = np.linalg.norm(local, axis=1)
        elevation = np.arctan2(local[:, 2], distance)
        spread = np.arcsin(np.clip(radius / np.maximum(away, 1e-9), 0.0, 1.0)) + ELEVATION_MARGIN
        low = np.where(close, -np.inf, elevation - spread)
        high = np.where(close, np.inf, elevation + spread)
        low = np.maximum(low, boxed.low - ELEVATION_MARGIN)
        high = np.minimum(high, boxed.high + ELEVATION_MARGIN)
        i = np.nonzero(keep)[0]
        return Reach(i, start[i] + lo, stop[i] + lo, low[i], high[i], (away - radius)[i])

    def _points(
        self,
        t: np.ndarray,
        normals: np.ndarray,
        world_dirs: np.ndarray,
        instance: np.ndarray,
        semantic: np.ndarray,
        reflectivity: np.ndarray,
        conditions: LidarConditions,
        rng: np.random.Generator,
    ) -> np.ndarray:
        scan = self.calibration.scan
        # 1-D gathers only: indexing (N, 3) arrays costs several times more
        cos = np.abs(
            normals[:, 0] * world_dirs[:, 0]
            + normals[:, 1] * world_dirs[:, 1]
            + normals[:, 2] * world_dirs[:, 2]
        )
        ground = np.isin(semantic, GROUND) if conditions.rain_mmh > 0 else None
        weather = weather_returns(
            t, reflectivity * cos, conditions.fog, conditions.rain_mmh, scan.range, rng, ground
        )
        keep = weather.keep & self._working(conditions)
        if self.noise.dropout > 0:
            keep &= rng.random(len(t)) >= self.noise.dropout
        noise = rng.normal(0.0, self.noise.range_std, len(t)) if self.noise.range_std > 0 else 0.0
        idx = np.nonzero(keep)[0]
        r = (weather.range + noise)[idx].astype(np.float32)
        out = np.empty(len(r), POINT_DTYPE)
        out["x"], out["y"], out["z"] = self.dir_x[idx] * r, self.dir_y[idx] * r, self.dir_z[idx] * r
        out["intensity"] = weather.intensity[idx]
        out["ring"] = self.flat_rings[idx]
        out["time"] = self.flat_times[idx]
        scatter = weather.scatter[idx]
        out["semantic"] = np.where(scatter, SCATTER_ID, semantic[idx])
        out["instance"] = np.where(scatter, 0, instance[idx])
        return out

    def cast_times(self, points: np.ndarray) -> np.ndarray:
        """Seconds into the sweep at which the world each point hit was posed: its slice's
        start with a rolling shutter, 0 without (``time`` is its column's firing time)."""
        if self.slices == 1:
            return np.zeros(len(points))
        scan = self.calibration.scan
        column = np.rint(points["time"].astype(np.float64) * scan.rotation_rate * scan.columns)
        column = np.clip(column.astype(np.int64), 0, scan.columns - 1)
        bounds = np.linspace(0, scan.columns, self.slices + 1).round().astype(int)
        starts = self.times[bounds[:-1]].astype(np.float64)
        return starts[self.column_slice[column]]

    def _working(self, conditions: LidarConditions) -> np.ndarray:
        """Rays whose laser works and whose window is clear."""
        ok = np.ones(len(self.flat_rings), bool)
        if conditions.dead_rings:
            ok &= ~np.isin(self.flat_rings, list(conditions.dead_rings))
        if conditions.blocked:
            azimuth = np.degrees(np.arctan2(self.dir_y, self.dir_x))
            for lo, hi in conditions.blocked:
                inside = (azimuth - lo) % 360.0 <= (hi - lo) % 360.0
                ok &= ~inside
        return ok
