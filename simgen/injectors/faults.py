"""Sensor faults: each attaches itself to the sensors it names (or to every sensor it can act on),
whose back ends then read it frame by frame."""

from __future__ import annotations

from simgen.injectors.base import Edit
from simgen.scenario.models import (
    Camera,
    Lidar,
    Radar,
    Scenario,
    SensorTarget,
    fault_sensor_kind,
)


def attach(edit: Edit, fault: SensorTarget) -> Scenario:
    kind = fault_sensor_kind(fault) or (Camera, Lidar, Radar)
    sensors = []
    for sensor in edit.scenario.ego.sensors:
        if isinstance(sensor, kind) and fault.sensor in (None, sensor.name):
            sensor = sensor.model_copy(update={"faults": [*sensor.faults, fault]})
        sensors.append(sensor)
    ego = edit.scenario.ego.model_copy(update={"sensors": sensors})
    return edit.scenario.model_copy(update={"ego": ego})
