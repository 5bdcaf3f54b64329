"""``simgen bench``: the cost of one fully labelled frame, stage by stage, and what it replaces.

It renders ``scenarios/bench_highway.yaml`` (32 road users, a 1280x720 camera with all four
outputs, an hdl64e lidar) through the real pipeline, writing a dataset to a temporary folder.
The opt-in outputs (``flow``, ``scene_flow``, ``normals``, the lidar's scene flow) can be added
to its sensors, so that what each costs is measured on the same frames (``BenchOptions``).
In the same run it times two baselines on the same frames:
- a raw Open3D cast of the same rays against the same triangles (the floor for the lidar stage),
  timed back to back with the lidar alone after the pipeline has run, so that neither is
  loaded by the pipeline's threads more than the other;
- the naive PyBullet pipeline: ``getCameraImage`` with its segmentation mask for the camera and
  ``rayTestBatch`` (16,384 rays per call at most) for the lidar.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import tempfile
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import open3d as o3d
import pybullet as p

from simgen.core.collector import timed_collections
from simgen.core.cpu import cpu_model, cpu_seconds
from simgen.core.geometry import quat_from_matrix
from simgen.dataset.writer import NativeWriter
from simgen.pipeline.capture import capture
from simgen.scenario.load import load_scenario
from simgen.scenario.models import Camera, Lidar, Scenario
from simgen.scenario.sample import ScenarioInstance, sample
from simgen.sensors.open3d.lidar import LidarConditions, Open3DLidar, merge_parts, ray_directions
from simgen.sensors.pyrender.camera import Z_FAR, Z_NEAR
from simgen.sensors.scene import Placed, static_placements
from simgen.sensors.suite import SensorSuite, sensor_pose
from simgen.world.simulate import simulate
from simgen.world.state import StaticWorld, WorldState

BENCH_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "bench_highway.yaml"
PYBULLET_MAX_RAYS = 16384


BENCH_OUTPUTS = ("flow", "scene_flow", "normals")  # the camera outputs the bench can add


@dataclass(frozen=True)
class BenchOptions:
    """What the bench scene's sensors write beyond their own outputs."""

    outputs: tuple[str, ...] = ()  # camera outputs added to every camera (``BENCH_OUTPUTS``)
    lidar_scene_flow: bool = False  # every lidar gives its points' scene flow

    def __post_init__(self) -> None:
        unknown = sorted(set(self.outputs) - set(BENCH_OUTPUTS))
        if unknown:
            raise ValueError(
                f"bench outputs {unknown}: expected some of {', '.join(BENCH_OUTPUTS)}"
            )

    def apply(self, scenario: Scenario) -> Scenario:
        """The scenario with these outputs added to its ego's sensors."""
        sensors = []
        for sensor in scenario.ego.sensors:
            if isinstance(sensor, Camera):
                added = [o for o in BENCH_OUTPUTS if o in self.outputs and o not in sensor.outputs]
                sensor = sensor.model_copy(update={"outputs": [*sensor.outputs, *added]})
            elif isinstance(sensor, Lidar) and self.lidar_scene_flow:
                sensor = sensor.model_copy(update={"scene_flow": True})
            sensors.append(sensor)
        ego = scenario.ego.model_copy(update={"sensors": sensors})
        return scenario.model_copy(update={"ego": ego})


@dataclass
class BenchResult:
    machine: str
    frames: int
    stages_ms: dict[str, float]  # medians per frame
    frame_ms: float  # median of the summed stages of a frame
    pipelined_frame_ms: float  # wall time / frames, with encoding overlapping rendering
    frames_per_s: float
    # this process's CPU time (user + system, every thread; it starts no child) / frames, over
    # the same frames and span as the wall time: what a labelled frame costs on any host
    cpu_ms_per_frame: float
    busy_cores: float  # that CPU time over the wall time: cores the pipeline kept busy
    # the lidar's sweep timed beside a raw cast of its rays, outside the pipeline (None: the
    # scene has no lidar)
    raw_open3d_ms: float | None
    lidar_alone_ms: float | None
    lidar_vs_raw: float | None
    naive_ms: dict[str, float] = field(default_factory=dict)
    naive_frames: int = 0
    speedup_vs_naive: float = 0.0
    peak_rss_mb: float = 0.0
    rays: int = 0
    outputs: list[str] = field(default_factory=list)  # the opt-in outputs added
    lidar_scene_flow: bool = False
    scenario: str = "bench_highway"  # the scene's name

    def to_json(self) -> dict:
        return self.__dict__.copy()


def _machine() -> str:
    return f"{cpu_model()}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}"


