"""Regression-testing perception models on rendered datasets: a model protocol, reference
models, KITTI-style 3D/BEV AP and COCO 2D AP per slice, baselines with a tolerance.

One evaluation end to end is ``simgen.eval.api.evaluate`` (also ``simgen.evaluate``); the
scoring functions live in ``simgen.eval.evaluate``, which is why the function is not
re-exported here under the same name."""

from simgen.eval.api import EvalResult
from simgen.eval.baseline import load_baseline, regressions, save_baseline
from simgen.eval.errors import BaselineError, EvalError, ModelLoadError
from simgen.eval.evaluate import corruption_errors, dataset_digest, run_model, score
from simgen.eval.metric_keys import Direction, MetricKey, MetricKeyError
from simgen.eval.models import load_model, model_args

__all__ = [
    "BaselineError",
    "Direction",
    "EvalError",
    "EvalResult",
    "MetricKey",
    "MetricKeyError",
    "ModelLoadError",
    "corruption_errors",
    "dataset_digest",
    "load_baseline",
    "load_model",
    "model_args",
    "regressions",
    "run_model",
    "save_baseline",
    "score",
]
