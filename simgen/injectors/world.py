"""World injectors: edge cases that are road users and their behaviour, so physics acts them out.

Each one adds actors or behaviour steps to the scenario; nothing here simulates. Actors they add
are named ``<type>_<k>`` and start on the ego's arm of the road.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simgen.core.geometry import footprint, polygon_distance
from simgen.injectors.base import VEHICLES, Edit, InjectorError
from simgen.scenario.models import (
    AccidentScene,
    Actor,
    Crash,
    CutIn,
    Debris,
    Ego,
    Jaywalker,
    Scenario,
    StalledVehicle,
    SuddenBrake,
    WrongWayDriver,
)
from simgen.world.assets import load_catalog

CRASH_CLOSING_SPEED = 8.0  # m/s the striking vehicle gains on its target
JAYWALKER_CLEARANCE = 0.5  # m between the parked occluder and the ego's lane


def _steps(actor: Actor, *steps: dict) -> Actor:
    data = actor.model_dump(mode="python", exclude_none=True)
    data["behavior"] = [s.model_dump(exclude_none=True) for s in actor.behavior] + list(steps)
    return Actor.model_validate(data)


def _length(model: str) -> float:
    return load_catalog()[model].dimensions[0]


def _width(model: str) -> float:
    return load_catalog()[model].dimensions[1]


def crash(edit: Edit, inj: Crash) -> Scenario:
    """The striker switches to full throttle (no car-following) and steers into the target's lane;
    the target stops. Physics makes the collision, the event and the crashed flags."""
    if inj.actor is not None and inj.target is not None:
        striker, target = inj.actor, inj.target
    else:
        edit, striker, target = _crash_pair(edit, inj)
    scenario = edit.scenario
    at = float(inj.at)
    by_name = {a.name: a for a in scenario.actors}
    target_lane = int(scenario.ego.lane or 0) if target == "ego" else by_name[target].lane
    striking = by_name[striker]
    # drop the striker's reactions that would avert the crash; keep what came before
    kept = [s for s in striking.behavior if s.when is None and float(s.at or 0.0) < at]
    striking = striking.model_copy(update={"behavior": kept})
    speed = max(float(striking.speed), 5.0) + CRASH_CLOSING_SPEED
    steps: list[dict] = [
        {"at": at, "action": "accelerate", "accel": 4.0, "target_speed": min(speed, 45.0)}
    ]
    if target_lane is not None and striking.lane != target_lane:
        steps.append({"at": at, "action": "lane_change", "lane": int(target_lane), "duration": 1.0})
    scenario = Edit(scenario, edit.rng).replace_actor(_steps(striking, *steps))
    if target != "ego":
        scenario = Edit(scenario, edit.rng).replace_actor(
            _steps(by_name[target], {"at": at, "action": "stop", "decel": 6.0})
        )
    return scenario


def _crash_pair(edit: Edit, inj: Crash) -> tuple[Edit, str, str]:
    """The nearest pair of vehicles ahead of the ego in its direction, the rear one striking;
    spawned when the scene has fewer than two."""
    ahead = sorted(
        (
            a
            for a in edit.scenario.actors
            if str(a.model) in VEHICLES
            and a.lane is not None
            and int(a.lane) >= 0
            and float(a.s) > edit.ego_s  # type: ignore[arg-type]
            and a.arm == edit.scenario.ego.arm
        ),
        key=lambda a: float(a.s),  # type: ignore[arg-type]
    )
    if inj.target is not None:
        ahead = [a for a in ahead if a.name != inj.target]
    if inj.actor is not None:
        ahead = [a for a in ahead if a.name != inj.actor]
    speed = float(edit.scenario.ego.speed)
    while len(ahead) + (inj.actor is not None) + (inj.target is not None) < 2:
        s = edit.ego_s + 45.0 + 12.0 * len(ahead)
        spawned = edit.spawn("crash", "sedan", s, lane=edit.ego_lane, speed=speed)
        edit = Edit(edit.with_actors(spawned), edit.rng)
        ahead.append(spawned)
    pool = sorted(ahead, key=lambda a: float(a.s))  # type: ignore[arg-type]
    if inj.actor is not None:
        return edit, inj.actor, inj.target or pool[-1].name
    if inj.target is not None:
        return edit, pool[0].name, inj.target
    return edit, pool[0].name, pool[1].name


def accident_scene(edit: Edit, inj: AccidentScene) -> Scenario:
    """Wrecks turned across the ego's lanes, already crashed, and debris around them; nothing
    is placed where it would overlap something else (physics would throw it)."""
    rng = edit.rng
    lanes = int(edit.scenario.road.lanes)
    start = edit.ego_s + float(inj.ahead)
    taken = [_start_footprint(edit, a) for a in edit.scenario.actors]  # road coordinates
    taken.append(_start_footprint(edit, edit.scenario.ego))
    for k in range(int(inj.vehicles)):
        model = str(rng.choice(["sedan", "suv"]))
        lane = (edit.ego_lane + k) % lanes
        spot = _free_spot(
            rng, taken, model, (start + 7.0 * k - 1, start + 7.0 * k + 25),
            [edit.lane_offset(lane)], 0.0, 65.0,
        )  # fmt: skip
        wreck = edit.spawn(
            "wreck", model, spot.s, lane=lane, heading=spot.heading, wrecked=True,
            behavior=[{"action": "parked"}],
        )  # fmt: skip
        edit = Edit(edit.with_actors(wreck), rng)
    span = 7.0 * int(inj.vehicles)
    laterals = [edit.lane_offset(lane) for lane in range(lanes)]
    for _ in range(int(inj.debris)):
        spot = _free_spot(rng, taken, "debris", (start - 5.0, start + span + 3.0), laterals, 1.5)
        piece = edit.spawn("debris", "debris", spot.s, offset=spot.lateral, heading=spot.heading)
        edit = Edit(edit.with_actors(piece), rng)
    return edit.scenario


def _start_footprint(edit: Edit, user: Actor | Ego) -> np.ndarray:
    """Where a road user starts, in road coordinates, as a ground footprint."""
    lateral = edit.lane_offset(int(user.lane)) if user.lane is not None else float(user.offset or 0)
    model = str(user.model)
    heading = math.radians(float(user.heading))  # type: ignore[arg-type]
    return footprint(float(user.s), lateral, heading, _length(model), _width(model))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Spot:
    s: float
    lateral: float
    heading: float  # degrees from the direction of travel


def _free_spot(
    rng: np.random.Generator,
    taken: list[np.ndarray],
    model: str,
    s_range: tuple[float, float],
    laterals: list[float],
    jitter: float,
    turn: float = 180.0,
) -> Spot:
    """A placement whose footprint keeps 0.3 m from every taken one; it is added to ``taken``.
    Where the range is full (dense traffic), it moves on along the road, 10 m at a time."""
    length, width = _length(model), _width(model)
    for attempt in range(400):
        shift = 10.0 * (attempt // 40)
        spot = Spot(
            float(rng.uniform(s_range[0] + shift, s_range[1] + shift)),
            float(rng.choice(laterals)) + float(rng.uniform(-jitter, jitter)),
            float(rng.uniform(-turn, turn)),
        )
        mine = footprint(spot.s, spot.lateral, math.radians(spot.heading), length, width)
        if all(polygon_distance(mine, other) > 0.3 for other in taken):
            taken.append(mine)
            return spot
    raise InjectorError(f"no free place for {model} within 100 m of where it was asked for")


def jaywalker(edit: Edit, inj: Jaywalker) -> Scenario:
    """A vehicle parked on the kerb hides a pedestrian standing just past its front, on its far
    side; at ``at`` the pedestrian crosses the road in front of it, into the ego's view."""
    occluder_model = str(inj.occluder)
    width, length = _width(occluder_model), _length(occluder_model)
    ego_width = _width(str(edit.scenario.ego.model))
    lane_centre = edit.lane_offset(edit.ego_lane if edit.ego_lane >= 0 else 0)
    # parked with its road-side edge clear of the ego's lane (car-following ignores it)
    occluder_offset = lane_centre - (width + ego_width) / 2 - 0.2 - JAYWALKER_CLEARANCE
    occluder_s = edit.ego_s + float(inj.ahead)
    occluder = edit.spawn(
        "parked_van", occluder_model, occluder_s, offset=occluder_offset,
        behavior=[{"action": "parked"}],
    )  # fmt: skip
    edit = Edit(edit.with_actors(occluder), edit.rng)
    walker = edit.spawn(
        "jaywalker",
        str(inj.model),
        occluder_s + length / 2 + 0.6,  # just past its front bumper, on its kerb side: hidden
        offset=occluder_offset - width / 2 + 0.3,
        behavior=[
            {"at": float(inj.at), "action": "cross", "speed": float(inj.speed), "direction": "left"}
        ],
    )
    return edit.with_actors(walker)


