"""Edge-case injectors: pure, seeded ``ScenarioInstance -> ScenarioInstance`` transforms.

They run right after sampling, in the order listed, each with its own random stream derived from
(seed, variant, its index and type). What they change stays scene data: road users and behaviours
(``world``), the environment (``weather``), and faults attached to sensors (``faults``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simgen.core.rng import derive_rng
from simgen.injectors import faults, signals, weather, world
from simgen.injectors.base import Edit, InjectorError
from simgen.scenario.checks import check_scenario
from simgen.scenario.limits import Limits
from simgen.scenario.models import (
    CAMERA_FAULTS,
    INJECTORS,
    LIDAR_FAULTS,
    RADAR_FAULTS,
    SHARED_FAULTS,
    Scenario,
)
from simgen.scenario.sample import ScenarioInstance

if TYPE_CHECKING:
    from simgen.world.start import StartBox

Transform = Callable[[Edit, Any], Scenario]

REGISTRY: dict[str, Transform] = {
    "crash": world.crash,
    "accident_scene": world.accident_scene,
    "jaywalker": world.jaywalker,
    "cut_in": world.cut_in,
    "sudden_brake": world.sudden_brake,
    "wrong_way": world.wrong_way,
    "stalled_vehicle": world.stalled_vehicle,
    "debris": world.debris,
    "red_light_runner": signals.red_light_runner,
    "signal_fault": signals.signal_fault,
    "occluded_sign": signals.occluded_sign,
    "fog": weather.fog,
    "rain": weather.rain,
    "low_light": weather.low_light,
    "glare": weather.glare,
}
for _model in (*CAMERA_FAULTS, *LIDAR_FAULTS, *RADAR_FAULTS, *SHARED_FAULTS):
    REGISTRY[_model.model_fields["type"].annotation.__args__[0]] = faults.attach

MODELS = {m.model_fields["type"].annotation.__args__[0]: m for m in INJECTORS}
assert set(REGISTRY) == set(MODELS), "every injector type in the format acts"


def apply_injectors(instance: ScenarioInstance) -> ScenarioInstance:
    """The instance with every listed injector applied; they move to ``instance.applied``."""
    scenario = instance.scenario
    injectors = list(scenario.injectors)
    scenario = scenario.model_copy(update={"injectors": []})
    added: dict[str, int] = {}  # the road users injectors added, and which one did
    boxes: dict[str, StartBox] = {}  # start boxes by road-user definition, for every injector
    for index, injector in enumerate(injectors):
        rng = derive_rng(scenario.seed, instance.variant, f"injector/{index}/{injector.type}")
        before = {a.name for a in scenario.actors}
        edit = Edit(scenario, rng, instance.variant, boxes)
        try:
            scenario = REGISTRY[injector.type](edit, injector)
        except InjectorError as exc:
            raise InjectorError(f"injectors[{index}] ({injector.type}): {exc}") from None
        added |= {a.name: index for a in scenario.actors if a.name not in before}
    # validate the result as a whole: what an injector added obeys the format too
    scenario = Scenario.model_validate(scenario.model_dump(mode="python", exclude_none=True))
    problems = check_scenario(scenario, Limits.none())
    if problems:
        where = ".".join(str(p) for p in problems[0].path)
        raise InjectorError(f"the injected scenario is invalid: {where}: {problems[0].message}")
    done = instance.model_copy(
        update={"scenario": scenario, "applied": (*instance.applied, *injectors)}
    )
    if added:  # none starts inside another (``Edit.first_clear``): it would crash at t = 0
        clashes = Edit(scenario, rng, instance.variant, boxes).starts_inside(added)
        if clashes:
            new, other = clashes[0]
            index = added[new]
            raise InjectorError(
                f"injectors[{index}] ({injectors[index].type}): {new} starts inside {other} "
                "(their collision boxes overlap) and would crash at t = 0"
            )
    return done


__all__ = ["MODELS", "REGISTRY", "InjectorError", "apply_injectors"]
