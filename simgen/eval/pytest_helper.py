"""Evaluation as an ordinary test: ``assert_no_regression`` fails with the list of regressed
metrics, so a team's pytest suite guards its model like any other code.

    from simgen.eval.pytest_helper import assert_no_regression

    def test_detector_holds_up_in_the_edge_cases():
        assert_no_regression("out/suite", my_model, "baselines/detector.json", tolerance=0.02)
"""

from __future__ import annotations

from pathlib import Path

from simgen.dataset.reader import open_dataset
from simgen.eval.baseline import load_baseline, regressions
from simgen.eval.evaluate import Metrics, dataset_digest, run_model, score
from simgen.eval.models import Model


def assert_no_regression(
    dataset: str | Path, model: Model, baseline: str | Path, tolerance: float = 0.02
) -> Metrics:
    """The model's metrics; raises AssertionError naming every metric that regressed."""
    data = open_dataset(dataset)
    metrics = score(run_model(data, model), getattr(model, "outputs", None))
    failed = regressions(metrics, load_baseline(baseline, dataset_digest(data)), tolerance)
    if failed:
        lines = [f"{r.metric}: {r.current:.4f} (baseline {r.baseline:.4f})" for r in failed]
        raise AssertionError(f"{len(failed)} metrics regressed:\n" + "\n".join(lines))
    return metrics
