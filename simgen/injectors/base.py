"""What every injector works with: the scenario it edits, the road layout, and its own RNG.

Injectors place road users in the ego's terms: ``a`` metres along the road in the ego's
direction of travel and ``b`` metres to the ego's left, with lanes numbered as the road numbers
them. On a procedural road that is the road's own (s, offset); on an OpenDRIVE map it is the
ego's road with s and t turned round when the ego drives against increasing s, so one injector
means the same on both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from simgen.scenario.layout import lane_center_offset, road_point
from simgen.scenario.models import Actor, Ego, Scenario
from simgen.scenario.sample import ScenarioInstance

if TYPE_CHECKING:
    from simgen.world.behaviour import Roads
    from simgen.world.map_road import MapGeometry
    from simgen.world.start import StartBox

MIN_AHEAD = 8.0  # m: the least room ahead of the ego on a map for a placement to mean anything
END_MARGIN = 1.0  # m kept from a road's end, as on the procedural roads

VEHICLES = frozenset({"sedan", "suv", "truck", "bus", "motorcycle"})
CLEARANCE = 0.3  # m kept between where a placed road user starts and where any other does
HEADWAY = 2.0  # s of closing in at start speeds kept clear of, where there is room
REACH = 40.0  # m on or back that a placement moves, at most, to find its place free


class InjectorError(ValueError):
    """An injector that cannot act on this scenario; the message says why."""


@dataclass(frozen=True)
class Edit:
    """The scenario an injector edits, with the helpers every world injector needs."""

    scenario: Scenario
    rng: np.random.Generator
    variant: int = 0  # the bodies people are drawn with (``world.start.body_model``)
    # start boxes by road user (its whole definition), shared by the Edits made from this one
    boxes: dict[str, StartBox] = field(default_factory=dict, compare=False, repr=False)

    def then(self, scenario: Scenario) -> Edit:
        """The next edit of the same injector: its scenario changed, its RNG going on."""
        return replace(self, scenario=scenario)

    # --- the road the ego starts on --------------------------------------------------------------

    @cached_property
    def geom(self) -> MapGeometry | None:
        """The OpenDRIVE map's lane API (None on a procedural road); ``load_map`` caches it."""
        road = self.scenario.road
        if road.type != "opendrive":
            return None
        from simgen.world.map_road import MapGeometry, load_map

        return MapGeometry(load_map(str(road.file)))

    @property
    def ego_road(self) -> str | None:
        """Where the ego starts: the OpenDRIVE road id on a map, the arm on an intersection."""
        ego = self.scenario.ego
        return ego.road if self.geom is not None else ego.arm

    @cached_property
    def direction(self) -> int:
        """+1 when the ego drives along increasing s, -1 against it (a map's left lanes)."""
        if self.geom is None:
            return 1
        return self.geom.lane_direction(self.ego_lane, self.ego_road)

    def _map_road(self) -> str:
        assert self.geom is not None and self.scenario.ego.road is not None
        return self.scenario.ego.road

    @cached_property
    def ego_lane(self) -> int:
        ego = self.scenario.ego
        if ego.lane is not None:
            return int(ego.lane)
        return self.nearest_lane(float(ego.offset or 0.0))

    @property
    def ego_s(self) -> float:
        return float(self.scenario.ego.s)

    @property
    def ego_a(self) -> float:
        """The ego's start along the road in its own direction of travel."""
        return self.direction * self.ego_s

    def lane_offset(self, lane: int, a: float | None = None) -> float:
        """A lane centre's lateral, to the ego's left (``a``: where along; default the ego)."""
        if self.geom is not None:
            s = self.ego_s if a is None else self.direction * a
            return self.direction * self.geom.lane_offset(lane, s, self._map_road())
        road = self.scenario.road
        return lane_center_offset(lane, int(road.lanes), float(road.lane_width))

    def nearest_lane(self, offset: float) -> int:
        if self.geom is not None:
            lane = self.geom.lane_at(self.ego_s, offset, self._map_road())
            if lane is None:
                raise InjectorError(f"the ego stands on no lane of road {self._map_road()}")
            return lane
        road = self.scenario.road
        lanes = range(-int(road.oncoming_lanes), int(road.lanes))
        return min(lanes, key=lambda lane: abs(self.lane_offset(lane) - offset))

    def same_way_lanes(self, a: float | None = None) -> list[int]:
        """The carriageway lanes that carry traffic the ego's way, right to left as it sees them."""
        if self.geom is None:
            return list(range(int(self.scenario.road.lanes)))
        road = self.geom.road(self._map_road())
        s = self._inside(self.ego_s if a is None else self.direction * a)
        ids = [
            i
            for i in road.lane_ids(s)
            if road.lane(s, i).type == "driving" and road.lane_direction(i) == self.direction
        ]
        return sorted(ids, key=lambda i: self.lane_offset(i, self.direction * s))

    def neighbour_lane(self, d_lane: int) -> int | None:
        """The lane ``d_lane`` lanes to the ego's left (+) or right (-) carrying traffic its way,
        or None where there is none."""
        if self.geom is None:
            lane = self.ego_lane + d_lane
            fits = lane < int(self.scenario.road.lanes) if d_lane > 0 else lane >= 0
            return lane if fits else None
        lanes = self.same_way_lanes()
        index = lanes.index(self.ego_lane) + d_lane
        return lanes[index] if 0 <= index < len(lanes) else None

    def right_edge(self, a: float | None = None) -> float:
        """Lateral of the carriageway's right edge (the ego's side), to the ego's left."""
        if self.geom is None:
            road = self.scenario.road
            return -int(road.lanes) * float(road.lane_width)
        from simgen.world.map_road import WALK_ONLY

        road = self.geom.road(self._map_road())
        s = self._inside(self.ego_s if a is None else self.direction * a)
        edges = [
            self.direction * t
            for i in road.lane_ids(s)
            if road.lane(s, i).type not in WALK_ONLY and road.lane(s, i).raise_height == 0.0
            for t in road.lane_bounds(s, i)
        ]
        return min(edges)

    def heading_at_ego(self) -> float:
        """Direction of travel at the ego's start (radians, counter-clockwise from +x)."""
        if self.geom is not None:
            heading = self.geom.to_world(self.ego_s, 0.0, self._map_road())[2]
            return heading if self.direction > 0 else heading + math.pi
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

    # --- along the road ---------------------------------------------------------------------------

    def _inside(self, s: float) -> float:
        assert self.geom is not None
        return min(max(s, 0.0), self.geom.road(self._map_road()).length)

    def room_ahead(self) -> float:
        """How far the ego's road runs on ahead of it (less a margin); unbounded on procedural
        roads, where ``on_road`` keeps a placement on the road as it always has."""
        if self.geom is None:
            return math.inf
        length = self.geom.road(self._map_road()).length
        end = length - END_MARGIN if self.direction > 0 else END_MARGIN
        return (end - self.ego_s) * self.direction

    def bounds_ahead(self) -> tuple[float, float]:
        """The ``a`` range placements ahead may use: on a map, from MIN_AHEAD before the ego to
        its road's end; on a procedural road, up to where ``on_road`` keeps a placement."""
        if self.geom is None:  # where ``on_road`` keeps a placement: short of the road's end
            return -math.inf, self.on_road(math.inf)
        return self.ego_a + MIN_AHEAD, self.ego_a + self.room_ahead()

    def ahead(self, *distances: float, extent: float = 0.0) -> float:
        """``a`` of a placement the sum of ``distances`` ahead of the ego (added in order, as the
        procedural injectors always did) that runs ``extent`` metres further on. On a map whose
        road ends sooner it moves back to fit, and is refused (rather than put off the road)
        when that brings it closer than MIN_AHEAD to the ego."""
        a = self.ego_a
        for distance in distances:
            a += distance
        room = self.room_ahead()
        if a - self.ego_a + extent <= room:
            return a
        fitted = room - extent
        if fitted < MIN_AHEAD:
            raise InjectorError(
                f"road {self._map_road()} ends {max(room, 0.0) + END_MARGIN:.0f} m ahead of the "
                f"ego (lane {self.ego_lane}, s = {self.ego_s:g} m): too short for a placement "
                f"{a - self.ego_a + extent:.0f} m ahead"
            )
        return self.ego_a + fitted

    def on_road(self, s: float) -> float:
        """``s`` kept on the road (an intersection arm ends at the centre)."""
        if self.geom is not None:
            length = self.geom.road(self._map_road()).length
            return min(max(s, END_MARGIN), length - END_MARGIN)
        road = self.scenario.road
        end = float(road.arm_length) if road.type == "intersection" else float(road.length)  # type: ignore[arg-type]
        return min(max(s, 0.0), end - 1.0)

    # --- road users -------------------------------------------------------------------------------

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

    def on_ego_road(self, user: Actor | Ego) -> bool:
        """Whether a road user starts on the ego's road (map) or arm (intersection)."""
        if self.geom is not None:
            return user.road == self.scenario.ego.road
        return user.arm == self.scenario.ego.arm

    def a_of(self, user: Actor | Ego) -> float:
        """A road user's start along the ego's road, in the ego's direction."""
        return self.direction * float(user.s)  # type: ignore[arg-type]

    def same_way(self, actor: Actor) -> bool:
        """A vehicle on a lane of the ego's road that carries traffic the ego's way."""
        if actor.lane is None or not self.on_ego_road(actor):
            return False
        if self.geom is None:
            return int(actor.lane) >= 0
        return self.geom.lane_direction(int(actor.lane), actor.road) == self.direction

    def ahead_in_lane(self, lane: int) -> list[Actor]:
        """Vehicles in ``lane`` ahead of the ego, nearest first."""
        found = [
            a
            for a in self.scenario.actors
            if str(a.model) in VEHICLES
            and self.lane_of(a) == lane
            and self.a_of(a) > self.ego_a
            and self.on_ego_road(a)
        ]
        return sorted(found, key=self.a_of)

    def with_actors(self, *added: Actor) -> Scenario:
        return self.scenario.model_copy(update={"actors": [*self.scenario.actors, *added]})

    def replace_actor(self, actor: Actor) -> Scenario:
        actors = [actor if a.name == actor.name else a for a in self.scenario.actors]
        return self.scenario.model_copy(update={"actors": actors})

    @cached_property
    def roads(self) -> Roads:
        from simgen.world.start import roads_of  # meshes: built when a scenario is edited

        return roads_of(self.scenario)

    def _start_boxes(self, scenario: Scenario, users: Sequence[Actor | Ego]) -> list[StartBox]:
        """The start boxes of ``users`` of ``scenario``, each computed once per definition."""
        from simgen.world.start import EGO_NAME, start_boxes

        names = {EGO_NAME if isinstance(u, Ego) else u.name: u.model_dump_json() for u in users}
        missing = [name for name, key in names.items() if key not in self.boxes]
        if missing:
            instance = ScenarioInstance(variant=self.variant, attempt=0, scenario=scenario)
            for box in start_boxes(instance, self.roads, missing):
                self.boxes[names[box.name]] = box
        return [self.boxes[key] for key in names.values()]

    def in_the_way(
        self, placed: Sequence[Actor], clearance: float = 0.0, headway: float = 0.0
    ) -> list[str]:
        """The road users (the ego too) whose collision boxes where they start overlap, or come
        closer than ``clearance`` to, those of ``placed`` (not yet in the scenario) where they
        would start, as the physics world places them, or would within ``headway`` seconds at
        their start speeds (a stalled car just ahead of a moving one; the ego excepted: edge
        cases are put in its way); people may stand together."""
        from simgen.world.start import crowded

        scenario = self.with_actors(*placed)
        ego, *others = self._start_boxes(scenario, [self.scenario.ego, *self.scenario.actors])
        mine = self._start_boxes(scenario, placed)
        # the group among itself too: a member the road's end kept short lands on another
        within = [name for k, box in enumerate(mine) for name in crowded([box], mine[k + 1 :], 0.0)]
        # the ego's way is where edge cases belong: it is only kept clear of where they start
        clear_of_ego = crowded([ego], mine, clearance)
        return clear_of_ego + crowded(others, mine, clearance, headway) + within

    def starts_inside(self, names: Collection[str]) -> list[tuple[str, str]]:
        """(road user of ``names``, the one it overlaps) for each pair of road users in the
        scenario whose collision boxes overlap where they start (but for those that may
        touch): the last check on what the injectors added, from the boxes they computed."""
        from simgen.world.start import crowded

        scenario = self.scenario
        everyone = self._start_boxes(scenario, [scenario.ego, *scenario.actors])
        return [
            (box.name, other)
            for box in everyone
            if box.name in names
            for other in crowded([b for b in everyone if b is not box], [box], 0.0)
        ]

    def first_clear(
        self,
        place: Callable[[float], tuple[Actor, ...]],
        a: float,
        step: float = 1.0,
        nearest: bool = True,
    ) -> tuple[Actor, ...]:
        """``place(a)``, or where its road users would start inside or within CLEARANCE of
        another (physics would crash them at t = 0), ``place`` at the nearest of ``a + step``,
        ``a - step``, ``a + 2 step``, ... up to REACH metres either way where they would not
        (not ``nearest``: every place on first, then back), within the road ahead and never
        closer than MIN_AHEAD to the ego. Places that also keep HEADWAY from the traffic come
        first; in traffic too dense for that, clear of it where they start is enough."""
        low, end = self.bounds_ahead()
        low = max(low, self.ego_a + MIN_AHEAD)  # a shifted place keeps off the ego
        a = min(a, end)  # ``spawn`` would keep it there
        steps = range(1, int(REACH / abs(step)) + 1)
        if nearest:
            shifts = [a, *(x for k in steps for x in (a + k * step, a - k * step))]
        else:
            shifts = [a, *(a + k * step for k in steps), *(a - k * step for k in steps)]
        shifts = [x for x in shifts if x == a or low <= x <= end]
        asked = place(a)
        for headway in (HEADWAY, 0.0):  # out of traffic's way where it can be, else just clear
            for shifted in shifts:
                placed = asked if shifted == a else place(shifted)
                if not self.in_the_way(placed, CLEARANCE, headway):
                    return placed
        blocking = self.in_the_way(asked, CLEARANCE)
        models = " and ".join(str(p.model) for p in asked)
        raise InjectorError(
            f"no free place for {models} within {REACH:.0f} m of {a - self.ego_a:.0f} m ahead "
            f"of the ego (taken by {', '.join(sorted(set(blocking)))})"
        )

    def spawn(self, base: str, model: str, a: float, **fields: object) -> Actor:
        """A road user on the ego's road at ``a``; ``offset`` is to the ego's left and
        ``heading`` from the ego's direction of travel (turned into the road's terms on a map)."""
        if self.geom is None:
            where: dict[str, object] = {"s": self.on_road(a), "arm": self.scenario.ego.arm}
        else:
            where = {"s": self.on_road(self.direction * a), "road": self._map_road()}
            if "offset" in fields:
                fields["offset"] = self.direction * float(fields["offset"])  # type: ignore[arg-type]
                # placed by offset it faces along increasing s: turn it round to the ego's way
                turn = 0.0 if self.direction > 0 else 180.0
                fields["heading"] = float(fields.get("heading", 0.0)) + turn  # type: ignore[arg-type]
        return Actor.model_validate({"name": self.name(base), "model": model, **where, **fields})


def degrees(radians: float) -> float:
    return math.degrees(radians)
