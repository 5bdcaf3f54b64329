"""Evaluation as an ordinary test: ``assert_no_regression`` fails with the list of regressed
metrics, so a team's pytest suite guards its model like any other code.

    from simgen.eval.pytest_helper import assert_no_regression

    def test_detector_holds_up_in_the_edge_cases():
        assert_no_regression("out/suite", my_model, "baselines/detector.json", tolerance=0.02)
"""

from __future__ import annotations

from pathlib import Path

from simgen.eval.api import evaluate
from simgen.eval.evaluate import Metrics
from simgen.eval.models import Model


def assert_no_regression(
    dataset: str | Path, model: Model, baseline: str | Path, tolerance: float = 0.02
) -> Metrics:
    """The model's metrics; raises AssertionError naming every metric that regressed."""
    result = evaluate(dataset, model, baseline=baseline, tolerance=tolerance)
    if not result.passed:
        raise AssertionError(result.failure_message())
    return result.metrics
