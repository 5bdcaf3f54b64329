"""Signal injectors: a red-light runner, failing lights, a sign hidden from the ego.

Each edits scene data only: an actor's ``obey_signals``, the faults listed under
``road.signals``, a sign and a parked vehicle; the world acts them out.
"""

from __future__ import annotations

from simgen.injectors.base import Edit, InjectorError
from simgen.scenario.models import (
    Actor,
    OccludedSign,
    RedLightRunner,
    Scenario,
    Sign,
    SignalFault,
    SignalFaultSpec,
)
from simgen.world.assets import load_catalog
from simgen.world.signal_layout import SignalPlacement

OCCLUDER_KERB_GAP = 0.15  # m between the parked occluder and the kerb


RUNNER_LEAD = 45.0  # m before the stop line where an added runner starts
RUNNER_SPEED = 11.0  # m/s


def red_light_runner(edit: Edit, inj: RedLightRunner) -> Scenario:
    """``actor`` (or the vehicle nearest to its stop line, approaching it; a sedan added on the
    ego's arm when none does) ignores red. A road without lights is left as it is."""
    road = edit.scenario.road
    if inj.actor is not None:
        return edit.replace_actor(edit.actor(inj.actor).model_copy(update={"obey_signals": False}))
    if edit.geom is not None:
        return _map_red_light_runner(edit)
    if road.signals is None or road.type != "intersection":
        return edit.scenario
    from simgen.world.road import RoadGeometry  # meshes: imported when a scenario is edited
    from simgen.world.road_signals import stop_line_s

    catalog = load_catalog()
    stop = stop_line_s(RoadGeometry(road))
    approaching = [
        a
        for a in edit.scenario.actors
        if catalog[str(a.model)].kind == "vehicle"
        and a.lane is not None
        and int(a.lane) >= 0
        and float(a.s) < stop  # type: ignore[arg-type]
        and a.obey_signals is not False
    ]
    if not approaching:
        runner = edit.spawn(
            "red_light_runner", "sedan", max(stop - RUNNER_LEAD, 0.0), lane=0,
            speed=RUNNER_SPEED, obey_signals=False,
        )  # fmt: skip
        return edit.with_actors(runner)
    nearest = max(approaching, key=lambda a: float(a.s))  # type: ignore[arg-type]
    return edit.replace_actor(nearest.model_copy(update={"obey_signals": False}))


def _map_red_light_runner(edit: Edit) -> Scenario:
    """On a map: the vehicle nearest to a traffic light's stop line, approaching it on a lane
    the light governs; when none does, a sedan added RUNNER_LEAD metres before the stop line of
    a light of another controller than the ego's (crossing traffic: red while the ego has green),
    in the rightmost lane it governs. A map without lights is left as it is."""
    assert edit.geom is not None
    geom = edit.geom
    lights = sorted(
        (p for p in geom.map.signal_layout()[0] if p.kind == "traffic_light" and p.road),
        key=lambda p: (p.road, p.s, p.id),
    )
    catalog = load_catalog()

    def governed(p: SignalPlacement, road: str | None, lane: int | None) -> bool:
        if road != p.road or lane is None or lane not in geom.road(road).lane_ids(p.s):
            return False
        way = geom.lane_direction(lane, road)
        return (p.direction in (0, way)) and (not p.lanes or lane in p.lanes)

    best: tuple[float, Actor] | None = None
    for actor in edit.scenario.actors:
        if catalog[str(actor.model)].kind != "vehicle" or actor.obey_signals is False:
            continue
        for p in lights:
            lane = None if actor.lane is None else int(actor.lane)
            if not governed(p, actor.road, lane):
                continue
            to_line = (p.s - float(actor.s)) * geom.lane_direction(lane, actor.road)  # type: ignore[arg-type]
            if to_line > 0 and (best is None or to_line < best[0]):
                best = (to_line, actor)
    if best is not None:
        return edit.replace_actor(best[1].model_copy(update={"obey_signals": False}))
    ego = edit.scenario.ego
    mine = {p.controller for p in lights if governed(p, ego.road, edit.ego_lane)}
    others = [p for p in lights if p.controller not in mine and p.physical] or lights
    for p in others:
        road = geom.road(p.road)
        lanes = [
            i
            for i in road.lane_ids(p.s)
            if road.lane(p.s, i).type == "driving" and governed(p, p.road, i)
        ]
        if not lanes:
            continue
        lane = max(lanes, key=abs)  # the outermost lane of its direction is its rightmost
        way = geom.lane_direction(lane, p.road)
        s = min(max(p.s - way * RUNNER_LEAD, 1.0), road.length - 1.0)
        runner = Actor.model_validate(
            {
                "name": edit.name("red_light_runner"), "model": "sedan", "road": p.road,
                "lane": lane, "s": s, "speed": RUNNER_SPEED, "obey_signals": False,
            }
        )  # fmt: skip
        return edit.with_actors(runner)
    return edit.scenario


