"""Drawing a concrete ScenarioInstance from a scenario: pure and deterministic.

Each distribution gets its own random stream, derived from (seed, variant, attempt, key path), so
editing one value of a scenario leaves every other draw unchanged. ``require:`` constraints are met
by rejection sampling with a bounded number of attempts (Scenic's ``require`` is the model).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from simgen.core.rng import derive_rng
from simgen.scenario.checks import EGO, check_scenario
from simgen.scenario.distributions import draw, is_distribution
from simgen.scenario.errors import dotted
from simgen.scenario.layout import lane_center_offset, road_point
from simgen.scenario.limits import Limits
from simgen.scenario.models import (
    MOUNT_JITTER,
    Actor,
    Ahead,
    Distance,
    Ego,
    Injector,
    MinGap,
    Requirement,
    Scenario,
    SpeedDifference,
)
from simgen.scenario.yaml_source import Path

DEFAULT_MAX_TRIES = 1000


class ScenarioInstance(BaseModel):
    """One variant of a scenario with every value concrete and every position absolute: its
    ``scenario`` is the instance model ``Scenario``, validated from the drawn values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    variant: int
    attempt: int
    scenario: Scenario
    applied: tuple[Injector, ...] = ()  # injectors already applied to ``scenario``


class SamplingError(Exception):
    """No draw met the scenario's constraints; ``path`` names the constraint that failed most."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{dotted(path)}: {message}")
        self.path = path
        self.message = message


def sample(
    scenario: Scenario, variant: int, *, max_tries: int = DEFAULT_MAX_TRIES
) -> ScenarioInstance:
    """The concrete instance for ``variant`` (0-based) of ``scenario`` (a ``ScenarioSpec``; a
    concrete ``Scenario`` samples to itself)."""
    if not 0 <= variant < scenario.variants:
        raise SamplingError(
            ("variants",),
            f"variant {variant} does not exist: "
            f"this scenario has variants 0..{scenario.variants - 1}",
        )
    failures: Counter[Failure] = Counter()
    # Without distributions every attempt draws the same instance: one is enough.
    tries = max_tries if has_distributions(scenario) else 1
    for attempt in range(tries):
        drawn = _attempt(scenario, variant, attempt)
        if isinstance(drawn, Scenario):
            instance = ScenarioInstance(variant=variant, attempt=attempt, scenario=drawn)
            clash = _start_clash(instance)
            if clash is None:
                return instance
            drawn = clash
        failures[drawn] += 1
    (path, reason), count = failures.most_common(1)[0]
    if tries == 1:  # nothing is drawn: every draw would be this one
        raise SamplingError(path, reason)
    raise SamplingError(
        path, f"could not be met in {tries} draws of variant {variant} "
        f"(failed {count} times; reason: {reason})",
    )  # fmt: skip


def _start_clash(instance: ScenarioInstance) -> Failure | None:
    """The first two road users that start inside each other (``world.start``), as a failed
    draw: the second one's position is where the scenario must change."""
    from simgen.world.start import start_overlaps  # the world knows the bodies and the road

    overlaps = start_overlaps(instance)
    if not overlaps:
        return None
    first, second = overlaps[0].first, overlaps[0].second
    names = [a.name for a in instance.scenario.actors]
    path: Path = ("ego",) if second == EGO else ("actors", names.index(second))
    return path, (
        f"{second} starts inside {first} (their collision boxes overlap): the two would crash "
        "at t = 0; move one, or draw its s or offset from a range"
    )


def has_distributions(value: Any) -> bool:
    if is_distribution(value):
        return True
    if isinstance(value, BaseModel):
        return any(has_distributions(getattr(value, name)) for name in type(value).model_fields)
    if isinstance(value, (list, tuple)):
        return any(has_distributions(item) for item in value)
    return False


Failure = tuple[Path, str]
RngFor = Callable[[str], np.random.Generator]


def _attempt(scenario: Scenario, variant: int, attempt: int) -> Scenario | Failure:
    """The drawn instance, or the first constraint it breaks."""

    def rng_for(path: str) -> np.random.Generator:
        return derive_rng(scenario.seed, variant, f"sample/{attempt}/{path}")

    data = _draw_tree(scenario, "", rng_for)
    _resolve_relative_positions(data)
    if data["environment"].get("randomize"):
        _jitter_camera_mounts(data, rng_for)
        data["environment"]["randomize"] = False  # drawn: the instance is concrete
    try:
        concrete = Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = tuple(p for p in err["loc"] if p not in ("value", "absolute"))  # union tags
        return path, f"a drawn value is invalid: {err['msg']}"
    problems = check_scenario(concrete, Limits.none())
    if problems:
        return problems[0].path, problems[0].message
    for i, req in enumerate(concrete.require):
        reason = requirement_failure(concrete, req)
        if reason is not None:
            return ("require", i), reason
    return concrete


