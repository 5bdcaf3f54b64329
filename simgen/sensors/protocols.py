"""What the sensor rig needs from its back ends, so that a renderer or a ray caster can be swapped
(or faked in a test) without touching ``SensorSuite``. ``backends`` builds them by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from simgen.scenario.models import Environment
from simgen.sensors.frames import CameraRender
from simgen.sensors.rig import CameraCalibration, LidarCalibration, RadarCalibration
from simgen.sensors.scene import Placed

if TYPE_CHECKING:
    from simgen.sensors.open3d.lidar import Body, LidarConditions
    from simgen.sensors.pyrender.compat import LightSource
    from simgen.sensors.radar_model import RadarConditions


@runtime_checkable
class CameraRenderer(Protocol):
    """Rasterises one camera's view: static geometry given once, road users every frame."""

    calibration: CameraCalibration

    def capture(
        self,
        world_from_ego: np.ndarray,
        dynamic: list[Placed],
        environment: Environment,
        lights: list[LightSource],
        geometry: bool = False,
        geometry_only: bool = False,
    ) -> CameraRender:
        """The raw frame (RGB as rendered; depth and masks when asked for or ``geometry`` is
        set; ``geometry_only``: depth and masks alone) and each pass's seconds."""
        ...

    def close(self) -> None:
        """Release the rendering context."""
        ...


@runtime_checkable
class LidarCaster(Protocol):
    """Casts one lidar's sweep against the static world and the road users."""

    calibration: LidarCalibration

    def capture(
        self,
        sensor_pose_at: Callable[[float], np.ndarray],
        bodies: list[Body],
        conditions: LidarConditions,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """A full sweep as a structured array (``POINT_DTYPE``), in firing order;
        ``sensor_pose_at(tau)`` is the world_from_sensor pose ``tau`` s into the sweep."""
        ...


@runtime_checkable
class RadarCaster(Protocol):
    """Turns one radar's view of the static world and the road users into its target list."""

    calibration: RadarCalibration

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
        ...
