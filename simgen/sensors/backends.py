"""The sensor back ends by name: the one place that knows which class renders a camera, which
casts a lidar and which a radar. Each is imported when first built, so an unused back end's
library is never loaded."""

from __future__ import annotations

from collections.abc import Callable

from simgen.scenario.models import Camera, Lidar, Radar
from simgen.sensors.protocols import CameraRenderer, LidarCaster, RadarCaster
from simgen.sensors.rig import CameraCalibration, LidarCalibration, RadarCalibration
from simgen.sensors.scene import Placed

CameraFactory = Callable[[CameraCalibration, list[Placed], Camera], CameraRenderer]
LidarFactory = Callable[[LidarCalibration, list[Placed], Lidar], LidarCaster]
RadarFactory = Callable[[RadarCalibration, list[Placed], Radar], RadarCaster]

DEFAULT_CAMERA = "pyrender"
DEFAULT_LIDAR = "open3d"
DEFAULT_RADAR = "open3d"


def _pyrender(calibration: CameraCalibration, static: list[Placed], spec: Camera) -> CameraRenderer:
    from simgen.sensors.pyrender.camera import PyrenderCamera

    return PyrenderCamera(
        calibration, static, tuple(spec.outputs), shadows=spec.shadows, antialias=spec.antialias
    )


def _open3d(calibration: LidarCalibration, static: list[Placed], spec: Lidar) -> LidarCaster:
    from simgen.sensors.open3d.lidar import Open3DLidar

    return Open3DLidar(calibration, static, spec.noise, spec.rolling_shutter)


def _open3d_radar(calibration: RadarCalibration, static: list[Placed], spec: Radar) -> RadarCaster:
    from simgen.sensors.open3d.radar import Open3DRadar

    return Open3DRadar(
        calibration, static, float(spec.false_alarms), float(spec.ghost_rate), spec.max_targets
    )


CAMERA_RENDERERS: dict[str, CameraFactory] = {"pyrender": _pyrender}
LIDAR_CASTERS: dict[str, LidarFactory] = {"open3d": _open3d}
RADAR_CASTERS: dict[str, RadarFactory] = {"open3d": _open3d_radar}


class UnknownBackend(ValueError):
    """A back end name that is not registered."""


def _lookup(kind: str, table: dict[str, Callable], name: str) -> Callable:
    if name not in table:
        known = ", ".join(sorted(table))
        raise UnknownBackend(f"unknown {kind} back end {name!r} (known: {known})")
    return table[name]


def camera_renderer(name: str = DEFAULT_CAMERA) -> CameraFactory:
    """The factory of the camera renderer called ``name``."""
    return _lookup("camera", CAMERA_RENDERERS, name)


def lidar_caster(name: str = DEFAULT_LIDAR) -> LidarFactory:
    """The factory of the lidar caster called ``name``."""
    return _lookup("lidar", LIDAR_CASTERS, name)


def radar_caster(name: str = DEFAULT_RADAR) -> RadarFactory:
    """The factory of the radar caster called ``name``."""
    return _lookup("radar", RADAR_CASTERS, name)