def cut_in(edit: Edit, inj: CutIn) -> Scenario:
    """A vehicle from the next lane (or the shoulder of a one-lane road) moves into the ego's lane
    ``gap`` metres ahead of it."""
    step = {
        "at": float(inj.at),
        "action": "lane_change",
        "lane": edit.ego_lane,
        "duration": float(inj.duration),
    }
    if inj.actor is not None:
        return edit.replace_actor(_steps(edit.actor(inj.actor), step))
    lanes = int(edit.scenario.road.lanes)
    ego = edit.scenario.ego
    place: dict[str, object]
    if edit.ego_lane + 1 < lanes:
        place = {"lane": edit.ego_lane + 1}
    elif edit.ego_lane - 1 >= 0:
        place = {"lane": edit.ego_lane - 1}
    else:  # a single lane: it comes from the shoulder
        place = {"offset": edit.lane_offset(edit.ego_lane) - float(edit.scenario.road.lane_width)}
    s = edit.ego_s + float(inj.gap) + (_length("sedan") + _length(str(ego.model))) / 2
    cutter = edit.spawn("cutter", "sedan", s, speed=float(ego.speed), behavior=[step], **place)
    return edit.with_actors(cutter)


def sudden_brake(edit: Edit, inj: SuddenBrake) -> Scenario:
    """The vehicle ahead in the ego's lane (or ``actor``; spawned when there is none) brakes."""
    step = {"at": float(inj.at), "action": "brake", "decel": float(inj.decel)}
    if inj.actor is not None:
        return edit.replace_actor(_steps(edit.actor(inj.actor), step))
    ahead = edit.ahead_in_lane(edit.ego_lane)
    if ahead:
        return edit.replace_actor(_steps(ahead[0], step))
    ego = edit.scenario.ego
    lead = edit.spawn(
        "lead", "sedan", edit.ego_s + 25.0, lane=edit.ego_lane, speed=float(ego.speed),
        behavior=[step],
    )  # fmt: skip
    return edit.with_actors(lead)


