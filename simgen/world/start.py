"""Where the road users start, checked before anything moves: two whose collision boxes overlap
there would touch in the first physics step, and a touch is a crash (``physics``). No one
writes a scenario to crash at t = 0; a drawn position that does is drawn again
(``scenario.sample``), and a fixed one is the scenario's error."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import cv2
import numpy as np

from simgen.core.geometry import footprint, polygon_distance
from simgen.core.rng import derive_rng
from simgen.scenario.models import Actor, Ego, Scenario
from simgen.scenario.sample import ScenarioInstance
from simgen.world.assets import UNIT, load_catalog, sized
from simgen.world.behaviour import Plan, Roads, make_plan
from simgen.world.map_road import MapGeometry, load_map
from simgen.world.road import RoadGeometry

EGO_NAME = "ego"


@dataclass(frozen=True)
class Overlap:
    """Two road users (by name, in the scenario's order) that start inside each other."""

    first: str
    second: str


@dataclass(frozen=True)
class StartBox:
    """A road user's collision box on the ground where it starts, as the physics world places
    it (a box round its position, along its heading)."""

    name: str
    polygon: np.ndarray  # (4, 2) world x, y
    pedestrian: bool
    wrecked: bool
    velocity: tuple[float, float] = (0.0, 0.0)  # m/s, world x, y, where it starts

    def may_touch(self, other: StartBox) -> bool:
        """People pass each other, and wrecks placed together are a scene already crashed."""
        return (self.pedestrian and other.pedestrian) or (self.wrecked and other.wrecked)

    def swept(self, other: StartBox, seconds: float) -> np.ndarray:
        """The box and where it moves towards ``other`` in ``seconds`` at their relative
        velocity where they start: what ``other`` must keep clear of."""
        closing = np.subtract(self.velocity, other.velocity) * seconds
        both = np.concatenate([self.polygon, self.polygon + closing]).astype(np.float32)
        return cv2.convexHull(both).reshape(-1, 2).astype(np.float64)


def roads_of(scenario: Scenario) -> Roads:
    """The scenario's road layout as the world builds it."""
    road = scenario.road
    return MapGeometry(load_map(str(road.file))) if road.type == "opendrive" else RoadGeometry(road)


def start_boxes(
    instance: ScenarioInstance, geom: Roads | None = None, names: Collection[str] | None = None
) -> list[StartBox]:
    """The start boxes of the road users (the ego first, then the actors in order), or of those
    named in ``names``."""
    geom = roads_of(instance.scenario) if geom is None else geom
    users = [instance.scenario.ego, *instance.scenario.actors]
    plans = plans_of(instance, geom, names)
    wrecked = {EGO_NAME if isinstance(u, Ego) else u.name: bool(u.wrecked) for u in users}
    return [
        StartBox(
            p.name,
            footprint(p.x, p.y, p.yaw, p.entry.collision.size[0], p.entry.collision.size[1]),
            p.entry.is_pedestrian,
            wrecked[p.name],
            (p.speed * math.cos(p.yaw), p.speed * math.sin(p.yaw)),
        )
        for p in plans
    ]


def start_overlaps(instance: ScenarioInstance) -> list[Overlap]:
    """Every pair of road users whose collision boxes overlap where they start, but for those
    that may touch (``StartBox.may_touch``)."""
    boxes = start_boxes(instance)
    return [
        Overlap(a.name, b.name)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if not a.may_touch(b) and polygon_distance(a.polygon, b.polygon) == 0.0
    ]


def crowded(
    boxes: list[StartBox], placed: list[StartBox], clearance: float, headway: float = 0.0
) -> list[str]:
    """The names of ``boxes`` that come within ``clearance`` of one of ``placed`` (but for
    those that may touch it), or would in ``headway`` seconds at their relative velocity where
    they start: a car parked just ahead of a moving one is hit at once."""

    def near(a: StartBox, b: StartBox) -> bool:
        if a.may_touch(b):
            return False
        if headway > 0:
            return polygon_distance(a.swept(b, headway), b.polygon) <= clearance
        return polygon_distance(a.polygon, b.polygon) <= clearance

    return [box.name for box in boxes if any(near(box, new) for new in placed)]


def body_model(model: str, name: str, seed: int, variant: int) -> str:
    """The concrete body of a road user: one of its model's variants (height, build), drawn
    from its own stream so that adding an actor never changes another's body."""
    options = load_catalog().variants(model)
    if len(options) == 1:
        return options[0]
    rng = derive_rng(seed, variant, f"world/body/{name}")
    return options[int(rng.integers(len(options)))]


def plans_of(
    instance: ScenarioInstance, geom: Roads, names: Collection[str] | None = None
) -> list[Plan]:
    """Every road user's plan where it starts (the ego first, then the actors in order), or
    the plans of those named in ``names``."""
    scenario = instance.scenario
    catalog = load_catalog()
    users: list[tuple[str, Ego | Actor]] = [(EGO_NAME, scenario.ego)]
    users += [(a.name, a) for a in scenario.actors]
    plans = []
    for index, (name, user) in enumerate(users):
        if names is not None and name not in names:
            continue
        model = body_model(str(user.model), name, scenario.seed, instance.variant)
        entry, scale = catalog[model], UNIT
        if user.size is not None:
            entry, scale = sized(entry, user.size)
        plans.append(
            make_plan(
                index + 1,  # instance ids start at 1; 0 is the background in masks
                name,
                model,
                entry,
                geom,
                lane=None if user.lane is None else int(user.lane),
                offset=None if user.offset is None else float(user.offset),
                s=float(user.s),  # type: ignore[arg-type]
                speed=float(user.speed),
                arm=user.road if user.road is not None else user.arm,
                steps=list(user.behavior),
                heading=float(user.heading),  # type: ignore[arg-type]
                wrecked=user.wrecked,
                driver=user.driver,
                route=None if user.route is None else list(user.route),
            )
        )
        plans[-1].obey_signals = user.obey_signals is not False
        plans[-1].scale = scale
        if user.reference_point is not None:
            plans[-1].reference = user.reference_point
    return plans
