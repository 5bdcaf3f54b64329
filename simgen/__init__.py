"""simgen: declarative YAML scenarios to labeled autonomous-driving sensor datasets.

The public API, in the order of the data flow::

    import simgen

    scenario = simgen.load("scenarios/default.yaml")      # Scenario (distributions unresolved)
    instance = simgen.sample(scenario, variant=0)          # ScenarioInstance (every value drawn)
    result = simgen.render("scenarios/default.yaml", out="out", frames=2, variants=1)
    dataset = simgen.open_dataset(result.out)              # Dataset (typed, lazy arrays)
    scores = simgen.evaluate(dataset, "oracle")            # EvalResult (metrics per slice)

``render``, ``open_dataset`` and ``evaluate`` and their types are imported on first use, so
``import simgen`` and reading a dataset never load the simulator or the renderers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from simgen.api import check_file, load, plan_render, render, run_render, sample_file
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

if TYPE_CHECKING:
    from simgen.api import RenderResult
    from simgen.dataset.reader import Dataset, DatasetError, open_dataset
    from simgen.eval.api import EvalResult, evaluate
    from simgen.eval.errors import EvalError

__version__ = "0.1.0"

_LAZY = {
    "RenderResult": "simgen.api",
    "Dataset": "simgen.dataset.reader",
    "DatasetError": "simgen.dataset.reader",
    "open_dataset": "simgen.dataset.reader",
    "EvalResult": "simgen.eval.api",
    "evaluate": "simgen.eval.api",
    "EvalError": "simgen.eval.errors",
}


def __getattr__(name: str) -> Any:
    """The names of ``_LAZY``, imported when first used (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'simgen' has no attribute '{name}'")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "Dataset",
    "DatasetError",
    "EvalError",
    "EvalResult",
    "Issue",
    "Limits",
    "LoadedScenario",
    "RenderResult",
    "SamplingError",
    "Scenario",
    "ScenarioError",
    "ScenarioInstance",
    "__version__",
    "check_file",
    "evaluate",
    "load",
    "load_scenario",
    "open_dataset",
    "parse_scenario",
    "plan_render",
    "render",
    "run_render",
    "sample",
    "sample_file",
]
