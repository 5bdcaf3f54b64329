"""The ego's sensor rig for one simulation: every camera, lidar and radar, fed one WorldState per
frame.

The ego itself is left out of what its sensors see, as in KITTI and nuScenes, where the own
vehicle is cropped or filtered. ``capture`` returns everything it made of a state in one
``SensorCapture``; the rig keeps only what a later frame needs (what each sensor last delivered,
for a stuck one to repeat).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from simgen.core.cpu import thread_share
from simgen.core.rng import derive_rng
from simgen.dataset.layout import FLOW_FIELDS, POINT_FLOW_DTYPE
from simgen.scenario.models import (
    LidarBeamDropout,
    LidarSectorBlockage,
    RadarBlockage,
    RadarDropout,
    RadarInterference,
)
from simgen.scenario.sample import ScenarioInstance
from simgen.sensors.appearance import Appearance, draw_appearance
from simgen.sensors.backends import (
    DEFAULT_CAMERA,
    DEFAULT_LIDAR,
    DEFAULT_RADAR,
    camera_renderer,
    lidar_caster,
    radar_caster,
)
from simgen.sensors.camera_effects import conditions, develop, is_clear, sun_in_camera
from simgen.sensors.carry import carry
from simgen.sensors.faults import Held, frame_fault, other_faults
from simgen.sensors.flow import Geometry, Motion, motion, nowhere, pixel_rays
from simgen.sensors.frames import CameraFrame, RadarFrame, ready
from simgen.sensors.lens import is_distorted, render_calibration, source_maps, warp
from simgen.sensors.motion import pixel_flow
from simgen.sensors.open3d.lidar import Body, LidarConditions, LocalMesh, local_mesh
from simgen.sensors.pose import PoseKey
from simgen.sensors.protocols import CameraRenderer, LidarCaster, RadarCaster
from simgen.sensors.radar_model import RadarConditions
from simgen.sensors.rig import CameraCalibration, calibrations
from simgen.sensors.scene import (
    Lamp,
    Placed,
    actor_placements,
    actor_pose,
    asset_placements,
    extrapolate,
    glowing_lamps,
    light_sources,
    static_placements,
)
from simgen.sensors.signal_heads import head_transform, local_parts, signal_placements
from simgen.sensors.wear import vary_surfaces
from simgen.world.assets import load_catalog
from simgen.world.signal_layout import SignalPlacement
from simgen.world.state import ActorState, StaticWorld, WorldState

SensorData = CameraFrame | np.ndarray | RadarFrame


@dataclass(frozen=True)
class SensorCapture:
    """Everything the rig made of one state."""

    frames: dict[str, SensorData]  # per sensor as delivered (faults included), in rig order
    exact: dict[str, np.ndarray]  # each lidar's sweep as cast, before a fault replaced it
    faults: dict[str, tuple[str, ...]]  # the faults acting on each sensor, for the labels
    timings: dict[str, float]  # seconds per stage ("lidar", "camera rgb", ...), sensors summed
    # seconds each camera's RGB development took on the developer thread, known once it ran
    developing: dict[str, Future[float]]
    # the previous frame's outputs that needed this frame (forward flow, scene flow), whole
    earlier: dict[str, SensorData] = field(default_factory=dict)

    def truth(self) -> dict[str, SensorData]:
        """The frames labels describe the world from: the sweeps as cast, even when a fault
        delivers a stale or an empty one (the labels' faults say so)."""
        return {**self.frames, **self.exact}


@dataclass(frozen=True)
class _CameraJob:
    finish: Callable[[], CameraFrame]  # waits for nothing: the RGB stays a future
    faults: tuple[str, ...]
    seconds: dict[str, float]  # per render pass
    developing: Future[float] | None
    geometry: Geometry | None  # kept for the flow, when the camera writes one


@dataclass(frozen=True)
class _Held:
    """A frame's output kept until the next frame completes it; ``frame`` None: geometry of a
    state rendered only to give the next frame its backward flow."""

    geometry: Geometry | None
    frame: SensorData | None


FLOW_OUTPUTS = frozenset({"flow", "scene_flow"})


def _velocity_at(state: WorldState, point: np.ndarray) -> np.ndarray:
    """The world velocity of a point fixed to the ego (a sensor), turning with it."""
    ego = state.ego
    lever = np.asarray(point, float) - np.asarray(ego.position, float)
    return np.asarray(ego.velocity, float) + np.cross(
        np.asarray(ego.angular_velocity, float), lever
    )


def sensor_pose(state: WorldState, ego_from_sensor: np.ndarray, tau: float) -> np.ndarray:
    """Where a sensor is ``tau`` seconds after the state, the ego moving on at its velocity."""
    return extrapolate(state.ego, tau) @ ego_from_sensor


class SensorSuite:
    def __init__(
        self,
        instance: ScenarioInstance,
        static: StaticWorld,
        camera: str = DEFAULT_CAMERA,
        lidar: str = DEFAULT_LIDAR,
        radar: str = DEFAULT_RADAR,
    ) -> None:
        """The rig of ``instance`` over its static world; ``camera``, ``lidar`` and ``radar``
        name the back ends (``simgen.sensors.backends``)."""
        scenario = instance.scenario
        self.instance = instance
        self.calibrations = calibrations(instance)
        env = scenario.environment
        self.street_lights = bool(env.street_lights)
        catalog = load_catalog()
        users = [("ego", scenario.ego.model)] + [(a.name, a.model) for a in scenario.actors]
        self.appearance: Appearance = draw_appearance(
            scenario.seed,
            instance.variant,
            [(n, catalog[str(m)].kind) for n, m in users],
            cars=frozenset(n for n, m in users if catalog[str(m)].semantic_class == "car"),
            buses=frozenset(n for n, m in users if catalog[str(m)].semantic_class == "bus"),
        )
        night = float(env.sun.elevation) < 0.0  # lights on behind the windows
        static_parts = static_placements(static, self.street_lights, night)
        # the cameras see this variant's wear of the surfaces; the lidar sees the same geometry
        worn = vary_surfaces(
            static_parts, derive_rng(scenario.seed, instance.variant, "appearance/world")
        )
        self._meshes: dict[tuple[str, PoseKey | None, tuple[float, ...]], LocalMesh] = {}
        self._heads: dict[SignalPlacement, LocalMesh] = {}
        specs = {s.name: s for s in scenario.ego.sensors}
        self.specs = specs
        # what each sensor delivered last, for a stuck one to repeat; a dropped sweep is empty
        self._sweeps: Held[np.ndarray] = Held(lambda points: points[:0])
        self._rgb: Held[Future[np.ndarray]] = Held()  # a dropped image is developed black
        self._scans: Held[RadarFrame] = Held(lambda scan: RadarFrame(scan.targets[:0]))
        # a pool worker with one core's share develops in sequence: a thread would gain nothing
        self._developer = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="develop")
            if thread_share() > 1
            else None
        )
        # a distorted camera renders as a wider pinhole, then its pixels go through the lens
        make_camera, make_lidar = camera_renderer(camera), lidar_caster(lidar)
        self.cameras: dict[str, CameraRenderer] = {
            name: make_camera(render_calibration(calib), worn, specs[name])
            for name, calib in self.calibrations.cameras.items()
        }
        self._lenses = {
            name: source_maps(calib)
            for name, calib in self.calibrations.cameras.items()
            if is_distorted(calib)
        }
        self.lidars: dict[str, LidarCaster] = {
            name: make_lidar(calib, static_parts, specs[name])
            for name, calib in self.calibrations.lidars.items()
        }
        make_radar = radar_caster(radar) if self.calibrations.radars else None
        self.radars: dict[str, RadarCaster] = {
            name: make_radar(calib, static_parts, specs[name])  # type: ignore[misc]
            for name, calib in self.calibrations.radars.items()
        }
        # cameras and lidars whose outputs need the neighbouring frames (flow, scene flow)
        self._moving = {
            n
            for n in self.cameras
            if FLOW_OUTPUTS & set(specs[n].outputs)  # type: ignore[union-attr]
        } | {n for n in self.lidars if specs[n].scene_flow}  # type: ignore[union-attr]
        self._rays = {
            n: pixel_rays(self.calibrations.cameras[n], self._lenses.get(n))
            for n in self.cameras
            if n in self._moving
        }
        self._held: dict[str, _Held] = {}  # per sensor in _moving: the last frame's output
        self._exact_sweeps: dict[str, np.ndarray] = {}  # the held sweeps as cast
        self._held_state: WorldState | None = None

    @property
    def needs_next(self) -> bool:
        """Whether some output of a frame is only complete once the next frame is captured
        (``SensorCapture.earlier``, ``finish``)."""
        return bool(self._moving)

    def close(self) -> None:
        if self._developer is not None:
            self._developer.shutdown(wait=True)
        for camera in self.cameras.values():
            camera.close()

    def __enter__(self) -> SensorSuite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def road_users(self, state: WorldState) -> list[Placed]:
        """Every road user but the ego, and every signal head, as the cameras draw them."""
        users = [p for actor in state.actors[1:] for p in actor_placements(actor, self.appearance)]
        return users + [p for signal in state.signals for p in signal_placements(signal)]

    def _local_mesh(self, actor: ActorState) -> LocalMesh:
        """Its mesh in the asset's frame; a scaled body's bounding sphere grows with it."""
        key = (actor.model, actor_pose(actor), actor.scale)
        mesh = self._meshes.get(key)
        if mesh is None:
            mesh = local_mesh(asset_placements(actor.model, key[1]))
            if actor.scale != (1.0, 1.0, 1.0):
                mesh = dataclasses.replace(mesh, radius=mesh.radius * max(actor.scale))
            self._meshes[key] = mesh
        return mesh

    def bodies(self, state: WorldState) -> list[Body]:
        """Every road user but the ego, and every signal head, as the lidar casts against
        them."""
        users = [
            Body(
                actor.id,
                self._local_mesh(actor),
                actor.body_transform(),
                np.asarray(actor.velocity),
                actor.angular_velocity[2],
            )
            for actor in state.actors[1:]
        ]
        return users + [
            Body(s.id, self._head_mesh(s.placement), head_transform(s.placement), np.zeros(3), 0.0)
            for s in state.signals
        ]

    def _head_mesh(self, placement: SignalPlacement) -> LocalMesh:
        mesh = self._heads.get(placement)
        if mesh is None:
            mesh = self._heads[placement] = local_mesh(local_parts(placement))
        return mesh

    def capture(self, state: WorldState, previous: WorldState | None = None) -> SensorCapture:
        """Every sensor's output for one state, as delivered (faults included), with the sweeps
        as cast, the faults and the time each stage took. With flow asked for, ``previous`` is
        the state before (rendered for the backward flow unless it was the last captured), and
        ``earlier`` holds the last captured frame's outputs completed by this one."""
        out: dict[str, SensorData] = {}
        timings: dict[str, float] = {}
        faults: dict[str, tuple[str, ...]] = {}
        exact: dict[str, np.ndarray] = {}
        world_from_ego = state.ego.transform()
        env = state.environment
        seed, variant = self.instance.scenario.seed, self.instance.variant
        jobs: dict[str, _CameraJob] = {}
        if self.cameras:
            dynamic = self.road_users(state)
            lights = light_sources(state, self.street_lights)
            lamps = tuple(glowing_lamps(state, self.street_lights))
            for name, camera in self.cameras.items():
                jobs[name] = self._camera(
                    name, camera, state, world_from_ego, dynamic, lights, lamps
                )
                faults[name] = jobs[name].faults
        bodies = self.bodies(state) if self.lidars or self.radars else []
        for name, lidar in self.lidars.items():
            start = time.perf_counter()
            rng = derive_rng(seed, variant, f"lidar/{name}/{state.frame}")
            spec = self.specs[name]
            active = [f for f in spec.faults if f.active(state.time)]
            fault = frame_fault(active, rng.random)
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
            exact[name] = points
            out[name] = self._sweeps.deliver(name, points, fault)
            faults[name] = (*(f.type for f in other_faults(active)), *fault.names())
            timings["lidar"] = timings.get("lidar", 0) + time.perf_counter() - start
        for name, radar in self.radars.items():
            start = time.perf_counter()
            out[name], faults[name] = self._radar(name, radar, state, bodies)
            timings["radar"] = timings.get("radar", 0) + time.perf_counter() - start
        for name, job in jobs.items():  # in rig order, after the lidars
            out[name] = job.finish()
            for stage, seconds in job.seconds.items():
                timings[f"camera {stage}"] = timings.get(f"camera {stage}", 0) + seconds
        earlier: dict[str, SensorData] = {}
        if self._moving:
            earlier = self._flows(state, previous, out, exact, jobs, timings)
        return SensorCapture(
            frames={name: out[name] for name in [*self.cameras, *self.lidars, *self.radars]},
            exact=exact,
            faults=faults,
            timings=timings,
            developing={n: j.developing for n, j in jobs.items() if j.developing is not None},
            earlier=earlier,
        )

    # ---- outputs that need the neighbouring frames --------------------------------------------

    def _flows(
        self,
        state: WorldState,
        previous: WorldState | None,
        out: dict[str, SensorData],
        exact: dict[str, np.ndarray],
        jobs: dict[str, _CameraJob],
        timings: dict[str, float],
    ) -> dict[str, SensorData]:
        """Give this frame its backward flow, complete the held frame with its forward flow and
        scene flow (returned), and hold this frame for the next; ``timings`` gains the seconds
        of "camera flow" and "lidar scene flow"."""
        held_state = self._held_state
        consecutive = held_state is not None and held_state.frame == state.frame - 1
        earlier: dict[str, SensorData] = {}
        for name in self._moving:
            start = time.perf_counter()
            held = self._held.get(name) if consecutive else None
            stage = "camera flow" if name in self.cameras else "lidar scene flow"
            if name in self.cameras:
                geometry = jobs[name].geometry
                assert geometry is not None
                before = held.geometry if held is not None else None
                if before is None and previous is not None:
                    before = self._render_geometry(name, previous)
                frame = out[name]
                assert isinstance(frame, CameraFrame)
                if "flow" in self.specs[name].outputs:  # type: ignore[union-attr]
                    back = self._motion(name, geometry, before, forward=False)
                    out[name] = frame = dataclasses.replace(frame, flow_backward=back.flow)
                if held is not None and held.frame is not None:
                    forward = self._motion(name, held.geometry, geometry, forward=True)
                    earlier[name] = self._forward(name, held, forward)
                self._held[name] = _Held(geometry, frame)
            else:
                if held is not None and held.frame is not None:
                    earlier[name] = self._swept(name, held, state)
                self._held[name] = _Held(None, out[name])
                self._exact_sweeps[name] = exact[name]
            timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start
        self._held_state = state
        return earlier

    def finish(self, following: WorldState | None) -> dict[str, SensorData]:
        """The last captured frame's outputs completed: by ``following`` (the next state of the
        simulation, rendered for the purpose) or, at the simulation's end, with no motion."""
        done: dict[str, SensorData] = {}
        state = self._held_state
        if state is None:
            return done
        for name in self._moving:
            held = self._held.get(name)
            if held is None or held.frame is None:
                continue
            if name in self.cameras:
                after = None
                if following is not None and following.frame == state.frame + 1:
                    after = self._render_geometry(name, following)
                moved = self._motion(name, held.geometry, after, forward=True)
                done[name] = self._forward(name, held, moved)
            else:
                ok = following is not None and following.frame == state.frame + 1
                done[name] = self._swept(name, held, following if ok else None)
        self._held.clear()
        self._held_state = None
        return done

    def _motion(
        self, name: str, source: Geometry | None, target: Geometry | None, forward: bool
    ) -> Motion:
        """``source``'s motion to ``target``: the outputs the camera writes (scene flow only
        forward)."""
        calib = self.calibrations.cameras[name]
        if source is None or target is None:
            return nowhere((calib.height, calib.width))
        outputs = self.specs[name].outputs  # type: ignore[union-attr]
        return motion(source, target, calib, "flow" in outputs, forward and "scene_flow" in outputs)

    def _forward(self, name: str, held: _Held, forward: Motion) -> CameraFrame:
        frame = held.frame
        assert isinstance(frame, CameraFrame)
        outputs = self.specs[name].outputs  # type: ignore[union-attr]
        return dataclasses.replace(
            frame,
            flow_forward=forward.flow if "flow" in outputs else None,
            scene_flow=forward.scene_flow if "scene_flow" in outputs else None,
        )

    def _render_geometry(self, name: str, state: WorldState) -> Geometry:
        """A neighbouring state's exact geometry, rendered for its flow alone."""
        world_from_ego = state.ego.transform()
        render = self.cameras[name].capture(
            world_from_ego,
            self.road_users(state),
            state.environment,
            light_sources(state, self.street_lights),
            geometry_only=True,
        )
        return self._geometry(name, state, world_from_ego, render.frame)

    def _geometry(
        self, name: str, state: WorldState, world_from_ego: np.ndarray, raw: CameraFrame
    ) -> Geometry:
        assert raw.depth is not None and raw.instance is not None
        lenses = self._lenses.get(name)
        depth, instance = raw.depth, raw.instance
        if lenses is not None:
            depth = warp(depth, lenses, nearest=True)
            instance = warp(instance, lenses, nearest=True)
        world_from_camera = world_from_ego @ self.calibrations.cameras[name].ego_from_camera
        return Geometry(state.frame, state, world_from_camera, depth, instance, self._rays[name])

    def _swept(self, name: str, held: _Held, following: WorldState | None) -> np.ndarray:
        """The held sweep with each point's motion to the next sweep (NaN without one, and for
        a delivered sweep that is not the one cast: a stale or a dropped one)."""
        points = held.frame
        assert isinstance(points, np.ndarray)
        out = np.zeros(len(points), POINT_FLOW_DTYPE)
        for key in points.dtype.names or ():
            out[key] = points[key]
        for key in FLOW_FIELDS:
            out[key] = np.nan
        source = self._held_state
        if following is None or source is None or points is not self._exact_sweeps.get(name):
            return out
        # the static world's points do not move (zero motion); the road users' are carried
        ids = points["instance"]
        on = np.flatnonzero(ids != 0)
        for key in FLOW_FIELDS:
            out[key] = 0.0
        if not len(on):
            return out
        lidar = self.lidars[name]
        times = getattr(lidar, "cast_times", None)
        taus = times(points[on]) if times is not None else points["time"][on].astype(np.float64)
        picked = points[on]
        local = np.stack([picked["x"], picked["y"], picked["z"]], axis=1).astype(np.float64)
        ego_from_lidar = lidar.calibration.ego_from_lidar
        world = np.empty_like(local)
        rotations = np.empty((len(on), 3, 3))
        for tau in np.unique(taus):
            rows = taus == tau
            pose = sensor_pose(source, ego_from_lidar, float(tau))
            world[rows] = local[rows] @ pose[:3, :3].T + pose[:3, 3]
            rotations[rows] = pose[:3, :3]
        moved = carry(world, ids[on], source, following, taus)
        motion3 = np.einsum("nji,nj->ni", rotations, moved - world)  # R^T (moved - world)
        for i, key in enumerate(FLOW_FIELDS):
            out[key][on] = motion3[:, i]
        return out

    def _radar(
        self, name: str, radar: RadarCaster, state: WorldState, bodies: list[Body]
    ) -> tuple[RadarFrame, tuple[str, ...]]:
        """One radar's scan as delivered, and the faults acting on it."""
        seed, variant = self.instance.scenario.seed, self.instance.variant
        rng = derive_rng(seed, variant, f"radar/{name}/{state.frame}")
        active = [f for f in self.specs[name].faults if f.active(state.time)]
        fault = frame_fault(active, rng.random)
        env = state.environment
        interference = [f for f in active if isinstance(f, RadarInterference)]
        conditions = RadarConditions(
            fog=float(env.fog),
            rain_mmh=env.rain_mmh(),
            blocked=tuple(
                (float(f.azimuth[0]), float(f.azimuth[1]), float(f.attenuation))
                for f in active
                if isinstance(f, RadarBlockage)
            ),
            noise_rise=sum(float(f.noise_rise) for f in interference),
            extra_false_alarms=sum(float(f.false_alarms) for f in interference),
            dropout=1.0
            - float(
                np.prod([1.0 - float(f.probability) for f in active if isinstance(f, RadarDropout)])
            ),
        )
        pose = state.ego.transform() @ radar.calibration.ego_from_radar
        scan = RadarFrame(
            radar.capture(pose, _velocity_at(state, pose[:3, 3]), bodies, conditions, rng)
        )
        delivered = self._scans.deliver(name, scan, fault)
        return delivered, (*(f.type for f in other_faults(active)), *fault.names())

    def _camera(
        self,
        name: str,
        camera: CameraRenderer,
        state: WorldState,
        world_from_ego: np.ndarray,
        dynamic: list[Placed],
        lights: list,
        lamps: tuple[Lamp, ...] = (),
    ) -> _CameraJob:
        """Render now; develop the RGB on the developer thread (it releases the GIL), so the
        lidar casts and the labels are derived meanwhile; the frame carries it as a future."""
        spec = self.specs[name]
        seed, variant = self.instance.scenario.seed, self.instance.variant
        rng = derive_rng(seed, variant, f"camera/{name}/{state.frame}")
        cond = conditions(spec, state.environment, state.time, float(rng.random()))
        calib = camera.calibration
        world_from_camera = world_from_ego @ calib.ego_from_camera
        sun = sun_in_camera(cond, calib, world_from_camera) if "rgb" in spec.outputs else None
        clear = is_clear(cond, sun)
        moving = name in self._moving
        render = camera.capture(
            world_from_ego, dynamic, state.environment, lights, not clear or moving
        )
        raw = render.frame
        developed: Future[np.ndarray] | None = None
        timer: Future[float] | None = None
        lenses = self._lenses.get(name)
        if raw.has_rgb and (lenses is not None or not clear):
            flow = None
            if cond.blur_exposure is not None:
                flow = self._flow(state, raw, calib, world_from_camera, cond.blur_exposure)
            lens = derive_rng(seed, variant, f"lens/{name}")
            took: Future[float] = Future()
            timer = took

            def job() -> np.ndarray:
                start = time.perf_counter()
                try:
                    args = (raw.depth, raw.semantic, cond, calib, sun, rng, lens, flow)
                    out = raw.rgb if clear else develop(raw.rgb, *args, world_from_camera, lamps)
                    if lenses is not None:
                        out = warp(out, lenses, nearest=False)
                finally:
                    took.set_result(time.perf_counter() - start)
                return out

            developed = self._developer.submit(job) if self._developer else ready(job())
        outputs = set(spec.outputs)
        geometry = self._geometry(name, state, world_from_ego, raw) if moving else None

        def finish() -> CameraFrame:
            rgb = raw.developed if developed is None else developed
            if rgb is not None:
                rgb = self._rgb.deliver(name, rgb, cond.frame)

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
                normals=seen(raw.normals, "normals"),
            )

        return _CameraJob(finish, cond.faults(), render.seconds, timer, geometry)

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