def _raw_cast_seconds(lidar: Open3DLidar, state: WorldState, dynamic: list[Placed]) -> float:
    """One cast of every ray of the sweep against static + road users, scene built beforehand."""
    static = lidar.static_mesh
    moving = merge_parts(dynamic)
    scene = o3d.t.geometry.RaycastingScene()
    scene.add_triangles(o3d.core.Tensor(static.vertices), o3d.core.Tensor(static.triangles))
    if len(moving.triangles):
        scene.add_triangles(o3d.core.Tensor(moving.vertices), o3d.core.Tensor(moving.triangles))
    pose = state.ego.transform() @ lidar.calibration.ego_from_lidar
    dirs = lidar.dirs.reshape(-1, 3) @ pose[:3, :3].T
    rays = o3d.core.Tensor(np.c_[np.broadcast_to(pose[:3, 3], dirs.shape), dirs].astype(np.float32))
    scene.cast_rays(rays)  # the first cast builds the BVH
    start = time.perf_counter()
    scene.cast_rays(rays)
    return time.perf_counter() - start


class NaivePyBullet:
    """The same scene in PyBullet's own renderer and ray tester."""

    def __init__(self, static: list[Placed]) -> None:
        self.client = p.connect(p.DIRECT)
        self.bodies: dict[str, int] = {}
        for i, placed in enumerate(static):
            self._body(f"static/{i}", placed, static=True)

    def _body(self, key: str, placed: Placed, static: bool) -> int:
        vertices = placed.part.vertices
        if static:
            vertices = vertices @ placed.transform[:3, :3].T + placed.transform[:3, 3]
        indices = placed.part.faces.ravel().tolist()
        kw = {"vertices": vertices.tolist(), "indices": indices, "physicsClientId": self.client}
        visual = p.createVisualShape(p.GEOM_MESH, rgbaColor=[*placed.color, 1.0], **kw)
        collision = p.createCollisionShape(p.GEOM_MESH, **kw)
        body = p.createMultiBody(0, collision, visual, physicsClientId=self.client)
        self.bodies[key] = body
        return body

    def pose(self, dynamic: list[Placed]) -> None:
        for placed in dynamic:
            key = f"{placed.part.key}#{placed.instance_id}"
            body = self.bodies.get(key) or self._body(key, placed, static=False)
            rotation = placed.transform[:3, :3]
            quat = list(quat_from_matrix(rotation))
            p.resetBasePositionAndOrientation(
                body, placed.transform[:3, 3].tolist(), quat, physicsClientId=self.client
            )

    def camera(
        self, world_from_camera: np.ndarray, K: np.ndarray, width: int, height: int
    ) -> float:
        eye = world_from_camera[:3, 3]
        forward = world_from_camera[:3, 2]
        up = -world_from_camera[:3, 1]
        view = p.computeViewMatrix(eye.tolist(), (eye + forward).tolist(), up.tolist())
        fov_y = np.degrees(2 * np.arctan(height / 2 / K[1, 1]))
        proj = p.computeProjectionMatrixFOV(fov_y, width / height, Z_NEAR, Z_FAR)
        start = time.perf_counter()
        p.getCameraImage(width, height, view, proj, renderer=p.ER_TINY_RENDERER,
                         physicsClientId=self.client)  # fmt: skip
        return time.perf_counter() - start

    def lidar(self, origin: np.ndarray, dirs: np.ndarray, max_range: float) -> float:
        start = time.perf_counter()
        ends = origin + dirs * max_range
        for lo in range(0, len(dirs), PYBULLET_MAX_RAYS):
            chunk = slice(lo, lo + PYBULLET_MAX_RAYS)
            p.rayTestBatch(
                np.broadcast_to(origin, ends[chunk].shape).tolist(),
                ends[chunk].tolist(),
                physicsClientId=self.client,
            )
        return time.perf_counter() - start

    def close(self) -> None:
        p.disconnect(self.client)


def _lidar_against_raw(
    lidar: Open3DLidar, suite: SensorSuite, samples: list[tuple[WorldState, list[Placed]]]
) -> tuple[list[float], list[float]]:
    """The lidar's sweep and a raw cast of the same rays, timed back to back on the pipeline's
    frames once it has finished: inside the pipeline, its threads would load one more than the
    other."""
    ego_from_lidar = lidar.calibration.ego_from_lidar
    swept, raw = [], []
    for state, dynamic in samples:
        start = time.perf_counter()
        lidar.capture(
            partial(sensor_pose, state, ego_from_lidar),
            suite.bodies(state),
            LidarConditions(),
            np.random.default_rng(0),
        )
        swept.append(time.perf_counter() - start)
        raw.append(_raw_cast_seconds(lidar, state, dynamic))
    return swept, raw


