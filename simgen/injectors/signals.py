"""Signal injectors: a red-light runner, failing lights, a sign hidden from the ego.

Each edits scene data only: an actor's ``obey_signals``, the faults listed under
``road.signals``, a sign and a parked vehicle; the world acts them out.
"""

from __future__ import annotations

from simgen.injectors.base import Edit, InjectorError
from simgen.scenario.models import (
    OccludedSign,
    RedLightRunner,
    Scenario,
    Sign,
    SignalFault,
    SignalFaultSpec,
)
from simgen.world.assets import load_catalog

OCCLUDER_KERB_GAP = 0.15  # m between the parked occluder and the kerb


RUNNER_LEAD = 45.0  # m before the stop line where an added runner starts
RUNNER_SPEED = 11.0  # m/s


def red_light_runner(edit: Edit, inj: RedLightRunner) -> Scenario:
    """``actor`` (or the vehicle nearest to its stop line, approaching it; a sedan added on the
    ego's arm when none does) ignores red. A road without lights is left as it is."""
    road = edit.scenario.road
    if inj.actor is not None:
        return edit.replace_actor(edit.actor(inj.actor).model_copy(update={"obey_signals": False}))
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
    model = str(inj.occluder)
    width = load_catalog()[model].dimensions[1]
    edit = Edit(scenario, edit.rng)
    occluder = edit.spawn(
        "sign_occluder",
        model,
        sign_s - float(inj.gap),
        offset=edit.right_edge() + width / 2 + OCCLUDER_KERB_GAP,
        behavior=[{"action": "parked"}],
    )
    return edit.with_actors(occluder)
