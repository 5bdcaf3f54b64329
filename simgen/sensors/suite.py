"""The ego's sensor rig for one simulation: every camera and lidar, fed one WorldState per frame.

The ego itself is left out of what its sensors see, as in KITTI and nuScenes, where the own
vehicle is cropped or filtered.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

import numpy as np

from simgen.core.cpu import thread_share
from simgen.core.rng import derive_rng
from simgen.scenario.models import FrameDrop, LidarBeamDropout, LidarSectorBlockage, StuckFrame
from simgen.scenario.sample import ScenarioInstance
from simgen.sensors.appearance import Appearance, draw_appearance
from simgen.sensors.camera_effects import conditions, develop, is_clear, sun_in_camera
from simgen.sensors.frames import CameraFrame, ready
from simgen.sensors.lens import is_distorted, render_calibration, source_maps, warp
from simgen.sensors.motion import pixel_flow
from simgen.sensors.open3d.lidar import Body, LidarConditions, LocalMesh, Open3DLidar, local_mesh
from simgen.sensors.pose import PoseKey
from simgen.sensors.pyrender.camera import PyrenderCamera
from simgen.sensors.rig import CameraCalibration, calibrations
from simgen.sensors.scene import (
    Placed,
    actor_placements,
    actor_pose,
    asset_placements,
    extrapolate,
    light_sources,
    static_placements,
)
from simgen.sensors.wear import vary_surfaces
from simgen.world.assets import load_catalog
from simgen.world.state import ActorState, StaticWorld, WorldState

SensorData = CameraFrame | np.ndarray


def sensor_pose(state: WorldState, ego_from_sensor: np.ndarray, tau: float) -> np.ndarray:
    """Where a sensor is ``tau`` seconds after the state, the ego moving on at its velocity."""
    return extrapolate(state.ego, tau) @ ego_from_sensor


class SensorSuite:
    def __init__(self, instance: ScenarioInstance, static: StaticWorld) -> None:
        scenario = instance.scenario
        self.instance = instance
        self.calibrations = calibrations(instance)
        env = scenario.environment
        self.street_lights = bool(env.street_lights)
        catalog = load_catalog()
        users = [("ego", scenario.ego.model)] + [(a.name, a.model) for a in scenario.actors]
        self.appearance: Appearance = draw_appearance(
            scenario.seed, instance.variant, [(n, catalog[str(m)].kind) for n, m in users]
        )
        static_parts = static_placements(static, self.street_lights)
        # the cameras see this variant's wear of the surfaces; the lidar sees the same geometry
        worn = vary_surfaces(
            static_parts, derive_rng(scenario.seed, instance.variant, "appearance/world")
        )
        self._meshes: dict[tuple[str, PoseKey | None], LocalMesh] = {}
        specs = {s.name: s for s in scenario.ego.sensors}
        self.specs = specs
        self._delivered: dict[str, np.ndarray] = {}  # last sweep each lidar delivered
        self._delivered_rgb: dict[str, Future[np.ndarray]] = {}  # and each camera's RGB
        # the last RGB developments' durations, for the bench (bounded: shards can be long)
        self.develop_seconds: deque[float] = deque(maxlen=1000)
        # a pool worker with one core's share develops in sequence: a thread would gain nothing
        self._developer = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="develop")
            if thread_share() > 1
            else None
        )
        self.faults: dict[str, tuple[str, ...]] = {}
        # a distorted camera renders as a wider pinhole, then its pixels go through the lens
        self.cameras = {
            name: PyrenderCamera(
                render_calibration(calib),
                worn,
                tuple(specs[name].outputs),
                shadows=specs[name].shadows,
            )
            for name, calib in self.calibrations.cameras.items()
        }
        self._lenses = {
            name: source_maps(calib)
            for name, calib in self.calibrations.cameras.items()
            if is_distorted(calib)
        }
        self.lidars = {
            name: Open3DLidar(calib, static_parts, specs[name].noise, specs[name].rolling_shutter)
            for name, calib in self.calibrations.lidars.items()
        }

    def close(self) -> None:
        if self._developer is not None:
            self._developer.shutdown(wait=True)
        for camera in self.cameras.values():
            camera.close()

    def __enter__(self) -> SensorSuite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _others(self, state: WorldState) -> list[Placed]:
        """Every road user but the ego."""
        return [p for actor in state.actors[1:] for p in actor_placements(actor, self.appearance)]

    def _local_mesh(self, actor: ActorState) -> LocalMesh:
        key = (actor.model, actor_pose(actor))
        mesh = self._meshes.get(key)
        if mesh is None:
            mesh = self._meshes[key] = local_mesh(asset_placements(*key))
        return mesh

    def bodies(self, state: WorldState) -> list[Body]:
        """Every road user but the ego, as the lidar casts against them."""
        return [
            Body(
                actor.id,
                self._local_mesh(actor),
                actor.transform(),
                np.asarray(actor.velocity),
                actor.angular_velocity[2],
            )
            for actor in state.actors[1:]
        ]

    def capture(self, state: WorldState) -> dict[str, SensorData]:
        """Every sensor's output for one state, as delivered (faults included). ``exact`` keeps
        each lidar's sweep as cast, which the labels count points from; ``faults`` the faults
        acting on each sensor in this frame; ``timings`` seconds per sensor and pass."""
        out: dict[str, SensorData] = {}
        self.timings: dict[str, float] = {}
        self.faults: dict[str, tuple[str, ...]] = {}
        self.exact: dict[str, np.ndarray] = {}  # the sweeps as cast, before faults replace them
        world_from_ego = state.ego.transform()
        env = state.environment
        seed, variant = self.instance.scenario.seed, self.instance.variant
        finishing: dict[str, Callable[[], CameraFrame]] = {}
        if self.cameras:
            dynamic = self._others(state)
            lights = light_sources(state, self.street_lights)
            for name, camera in self.cameras.items():
                finishing[name] = self._camera(name, camera, state, world_from_ego, dynamic, lights)
        bodies = self.bodies(state) if self.lidars else []
        for name, lidar in self.lidars.items():
            start = time.perf_counter()
            rng = derive_rng(seed, variant, f"lidar/{name}/{state.frame}")
            spec = self.specs[name]
            active = [f for f in spec.faults if f.active(state.time)]
            dropped = any(isinstance(f, FrameDrop) and rng.random() < f.probability for f in active)
            conditions = LidarConditions(
                fog=float(env.fog),
                rain_mmh=env.rain_mmh(),
                dead_rings=tuple(
                    r for f in active if isinstance(f, LidarBeamDropout) for r in f.rings
                ),
                blocked=tuple(
                    tuple(f.azimuth) for f in active if isinstance(f, LidarSectorBlockage)
                ),
            )
            points = lidar.capture(
                partial(sensor_pose, state, lidar.calibration.ego_from_lidar),
                bodies,
                conditions,
                rng,
            )
            stuck = any(isinstance(f, StuckFrame) for f in active)
            self.exact[name] = points
            if dropped:
                points = points[:0]
            elif stuck and name in self._delivered:
                points = self._delivered[name]
            else:
                self._delivered[name] = points
            self.faults[name] = _fault_names(active, dropped, stuck)
            out[name] = points
            self.timings["lidar"] = self.timings.get("lidar", 0) + time.perf_counter() - start
        for name, finish in finishing.items():  # in rig order, after the lidars
            out[name] = finish()
            for stage, seconds in self.cameras[name].timings.items():
                self.timings[f"camera {stage}"] = self.timings.get(f"camera {stage}", 0) + seconds
        return {name: out[name] for name in [*self.cameras, *self.lidars]}

    def _camera(
        self,
        name: str,
        camera: PyrenderCamera,
        state: WorldState,
        world_from_ego: np.ndarray,
        dynamic: list[Placed],
        lights: list,
    ) -> Callable[[], CameraFrame]:
        """Render now; develop the RGB on the developer thread (it releases the GIL), so the
        lidar casts and the labels are derived meanwhile; the frame carries it as a future.
        Returns what finishes the frame."""
        spec = self.specs[name]
        seed, variant = self.instance.scenario.seed, self.instance.variant
        rng = derive_rng(seed, variant, f"camera/{name}/{state.frame}")
        cond = conditions(spec, state.environment, state.time, float(rng.random()))
        calib = camera.calibration
        world_from_camera = world_from_ego @ calib.ego_from_camera
        sun = sun_in_camera(cond, calib, world_from_camera) if "rgb" in spec.outputs else None
        clear = is_clear(cond, sun)
        raw = camera.capture(world_from_ego, dynamic, state.environment, lights, not clear)
        developed: Future[np.ndarray] | None = None
        lenses = self._lenses.get(name)
        if raw.has_rgb and (lenses is not None or not clear):
            flow = None
            if cond.blur_exposure is not None:
                flow = self._flow(state, raw, calib, world_from_camera, cond.blur_exposure)
            lens = derive_rng(seed, variant, f"lens/{name}")

            def job() -> np.ndarray:
                start = time.perf_counter()
                args = (raw.depth, raw.semantic, cond, calib, sun, rng, lens, flow)
                out = raw.rgb if clear else develop(raw.rgb, *args, world_from_camera)
                if lenses is not None:
                    out = warp(out, lenses, nearest=False)
                self.develop_seconds.append(time.perf_counter() - start)
                return out

            developed = self._developer.submit(job) if self._developer else ready(job())
        self.faults[name] = cond.faults()
        outputs = set(spec.outputs)

        def finish() -> CameraFrame:
            rgb = raw.developed if developed is None else developed
            if rgb is not None:
                if cond.stuck and name in self._delivered_rgb:
                    rgb = self._delivered_rgb[name]
                elif not cond.dropped:
                    self._delivered_rgb[name] = rgb

            def seen(image: np.ndarray | None, output: str) -> np.ndarray | None:
                if image is None or output not in outputs:
                    return None
                return image if lenses is None else warp(image, lenses, nearest=True)

            return CameraFrame(
                developed=rgb,
                depth=seen(raw.depth, "depth"),
                instance=seen(raw.instance, "instance"),
                semantic=seen(raw.semantic, "semantic"),
                pinhole_instance=raw.instance if lenses is not None else None,
            )

        return finish

    def _flow(
        self,
        state: WorldState,
        raw: CameraFrame,
        calib: CameraCalibration,
        world_from_camera: np.ndarray,
        exposure: float,
    ) -> np.ndarray:
        ego = state.ego
        omega = np.asarray(ego.angular_velocity, float)
        lever = world_from_camera[:3, 3] - np.asarray(ego.position, float)
        camera_velocity = np.asarray(ego.velocity, float) + np.cross(omega, lever)
        bodies = {
            a.id: (np.asarray(a.velocity, float), np.asarray(a.angular_velocity, float),
                   np.asarray(a.position, float))
            for a in state.actors[1:]
        }  # fmt: skip
        return pixel_flow(
            raw.depth, raw.instance, calib.K, world_from_camera, camera_velocity, omega, bodies,
            exposure,
        )  # fmt: skip


def _fault_names(active: list, dropped: bool, stuck: bool) -> tuple[str, ...]:
    names = [f.type for f in active if not isinstance(f, (FrameDrop, StuckFrame))]
    return tuple(names + (["frame_drop"] if dropped else []) + (["stuck_frame"] if stuck else []))
