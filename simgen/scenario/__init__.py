"""Scenario format v1: models, loading with positioned errors, and deterministic sampling."""

from simgen.scenario.errors import Issue, ScenarioError
from simgen.scenario.limits import Limits
from simgen.scenario.load import LoadedScenario, load_scenario, parse_scenario
from simgen.scenario.models import Scenario, ScenarioSpec
from simgen.scenario.sample import SamplingError, ScenarioInstance, sample

__all__ = [
    "Issue",
    "Limits",
    "LoadedScenario",
    "SamplingError",
    "Scenario",
    "ScenarioError",
    "ScenarioInstance",
    "ScenarioSpec",
    "load_scenario",
    "parse_scenario",
    "sample",
]
