"""The label schema: what one frame's labels hold, written by the renderer and read back typed.

Pure data with NumPy helpers only, so readers (exports, evaluation, report) import it without
the simulator or the sensors. ``FrameLabels.from_json(x.to_json()) == x`` holds exactly: JSON keeps
every float bit for bit, and pydantic turns the lists back into the declared tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, TypeAdapter

from simgen.core.geometry import box_corners, quat_to_matrix
from simgen.core.jsonio import as_dict, validate_json
from simgen.world.events import CollisionEvent, ElementPhase, Vec3

Quat = tuple[float, float, float, float]  # x, y, z, w


@dataclass(frozen=True)
class Box3D:
    """A box in some frame: geometric centre, size (length, width, height), rotation."""

    center: Vec3
    size: Vec3
    rotation: Quat
    yaw: float  # about the frame's z axis (world, ego, lidar); see rotation otherwise

    def matrix(self) -> np.ndarray:
        return quat_to_matrix(self.rotation)

    def bottom_center(self) -> np.ndarray:
        """Centre of the bottom face: the object's origin (its own z axis points up)."""
        return np.asarray(self.center) - self.matrix()[:, 2] * self.size[2] / 2

    def corners(self) -> np.ndarray:
        """The 8 corners (8, 3) in the box's frame; order as ``geometry.box_corners``."""
        corners: np.ndarray = box_corners(self.size) @ self.matrix().T + self.bottom_center()
        return corners


WORLD = "world"
EGO = "ego"
RESERVED_FRAMES = (WORLD, EGO)  # frame names no sensor may take (scenario checks reject them)


@dataclass(frozen=True)
class FrameBoxes:
    """One object's box in each frame: the world's, the ego's and every sensor's own.

    Typed fields rather than one dict by frame name, so a sensor can never stand in for the
    world or the ego frame. On disk it stays the flat ``{"world": .., "ego": .., "<sensor>": ..}``
    mapping it always was (``to_json``, and ``from_json`` through the field's validator).
    """

    world: Box3D
    ego: Box3D
    sensors: dict[str, Box3D] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clash = sorted(set(self.sensors) & set(RESERVED_FRAMES))
        if clash:
            raise ValueError(f"sensor names {clash} are reserved for frames {RESERVED_FRAMES}")

    def to_json(self) -> dict[str, Any]:
        """The flat on-disk mapping: frame or sensor name -> box."""
        flat = {WORLD: self.world, EGO: self.ego, **self.sensors}
        return {name: as_dict(box) for name, box in flat.items()}


def _boxes_from_flat(data: Any) -> Any:
    """The on-disk flat mapping -> FrameBoxes fields (pydantic validates the rest). Always the
    flat form: a sensor may well be called ``sensors``."""
    if isinstance(data, dict):
        rest = {k: v for k, v in data.items() if k not in RESERVED_FRAMES}
        return {WORLD: data.get(WORLD), EGO: data.get(EGO), "sensors": rest}
    return data


@dataclass(frozen=True)
class Keypoint:
    """One COCO keypoint of a person in one camera's image. ``u, v`` are pixels in the labels'
    pixel-centre convention (the COCO export adds half a pixel); ``visibility`` is COCO's flag:
    0 outside the image (or behind the camera), 1 inside it but occluded, 2 visible."""

    u: float
    v: float
    visibility: int


@dataclass(frozen=True)
class CameraView:
    """How one camera sees one object. Boxes are pixels [u_min, v_min, u_max, v_max]."""

    amodal_box: tuple[float, float, float, float] | None  # projected 3D box, clipped to the image
    visible_box: tuple[int, int, int, int] | None  # tight around the instance mask
    visible_pixels: int
    unoccluded_pixels: int
    visibility: float  # visible / unoccluded, 0 when out of view
    truncation: float  # fraction of the projected box outside the image
    kitti_occlusion: int  # 0 fully visible, 1 partly, 2 largely occluded, 3 unknown
    # people and riders only: the 17 COCO keypoints (simgen.core.keypoints order)
    keypoints: tuple[Keypoint, ...] | None = None

    @property
    def in_view(self) -> bool:
        """In the image and seen in at least one pixel."""
        return self.amodal_box is not None and self.visible_pixels > 0


@dataclass(frozen=True)
class SignalLabel:
    """What a traffic light or sign is and shows. Codes follow the German/Vienna convention
    (OpenDRIVE signal types): 1000001 three-lamp light, 1000002 pedestrian light, 1000011
    arrows, 206 stop, 205 yield, 274 speed limit, 267 no entry, 306 priority road."""

    code: str
    subtype: str  # "-1" when none
    name: str  # traffic_light, pedestrian_light, arrow_light, stop, yield, speed_limit, ...
    state: str | None  # lights: red, yellow, green, off or flashing_yellow; None for signs
    value: float | None  # a speed limit's number
    controller: str | None  # the controller switching a light
    source_id: str  # the signal's id in its road source (an OpenDRIVE signal id)


@dataclass(frozen=True)
class ObjectLabel:
    id: int  # = track id = instance id in masks and lidar points, stable for the whole run
    name: str
    semantic_class: str
    model: str
    boxes: Annotated[FrameBoxes, BeforeValidator(_boxes_from_flat)]
    velocity: Vec3  # world, m/s
    angular_velocity: Vec3
    moving: bool
    crashed: bool
    headlights: bool
    brake_lights: bool
    cameras: dict[str, CameraView]
    lidar_points: dict[str, int]  # returns from this object, per lidar
    visible: bool  # seen by at least one sensor
    # people and riders only: the 17 COCO keypoints' 3D positions in the world frame (metres)
    joints: tuple[Vec3, ...] | None = None
    # traffic lights and signs only (their box and masks are the head's, without its pole)
    signal: SignalLabel | None = None


@dataclass(frozen=True)
class FrameLabels:
    frame: int
    time: float
    world_from_ego: tuple[tuple[float, float, float, float], ...]  # 4x4 rows
    ego_velocity: Vec3  # world, m/s
    ego_angular_velocity: Vec3  # world, rad/s
    objects: tuple[ObjectLabel, ...]
    events: tuple[CollisionEvent, ...]
    faults: dict[str, tuple[str, ...]]  # per sensor: the faults acting on it in this frame
    # every storyboard element's phase (before, during, after) at this frame; () without one
    storyboard: tuple[ElementPhase, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (dicts, lists, numbers, strings); boxes in their flat mapping."""
        data = as_dict(self)
        if not self.storyboard:  # labels without a storyboard read as they did before it
            del data["storyboard"]
        for obj, out in zip(self.objects, data["objects"], strict=True):
            out["boxes"] = obj.boxes.to_json()
            _drop_none(out, "joints")
            _drop_none(out, "signal")
            for view in out["cameras"].values():
                _drop_none(view, "keypoints")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | str | bytes) -> FrameLabels:
        """Validate JSON (text or parsed) into typed labels; raises pydantic's ValidationError."""
        return validate_json(_adapter(), data)

    def pose(self) -> np.ndarray:
        """4x4 pose of the ego in the world."""
        return np.asarray(self.world_from_ego, dtype=float)

    def object(self, name: str) -> ObjectLabel:
        for obj in self.objects:
            if obj.name == name:
                return obj
        raise KeyError(name)


def _drop_none(data: dict[str, Any], key: str) -> None:
    """Keypoint and signal fields are written only where they exist, so the labels of objects
    that have none read exactly as they did before these were labelled."""
    if data.get(key, 0) is None:
        del data[key]


@cache
def _adapter() -> TypeAdapter[FrameLabels]:
    return TypeAdapter(FrameLabels)
