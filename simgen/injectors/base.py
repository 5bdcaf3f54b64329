"""What every injector works with: the scenario it edits, the road layout, and its own RNG."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simgen.scenario.layout import lane_center_offset, road_point
from simgen.scenario.models import Actor, Scenario

VEHICLES = frozenset({"sedan", "suv", "truck", "bus", "motorcycle"})


class InjectorError(ValueError):
    """An injector that cannot act on this scenario; the message says why."""


@dataclass(frozen=True)
class Edit:
    """The scenario an injector edits, with the helpers every world injector needs."""

    scenario: Scenario
    rng: np.random.Generator

    @property
    def ego_lane(self) -> int:
        ego = self.scenario.ego
        if ego.lane is not None:
            return int(ego.lane)
        return self.nearest_lane(float(ego.offset or 0.0))

    @property
    def ego_s(self) -> float:
        return float(self.scenario.ego.s)

    def lane_offset(self, lane: int) -> float:
        road = self.scenario.road
        return lane_center_offset(lane, int(road.lanes), float(road.lane_width))

    def nearest_lane(self, offset: float) -> int:
        road = self.scenario.road
        lanes = range(-int(road.oncoming_lanes), int(road.lanes))
        return min(lanes, key=lambda lane: abs(self.lane_offset(lane) - offset))

    def right_edge(self) -> float:
        """Lateral offset of the carriageway's right edge (the ego's side)."""
        road = self.scenario.road
        return -int(road.lanes) * float(road.lane_width)

    def heading_at_ego(self) -> float:
        """Direction of travel at the ego's start (radians, counter-clockwise from +x)."""
        road = self.scenario.road
        _, _, heading = road_point(
            road.type,
            self.ego_s,
            0.0,
            radius=None if road.radius is None else float(road.radius),  # type: ignore[arg-type]
            arm=self.scenario.ego.arm,
            arm_length=None if road.arm_length is None else float(road.arm_length),  # type: ignore[arg-type]
        )
        return heading

    def on_road(self, s: float) -> float:
        """``s`` kept on the road (an intersection arm ends at the centre)."""
        road = self.scenario.road
        end = float(road.arm_length) if road.type == "intersection" else float(road.length)  # type: ignore[arg-type]
        return min(max(s, 0.0), end - 1.0)

    def name(self, base: str) -> str:
        taken = {a.name for a in self.scenario.actors} | {"ego"}
        for k in range(1000):
            candidate = f"{base}_{k}"
            if candidate not in taken:
                return candidate
        raise InjectorError(f"no free actor name for {base}")  # pragma: no cover

    def actor(self, name: str) -> Actor:
        for actor in self.scenario.actors:
            if actor.name == name:
                return actor
        raise InjectorError(f"no actor named '{name}'")

    def lane_of(self, actor: Actor) -> int | None:
        if actor.lane is not None:
            return int(actor.lane)
        return None

    def ahead_in_lane(self, lane: int) -> list[Actor]:
        """Vehicles in ``lane`` ahead of the ego, nearest first."""
        found = [
            a
            for a in self.scenario.actors
            if str(a.model) in VEHICLES
            and self.lane_of(a) == lane
            and float(a.s) > self.ego_s  # type: ignore[arg-type]
            and a.arm == self.scenario.ego.arm
        ]
        return sorted(found, key=lambda a: float(a.s))  # type: ignore[arg-type]

    def with_actors(self, *added: Actor) -> Scenario:
        return self.scenario.model_copy(update={"actors": [*self.scenario.actors, *added]})

    def replace_actor(self, actor: Actor) -> Scenario:
        actors = [actor if a.name == actor.name else a for a in self.scenario.actors]
        return self.scenario.model_copy(update={"actors": actors})

    def spawn(self, base: str, model: str, s: float, **fields: object) -> Actor:
        return Actor.model_validate(
            {
                "name": self.name(base),
                "model": model,
                "s": self.on_road(s),
                "arm": self.scenario.ego.arm,
                **fields,
            }
        )


def degrees(radians: float) -> float:
    return math.degrees(radians)
