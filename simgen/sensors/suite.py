"""The ego's sensor rig for one simulation: every camera and lidar, fed one WorldState per frame.

The ego itself is left out of what its sensors see, as in KITTI and nuScenes, where the own
vehicle is cropped or filtered.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from simgen.randomize.appearance import Appearance, draw_appearance
from simgen.rng import derive_rng
from simgen.scenario.models import Camera, Lidar
from simgen.scenario.sample import ScenarioInstance
from simgen.sensors.camera import CameraFrame, PyrenderCamera
from simgen.sensors.lidar import Open3DLidar
from simgen.sensors.rig import (
    CameraCalibration,
    LidarCalibration,
    camera_calibration,
    lidar_calibration,
)
from simgen.sensors.scene import (
    Placed,
    actor_placements,
    extrapolate,
    light_sources,
    static_placements,
)
from simgen.world.assets import load_catalog
from simgen.world.state import StaticWorld, WorldState

SensorData = CameraFrame | np.ndarray


@dataclass(frozen=True)
class Calibrations:
    cameras: dict[str, CameraCalibration]
    lidars: dict[str, LidarCalibration]

    def to_json(self) -> dict:
        return {name: c.to_json() for name, c in {**self.cameras, **self.lidars}.items()}


def calibrations(instance: ScenarioInstance) -> Calibrations:
    sensors = instance.scenario.ego.sensors
    return Calibrations(
        {s.name: camera_calibration(s) for s in sensors if isinstance(s, Camera)},
        {s.name: lidar_calibration(s) for s in sensors if isinstance(s, Lidar)},
    )


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

    def _others(self, state: WorldState, tau: float = 0.0) -> list[Placed]:
        """Every road user but the ego, ``tau`` seconds after the state."""
        out = []
        for actor in state.actors[1:]:
            placed = actor_placements(actor, self.appearance)
            if tau:
                moved = extrapolate(actor, tau)
                placed = [
                    Placed(
                        p.part,
                        moved,
                        p.instance_id,
                        p.class_id,
                        p.color,
                        p.reflectivity,
                        p.emissive,
                    )
                    for p in placed
                ]
            out += placed
        return out

    def capture(self, state: WorldState) -> dict[str, SensorData]:
        out: dict[str, SensorData] = {}
        world_from_ego = state.ego.transform()
        if self.cameras:
            dynamic = self._others(state)
            lights = light_sources(state, self.street_lights)
            for name, camera in self.cameras.items():
                out[name] = camera.capture(world_from_ego, dynamic, state.environment, lights)
        seed, variant = self.instance.scenario.seed, self.instance.variant
        for name, lidar in self.lidars.items():
            out[name] = lidar.capture(
                partial(_sensor_pose, state, lidar.calibration.ego_from_lidar),
                partial(self._others, state),
                self.fog,
                derive_rng(seed, variant, f"lidar/{name}/{state.frame}"),
            )
        return out
