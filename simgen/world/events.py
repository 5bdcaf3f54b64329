"""Events the world reports between frames. Pure data, importable without the simulator."""

from __future__ import annotations

from dataclasses import dataclass

Vec3 = tuple[float, float, float]


@dataclass(frozen=True)
class CollisionEvent:
    time: float
    actors: tuple[str, str]
    ids: tuple[int, int]
    impulse: float  # N*s, summed over the contact points of the first touching step
    position: Vec3


@dataclass(frozen=True)
class TriggerEvent:
    """A behaviour step that started (its ``at`` time came, or its ``when`` condition held)."""

    time: float
    actor: str
    action: str
    position: Vec3