def run_bench(
    frames: int = 20,
    naive_frames: int = 3,
    scenario: Path = BENCH_SCENARIO,
    options: BenchOptions = BenchOptions(),
) -> BenchResult:
    """Render ``frames`` frames through the pipeline's own loop (``pipeline.capture``), writing
    them as ``simgen render`` does, and time each stage from what the loop reports; ``options``
    adds opt-in outputs to the scene's sensors."""
    loaded = load_scenario(scenario)
    drawn = sample(loaded.scenario, 0)
    instance = drawn.model_copy(update={"scenario": options.apply(drawn.scenario)})
    frames = min(frames, instance.scenario.frames)
    stages: dict[str, list[float]] = {}
    totals: list[float] = []
    developing: list[Future[float]] = []
    samples: list[tuple[WorldState, list[Placed]]] = []
    rigs: list[SensorSuite] = []
    wall_start = [0.0]
    cpu_start = [0.0]

    def rig(instance: ScenarioInstance, static: StaticWorld) -> SensorSuite:
        rigs.append(SensorSuite(instance, static))
        wall_start[0] = time.perf_counter()  # building the rig is not a frame's cost
        cpu_start[0] = cpu_seconds()
        collected.seconds, collected.collections = 0.0, 0
        return rigs[0]

    with (
        tempfile.TemporaryDirectory(prefix="simgen-bench-") as tmp,
        timed_collections() as collected,
    ):
        writer = NativeWriter(Path(tmp), {})
        for index, found in enumerate(capture(instance, limit=frames, suite=rig)):
            start = time.perf_counter()
            writer.write_frame(found.state.frame, found.data, found.labels)
            written = time.perf_counter() - start
            if index > 0:  # the first frame warms caches (shaders, BVH, meshes)
                samples.append((found.state, rigs[0].road_users(found.state)))
                for stage, seconds in found.timings.items():
                    stages.setdefault(stage, []).append(seconds)
                stages.setdefault("encode+write (queue)", []).append(written)
                totals.append(found.seconds + written)
                developing += found.sensors.developing.values()
        writer.drain()
        wall = time.perf_counter() - wall_start[0]
        cpu = cpu_seconds() - cpu_start[0]
        collecting = collected.seconds
        encode = writer.busy_seconds / max(1, frames)
    (suite,) = rigs  # closed by the loop: its lidars and scene description stay usable
    lidar = _open3d_lidar(suite)
    swept, raw_casts = _lidar_against_raw(lidar, suite, samples) if lidar else ([], [])
    medians = {k: 1000 * statistics.median(v) for k, v in stages.items()}
    medians["encode+write (worker threads)"] = 1000 * encode
    medians["python gc (mean)"] = 1000 * collecting / frames  # lumpy: a full one now and then
    # the RGB is developed on its own thread, beside the lidar, the labels and the next frame
    medians["develop RGB (thread)"] = 1000 * statistics.median(
        [f.result() for f in developing] or [0.0]
    )
    naive = _naive(suite, instance, naive_frames)
    frame_ms = 1000 * statistics.median(totals)
    ours_sensors = sum(v for k, v in medians.items() if k.startswith(("camera", "lidar")))
    naive_total = frame_ms - ours_sensors + sum(naive.values())
    return BenchResult(
        machine=_machine(),
        frames=frames - 1,
        stages_ms=medians,
        frame_ms=frame_ms,
        pipelined_frame_ms=1000 * wall / frames,
        frames_per_s=frames / wall,
        cpu_ms_per_frame=1000 * cpu / frames,
        busy_cores=cpu / wall,
        raw_open3d_ms=1000 * statistics.median(raw_casts) if raw_casts else None,
        lidar_alone_ms=1000 * statistics.median(swept) if swept else None,
        lidar_vs_raw=statistics.median(swept) / statistics.median(raw_casts) if swept else None,
        naive_ms={**naive, "frame": naive_total},
        naive_frames=naive_frames,
        speedup_vs_naive=naive_total / frame_ms,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        rays=lidar.calibration.scan.rays_per_sweep if lidar else 0,
        outputs=list(options.outputs),
        lidar_scene_flow=options.lidar_scene_flow,
        scenario=instance.scenario.name,
    )


def _open3d_lidar(suite: SensorSuite) -> Open3DLidar | None:
    """The rig's first lidar, if it has one; the baselines cast its rays against its own Open3D
    scene."""
    lidar = next(iter(suite.lidars.values()), None)
    if lidar is not None and not isinstance(lidar, Open3DLidar):
        raise TypeError(f"the bench's baselines need the open3d lidar, not {type(lidar).__name__}")
    return lidar


def _naive(suite: SensorSuite, instance: ScenarioInstance, frames: int) -> dict[str, float]:
    """The rig's first camera and first lidar (those it has) in PyBullet's renderer and ray
    tester, on the scene's first frames."""
    calib = next(iter(suite.calibrations.cameras.values()), None)
    lidar = next(iter(suite.lidars.values()), None)
    states = simulate(instance)
    state = next(states)
    naive = NaivePyBullet(static_placements(state.static, suite.street_lights))
    cams, lids = [], []
    try:
        for _ in range(frames):
            naive.pose(suite.road_users(state))
            if calib is not None:
                world_from_camera = state.ego.transform() @ calib.ego_from_camera
                cams.append(naive.camera(world_from_camera, calib.K, calib.width, calib.height))
            if lidar is not None:
                pose = state.ego.transform() @ lidar.calibration.ego_from_lidar
                dirs = ray_directions(lidar.calibration)[0].reshape(-1, 3) @ pose[:3, :3].T
                lids.append(naive.lidar(pose[:3, 3], dirs, lidar.calibration.scan.range))
            state = next(states)
    finally:
        naive.close()
        states.close()
    timed = {"camera": cams, "lidar": lids}
    return {sensor: 1000 * statistics.median(runs) for sensor, runs in timed.items() if runs}
