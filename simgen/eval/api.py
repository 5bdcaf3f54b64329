"""One evaluation, start to end: a model (or prediction files) run over a dataset, scored per
slice, compared with a baseline. ``simgen eval``, the pytest helper and notebooks all call
``evaluate``; writing a baseline, JUnit XML or a report is a method of its result.

    from simgen.eval.api import evaluate

    result = evaluate("out/suite", "oracle", model_args={"miss": 0.3}, baseline="base.json")
    assert result.passed, result.failure_message()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from simgen.core.atomic import write_text_atomic
from simgen.dataset.reader import Dataset, open_dataset
from simgen.eval.baseline import Regression, junit, load_baseline, regressions, save_baseline
from simgen.eval.errors import EvalError
from simgen.eval.evaluate import Metrics, corruption_errors, dataset_digest, run_model, score
from simgen.eval.metric_keys import MetricKey
from simgen.eval.models import Model, load_model


@dataclass(frozen=True)
class EvalResult:
    source: str  # what was scored: the model's name or the prediction files
    dataset: Path
    digest: str  # what a baseline made from this result is tied to (every manifest, hashed)
    metrics: Metrics  # "<slice>/<metric>" -> value, the keys as simgen.eval.metric_keys parses
    regressions: tuple[Regression, ...]  # against the baseline given; () without one

    @property
    def passed(self) -> bool:
        return not self.regressions

    @property
    def title(self) -> str:
        return f"simgen eval: {self.source}"

    def rows(self) -> list[tuple[MetricKey, float]]:
        """Every metric with its typed key, in the metrics' order."""
        return [(MetricKey.parse(k), v) for k, v in self.metrics.items()]

    def failure_message(self) -> str:
        lines = [str(r) for r in self.regressions]
        return f"{len(lines)} metrics regressed:\n" + "\n".join(lines)

    def save_baseline(self, path: str | Path) -> None:
        """Record these metrics as the baseline later runs on the same dataset compare with."""
        save_baseline(path, self.metrics, self.digest)

    def write_junit(self, path: str | Path) -> None:
        """JUnit XML: one test case per metric, a failure for each regressed one."""
        write_text_atomic(path, junit(self.metrics, list(self.regressions)))

    def write_report(self, path: str | Path) -> Path:
        """A report: Markdown tables (``.md``) or HTML with charts (anything else)."""
        from simgen.eval.report import write_report  # matplotlib, only when a report is asked

        return write_report(path, self.metrics, self.title, list(self.regressions))


def _predictor(
    model: str | Model | None,
    model_args: Mapping[str, Any] | None,
    predictions: str | Path | None,
    prediction_format: str,
    index: str | Path | None,
) -> tuple[Model, str]:
    """The callable to run and what to call it in titles."""
    if (model is None) == (predictions is None):
        raise EvalError("give a model or prediction files to score (one of them)")
    if predictions is not None:
        from simgen.eval.prediction_files import load_predictions

        found = Path(index) if index is not None else None
        return load_predictions(Path(predictions), prediction_format, found), str(predictions)
    if isinstance(model, str):
        return load_model(model, dict(model_args or {})), model
    if model_args:
        raise EvalError("model_args are for a model given by name; call your factory yourself")
    callable_model = cast(Model, model)  # not None: the first check ruled that out
    return callable_model, getattr(callable_model, "__name__", type(callable_model).__name__)


def evaluate(
    dataset: str | Path | Dataset,
    model: str | Model | None = None,
    *,
    model_args: Mapping[str, Any] | None = None,
    predictions: str | Path | None = None,
    prediction_format: str = "kitti",
    index: str | Path | None = None,
    baseline: str | Path | None = None,
    tolerance: float = 0.02,
    force: bool = False,
    ce_reference: str | Path | None = None,
) -> EvalResult:
    """Score ``model`` (a registered name, ``package.module:factory`` or a callable) or the
    ``predictions`` files (``prediction_format`` kitti, coco or nuscenes, with the export's
    ``index``) on ``dataset``. With ``ce_reference`` (a reference model's saved metrics) adds
    mCE; with ``baseline``, lists every metric worse by more than ``tolerance``. ``force``
    compares with baselines made on another dataset.

    Raises the errors a user causes as DatasetError or EvalError (BaselineError,
    ModelLoadError); anything else is a bug and propagates as it is."""
    data = dataset if isinstance(dataset, Dataset) else open_dataset(dataset)
    predictor, source = _predictor(model, model_args, predictions, prediction_format, index)
    metrics = score(run_model(data, predictor), getattr(predictor, "outputs", None))
    digest = dataset_digest(data)
    if ce_reference is not None:
        metrics |= corruption_errors(metrics, load_baseline(ce_reference, digest, force))
    failed: list[Regression] = []
    if baseline is not None:
        failed = regressions(metrics, load_baseline(baseline, digest, force), tolerance)
    return EvalResult(source, data.root, digest, metrics, tuple(failed))
