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


def offset_point(
    x: float, y: float, yaw: float, offset: tuple[float, float]
) -> tuple[float, float]:
    """The world point ``offset`` (x forward, y left) from a pose."""
    c, s = math.cos(yaw), math.sin(yaw)
    return x + c * offset[0] - s * offset[1], y + s * offset[0] + c * offset[1]


def plan_point(plan: Plan) -> tuple[float, float]:
    """A plan's reference point in the world (its origin, the box's bottom centre, unless the
    scenario gives a ``reference_point``)."""
    if plan.reference == (0.0, 0.0):
        return plan.x, plan.y
    return offset_point(plan.x, plan.y, plan.yaw, plan.reference)


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
    def point(self) -> tuple[float, float]:
        """Its reference point in the world: what positions and distances without freespace
        refer to (OpenSCENARIO's; simgen's origin unless ``reference_point`` moves it)."""
        s, ref = self.snapshot, self.plan.reference
        return (s.x, s.y) if ref == (0.0, 0.0) else offset_point(s.x, s.y, s.yaw, ref)

    @property
    def pose(self) -> Pose:
        """Where its reference point is, with its road, lane, s and t while its plan drives it
        on a map (s and t moved by the reference point along and across its travel)."""
        s, plan = self.snapshot, self.plan
        x, y = self.point
        if self.controlled and plan.arm is not None:
            rx, ry = plan.reference
            along, across = plan.s + plan.direction * rx, plan.lateral + plan.direction * ry
            return Pose(x, y, plan.z, s.yaw, plan.arm, plan.lane, along, across)
        return Pose(x, y, plan.z, s.yaw)


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

    def along(
        self, me: Entity, x: float, y: float, system: str, free: bool = False
    ) -> tuple[float, float]:
        """(longitudinal, lateral) of a world point from an entity's reference point (its box
        centre when ``free``): in its own frame (``entity``), or along and across its road
        (``road``, ``lane``; on a map the road's s and t when the point lies on the same
        road)."""
        snap = me.snapshot
        if system in ("road", "lane") and me.controlled and me.plan.arm is not None:
            plan = me.plan
            s, t = self.geom.to_road(x, y, plan.arm)
            lon, lat = (s - plan.s) * plan.direction, (t - plan.lateral) * plan.direction
        else:
            dx, dy = x - snap.x, y - snap.y
            c, si = math.cos(snap.yaw), math.sin(snap.yaw)
            lon, lat = dx * c + dy * si, -dx * si + dy * c
        if free or me.plan.reference == (0.0, 0.0):
            return lon, lat
        return lon - me.plan.reference[0], lat - me.plan.reference[1]
