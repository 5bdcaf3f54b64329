"""Injectors given on the command line: ``TYPE[:KEY=VALUE,KEY=VALUE]``, validated like YAML.

``--inject fog:density=0.03`` is the same as ``{type: fog, density: 0.03}`` in a scenario's
``injectors:`` list; values are read as YAML scalars or flow lists (``rings=[3,4]``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

import yaml
from pydantic import TypeAdapter, ValidationError

from simgen.scenario.checks import check_scenario
from simgen.scenario.errors import Issue, ScenarioError, suggest
from simgen.scenario.limits import Limits
from simgen.scenario.load import LoadedScenario
from simgen.scenario.models import INJECTORS, Injector
from simgen.scenario.spec import spec_type
from simgen.scenario.yaml_source import Mark

SPEC_INJECTOR = spec_type(Injector)  # like a scenario file's: values may be distributions
TYPES = [m.model_fields["type"].annotation.__args__[0] for m in INJECTORS]
SOURCE = "--inject"
_PAIR = re.compile(r"\s*([A-Za-z_]\w*)\s*=\s*(\[[^\]]*\]|[^,]*)\s*(?:,|$)")


def _issue(index: int, col: int, key: str | None, message: str) -> Issue:
    path: tuple[str | int, ...] = ("inject", index) + ((key,) if key else ())
    return Issue(SOURCE, Mark(index + 1, col), path, message)


def parse_inject(spec: str, index: int = 0) -> Injector:
    """One ``--inject`` value as a validated injector; raises ScenarioError naming the key."""
    kind, _, rest = spec.partition(":")
    kind = kind.strip()
    if kind not in TYPES:
        hint = suggest(kind, TYPES)
        raise ScenarioError(
            [_issue(index, 1, "type", f"unknown injector '{kind}'{hint}; see `simgen injectors`")]
        )
    data: dict[str, object] = {"type": kind}
    position = len(kind) + 1
    while rest.strip():
        match = _PAIR.match(rest)
        if match is None:
            raise ScenarioError(
                [_issue(index, position + 1, None, f"expected KEY=VALUE, got '{rest.strip()}'")]
            )
        key, value = match.group(1), match.group(2).strip()
        try:
            data[key] = yaml.safe_load(value) if value else None
        except yaml.YAMLError:
            raise ScenarioError(
                [_issue(index, position + 1, key, f"cannot read the value '{value}'")]
            ) from None
        position += match.end()
        rest = rest[match.end() :]
    try:
        return TypeAdapter(SPEC_INJECTOR).validate_python(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if p != kind]
        key = str(loc[0]) if loc else None
        known = type_fields(kind)
        hint = suggest(key, known) if err["type"] == "extra_forbidden" else ""
        message = f"{err['msg']}{hint}" + (
            f"; {kind} takes {', '.join(known)}" if err["type"] == "extra_forbidden" else ""
        )
        raise ScenarioError([_issue(index, 1, key, message)]) from None


def type_fields(kind: str) -> list[str]:
    model = INJECTORS[TYPES.index(kind)]
    return [name for name in model.model_fields if name != "type"]


def with_injectors(loaded: LoadedScenario, specs: list[str]) -> LoadedScenario:
    """The scenario with the command line's injectors after its own; checked as a whole."""
    if not specs:
        return loaded
    added, issues = [], []
    for i, spec in enumerate(specs):
        try:
            added.append(parse_inject(spec, i))
        except ScenarioError as exc:
            issues += exc.issues
    if issues:
        raise ScenarioError(issues)
    scenario = loaded.scenario
    own = len(scenario.injectors)
    combined = scenario.model_copy(update={"injectors": [*scenario.injectors, *added]})
    issues = []
    for problem in check_scenario(combined, Limits.none()):
        path = problem.path
        if len(path) >= 2 and path[0] == "injectors" and int(path[1]) >= own:
            index = int(path[1]) - own
            issues.append(_issue(index, 1, ".".join(map(str, path[2:])) or None, problem.message))
    if issues:
        raise ScenarioError(issues)
    digest = hashlib.sha256((loaded.sha256 + "\n" + "\n".join(specs)).encode()).hexdigest()
    return replace(loaded, scenario=combined, sha256=digest)
