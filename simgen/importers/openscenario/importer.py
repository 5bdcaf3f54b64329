"""``import_xosc``: an OpenSCENARIO 1.x file -> simgen scenario(s), with notes and warnings.

A scenario file gives one scenario; a ``ParameterValueDistribution`` file gives one scenario
per parameter set of the scenario file it names (written as a suite by ``simgen import``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simgen.importers.openscenario.catalogs import Catalogs
from simgen.importers.openscenario.context import Ctx, Element, Report, read_xml
from simgen.importers.openscenario.distributions import ParameterSet, parameter_sets
from simgen.importers.openscenario.entities import Entity, read_entities
from simgen.importers.openscenario.env import Env
from simgen.importers.openscenario.errors import XoscError
from simgen.importers.openscenario.parameters import declare
from simgen.importers.openscenario.placements import read_init
from simgen.importers.openscenario.rigs import rig
from simgen.importers.openscenario.stories import stories
from simgen.scenario import storyboard as sb
from simgen.scenario.models import Scenario
from simgen.world.assets import load_catalog
from simgen.world.map_road import MapGeometry, load_map
from simgen.world.opendrive import OpenDriveError

DEFAULT_DURATION = 20.0  # s: OpenSCENARIO files end on their stop trigger; simgen renders a span
FRAME_RATE = 10.0
NAME_OK = re.compile(r"[^a-z0-9_-]+")


@dataclass(frozen=True)
class ImportOptions:
    """How to import: who the ego is, the rig it carries, lenient mode, the duration."""

    ego: str | None = None
    rig: str = "default"
    lenient: bool = False
    duration: float | None = None


@dataclass
class ImportResult:
    source: Path
    scenarios: list[Scenario]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # entity name in the file -> simgen's
    distribution: bool = False  # a ParameterValueDistribution: one scenario per set

    @property
    def scenario(self) -> Scenario:
        return self.scenarios[0]


def scenario_name(stem: str) -> str:
    name = NAME_OK.sub("_", stem.lower()).strip("_-")[:64]
    return name or "imported"


def import_xosc(
    path: str | Path,
    *,
    ego: str | None = None,
    lenient: bool = False,
    rig: str = "default",
    duration: float | None = None,
) -> ImportResult:
    """Import an OpenSCENARIO file; raises XoscError (``FILE:LINE: message``) for a malformed
    file or (unless ``lenient``) an element outside the supported subset."""
    options = ImportOptions(ego, rig, lenient, duration)
    source = Path(path)
    report = Report(lenient=lenient)
    root = read_xml(source)
    ctx = Ctx(str(source), {}, report)
    if root.tag != "OpenSCENARIO":
        raise ctx.error(root, f"<{root.tag}>: not an OpenSCENARIO file (root <OpenSCENARIO>)")
    dist = ctx.maybe(root, "ParameterValueDistribution")
    if dist is None:
        scenario, names = _one(source, root, {}, options, report, 0, None)
        return ImportResult(source, [scenario], report.notes, report.warnings, names)
    target_el = ctx.one(dist, "ScenarioFile")
    target = (ctx.directory / str(ctx.text(target_el, "filepath"))).resolve()
    if not target.is_file():
        raise ctx.error(target_el, f"<ScenarioFile>: no such file: {target}")
    sets, seed = parameter_sets(ctx, dist)
    scenario_root = read_xml(target)
    out, names = [], {}
    width = len(str(len(sets) - 1))
    for i, values in enumerate(sets):
        derived = int(np.random.SeedSequence([seed, i]).generate_state(1, np.uint64)[0] >> 1)
        suffix = f"_{i:0{width}d}"
        scenario, names = _one(target, scenario_root, values, options, report, derived, suffix)
        out.append(scenario)
    report.note(f"{len(sets)} parameter sets from {source.name}: one scenario each")
    return ImportResult(source, out, report.notes, report.warnings, names, distribution=True)


def _one(
    path: Path, root: Element, values: ParameterSet, options: ImportOptions, report: Report,
    seed: int, suffix: str | None,
) -> tuple[Scenario, dict[str, str]]:  # fmt: skip
    base = Ctx(str(path), {}, report)
    if root.tag != "OpenSCENARIO":
        raise base.error(root, f"<{root.tag}>: not an OpenSCENARIO file")
    if base.maybe(root, "Storyboard") is None:
        what = "a catalog" if base.maybe(root, "Catalog") is not None else "not a scenario"
        raise base.error(root, f"<OpenSCENARIO>: {what} (no <Storyboard>)")
    ctx = declare(base, root, values)
    header = base.maybe(root, "FileHeader")
    description = "" if header is None else str(header.get("description", ""))
    env = Env(Catalogs.from_scenario(ctx, root))
    map_file, geom = _road_network(ctx, root)
    entities = read_entities(ctx, env, root, options.ego)
    board = ctx.one(root, "Storyboard")
    init = read_init(ctx, env, geom, entities, ctx.maybe(board, "Init"))
    story_list, stop = stories(ctx, env, board)
    try:
        sensors = rig(options.rig)
    except KeyError as exc:
        raise XoscError(str(path), None, str(exc.args[0])) from None
    ego_entity = next(e for e in entities if e.name == "ego")
    ego = {"model": ego_entity.model, **_body(ego_entity), **init.starts["ego"].keys,
           "sensors": sensors}  # fmt: skip
    actors = [
        {"name": e.name, "model": e.model, **_body(e), **init.starts[e.name].keys}
        for e in entities if e.name != "ego"
    ]  # fmt: skip
    for e in entities:
        _note_scaling(report, e)
    description = (description + " " if description else "") + f"(imported from {path.name})"
    scenario = Scenario.model_validate({
        "version": 1,
        "name": scenario_name(path.stem) + (suffix or ""),
        "description": description.strip(),
        "seed": seed,
        "duration": options.duration if options.duration is not None else DEFAULT_DURATION,
        "frame_rate": FRAME_RATE,
        "road": {"type": "opendrive", "file": str(map_file)},
        "ego": ego,
        "actors": actors,
        "storyboard": sb.Storyboard(
            init=init.init, global_init=init.global_init, stories=story_list, stop_trigger=stop
        ),
    })  # fmt: skip
    return scenario, dict(env.names)


def _body(entity: Entity) -> dict[str, object]:
    """The file's box as the road user's ``size``, and its reference point."""
    out: dict[str, object] = {"size": list(entity.box)}
    if entity.reference_point is not None:
        out["reference_point"] = list(entity.reference_point)
    return out


def _note_scaling(report: Report, e: Entity) -> None:
    """What of the file's box is lost: an articulated body scales by its height only."""
    entry = load_catalog()[load_catalog().variants(e.model)[0]]
    if not entry.skeleton:
        return
    h = e.box[2] / entry.dimensions[2]
    length, width = entry.dimensions[0] * h, entry.dimensions[1] * h
    if abs(length - e.box[0]) > 0.01 or abs(width - e.box[1]) > 0.01:
        report.note(
            f"{e.file_name} -> {e.name}: a {e.model} scales uniformly by its height "
            f"({e.box[2]:g} m): about {length:.2f} x {width:.2f} m rather than the file's "
            f"{e.box[0]:g} x {e.box[1]:g} m"
        )


def _road_network(ctx: Ctx, root: Element) -> tuple[Path, MapGeometry]:
    network = ctx.maybe(root, "RoadNetwork")
    logic = None if network is None else ctx.maybe(network, "LogicFile")
    if logic is None:
        raise ctx.error(network if network is not None else root,
                        "<RoadNetwork>: needs a <LogicFile> (an OpenDRIVE map)")  # fmt: skip
    path = (ctx.directory / str(ctx.text(logic, "filepath"))).resolve()
    if not path.is_file():
        raise ctx.error(logic, f"<LogicFile>: no such OpenDRIVE file: {path}")
    for other in [] if network is None else list(network):
        if not isinstance(other.tag, str) or other.tag == "LogicFile":
            continue
        if other.tag == "SceneGraphFile":
            ctx.report.note("<SceneGraphFile> ignored: simgen builds the scene from the map")
        elif other.tag != "UsedArea":
            ctx.unsupported(other, "a road network is its LogicFile")  # lenient: skipped
    try:
        return path, MapGeometry(load_map(path))
    except OpenDriveError as exc:
        raise XoscError(exc.file, exc.line, exc.message) from None
