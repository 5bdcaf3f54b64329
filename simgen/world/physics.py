"""PyBullet rigid-body physics, one DIRECT client per world. Nothing here leaks a PyBullet handle.

Planned road users are driven kinematically: before each step their body is put on its plan
with the plan's velocity. When two road users touch, the contact becomes a collision event and
both bodies are left to free physics, so the crash plays out: they push, spin and slide to a
stop by friction.

People never touch each other here. In life they step round one another; as the rigid boxes
they are here, two who touched (a walker brushing past one who waits, two drawn side by side)
would be a crash, and both would topple like skittles and lie in the road.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pybullet as p

from simgen.world.assets import AssetEntry
from simgen.world.state import Quat, Vec3, yaw_quat

GROUND_FRICTION = 0.8
BODY_FRICTION = 0.7
RESTITUTION = 0.05


@dataclass(frozen=True)
class Contact:
    a: str
    b: str
    impulse: float
    position: Vec3


@dataclass(frozen=True)
class BodyState:
    position: Vec3  # bottom centre
    rotation: Quat
    velocity: Vec3
    angular_velocity: Vec3


class PhysicsWorld:
    """A PyBullet world with its own client: several can live in one process."""

    def __init__(self, rate: float, gravity: float = -9.81) -> None:
        self.rate = rate
        self.client = p.connect(p.DIRECT)
        p.resetSimulation(physicsClientId=self.client)
        p.setPhysicsEngineParameter(
            fixedTimeStep=1.0 / rate, deterministicOverlappingPairs=1, physicsClientId=self.client
        )
        p.setGravity(0, 0, gravity, physicsClientId=self.client)
        plane = p.createCollisionShape(p.GEOM_PLANE, physicsClientId=self.client)
        self.ground = p.createMultiBody(0, plane, physicsClientId=self.client)
        p.changeDynamics(
            self.ground, -1, lateralFriction=GROUND_FRICTION, physicsClientId=self.client
        )
        self._bodies: dict[str, int] = {}
        self._names: dict[int, str] = {}
        self._half_heights: dict[str, float] = {}
        self._people: list[int] = []

    def close(self) -> None:
        if self.client is not None and p.isConnected(self.client):
            p.disconnect(self.client)
        self.client = None  # type: ignore[assignment]

    def __enter__(self) -> PhysicsWorld:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- static geometry ---------------------------------------------------------------------

    def add_static_mesh(self, vertices: np.ndarray, faces: np.ndarray) -> None:
        """A concave static surface (sidewalks and kerbs) that bodies stand on and hit."""
        if len(faces) == 0:
            return
        shape = p.createCollisionShape(
            p.GEOM_MESH,
            vertices=np.asarray(vertices, dtype=float).tolist(),
            indices=np.asarray(faces, dtype=int).ravel().tolist(),
            physicsClientId=self.client,
        )
        body = p.createMultiBody(0, shape, physicsClientId=self.client)
        p.changeDynamics(body, -1, lateralFriction=GROUND_FRICTION, physicsClientId=self.client)

    def add_static_box(self, size: Vec3, position: Vec3, yaw: float, offset: Vec3) -> None:
        """A fixed box whose bottom centre is ``offset`` (asset frame) from ``position``."""
        half = [s / 2 for s in size]
        shape = p.createCollisionShape(p.GEOM_BOX, halfExtents=half, physicsClientId=self.client)
        c, s_ = np.cos(yaw), np.sin(yaw)
        center = (
            position[0] + c * offset[0] - s_ * offset[1],
            position[1] + s_ * offset[0] + c * offset[1],
            position[2] + offset[2] + half[2],
        )
        p.createMultiBody(
            0,
            shape,
            basePosition=center,
            baseOrientation=yaw_quat(yaw),
            physicsClientId=self.client,
        )

    # --- road users --------------------------------------------------------------------------

    def add_actor(self, name: str, entry: AssetEntry, position: Vec3, yaw: float) -> None:
        size = entry.collision.size
        half = [s / 2 for s in size]
        shape = p.createCollisionShape(p.GEOM_BOX, halfExtents=half, physicsClientId=self.client)
        body = p.createMultiBody(
            max(entry.mass, 1.0),
            shape,
            basePosition=(position[0], position[1], position[2] + half[2]),
            baseOrientation=yaw_quat(yaw),
            physicsClientId=self.client,
        )
        p.changeDynamics(
            body,
            -1,
            lateralFriction=BODY_FRICTION,
            restitution=RESTITUTION,
            linearDamping=0.0,
            angularDamping=0.05,
            physicsClientId=self.client,
        )
        self._bodies[name] = body
        self._names[body] = name
        self._half_heights[name] = half[2]
        if entry.is_pedestrian:
            for other in self._people:
                p.setCollisionFilterPair(body, other, -1, -1, 0, physicsClientId=self.client)
            self._people.append(body)

    def drive(self, name: str, position: Vec3, yaw: float, velocity: Vec3, yaw_rate: float) -> None:
        """Put a planned body exactly on its plan for the coming step."""
        body = self._bodies[name]
        center = (position[0], position[1], position[2] + self._half_heights[name])
        p.resetBasePositionAndOrientation(body, center, yaw_quat(yaw), physicsClientId=self.client)
        p.resetBaseVelocity(body, velocity, (0.0, 0.0, yaw_rate), physicsClientId=self.client)

    def step(self) -> list[Contact]:
        """Advance one fixed step; return the touching pairs of road users, with impulses."""
        p.stepSimulation(physicsClientId=self.client)
        per_pair: dict[tuple[str, str], list] = {}
        for contact in p.getContactPoints(physicsClientId=self.client):
            a, b = self._names.get(contact[1]), self._names.get(contact[2])
            if a is None or b is None or contact[8] > 0.0:
                continue
            key = (a, b) if a < b else (b, a)
            per_pair.setdefault(key, []).append(contact)
        out = []
        dt = 1.0 / self.rate
        for (a, b), points in sorted(per_pair.items()):
            impulse = sum(c[9] for c in points) * dt
            where = np.mean([c[5] for c in points], axis=0)
            out.append(
                Contact(a, b, float(impulse), (float(where[0]), float(where[1]), float(where[2])))
            )
        return out

    def state(self, name: str) -> BodyState:
        body = self._bodies[name]
        center, rotation = p.getBasePositionAndOrientation(body, physicsClientId=self.client)
        velocity, angular = p.getBaseVelocity(body, physicsClientId=self.client)
        r = np.array(p.getMatrixFromQuaternion(rotation)).reshape(3, 3)
        bottom = np.asarray(center) - r[:, 2] * self._half_heights[name]
        return BodyState(
            tuple(float(v) for v in bottom),  # type: ignore[arg-type]
            tuple(float(v) for v in rotation),  # type: ignore[arg-type]
            tuple(float(v) for v in velocity),  # type: ignore[arg-type]
            tuple(float(v) for v in angular),  # type: ignore[arg-type]
        )
