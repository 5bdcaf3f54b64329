"""Spec models (distributions allowed) and instance models (every value concrete) from one
declaration: the instance side never admits a distribution, the spec side keeps the file format."""

from __future__ import annotations

import pickle

import pytest
from pydantic import BaseModel, ValidationError

import simgen.scenario.storyboard as sb
from simgen.scenario import load_scenario, sample
from simgen.scenario.distributions import Choice, Normal, Uniform
from simgen.scenario.errors import _all_models
from simgen.scenario.models import (
    Actor,
    Camera,
    Crash,
    Ego,
    LaneChange,
    RelativeS,
    Road,
    Scenario,
    ScenarioSpec,
    Step,
)
from simgen.scenario.spec import spec_model

HIGHWAY = "scenarios/highway_cut_in.yaml"
UNRESOLVED = (Uniform, Normal, Choice, RelativeS)
REQUIREMENTS = ("Distance", "MinGap", "Ahead", "SpeedDifference")


def test_instance_models_reach_no_distribution_and_no_relative_position():
    reachable = _all_models(Scenario)
    assert Road in reachable and Actor in reachable and Crash in reachable
    assert not [m for m in reachable if issubclass(m, UNRESOLVED)]
    twins = {spec_model(m) for m in reachable} - set(reachable)
    assert spec_model(Road) in twins and not twins & set(reachable)
    unchanged = {m.__name__ for m in reachable if spec_model(m) is m}
    storyboard = {m.__name__ for m in reachable if m.__module__ == sb.__name__}
    assert "Storyboard" in storyboard  # its values are concrete: the importer resolves them
    assert unchanged - storyboard == {
        "Mount", "LidarNoise", "RadarNoise", "When", "Output", "LaneLabels", "RedLightRunner",
        *REQUIREMENTS,
    }  # fmt: skip


def test_spec_reaches_every_distribution_and_relative_position():
    reachable = _all_models(ScenarioSpec)
    for kind in (Uniform, Normal, RelativeS):
        assert kind in reachable or spec_model(kind) in reachable
    assert any(issubclass(m, Choice) for m in reachable)


def test_instance_field_rejects_a_distribution_the_spec_accepts():
    data = {"length": {"uniform": [100, 200]}}
    assert spec_model(Road).model_validate(data).length == Uniform(uniform=[100, 200])
    with pytest.raises(ValidationError, match="length"):
        Road.model_validate(data)


def test_instance_field_keeps_the_bounds_and_their_message():
    with pytest.raises(ValidationError, match="must be > 0, got -5"):
        Road.model_validate({"length": -5})
    with pytest.raises(ValidationError, match="must be >= 1, got 0"):
        Road.model_validate({"lanes": 0})
    assert Road.model_validate({"length": 120, "lanes": 3}).length == 120.0


def test_twin_keeps_name_field_order_defaults_and_kind():
    for model in (Road, Camera, Actor, LaneChange, Crash, Scenario):
        twin = spec_model(model)
        assert twin is not model and issubclass(twin, model)
        assert twin.__name__ == model.__name__ and twin.__doc__ == model.__doc__
        assert list(twin.model_fields) == list(model.model_fields)
        for name, field in model.model_fields.items():
            assert twin.model_fields[name].default == field.default, (model, name)
    # a behaviour's twin is a twin of Step too, so an inherited field is widened once, at Step
    assert issubclass(spec_model(LaneChange), spec_model(Step))
    assert spec_model(spec_model(Road)) is spec_model(Road)


def test_loaded_file_is_a_spec_and_its_sample_is_plain_instance_models():
    spec = load_scenario(HIGHWAY).scenario
    assert type(spec) is ScenarioSpec and isinstance(spec, Scenario)
    instance = sample(spec, 0)
    concrete = instance.scenario
    assert type(concrete) is Scenario

    def models(value: object) -> list[BaseModel]:
        if isinstance(value, BaseModel):
            inner = [m for name in type(value).model_fields for m in models(getattr(value, name))]
            return [value, *inner]
        if isinstance(value, (list, tuple)):
            return [m for item in value for m in models(item)]
        return []

    found = models(concrete)
    assert len(found) > 10
    assert {type(m) for m in found} <= set(_all_models(Scenario))
    assert not [m for m in found if isinstance(m, UNRESOLVED)]
    assert all(type(a.s) is float for a in concrete.actors)
    assert isinstance(concrete.ego.speed, float) and isinstance(concrete.road.lanes, int)


def test_instance_json_round_trips_byte_for_byte():
    instance = sample(load_scenario(HIGHWAY).scenario, 1)
    text = instance.model_dump_json()
    again = type(instance).model_validate_json(text)
    assert again == instance
    assert again.model_dump_json() == text


def test_a_loaded_spec_pickles_to_the_same_twins():
    """Batch workers receive loaded scenarios; twins are found by name (spec.TWINS.<Name>)."""
    loaded = load_scenario("scenarios/school_zone.yaml")
    again = pickle.loads(pickle.dumps(loaded))
    assert type(again.scenario) is ScenarioSpec and type(again.scenario.ego) is spec_model(Ego)
    assert again.scenario == loaded.scenario
    assert sample(again.scenario, 1) == sample(loaded.scenario, 1)
