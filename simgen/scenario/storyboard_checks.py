"""Cross-field checks of a storyboard: unique names, and every reference (road users,
storyboard elements, map positions) pointing at something that exists, positioned in the file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from simgen.scenario.checks import EGO, Problem, _ref_problem
from simgen.scenario.models import Scenario
from simgen.scenario.storyboard import (
    AssignRouteAction,
    FollowTrajectoryAction,
    LanePosition,
    Polyline,
    RelativeLanePosition,
    RelativeRoadPosition,
    RoadPosition,
    RoutePosition,
    StoryboardElementStateCondition,
    TrafficSignalCondition,
    TrafficSignalStateAction,
)
from simgen.scenario.yaml_source import Path

ENTITY_FIELDS = ("entity", "master")  # fields that name one road user
MAP_ONLY = (LanePosition, RoadPosition, RelativeLanePosition, RelativeRoadPosition, RoutePosition)
LIGHT_STATES = ("red", "yellow", "green", "off", "flashing_yellow")
LEVELS = (("stories", "story"), ("acts", "act"), ("maneuver_groups", "maneuver_group"),
          ("maneuvers", "maneuver"), ("events", "event"), ("actions", "action"))  # fmt: skip


def _walk(value: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    """Every model and value under ``value`` with its path (field names and list indices)."""
    yield path, value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), (*path, name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, i))


def _elements(node: Any, path: Path, depth: int = 0) -> Iterator[tuple[str, str, Path]]:
    """(element type, name, path of its name) of every storyboard element."""
    if depth == len(LEVELS):
        return
    key, kind = LEVELS[depth]
    for i, child in enumerate(getattr(node, key)):
        yield kind, child.name, (*path, key, i, "name")
        yield from _elements(child, (*path, key, i), depth + 1)


def check_storyboard(sc: Scenario) -> list[Problem]:
    board = sc.storyboard
    if board is None:
        return []
    root: Path = ("storyboard",)
    out: list[Problem] = []
    elements = list(_elements(board, root))
    seen: set[str] = set()
    for _, name, path in elements:
        if name in seen:
            out.append(Problem(path, f"duplicate storyboard element name '{name}'"))
        seen.add(name)
    by_type: dict[str, list[str]] = {}
    for kind, name, _ in elements:
        by_type.setdefault(kind, []).append(name)
    everyone = [EGO, *(a.name for a in sc.actors)]
    on_map = sc.road.type == "opendrive"
    for path, value in _walk(board, root):
        field = path[-1] if path else None
        if field in ENTITY_FIELDS and isinstance(value, str):
            out += _ref_problem(path, value, everyone, "road user")
        elif field in ("entities", "actors") and isinstance(value, list):
            for i, name in enumerate(value):
                out += _ref_problem((*path, i), name, everyone, "road user")
        if isinstance(value, StoryboardElementStateCondition):
            out += _ref_problem(
                (*path, "element"), value.element, by_type.get(value.element_type, []),
                value.element_type.replace("_", " "),
            )  # fmt: skip
        elif isinstance(value, (TrafficSignalCondition, TrafficSignalStateAction)):
            if value.state not in LIGHT_STATES:
                out.append(Problem((*path, "state"), f"unknown light state '{value.state}' "
                                   f"(expected one of {', '.join(LIGHT_STATES)})"))  # fmt: skip
        elif isinstance(value, MAP_ONLY) and not on_map:
            out.append(Problem((*path, "type"), f"a {value.type} position needs an OpenDRIVE "
                               "map (road: {type: opendrive, file: ...})"))  # fmt: skip
        elif isinstance(value, AssignRouteAction) and not on_map:
            out.append(Problem((*path, "type"), "assign_route needs an OpenDRIVE map"))
        elif isinstance(value, FollowTrajectoryAction) and value.timing is not None:
            shape = value.trajectory.shape
            if isinstance(shape, Polyline):
                for i, vertex in enumerate(shape.vertices):
                    if vertex.time is None:
                        where = (*path, "trajectory", "shape", "vertices", i)
                        out.append(Problem(where, "a timed trajectory needs a time at each vertex"))
    return out
