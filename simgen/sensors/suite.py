"""The ego's sensor rig for one simulation: every camera and lidar, fed one WorldState per frame.

The ego itself is left out of what its sensors see, as in KITTI and nuScenes, where the own
vehicle is cropped or filtered.
"""

from __future__ import annotations

import time
from functools import partial

import numpy as np

from simgen.randomize.appearance import Appearance, draw_appearance
from simgen.rng import derive_rng
from simgen.scenario.sample import ScenarioInstance
from simgen.sensors.camera import CameraFrame, PyrenderCamera
from simgen.sensors.lidar import Body, LocalMesh, Open3DLidar, local_mesh
from simgen.sensors.rig import calibrations
from simgen.sensors.scene import (
    Placed,
    actor_placements,
    asset_placements,
    extrapolate,
    light_sources,
    static_placements,
)
from simgen.world.assets import load_catalog
from simgen.world.state import StaticWorld, WorldState

SensorData = CameraFrame | np.ndarray


def _sensor_pose(state: WorldState, ego_from_sensor: np.ndarray, tau: float) -> np.ndarray:
    """Where a sensor is ``tau`` seconds after the state, the ego moving on at its velocity."""
    return extrapolate(state.ego, tau) @ ego_from_sensor


class SensorSuite:
    def __init__(self, instance: ScenarioInstance, static: StaticWorld) -> None:
        scenario = instance.scenario
        self.instance = instance
        self.calibrations = calibrations(instance)
        env = scenario.environment
        self.street_lights = bool(env.street_lights)
        self.fog = float(env.fog)
        catalog = load_catalog()
        users = [("ego", scenario.ego.model)] + [(a.name, a.model) for a in scenario.actors]
        self.appearance: Appearance = draw_appearance(
            scenario.seed, instance.variant, [(n, catalog[str(m)].kind) for n, m in users]
        )
        static_parts = static_placements(static, self.street_lights)
        self._meshes: dict[str, LocalMesh] = {}
        specs = {s.name: s for s in scenario.ego.sensors}
        self.cameras = {
            name: PyrenderCamera(
                calib, static_parts, tuple(specs[name].outputs), shadows=specs[name].shadows
            )
            for name, calib in self.calibrations.cameras.items()
        }
        self.lidars = {
            name: Open3DLidar(calib, static_parts, specs[name].noise, specs[name].rolling_shutter)
            for name, calib in self.calibrations.lidars.items()
        }

    def close(self) -> None:
        for camera in self.cameras.values():
            camera.close()

    def __enter__(self) -> SensorSuite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _others(self, state: WorldState) -> list[Placed]:
        """Every road user but the ego."""
        return [p for actor in state.actors[1:] for p in actor_placements(actor, self.appearance)]

    def _local_mesh(self, model: str) -> LocalMesh:
        mesh = self._meshes.get(model)
        if mesh is None:
            mesh = self._meshes[model] = local_mesh(asset_placements(model))
        return mesh

    def bodies(self, state: WorldState) -> list[Body]:
        """Every road user but the ego, as the lidar casts against them."""
        return [
            Body(
                actor.id,
                self._local_mesh(actor.model),
                actor.transform(),
                np.asarray(actor.velocity),
                actor.angular_velocity[2],
            )
            for actor in state.actors[1:]
        ]

    def capture(self, state: WorldState) -> dict[str, SensorData]:
        """Every sensor's output for one state; ``timings`` keeps seconds per sensor and pass."""
        out: dict[str, SensorData] = {}
        self.timings: dict[str, float] = {}
        world_from_ego = state.ego.transform()
        if self.cameras:
            dynamic = self._others(state)
            lights = light_sources(state, self.street_lights)
            for name, camera in self.cameras.items():
                out[name] = camera.capture(world_from_ego, dynamic, state.environment, lights)
                for stage, seconds in camera.timings.items():
                    self.timings[f"camera {stage}"] = (
                        self.timings.get(f"camera {stage}", 0) + seconds
                    )
        seed, variant = self.instance.scenario.seed, self.instance.variant
        bodies = self.bodies(state) if self.lidars else []
        for name, lidar in self.lidars.items():
            start = time.perf_counter()
            out[name] = lidar.capture(
                partial(_sensor_pose, state, lidar.calibration.ego_from_lidar),
                bodies,
                self.fog,
                derive_rng(seed, variant, f"lidar/{name}/{state.frame}"),
            )
            self.timings["lidar"] = self.timings.get("lidar", 0) + time.perf_counter() - start
        return out
