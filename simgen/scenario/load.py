"""Reading a scenario file: safe YAML, model validation and cross-field checks, all positioned."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from simgen.scenario.checks import check_scenario
from simgen.scenario.errors import Issue, ScenarioError, issues_from_validation, sort_issues
from simgen.scenario.limits import Limits
from simgen.scenario.models import Scenario, ScenarioSpec
from simgen.scenario.yaml_source import Mark, SourceMap, YamlError, parse_yaml


@dataclass(frozen=True)
class LoadedScenario:
    """A valid scenario and where it came from, so later errors can still point into the file.

    ``scenario`` is a ``ScenarioSpec``: its varying values may still be distributions."""

    scenario: Scenario
    file: str
    sha256: str
    source: SourceMap
    notes: tuple[str, ...] = ()  # what was read but not used: an OpenDRIVE map's skipped elements

    def issue(self, path: tuple[str | int, ...], message: str) -> Issue:
        return Issue(self.file, self.source.value(path), path, message)


def parse_scenario(
    text: str, file: str = "<string>", limits: Limits | None = None
) -> LoadedScenario:
    """Validate scenario text; raises ScenarioError listing every problem found."""
    limits = Limits() if limits is None else limits
    try:
        data, source = parse_yaml(text)
    except YamlError as exc:
        raise ScenarioError([Issue(file, exc.mark, exc.path, exc.message)]) from None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r})"
        raise ScenarioError(
            [
                Issue(
                    file,
                    source.value(()),  # where the document's root node starts
                    (),
                    f"the document must be a mapping of scenario keys, got {kind}",
                )
            ]
        )
    try:
        scenario = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(issues_from_validation(exc, data, source, file, ScenarioSpec)) from None
    loaded = LoadedScenario(
        scenario, file, hashlib.sha256(text.encode("utf-8")).hexdigest(), source
    )
    problems = check_scenario(scenario, limits)
    if problems:
        raise ScenarioError(sort_issues(loaded.issue(p.path, p.message) for p in problems))
    if scenario.road.type == "opendrive":
        return _with_map(loaded)
    return loaded


def _with_map(loaded: LoadedScenario) -> LoadedScenario:
    """Resolve the map's path against the scenario file, read the map (its own errors name the
    map's file and line) and check every position and route against it."""
    from simgen.world.map_checks import check_map_placements
    from simgen.world.map_road import MapGeometry, load_map
    from simgen.world.opendrive import OpenDriveError

    scenario = loaded.scenario
    base = Path(loaded.file).parent if loaded.file != "<string>" else Path.cwd()
    path = (base / str(scenario.road.file)).resolve()
    if not path.is_file():
        raise ScenarioError([loaded.issue(("road", "file"), f"no such OpenDRIVE file: {path}")])
    try:
        geom = MapGeometry(load_map(path))
    except OpenDriveError as exc:
        raise ScenarioError([Issue(exc.file, Mark(exc.line or 1, 1), (), exc.message)]) from None
    road = scenario.road.model_copy(update={"file": str(path)})
    scenario = scenario.model_copy(update={"road": road})
    problems = check_map_placements(scenario, geom)
    if problems:
        raise ScenarioError(sort_issues(loaded.issue(p.path, p.message) for p in problems))
    notes = tuple(f"{item} (not supported: skipped)" for item in geom.map.unsupported)
    return LoadedScenario(scenario, loaded.file, loaded.sha256, loaded.source, notes)


def load_scenario(path: str | Path, limits: Limits | None = None) -> LoadedScenario:
    """Load and validate a scenario file; raises ScenarioError with file:line:col issues."""
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ScenarioError(
            [Issue(file, Mark(1, 1), (), f"cannot read the file: {exc.strerror}")]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Issue(file, Mark(1, 1), (), f"the file is not UTF-8 text ({exc.reason})")]
        ) from None
    return parse_scenario(text, file, limits)
