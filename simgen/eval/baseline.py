"""Baselines that turn a regression into a failing CI: saved metrics, a tolerance, JUnit XML."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from simgen.core.atomic import write_text_atomic
from simgen.eval.errors import BaselineError
from simgen.eval.metric_keys import MetricKey

__all__ = ["BaselineError", "Regression", "junit", "load_baseline", "regressions", "save_baseline"]


@dataclass(frozen=True)
class Regression:
    metric: str
    baseline: float
    current: float  # nan: the metric is gone

    def __str__(self) -> str:
        return f"{self.metric}: {self.current:.4f} (baseline {self.baseline:.4f})"


def save_baseline(path: str | Path, metrics: dict[str, float], dataset: str) -> None:
    text = json.dumps({"dataset": dataset, "metrics": metrics}, indent=1, sort_keys=True)
    write_text_atomic(path, text + "\n")


def load_baseline(path: str | Path, dataset: str, force: bool = False) -> dict[str, float]:
    try:
        data = json.loads(Path(path).read_text())
        metrics, made_on = data["metrics"], data["dataset"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BaselineError(f"{path}: not a simgen baseline ({exc})") from None
    if made_on != dataset and not force:
        raise BaselineError(
            f"{path} was made on another dataset (manifests differ); use --force to compare anyway"
        )
    if not isinstance(metrics, dict):
        raise BaselineError(f"{path}: not a simgen baseline (metrics is not a mapping)")
    try:  # every key a known metric: its direction decides what a regression is
        return {str(MetricKey.parse(k)): float(v) for k, v in metrics.items()}
    except (TypeError, ValueError) as exc:  # MetricKeyError is a ValueError
        raise BaselineError(f"{path}: {exc}") from None


def regressions(
    current: dict[str, float], baseline: dict[str, float], tolerance: float
) -> list[Regression]:
    """Every metric that got worse by more than ``tolerance``: fell, or for an error (an edge
    case's drop against its clean twin, a depth error), grew."""
    out = []
    for metric, before in sorted(baseline.items()):
        now = current.get(metric, math.nan)
        lower_is_better = MetricKey.parse(metric).lower_is_better
        worse = now > before + tolerance if lower_is_better else now < before - tolerance
        if math.isnan(now) or worse:
            out.append(Regression(metric, before, now))
    return out


def junit(current: dict[str, float], failed: list[Regression], name: str = "simgen eval") -> str:
    """One test case per metric; a failure for each regressed one."""
    by_metric = {r.metric: r for r in failed}
    metrics = sorted(set(current) | set(by_metric))
    suite = ElementTree.Element(
        "testsuite", name=name, tests=str(len(metrics)), failures=str(len(failed))
    )
    for metric in metrics:
        case = ElementTree.SubElement(
            suite, "testcase", classname=MetricKey.parse(metric).slice, name=metric
        )
        if metric in by_metric:
            failure = ElementTree.SubElement(case, "failure", message="regressed")
            failure.text = str(by_metric[metric])
    return ElementTree.tostring(suite, encoding="unicode")
