"""Where the road users start, checked before anything moves: two whose collision boxes overlap
there would touch in the first physics step, and a touch is a crash (``physics``). No one
writes a scenario to crash at t = 0; a drawn position that does is drawn again
(``scenario.sample``), and a fixed one is the scenario's error."""

from __future__ import annotations

from dataclasses import dataclass

from simgen.core.geometry import footprint, polygon_distance
from simgen.core.rng import derive_rng
from simgen.scenario.models import Actor, Ego
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


def start_overlaps(instance: ScenarioInstance) -> list[Overlap]:
    """Every pair of road users whose collision boxes overlap where they start, as the physics
    world places them (a box round each one's position, along its heading). People pass each
    other, and wrecks placed together are a scene already crashed: neither pair counts."""
    road = instance.scenario.road
    geom = MapGeometry(load_map(str(road.file))) if road.type == "opendrive" else RoadGeometry(road)
    plans = plans_of(instance, geom)
    users = [instance.scenario.ego, *instance.scenario.actors]
    wrecked = [bool(user.wrecked) for user in users]
    boxes = [
        footprint(p.x, p.y, p.yaw, p.entry.collision.size[0], p.entry.collision.size[1])
        for p in plans
    ]
    out = []
    for i, a in enumerate(plans):
        for j in range(i + 1, len(plans)):
            b = plans[j]
            if a.entry.is_pedestrian and b.entry.is_pedestrian:
                continue
            if wrecked[i] and wrecked[j]:
                continue
            if polygon_distance(boxes[i], boxes[j]) == 0.0:
                out.append(Overlap(a.name, b.name))
    return out


def body_model(model: str, name: str, seed: int, variant: int) -> str:
    """The concrete body of a road user: one of its model's variants (height, build), drawn
    from its own stream so that adding an actor never changes another's body."""
    options = load_catalog().variants(model)
    if len(options) == 1:
        return options[0]
    rng = derive_rng(seed, variant, f"world/body/{name}")
    return options[int(rng.integers(len(options)))]


def plans_of(instance: ScenarioInstance, geom: Roads) -> list[Plan]:
    """Every road user's plan where it starts: the ego first, then the actors in order."""
    scenario = instance.scenario
    catalog = load_catalog()
    users: list[tuple[str, Ego | Actor]] = [(EGO_NAME, scenario.ego)]
    users += [(a.name, a) for a in scenario.actors]
    plans = []
    for index, (name, user) in enumerate(users):
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
