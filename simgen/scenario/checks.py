"""Cross-field rules of the scenario format that a single field's type cannot express.

They run on a parsed scenario, where a value may still be a distribution (then every option a
choice can take is checked), and again on each sampled instance, where every value is concrete.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from simgen.scenario.base import literal_of
from simgen.scenario.distributions import Choice, Normal, Uniform
from simgen.scenario.errors import suggest
from simgen.scenario.layout import lane_bounds
from simgen.scenario.lidar_presets import LidarSpecError, scan_pattern
from simgen.scenario.limits import NO_LIMITS_HINT, Limits
from simgen.scenario.models import (
    Actor,
    Camera,
    Crash,
    CutIn,
    Distance,
    Ego,
    Lidar,
    LidarBeamDropout,
    Radar,
    RelativeS,
    Scenario,
    SensorTarget,
    SpeedDifference,
    SuddenBrake,
    fault_sensor_kind,
)
from simgen.scenario.yaml_source import Path

EGO = "ego"


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str


def candidates(value: Any) -> list[Any] | None:
    """The values a field can take, or None when it is a continuous distribution."""
    if isinstance(value, (Uniform, Normal)):
        return None
    if isinstance(value, Choice):
        return value.options
    return [value]


def _concrete(value: Any) -> Any:
    """The value itself when it is fixed, else None."""
    options = candidates(value)
    return options[0] if options is not None and len(options) == 1 else None


def _max(value: Any) -> Any:
    options = candidates(value)
    return max(options) if options else None


def check_scenario(sc: Scenario, limits: Limits) -> list[Problem]:
    names = [a.name for a in sc.actors]
    sensors = [s.name for s in sc.ego.sensors]
    out: list[Problem] = []
    out += _road(sc)
    out += _unique(names, ("actors",), "actor", {EGO: "the ego vehicle"})
    out += _unique(sensors, ("ego", "sensors"), "sensor", RESERVED_SENSOR_NAMES)
    out += _placements(sc)
    out += _references(sc, names, sensors)
    out += _relative_cycles(sc)
    out += _requirements(sc, names)
    out += _lidars(sc)
    out += _exports(sc)
    out += _limits(sc, limits)
    from simgen.scenario.storyboard_checks import check_storyboard  # it reuses this module's

    out += check_storyboard(sc)
    return out


EXPORT_NEEDS = {
    "kitti": ("a camera with outputs rgb and instance", {"rgb", "instance"}, False),
    "kitti_tracking": ("a camera with outputs rgb and instance", {"rgb", "instance"}, False),
    "coco": (
        "a camera with outputs rgb, semantic and instance",
        {"rgb", "semantic", "instance"},
        False,
    ),
    "nuscenes": ("a camera with outputs rgb and instance", {"rgb", "instance"}, False),
    "openlane": ("a camera with output rgb", {"rgb"}, False),
}


def _exports(sc: Scenario) -> list[Problem]:
    """Each requested export must find the sensors it is made from."""
    out: list[Problem] = []
    cameras = [set(s.outputs) for s in sc.ego.sensors if isinstance(s, Camera)]
    has_lidar = any(isinstance(s, Lidar) for s in sc.ego.sensors)
    for i, fmt in enumerate(sc.output.formats):
        what, outputs, lidar = EXPORT_NEEDS[fmt]
        if not any(outputs <= c for c in cameras) or (lidar and not has_lidar):
            out.append(Problem(("output", "formats", i), f"{fmt} needs {what} on the ego"))
    if "openlane" in sc.output.formats and sc.output.lanes is False:
        out.append(Problem(("output", "lanes"), "the openlane export is made from lane labels"))
    return out


def _road(sc: Scenario) -> list[Problem]:
    road = sc.road
    out: list[Problem] = []
    if road.type == "curve":
        if road.radius is None:
            out.append(Problem(("road",), "missing required key 'radius' (curve roads need it)"))
        else:
            for r in candidates(road.radius) or []:
                if abs(r) < 10:
                    out.append(Problem(("road", "radius"), f"|radius| must be >= 10 m, got {r}"))
    elif road.radius is not None:
        out.append(
            Problem(("road", "radius"), f"radius is only used by curve roads, not {road.type}")
        )
    if road.type == "intersection":
        if road.arm_length is None:
            out.append(
                Problem(("road",), "missing required key 'arm_length' (intersections need it)")
            )
    elif road.arm_length is not None:
        out.append(
            Problem(
                ("road", "arm_length"), f"arm_length is only used by intersections, not {road.type}"
            )
        )
    if road.type == "opendrive" and road.signs:
        out.append(
            Problem(("road", "signs"), "an OpenDRIVE map brings its own signs (its <signal>s)")
        )
    if road.type == "opendrive" and road.file is None:
        out.append(Problem(("road",), "missing required key 'file' (opendrive roads need it)"))
    elif road.type != "opendrive" and road.file is not None:
        out.append(
            Problem(("road", "file"), f"file is only used by opendrive roads, not {road.type}")
        )
    return out


# label boxes are given in these frames beside each sensor's own (simgen.labels.schema)
RESERVED_SENSOR_NAMES = {
    "world": "the world frame of the labels",
    "ego": "the ego frame of the labels",
}


def _unique(
    names: list[str], path: Path, what: str, reserved: dict[str, str] | None = None
) -> list[Problem]:
    """Each name once, and none of the ``reserved`` ones (name -> what it stands for)."""
    out: list[Problem] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        if reserved and name in reserved:
            message = f"'{name}' is reserved for {reserved[name]}; choose another {what} name"
            out.append(Problem((*path, i, "name"), message))
        elif name in seen:
            out.append(Problem((*path, i, "name"), f"duplicate {what} name '{name}'"))
        seen.add(name)
    return out


def _road_users(sc: Scenario) -> list[tuple[Path, Ego | Actor]]:
    return [(("ego",), sc.ego)] + [(("actors", i), a) for i, a in enumerate(sc.actors)]


def _placements(sc: Scenario) -> list[Problem]:
    road = sc.road
    lanes, oncoming = _max(road.lanes), _max(road.oncoming_lanes)
    out: list[Problem] = []

    def lane_problem(path: Path, value: Any) -> None:
        if lanes is None or oncoming is None:
            return
        low, high = lane_bounds(lanes, oncoming)
        for lane in candidates(value) or []:
            if not low <= lane <= high:
                out.append(
                    Problem(
                        path,
                        f"lane {lane} does not exist: this road has lanes {low}..{high} "
                        "(0 = rightmost of the ego's direction, negative = oncoming)",
                    )
                )

    opendrive = road.type == "opendrive"  # its lanes and lengths are checked against the map
    length = (
        None if opendrive else _max(road.arm_length if road.type == "intersection" else road.length)
    )
    for path, user in _road_users(sc):
        if opendrive and user.road is None:
            out.append(Problem(path, "needs a 'road' (an OpenDRIVE road id) on an opendrive map"))
        for key in ("road", "route"):
            if not opendrive and getattr(user, key) is not None:
                out.append(
                    Problem((*path, key), f"{key} is only used on opendrive maps, not {road.type}")
                )
        if isinstance(user, Actor) and user.lane is None and user.offset is None:
            out.append(Problem(path, "needs a 'lane' or an 'offset' to say where it starts"))
        if user.lane is not None and user.offset is not None:
            out.append(Problem((*path, "offset"), "give either 'lane' or 'offset', not both"))
        if user.lane is not None and not opendrive:
            lane_problem((*path, "lane"), user.lane)
        if user.arm is not None and road.type != "intersection":
            out.append(
                Problem((*path, "arm"), f"arm is only used on intersections, not {road.type}")
            )
        s = _concrete(user.s) if not isinstance(user.s, RelativeS) else None
        if s is not None and length is not None and s > length:
            out.append(
                Problem((*path, "s"), f"s = {s:g} m lies beyond the road's end ({length:g} m)")
            )
        for j, step in enumerate(user.behavior):
            step_path = (*path, "behavior", j)
            if step.at is not None and step.when is not None:
                out.append(Problem((*step_path, "when"), "give either 'at' or 'when', not both"))
            if step.when is not None:
                given = [k for k in ("distance_to", "time_to_collision") if getattr(step.when, k)]
                if len(given) != 1:
                    out.append(
                        Problem(
                            (*step_path, "when"),
                            "needs exactly one of 'distance_to' or 'time_to_collision'",
                        )
                    )
            if step.action == "lane_change" and not opendrive:
                lane_problem((*step_path, "lane"), step.lane)
    return out


def _ref_problem(path: Path, ref: str | None, valid: Iterable[str], what: str) -> list[Problem]:
    valid = list(dict.fromkeys(valid))
    if ref is None or ref in valid:
        return []
    return [
        Problem(path, f"unknown {what} '{ref}'{suggest(ref, valid)}; known: {', '.join(valid)}")
    ]


def _references(sc: Scenario, names: list[str], sensors: list[str]) -> list[Problem]:
    everyone = [EGO, *names]
    out: list[Problem] = []
    for path, user in _road_users(sc):
        own = user.name if isinstance(user, Actor) else EGO
        others = [n for n in everyone if n != own]
        if isinstance(user, Actor) and isinstance(user.s, RelativeS):
            out += _ref_problem((*path, "s", "relative_to"), user.s.relative_to, others, "actor")
        for j, step in enumerate(user.behavior):
            if step.when is not None:
                for key in ("distance_to", "time_to_collision"):
                    ref = getattr(step.when, key)
                    out += _ref_problem((*path, "behavior", j, "when", key), ref, others, "actor")
    for i, inj in enumerate(sc.injectors):
        path = ("injectors", i)
        if isinstance(inj, (Crash, CutIn, SuddenBrake)):
            out += _ref_problem((*path, "actor"), inj.actor, names, "actor")
        if isinstance(inj, Crash):
            out += _ref_problem((*path, "target"), inj.target, everyone, "actor")
            if inj.actor is not None and inj.actor == inj.target:
                out.append(Problem((*path, "target"), "an actor cannot crash into itself"))
        if isinstance(inj, SensorTarget):
            out += _fault_target(sc, path, inj)
    for path, sensor in [(("ego", "sensors", i), s) for i, s in enumerate(sc.ego.sensors)]:
        for j, fault in enumerate(sensor.faults):
            out += _fault_target(sc, (*path, "faults", j), fault, sensor)
    return out


def _fault_target(
    sc: Scenario, path: Path, fault: SensorTarget, owner: Camera | Lidar | Radar | None = None
) -> list[Problem]:
    """A fault names a sensor of the kind it acts on; dead rings exist on that lidar."""
    kind = fault_sensor_kind(fault)
    fitting = [s for s in sc.ego.sensors if kind is None or isinstance(s, kind)]
    if owner is not None:
        targets = [owner]
    elif fault.sensor is None:
        targets = fitting
        if not targets:
            what = literal_of(kind, "type") if kind is not None else "sensor"
            kind_name = literal_of(type(fault), "type")
            return [Problem((*path, "type"), f"{kind_name} needs a {what} on the ego")]
    else:
        valid = [s.name for s in fitting]
        problem = _ref_problem((*path, "sensor"), fault.sensor, valid, "sensor")
        if problem:
            return problem
        targets = [s for s in fitting if s.name == fault.sensor]
    out: list[Problem] = []
    if isinstance(fault, LidarBeamDropout):
        for lidar in targets:
            if not isinstance(lidar, Lidar):
                continue
            try:
                channels = scan_pattern(lidar).channels
            except LidarSpecError:
                continue  # reported by the lidar checks
            bad = [r for r in fault.rings if not 0 <= r < channels]
            if bad:
                out.append(
                    Problem(
                        (*path, "rings"),
                        f"{lidar.name} has rings 0..{channels - 1}; no ring {bad[0]}",
                    )
                )
    return out


def _relative_cycles(sc: Scenario) -> list[Problem]:
    parent = {a.name: a.s.relative_to for a in sc.actors if isinstance(a.s, RelativeS)}
    out: list[Problem] = []
    for i, actor in enumerate(sc.actors):
        seen = [actor.name]
        ref = parent.get(actor.name)
        while ref is not None and ref not in seen:
            seen.append(ref)
            ref = parent.get(ref)
        if ref == actor.name:
            chain = " -> ".join([*seen, actor.name])
            out.append(Problem(("actors", i, "s", "relative_to"), f"circular placement: {chain}"))
    return out


def _requirements(sc: Scenario, names: list[str]) -> list[Problem]:
    everyone = [EGO, *names]
    out: list[Problem] = []
    for i, req in enumerate(sc.require):
        path = ("require", i)
        pair = getattr(req, "distance", None) or getattr(req, "speed_difference", None)
        pair = pair or getattr(req, "ahead", None)
        if pair is not None:
            key = next(iter(type(req).model_fields))
            for j, ref in enumerate(pair):
                out += _ref_problem((*path, key, j), ref, everyone, "actor")
            if pair[0] == pair[1]:
                out.append(Problem((*path, key), "needs two different actors"))
        if isinstance(req, (Distance, SpeedDifference)):
            if req.above is None and req.below is None:
                out.append(Problem(path, "needs 'above', 'below' or both"))
            elif req.above is not None and req.below is not None and req.above >= req.below:
                out.append(
                    Problem(
                        (*path, "below"),
                        f"must be greater than above ({req.above}), got {req.below}",
                    )
                )
    return out


def _lidars(sc: Scenario) -> list[Problem]:
    out: list[Problem] = []
    for i, sensor in enumerate(sc.ego.sensors):
        if isinstance(sensor, Lidar):
            try:
                scan_pattern(sensor)
            except LidarSpecError as exc:
                out.append(Problem(("ego", "sensors", i, exc.key), str(exc)))
    return out


def _over(path: Path, what: str, value: float, limit: float | None) -> list[Problem]:
    if limit is None or value <= limit:
        return []
    return [Problem(path, f"{what} {value:g} exceeds the limit of {limit:g} ({NO_LIMITS_HINT})")]


def _limits(sc: Scenario, limits: Limits) -> list[Problem]:
    out: list[Problem] = []
    out += _over(("duration",), "duration", sc.duration, limits.max_duration)
    out += _over(("frame_rate",), "frame_rate", sc.frame_rate, limits.max_frame_rate)
    out += _over(("duration",), "frame count", sc.frames, limits.max_frames)
    out += _over(("variants",), "variants", sc.variants, limits.max_variants)
    out += _over(("actors",), "actor count", len(sc.actors), limits.max_actors)
    out += _over(("ego", "sensors"), "sensor count", len(sc.ego.sensors), limits.max_sensors)
    length = _max(sc.road.length)
    if length is not None:
        out += _over(("road", "length"), "road length", length, limits.max_road_length)
    for i, sensor in enumerate(sc.ego.sensors):
        path = ("ego", "sensors", i)
        if isinstance(sensor, Camera):
            out += _over((*path, "width"), "width", sensor.width, limits.max_image_side)
            out += _over((*path, "height"), "height", sensor.height, limits.max_image_side)
        elif isinstance(sensor, Lidar):
            try:
                rays = scan_pattern(sensor).rays_per_sweep
            except LidarSpecError:
                continue
            out += _over(path, "rays per sweep", rays, limits.max_lidar_rays)
    return out
