"""simgen: declarative YAML scenarios to labeled autonomous-driving sensor datasets."""

from simgen.api import check_file, sample_file
from simgen.scenario import (
    Issue,
    Limits,
    LoadedScenario,
    SamplingError,
    Scenario,
    ScenarioError,
    ScenarioInstance,
    load_scenario,
    parse_scenario,
    sample,
)

__version__ = "0.1.0"

__all__ = [
    "Issue",
    "Limits",
    "LoadedScenario",
    "SamplingError",
    "Scenario",
    "ScenarioError",
    "ScenarioInstance",
    "__version__",
    "check_file",
    "load_scenario",
    "parse_scenario",
    "sample",
    "sample_file",
]
