"""Suites: fixed lists of scenario files, each with its variant count and seed, so a regression
suite renders the same data every time. Paths are relative to the suite file."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pydantic import Field, ValidationError

from simgen.scenario.base import Strict
from simgen.scenario.errors import Issue, ScenarioError, issues_from_validation
from simgen.scenario.load import LoadedScenario, load_scenario
from simgen.scenario.models import Name
from simgen.scenario.yaml_source import Mark, YamlError, parse_yaml


class SuiteEntry(Strict):
    file: str
    variants: int = Field(ge=1)
    seed: int = Field(ge=0, lt=2**63)


class Suite(Strict):
    suite: Name
    description: str = ""
    scenarios: list[SuiteEntry] = Field(min_length=1)


def load_suite(
    path: str | Path, load: Callable[[Path], LoadedScenario] = load_scenario
) -> tuple[Suite, list[LoadedScenario]]:
    """The suite and its scenarios with the suite's seed and variant count put in; raises
    ScenarioError with positioned issues (in the suite or in a scenario file). ``load`` reads
    one listed file (the batch passes one that also imports OpenSCENARIO files)."""
    file = str(path)
    try:
        data, source = parse_yaml(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError([Issue(file, Mark(1, 1), (), f"cannot read: {exc.strerror}")]) from None
    except YamlError as exc:
        raise ScenarioError([Issue(file, exc.mark, exc.path, exc.message)]) from None
    try:
        suite = Suite.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(issues_from_validation(exc, data, source, file, Suite)) from None
    loaded = []
    for i, entry in enumerate(suite.scenarios):
        target = Path(path).parent / entry.file
        if not target.is_file():
            mark = source.value(("scenarios", i, "file"))
            issue = Issue(file, mark, ("scenarios", i, "file"), f"no such file: {target}")
            raise ScenarioError([issue])
        loaded.append(pin(load(target), entry.seed, entry.variants))
    return suite, loaded


def pin(loaded: LoadedScenario, seed: int | None, variants: int | None) -> LoadedScenario:
    """The scenario with a suite's seed and variant count; they are part of what is rendered,
    so they are part of the digest a resumed render compares."""
    if seed is None and variants is None:
        return loaded
    update = {k: v for k, v in (("seed", seed), ("variants", variants)) if v is not None}
    digest = hashlib.sha256(f"{loaded.sha256}:{seed}:{variants}".encode()).hexdigest()
    return replace(loaded, scenario=loaded.scenario.model_copy(update=update), sha256=digest)