def _jitter_camera_mounts(data: dict[str, Any], rng_for: RngFor) -> None:
    """Domain randomisation of the rig: each camera sits a little off its nominal mount (normal,
    MOUNT_JITTER sigmas, clipped at 3 sigma); the calibration records where it really is."""
    position, angle = MOUNT_JITTER
    for sensor in data["ego"]["sensors"]:
        if sensor.get("type") != "camera":
            continue
        rng = rng_for(f"ego.sensors[{sensor['name']}].mount/jitter")
        mount = dict(sensor.get("mount") or {})
        xyz = np.asarray(mount.get("xyz", (0.0, 0.0, 0.0)), float)
        rpy = np.asarray(mount.get("rpy", (0.0, 0.0, 0.0)), float)
        xyz = xyz + np.clip(rng.normal(0.0, position, 3), -3 * position, 3 * position)
        rpy = rpy + np.clip(rng.normal(0.0, angle, 3), -3 * angle, 3 * angle)
        mount["xyz"] = [round(float(v), 6) for v in xyz]
        mount["rpy"] = [round(float(v), 6) for v in rpy]
        sensor["mount"] = mount


def _draw_tree(value: Any, path: str, rng_for: RngFor) -> Any:
    """Plain data for ``value`` with every distribution replaced by a draw."""
    if is_distribution(value):
        return draw(value, rng_for(path))
    if isinstance(value, BaseModel):
        return {
            name: _draw_tree(getattr(value, name), f"{path}.{name}" if path else name, rng_for)
            for name in type(value).model_fields
        }
    if isinstance(value, (list, tuple)):
        # Items are keyed by name where they have one, so reordering a list keeps their draws.
        return [
            _draw_tree(item, f"{path}[{getattr(item, 'name', i)}]", rng_for)
            for i, item in enumerate(value)
        ]
    return value


def _resolve_relative_positions(data: dict[str, Any]) -> None:
    """Replace ``s: {relative_to, offset}`` by absolute ``s``, in dependency order."""
    s = {EGO: data["ego"]["s"]}
    pending = {a["name"]: a for a in data["actors"]}
    while pending:
        progressed = False
        for name, actor in list(pending.items()):
            pos = actor["s"]
            if isinstance(pos, dict):
                base = s.get(pos["relative_to"])
                if base is None:
                    continue
                actor["s"] = base + pos["offset"]
            s[name] = actor["s"]
            del pending[name]
            progressed = True
        if not progressed:  # a cycle or a bad reference; checks report it with its position
            return


# --- requirements ------------------------------------------------------------------------------


def start_xy(scenario: Scenario, user: Ego | Actor) -> tuple[float, float]:
    """World x, y of a road user's start position in a concrete scenario."""
    road = scenario.road
    if road.type == "opendrive":
        from simgen.world.map_road import MapGeometry, load_map  # the world reads the map

        geom = MapGeometry(load_map(str(road.file)))
        lateral = (
            float(user.offset)
            if user.offset is not None
            else geom.lane_offset(int(user.lane or -1), float(user.s), user.road)
        )
        x, y, _ = geom.to_world(float(user.s), lateral, user.road)
        return x, y
    if user.offset is not None:
        lateral = user.offset
    else:
        lane = 0 if user.lane is None else user.lane
        lateral = lane_center_offset(lane, road.lanes, road.lane_width)
    x, y, _ = road_point(
        road.type, user.s, lateral, radius=road.radius, arm=user.arm, arm_length=road.arm_length
    )
    return x, y


def requirement_failure(scenario: Scenario, req: Requirement) -> str | None:
    """Why a concrete scenario breaks ``req``, or None when it holds."""
    users: dict[str, Ego | Actor] = {EGO: scenario.ego, **{a.name: a for a in scenario.actors}}

    def distance(a: str, b: str) -> float:
        (xa, ya), (xb, yb) = start_xy(scenario, users[a]), start_xy(scenario, users[b])
        return math.hypot(xa - xb, ya - yb)

    if isinstance(req, MinGap):
        names = list(users)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                d = distance(a, b)
                if d < req.min_gap:
                    return f"{a} and {b} start {d:.2f} m apart, below min_gap {req.min_gap:g}"
        return None
    if isinstance(req, Ahead):
        a, b = req.ahead
        sa, sb = users[a].s, users[b].s
        return None if sa > sb else f"{a} (s={sa:.2f}) is not ahead of {b} (s={sb:.2f})"
    if isinstance(req, Distance):
        value, what = distance(*req.distance), f"distance {req.distance[0]}-{req.distance[1]}"
    elif isinstance(req, SpeedDifference):
        a, b = req.speed_difference
        value = users[a].speed - users[b].speed
        what = f"speed difference {a}-{b}"
    else:  # pragma: no cover - the union is closed
        raise TypeError(type(req))
    if req.above is not None and not value > req.above:
        return f"{what} is {value:.2f}, not above {req.above:g}"
    if req.below is not None and not value < req.below:
        return f"{what} is {value:.2f}, not below {req.below:g}"
    return None
