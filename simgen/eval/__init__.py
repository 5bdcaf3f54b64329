"""Regression-testing perception models on rendered datasets: a model protocol, reference
models, KITTI-style 3D/BEV AP and COCO 2D AP per slice, baselines with a tolerance."""

from simgen.eval.baseline import BaselineError, load_baseline, regressions, save_baseline
from simgen.eval.evaluate import corruption_errors, dataset_digest, run_model, score
from simgen.eval.models import load_model

__all__ = [
    "BaselineError",
    "corruption_errors",
    "dataset_digest",
    "load_baseline",
    "load_model",
    "regressions",
    "run_model",
    "save_baseline",
    "score",
]
