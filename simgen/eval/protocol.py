"""What a model under test sees and returns: the small protocol ``simgen eval`` calls per frame.

A model is a callable ``model(frame: FrameInput) -> Predictions``. It reads sensor arrays through
``frame.frame`` (``rgb(camera)``, ``lidar(name)``, ...) and the rig through ``frame.calibration``;
real models must not read ``frame.frame.labels`` (the oracle does, to test the harness).
Boxes are in the ego frame (x forward, y left, z up): centre, size (length, width, height), yaw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simgen.dataset.reader import Frame
from simgen.eval.iou import Box
from simgen.sensors.rig import Calibrations


@dataclass(frozen=True)
class FrameInput:
    frame: Frame
    calibration: Calibrations
    camera: str | None  # the camera 2D detections are for


@dataclass(frozen=True)
class Detection3D:
    type: str  # KITTI type: Car, Pedestrian, Cyclist, ...
    box: Box  # ego frame
    score: float
    nuscenes: str | None = None  # the nuScenes detection class, to be scored the nuScenes way
    velocity: tuple[float, float] = (math.nan, math.nan)  # absolute, m/s, ego axes (x, y)
    attribute: str = ""  # the nuScenes attribute (vehicle.moving, pedestrian.standing, ...)


@dataclass(frozen=True)
class Detection2D:
    type: str
    box: tuple[float, float, float, float]  # u0, v0, u1, v1 pixels in ``FrameInput.camera``
    score: float


@dataclass(frozen=True)
class Predictions:
    boxes_3d: list[Detection3D] = field(default_factory=list)
    boxes_2d: list[Detection2D] = field(default_factory=list)
    semantic: np.ndarray | None = (
        None  # (H, W) class ids of simgen.core.classes, for FrameInput.camera
    )
    depth: np.ndarray | None = None  # (H, W) metres along the optical axis
