"""World injectors: edge cases that are road users and their behaviour, so physics acts them out.

Each one adds actors or behaviour steps to the scenario; nothing here simulates. Actors they add
are named ``<type>_<k>`` and start on the ego's arm of the road (its road on an OpenDRIVE map),
placed in the ego's terms (``Edit``: along its direction of travel, lateral to its left).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from simgen.injectors.base import CLEARANCE, HEADWAY, VEHICLES, Edit, InjectorError
from simgen.scenario.models import (
    AccidentScene,
    Actor,
    Crash,
    CutIn,
    Debris,
    Jaywalker,
    Scenario,
    StalledVehicle,
    SuddenBrake,
    WrongWayDriver,
)
from simgen.world.assets import load_catalog

CRASH_CLOSING_SPEED = 8.0  # m/s the striking vehicle gains on its target
JAYWALKER_CLEARANCE = 0.5  # m between the parked occluder and the kerb-side lane
JAYWALKER_NUDGES = tuple(0.25 * k for k in range(9))  # m further on the walker may stand


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
    target_lane = edit.ego_lane if target == "ego" else by_name[target].lane
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
    scenario = edit.then(scenario).replace_actor(_steps(striking, *steps))
    if target != "ego":
        scenario = edit.then(scenario).replace_actor(
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
            if str(a.model) in VEHICLES and edit.same_way(a) and edit.a_of(a) > edit.ego_a
        ),
        key=edit.a_of,
    )
    if inj.target is not None:
        ahead = [a for a in ahead if a.name != inj.target]
    if inj.actor is not None:
        ahead = [a for a in ahead if a.name != inj.actor]
    speed = float(edit.scenario.ego.speed)
    missing = 2 - len(ahead) - (inj.actor is not None) - (inj.target is not None)
    shift = 0.0  # back from 45 m ahead where a map's road ends sooner: both must fit on it
    if missing > 0:
        first = 45.0 + 12.0 * len(ahead)
        shift = edit.ahead(first, extent=12.0 * (missing - 1)) - (edit.ego_a + first)
    while len(ahead) + (inj.actor is not None) + (inj.target is not None) < 2:
        a = edit.ego_a + 45.0 + 12.0 * len(ahead) + shift

        def car_at(a: float, edit: Edit = edit) -> tuple[Actor]:
            return (edit.spawn("crash", "sedan", a, lane=edit.ego_lane, speed=speed),)

        (spawned,) = edit.first_clear(car_at, a)
        edit = edit.then(edit.with_actors(spawned))
        ahead.append(spawned)
    pool = sorted(ahead, key=edit.a_of)
    if inj.actor is not None:
        return edit, inj.actor, inj.target or pool[-1].name
    if inj.target is not None:
        return edit, pool[0].name, inj.target
    return edit, pool[0].name, pool[1].name


def accident_scene(edit: Edit, inj: AccidentScene) -> Scenario:
    """Wrecks turned across the ego's lanes, already crashed, and debris around them; nothing
    is placed where it would overlap something else (physics would throw it)."""
    rng = edit.rng
    order = edit.same_way_lanes()
    first = order.index(edit.ego_lane) if edit.ego_lane in order else edit.ego_lane
    start = edit.ahead(float(inj.ahead), extent=7.0 * (int(inj.vehicles) - 1) + 25.0)
    for k in range(int(inj.vehicles)):
        model = str(rng.choice(["sedan", "suv"]))
        lane = order[(first + k) % len(order)]

        def wreck_at(spot: Spot, edit: Edit = edit, model: str = model, lane: int = lane) -> Actor:
            return edit.spawn(
                "wreck", model, spot.s, lane=lane, heading=spot.heading, wrecked=True,
                behavior=[{"action": "parked"}],
            )  # fmt: skip

        laterals = [edit.lane_offset(lane)]
        near = (start + 7.0 * k - 1, start + 7.0 * k + 25)
        edit = edit.then(edit.with_actors(_free_spot(edit, wreck_at, near, laterals, 0.0, 65.0)))
    span = 7.0 * int(inj.vehicles)
    laterals = [edit.lane_offset(lane) for lane in order]
    for _ in range(int(inj.debris)):
        piece = _free_spot(edit, _debris_at(edit), (start - 5.0, start + span + 3.0), laterals, 1.5)
        edit = edit.then(edit.with_actors(piece))
    return edit.scenario


def _debris_at(edit: Edit) -> Callable[[Spot], Actor]:
    def at(spot: Spot) -> Actor:
        return edit.spawn("debris", "debris", spot.s, offset=spot.lateral, heading=spot.heading)

    return at


@dataclass(frozen=True)
class Spot:
    s: float
    lateral: float
    heading: float  # degrees from the direction of travel


def _free_spot(
    edit: Edit,
    place: Callable[[Spot], Actor],
    s_range: tuple[float, float],
    laterals: list[float],
    jitter: float,
    turn: float = 180.0,
) -> Actor:
    """``place`` at a random spot where it keeps CLEARANCE from every road user where they
    start, and HEADWAY from the traffic where it can (``Edit.in_the_way``). Where the range is
    full (dense traffic), it moves on along the road, 10 m at a time; where that passes the end
    of the road ahead (a map's road ends), back towards the ego instead."""
    rng = edit.rng
    low, end = edit.bounds_ahead()
    turn_back = math.floor((end - s_range[0]) / 10.0) + 1 if math.isfinite(end) else math.inf
    for headway in (HEADWAY, 0.0):  # out of traffic's way where it can be, else just clear
        for attempt in range(400):
            k = attempt // 40
            shift = 10.0 * k if k < turn_back else -10.0 * (k - turn_back + 1)
            spot = Spot(
                float(rng.uniform(s_range[0] + shift, s_range[1] + shift)),
                float(rng.choice(laterals)) + float(rng.uniform(-jitter, jitter)),
                float(rng.uniform(-turn, turn)),
            )
            if not low <= spot.s <= end:
                continue
            placed = place(spot)
            if not edit.in_the_way([placed], CLEARANCE, headway):
                return placed
    model = str(place(spot).model)
    if math.isfinite(end):
        raise InjectorError(f"no free place for {model} on the ego's road ahead of it")
    raise InjectorError(f"no free place for {model} within 100 m of where it was asked for")


def jaywalker(edit: Edit, inj: Jaywalker) -> Scenario:
    """A vehicle parked on the kerb hides a pedestrian standing just past its front, on its far
    side; at ``at`` the pedestrian crosses the road in front of it, into the ego's view."""
    occluder_model = str(inj.occluder)
    width, length = _width(occluder_model), _length(occluder_model)
    ego_width = _width(str(edit.scenario.ego.model))
    own = edit.same_way_lanes()
    lane_centre = edit.lane_offset(own[0])  # the kerb side's lane, whichever lane the ego is in
    # parked at the kerb, its road-side edge clear of a car in that lane (car-following ignores
    # it): on a multi-lane road, not in the lane beside the ego's
    occluder_offset = lane_centre - (width + ego_width) / 2 - 0.2 - JAYWALKER_CLEARANCE
    crossing = {
        "at": float(inj.at),
        "action": "cross",
        "speed": float(inj.speed),
        # to the ego's left: the road's left (increasing t) unless the ego drives against s
        "direction": "left" if edit.direction > 0 else "right",
    }

    def pair_at(a: float) -> tuple[Actor, Actor]:
        occluder = edit.spawn(
            "parked_van", occluder_model, a, offset=occluder_offset,
            behavior=[{"action": "parked"}],
        )  # fmt: skip
        parked = edit.then(edit.with_actors(occluder))
        # just past its front bumper, on its kerb side: hidden. Along the inside of a bend a
        # metre of road is less than a metre of the reference line: nudged on until clear of it
        for nudge in JAYWALKER_NUDGES:
            walker = parked.spawn(
                "jaywalker",
                str(inj.model),
                a + length / 2 + 0.6 + nudge,
                offset=occluder_offset - width / 2 + 0.3,
                behavior=[crossing],
            )
            if occluder.name not in parked.in_the_way([walker]):
                break
        return occluder, walker

    return edit.with_actors(
        *edit.first_clear(pair_at, edit.ahead(float(inj.ahead), extent=length / 2 + 1.0))
    )


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
    ego = edit.scenario.ego
    place: dict[str, object]
    left, right = edit.neighbour_lane(+1), edit.neighbour_lane(-1)
    if left is not None:
        place = {"lane": left}
    elif right is not None:
        place = {"lane": right}
    elif edit.geom is None:  # a single lane: it comes from the shoulder
        place = {"offset": edit.lane_offset(edit.ego_lane) - float(edit.scenario.road.lane_width)}
    else:
        raise InjectorError(
            f"road {ego.road} has no lane beside the ego's lane {edit.ego_lane} carrying traffic "
            f"its way at s = {edit.ego_s:g} m to cut in from; give cut_in an actor"
        )
    length = (_length("sedan") + _length(str(ego.model))) / 2

    def cutter_at(a: float) -> tuple[Actor]:
        return (edit.spawn("cutter", "sedan", a, speed=float(ego.speed), behavior=[step], **place),)

    a = edit.ahead(float(inj.gap), length)
    there = edit.in_the_way(cutter_at(a))
    # the next lane already has a road user at that place: one that drives is the cutter
    driving = [u for u in edit.scenario.actors if u.name in there and str(u.model) in VEHICLES]
    driving = [u for u in driving if not u.wrecked and _drives(u)]
    if there and len(driving) == len(there) == 1:
        return edit.replace_actor(_steps(driving[0], step))
    try:  # else the first free place further on: a longer gap
        return edit.with_actors(*edit.first_clear(cutter_at, a, nearest=False))
    except InjectorError as exc:
        raise InjectorError(f"{exc}; give cut_in an actor") from None


def _drives(actor: Actor) -> bool:
    return not any(step.action in ("parked", "stop") for step in actor.behavior)


def sudden_brake(edit: Edit, inj: SuddenBrake) -> Scenario:
    """The vehicle ahead in the ego's lane (or ``actor``; spawned when there is none) brakes."""
    step = {"at": float(inj.at), "action": "brake", "decel": float(inj.decel)}
    if inj.actor is not None:
        return edit.replace_actor(_steps(edit.actor(inj.actor), step))
    ahead = edit.ahead_in_lane(edit.ego_lane)
    if ahead:
        return edit.replace_actor(_steps(ahead[0], step))
    ego = edit.scenario.ego

    def lead_at(a: float) -> tuple[Actor]:
        return (
            edit.spawn(
                "lead", "sedan", a, lane=edit.ego_lane, speed=float(ego.speed), behavior=[step]
            ),
        )

    return edit.with_actors(*edit.first_clear(lead_at, edit.ahead(25.0)))


def wrong_way(edit: Edit, inj: WrongWayDriver) -> Scenario:
    def ghost_at(a: float) -> tuple[Actor]:
        return (
            edit.spawn(
                "ghost", str(inj.model), a, lane=edit.ego_lane, speed=float(inj.speed),
                behavior=[{"action": "wrong_way", "speed": float(inj.speed)}],
            ),
        )  # fmt: skip

    return edit.with_actors(*edit.first_clear(ghost_at, edit.ahead(float(inj.ahead))))


def stalled_vehicle(edit: Edit, inj: StalledVehicle) -> Scenario:
    heading = float(edit.rng.uniform(-6, 6))

    def stalled_at(a: float) -> tuple[Actor]:
        return (
            edit.spawn(
                "stalled", str(inj.model), a, lane=edit.ego_lane, heading=heading,
                behavior=[{"action": "parked"}],
            ),
        )  # fmt: skip

    return edit.with_actors(*edit.first_clear(stalled_at, edit.ahead(float(inj.ahead))))


def debris(edit: Edit, inj: Debris) -> Scenario:
    start = edit.ahead(float(inj.ahead), extent=float(inj.spread))
    laterals = [edit.lane_offset(edit.ego_lane)]
    for _ in range(int(inj.count)):
        near = (start, start + float(inj.spread))
        edit = edit.then(edit.with_actors(_free_spot(edit, _debris_at(edit), near, laterals, 1.3)))
    return edit.scenario


__all__ = ["InjectorError"]
