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


@dataclass(frozen=True)
class Span:
    """One execution of a storyboard element: from its start to its end (None: running)."""

    start: float
    end: float | None
    ended_by: str | None  # "end" (its work done) or "stop" (stopped); None while running


@dataclass(frozen=True)
class ElementRecord:
    """Every execution of one storyboard element so far: the scenario's phases as data."""

    type: str  # story, act, maneuver_group, maneuver, event, action
    name: str
    parent: str | None
    spans: tuple[Span, ...]

    def to_json(self) -> dict:
        return {
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "spans": [{"start": s.start, "end": s.end, "ended_by": s.ended_by} for s in self.spans],
        }


@dataclass(frozen=True)
class ElementPhase:
    """Where a storyboard element stands at a frame: ``before`` its first start, ``during``
    an execution, ``after`` one (also between executions)."""

    type: str
    name: str
    phase: str  # before | during | after
    executions: int  # started so far


def phase_of(record: ElementRecord) -> ElementPhase:
    if not record.spans:
        phase = "before"
    elif record.spans[-1].end is None:
        phase = "during"
    else:
        phase = "after"
    return ElementPhase(record.type, record.name, phase, len(record.spans))
