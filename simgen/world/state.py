"""WorldState: the one snapshot per sensor frame that every sensor and label reads.

Pure data: no PyBullet object leaks out of ``simgen.world``. Sensors read the same state for
every output of a frame, so images, lidar and labels can never drift apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simgen.core.geometry import quat_to_matrix
from simgen.scenario.models import Environment
from simgen.world.events import CollisionEvent, ElementRecord, TriggerEvent, Vec3
from simgen.world.furniture import StaticObject
from simgen.world.lanes import LanePolyline
from simgen.world.map_road import MapGeometry
from simgen.world.road import RoadGeometry, SurfaceMesh
from simgen.world.signal_layout import ControllerPlacement, SignalPlacement
from simgen.world.signals import SignalState

Quat = tuple[float, float, float, float]  # x, y, z, w


def yaw_quat(yaw: float) -> Quat:
    return (0.0, 0.0, math.sin(yaw / 2), math.cos(yaw / 2))


@dataclass(frozen=True)
class LightState:
    headlights: bool
    brake_lights: bool


@dataclass(frozen=True)
class ActorState:
    """One road user at one instant. ``position`` is the centre of its box's bottom face."""

    id: int
    name: str
    model: str
    kind: str
    semantic_class: str
    position: Vec3
    rotation: Quat
    velocity: Vec3
    angular_velocity: Vec3
    dimensions: Vec3  # length (x), width (y), height (z)
    lights: LightState
    controlled: bool  # False once a collision has handed it to free physics
    crashed: bool
    travelled: float = 0.0  # metres covered since the start: drives gait and wheel turns
    # its mesh's scale from the catalog model (a scenario's ``size``; dimensions are scaled)
    scale: Vec3 = (1.0, 1.0, 1.0)

    @property
    def yaw(self) -> float:
        r = quat_to_matrix(self.rotation)
        return math.atan2(r[1, 0], r[0, 0])

    @property
    def speed(self) -> float:
        return math.hypot(self.velocity[0], self.velocity[1])

    def transform(self) -> np.ndarray:
        """4x4 pose of the actor frame (origin at the bottom centre) in the world."""
        out = np.eye(4)
        out[:3, :3] = quat_to_matrix(self.rotation)
        out[:3, 3] = self.position
        return out

    def body_transform(self) -> np.ndarray:
        """4x4 from the catalog asset's frame to the world: ``transform`` with the body's scale
        (where its mesh vertices go; sensor mounts use ``transform``)."""
        out = self.transform()
        if self.scale != (1.0, 1.0, 1.0):
            out[:3, :3] = out[:3, :3] * np.asarray(self.scale)
        return out

    def box_center(self) -> np.ndarray:
        """World centre of the 3D bounding box (half a height above ``position``, along its z)."""
        return self.transform() @ np.array([0.0, 0.0, self.dimensions[2] / 2, 1.0])


@dataclass(frozen=True)
class StaticWorld:
    """Geometry that never moves, shared by every frame of a simulation."""

    road: RoadGeometry | MapGeometry
    surfaces: tuple[SurfaceMesh, ...]
    objects: tuple[StaticObject, ...]
    # every lane as world polylines, when the scenario writes lane labels (else empty)
    lanes: tuple[LanePolyline, ...] = ()
    signals: tuple[SignalPlacement, ...] = ()  # traffic lights and signs, whatever placed them
    controllers: tuple[ControllerPlacement, ...] = ()


@dataclass(frozen=True)
class WorldState:
    frame: int
    time: float
    actors: tuple[ActorState, ...]  # the ego first
    events: tuple[CollisionEvent, ...]  # collisions since the previous frame
    triggers: tuple[TriggerEvent, ...]  # behaviour steps started since the previous frame
    static: StaticWorld
    environment: Environment
    signals: tuple[SignalState, ...] = ()  # every signal with its state at this instant
    # every storyboard element's executions so far (start and end times); () without one
    storyboard: tuple[ElementRecord, ...] = ()

    @property
    def ego(self) -> ActorState:
        return self.actors[0]

    def actor(self, name: str) -> ActorState:
        for actor in self.actors:
            if actor.name == name:
                return actor
        raise KeyError(name)
