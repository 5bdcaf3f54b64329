"""Per-frame labels from one WorldState and the frames rendered from it (the same instant).

3D boxes come from the world state (exact poses and catalog dimensions); what each sensor
actually saw comes from its own outputs: visible 2D boxes and pixel counts from the instance
mask, point counts from the lidar's per-point instance ids.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.ndimage import find_objects

from simgen.sensors.camera import CameraFrame
from simgen.world.state import ActorState, CollisionEvent, WorldState


@dataclass(frozen=True)
class Box3D:
    center: tuple[float, float, float]  # world, the box's geometric centre
    size: tuple[float, float, float]  # length, width, height
    rotation: tuple[float, float, float, float]  # world quaternion x, y, z, w
    yaw: float


@dataclass(frozen=True)
class ObjectLabel:
    id: int
    name: str
    semantic_class: str
    model: str
    box: Box3D
    velocity: tuple[float, float, float]
    angular_velocity: tuple[float, float, float]
    moving: bool
    crashed: bool
    headlights: bool
    brake_lights: bool
    camera_boxes: dict[str, list[int]]  # visible box [u_min, v_min, u_max, v_max], inclusive
    camera_pixels: dict[str, int]
    lidar_points: dict[str, int]


@dataclass(frozen=True)
class FrameLabels:
    frame: int
    time: float
    world_from_ego: list[list[float]]
    objects: list[ObjectLabel]
    events: list[CollisionEvent]

    def to_json(self) -> dict:
        return asdict(self)


def box3d(actor: ActorState) -> Box3D:
    center = actor.box_center()[:3]
    return Box3D(tuple(float(c) for c in center), actor.dimensions, actor.rotation, actor.yaw)  # type: ignore[arg-type]


def mask_boxes(instance: np.ndarray) -> dict[int, tuple[list[int], int]]:
    """Tight box and pixel count of every id > 0 in an instance mask (one C pass each)."""
    counts = np.bincount(instance.ravel())
    out: dict[int, tuple[list[int], int]] = {}
    for index, found in enumerate(find_objects(instance.astype(np.int32))):
        if found is None:
            continue
        rows, cols = found
        box = [cols.start, rows.start, cols.stop - 1, rows.stop - 1]
        out[index + 1] = (box, int(counts[index + 1]))
    return out


def derive(state: WorldState, frames: dict[str, CameraFrame | np.ndarray]) -> FrameLabels:
    seen: dict[str, dict[int, tuple[list[int], int]]] = {}
    points: dict[str, dict[int, int]] = {}
    for name, data in frames.items():
        if isinstance(data, CameraFrame):
            if data.instance is not None:
                seen[name] = mask_boxes(data.instance)
        else:
            ids, counts = np.unique(data["instance"], return_counts=True)
            points[name] = {int(i): int(c) for i, c in zip(ids, counts, strict=True) if i > 0}
    objects = []
    for actor in state.actors[1:]:
        objects.append(
            ObjectLabel(
                id=actor.id,
                name=actor.name,
                semantic_class=actor.semantic_class,
                model=actor.model,
                box=box3d(actor),
                velocity=actor.velocity,
                angular_velocity=actor.angular_velocity,
                moving=actor.speed > 0.1,
                crashed=actor.crashed,
                headlights=actor.lights.headlights,
                brake_lights=actor.lights.brake_lights,
                camera_boxes={n: s[actor.id][0] for n, s in seen.items() if actor.id in s},
                camera_pixels={n: s[actor.id][1] for n, s in seen.items() if actor.id in s},
                lidar_points={n: p.get(actor.id, 0) for n, p in points.items()},
            )
        )
    return FrameLabels(
        frame=state.frame,
        time=state.time,
        world_from_ego=state.ego.transform().tolist(),
        objects=objects,
        events=list(state.events),
    )
