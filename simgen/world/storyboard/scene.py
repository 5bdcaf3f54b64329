"""What the storyboard sees of the world at one step: road users, signals, collisions, clock.

Built by the runner from the simulation each physics step, so that conditions and actions are
pure functions of it (and testable without physics).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simgen.world.behaviour import Plan, Roads, Snapshot
from simgen.world.map_road import MapGeometry
from simgen.world.signals import SignalSystem
from simgen.world.storyboard.positions import Pose, PositionError


@dataclass(frozen=True)
class Entity:
    """One road user as conditions measure it."""

    name: str
    snapshot: Snapshot  # world pose and velocity (the body's once physics has it)
    plan: Plan
    controlled: bool  # False once a collision handed it to free physics
    speed: float  # m/s, along its travel
    acceleration: float  # m/s^2, of that speed
    travelled: float  # m since the start

    @property
    def pose(self) -> Pose:
        """Where it is, with its road, lane, s and t while its plan drives it on a map."""
        s = self.snapshot
        if self.controlled and self.plan.arm is not None:
            plan = self.plan
            return Pose(s.x, s.y, plan.z, s.yaw, plan.arm, plan.lane, plan.s, plan.lateral)
        return Pose(s.x, s.y, self.plan.z, s.yaw)


@dataclass(frozen=True)
class Scene:
    time: float
    dt: float
    entities: dict[str, Entity]
    geom: Roads
    signals: SignalSystem
    collisions: frozenset[tuple[str, str]]  # touching pairs so far (names, sorted)

    @property
    def map(self) -> MapGeometry | None:
        return self.geom if isinstance(self.geom, MapGeometry) else None

    def entity(self, name: str) -> Entity:
        try:
            return self.entities[name]
        except KeyError:
            raise PositionError(f"the storyboard names '{name}', which is no road user") from None

    def poses(self) -> dict[str, Pose]:
        return {name: e.pose for name, e in self.entities.items()}

    def along(self, me: Entity, x: float, y: float, system: str) -> tuple[float, float]:
        """(longitudinal, lateral) of a world point from an entity: in its own frame
        (``entity``), or along and across its road (``road``, ``lane``; on a map the road's
        s and t when the point lies on the same road)."""
        snap = me.snapshot
        if system in ("road", "lane") and me.controlled and me.plan.arm is not None:
            plan = me.plan
            s, t = self.geom.to_road(x, y, plan.arm)
            return (s - plan.s) * plan.direction, (t - plan.lateral) * plan.direction
        dx, dy = x - snap.x, y - snap.y
        c, si = math.cos(snap.yaw), math.sin(snap.yaw)
        return dx * c + dy * si, -dx * si + dy * c