def wrong_way(edit: Edit, inj: WrongWayDriver) -> Scenario:
    ghost = edit.spawn(
        "ghost", str(inj.model), edit.ego_s + float(inj.ahead), lane=edit.ego_lane,
        speed=float(inj.speed), behavior=[{"action": "wrong_way", "speed": float(inj.speed)}],
    )  # fmt: skip
    return edit.with_actors(ghost)


def stalled_vehicle(edit: Edit, inj: StalledVehicle) -> Scenario:
    stalled = edit.spawn(
        "stalled", str(inj.model), edit.ego_s + float(inj.ahead), lane=edit.ego_lane,
        heading=float(edit.rng.uniform(-6, 6)), behavior=[{"action": "parked"}],
    )  # fmt: skip
    return edit.with_actors(stalled)


def debris(edit: Edit, inj: Debris) -> Scenario:
    taken = [_start_footprint(edit, a) for a in edit.scenario.actors]
    taken.append(_start_footprint(edit, edit.scenario.ego))
    start = edit.ego_s + float(inj.ahead)
    for _ in range(int(inj.count)):
        spot = _free_spot(
            edit.rng, taken, "debris", (start, start + float(inj.spread)),
            [edit.lane_offset(edit.ego_lane)], 1.3,
        )  # fmt: skip
        piece = edit.spawn("debris", "debris", spot.s, offset=spot.lateral, heading=spot.heading)
        edit = Edit(edit.with_actors(piece), edit.rng)
    return edit.scenario


__all__ = ["InjectorError"]