def signal_fault(edit: Edit, inj: SignalFault) -> Scenario:
    """The controller (or every one) goes dark or flashes yellow from ``at``. A road without
    lights is left as it is."""
    road = edit.scenario.road
    if road.signals is None:
        return edit.scenario
    if (
        inj.controller is not None
        and road.type == "intersection"
        and inj.controller
        not in (
            "ns",
            "ew",
        )
    ):
        raise InjectorError(f"no controller '{inj.controller}' (the intersection has ns and ew)")
    fault = SignalFaultSpec(controller=inj.controller, mode=inj.mode, at=inj.at)
    signals = road.signals.model_copy(update={"faults": [*road.signals.faults, fault]})
    return edit.scenario.model_copy(update={"road": road.model_copy(update={"signals": signals})})


def occluded_sign(edit: Edit, inj: OccludedSign) -> Scenario:
    """A high vehicle parked at the right kerb ``gap`` metres before the first sign ahead of the
    ego on its side hides it; a 50 km/h limit is put up ``ahead`` metres on when none stands."""
    road = edit.scenario.road
    if edit.geom is not None:
        return _park_before(edit, inj, _map_sign_ahead(edit, inj), edit.scenario)
    arm = (edit.scenario.ego.arm or "south") if road.type == "intersection" else None
    ahead = [
        sign
        for sign in road.signs or []
        if sign.side == "right"
        and (arm is None or (sign.arm or "south") == arm)
        and float(sign.s) > edit.ego_s + float(inj.gap)  # type: ignore[arg-type]
    ]
    scenario = edit.scenario
    if ahead:
        sign_s = min(float(sign.s) for sign in ahead)  # type: ignore[arg-type]
    else:
        sign_s = edit.on_road(edit.ego_s + float(inj.ahead))
        sign = Sign(type="speed_limit", s=sign_s, side="right", arm=arm, value=50.0)
        scenario = scenario.model_copy(
            update={"road": road.model_copy(update={"signs": [*(road.signs or []), sign]})}
        )
    return _park_before(edit, inj, sign_s, scenario)


def _map_sign_ahead(edit: Edit, inj: OccludedSign) -> float:
    """``a`` of the first of the map's signs that stands on the ego's right, on its road and
    facing its way, more than ``gap`` ahead; a map has no place to put one up, so none is an
    error."""
    assert edit.geom is not None
    road = edit.scenario.ego.road
    found = []
    for p in edit.geom.map.signal_layout()[0]:
        if p.kind != "traffic_sign" or not p.physical or p.road != road:
            continue
        if p.direction not in (0, edit.direction):
            continue
        s, t = edit.geom.to_road(p.position[0], p.position[1], road)
        a, b = edit.direction * s, edit.direction * t
        if b < 0 and a > edit.ego_a + float(inj.gap):
            found.append(a)
    if not found:
        raise InjectorError(
            f"the map has no sign on the ego's right ahead of it on road {road} "
            f"(lane {edit.ego_lane}, s = {edit.ego_s:g} m) to hide"
        )
    return min(found)


def _park_before(edit: Edit, inj: OccludedSign, sign_a: float, scenario: Scenario) -> Scenario:
    """A high vehicle parked at the right kerb ``gap`` metres before ``sign_a``, unless one as
    high is parked at that place already."""
    model = str(inj.occluder)
    width = load_catalog()[model].dimensions[1]
    edit = edit.then(scenario)

    def occluder_at(a: float) -> tuple[Actor]:
        return (
            edit.spawn(
                "sign_occluder",
                model,
                a,
                offset=edit.right_edge(a) + width / 2 + OCCLUDER_KERB_GAP,
                behavior=[{"action": "parked"}],
            ),
        )

    a = sign_a - float(inj.gap)
    catalog = load_catalog()
    there = edit.in_the_way(occluder_at(a))
    parked = [
        u
        for u in edit.scenario.actors
        if u.name in there
        and any(step.action == "parked" for step in u.behavior)
        and catalog[str(u.model)].dimensions[2] >= catalog[model].dimensions[2]
    ]
    if parked:  # a vehicle as high already stands parked at that place: it hides the sign
        return edit.scenario
    # where that place is taken, further back: between the ego and the sign it still hides it
    return edit.with_actors(*edit.first_clear(occluder_at, a, step=-1.0, nearest=False))
