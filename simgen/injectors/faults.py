"""Sensor faults: each attaches itself to the sensors it names (or to every sensor it can act on),
whose back ends then read it frame by frame."""

from __future__ import annotations

from simgen.injectors.base import Edit
from simgen.scenario.models import (
    CAMERA_FAULTS,
    LIDAR_FAULTS,
    RADAR_FAULTS,
    Camera,
    Lidar,
    Radar,
    Scenario,
    SensorTarget,
)


def attach(edit: Edit, fault: SensorTarget) -> Scenario:
    kind = (
        Camera
        if isinstance(fault, CAMERA_FAULTS)
        else Lidar
        if isinstance(fault, LIDAR_FAULTS)
        else Radar
        if isinstance(fault, RADAR_FAULTS)
        else (Camera, Lidar, Radar)
    )
    sensors = []
    for sensor in edit.scenario.ego.sensors:
        if isinstance(sensor, kind) and fault.sensor in (None, sensor.name):
            sensor = sensor.model_copy(update={"faults": [*sensor.faults, fault]})
        sensors.append(sensor)
    ego = edit.scenario.ego.model_copy(update={"sensors": sensors})
    return edit.scenario.model_copy(update={"ego": ego})
