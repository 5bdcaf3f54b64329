"""The shipped scenarios are valid, sample, and together use every key of the format."""

from typing import Any

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from simgen.cli import app
from simgen.scenario import load_scenario, sample
from simgen.scenario.distributions import Choice, Normal, Uniform
from simgen.scenario.errors import _all_models
from simgen.scenario.models import ScenarioSpec
from tests.conftest import EDGE_CASES, SCENARIOS


def test_at_least_six_examples_and_a_default():
    names = {p.stem for p in SCENARIOS}
    assert "default" in names and "bench_highway" in names
    assert len(names - {"default", "bench_highway"}) >= 6


def test_cli_validates_all_examples():
    result = CliRunner().invoke(app, ["validate", *map(str, SCENARIOS + EDGE_CASES)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("path", SCENARIOS + EDGE_CASES, ids=lambda p: p.stem)
def test_every_variant_samples(path):
    scenario = load_scenario(path).scenario
    for variant in range(scenario.variants):
        instance = sample(scenario, variant)
        assert instance.variant == variant


def _key(model: type, field: str) -> tuple[str, str]:
    """A field named by the class that declares it (behaviours share ``at``/``when``)."""
    owner = next(c for c in model.__mro__ if field in getattr(c, "__annotations__", {}))
    return owner.__name__.split("[")[0], field


def _used(value: Any, out: set[tuple[str, str]]) -> None:
    if isinstance(value, BaseModel):
        for name in value.model_fields_set:
            out.add(_key(type(value), name))
            _used(getattr(value, name), out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _used(item, out)
    elif isinstance(value, dict):  # models keyed by id (road.signals.controllers)
        for item in value.values():
            _used(item, out)


def test_examples_use_every_key_of_the_format():
    used: set[tuple[str, str]] = set()
    for path in SCENARIOS + EDGE_CASES:
        _used(load_scenario(path).scenario, used)
    every = {
        _key(model, field) for model in _all_models(ScenarioSpec) for field in model.model_fields
    }
    missing = sorted(every - used)
    assert not missing, f"no example scenario uses: {missing}"


def test_examples_use_every_distribution_form():
    kinds: set[str] = set()

    def visit(value: Any) -> None:
        if isinstance(value, Uniform):
            kinds.add("uniform")
        elif isinstance(value, Normal):
            kinds.add("normal")
        elif isinstance(value, Choice):
            kinds.add("weighted choice" if isinstance(value.choice, dict) else "choice")
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                visit(getattr(value, name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)

    for path in SCENARIOS:
        visit(load_scenario(path).scenario)
    assert kinds == {"uniform", "normal", "choice", "weighted choice"}
