"""Reference models, reachable as ``--model NAME`` with ``--model-arg key=value``.

- ``oracle``: the ground truth with configurable misses, false positives and position noise, to
  test the harness itself (and CI's baselines).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from simgen.eval.iou import Box
from simgen.eval.protocol import Detection2D, Detection3D, FrameInput, Predictions
from simgen.labels.policy import camera_view, kitti_type

Model = Callable[[FrameInput], Predictions]


def oracle(
    miss: float = 0.0, false_positives: float = 0.0, noise: float = 0.0, seed: int = 0
) -> Model:
    """Ground truth as detections: each object missed with probability ``miss``, its centre
    moved by Gaussian ``noise`` (m), and ``false_positives`` spurious cars per frame on average."""

    def predict(inp: FrameInput) -> Predictions:
        labels = inp.frame.labels
        key = f"{inp.frame.variant.key}/{inp.frame.index}"
        rng = np.random.default_rng([seed, *key.encode()])  # the same draws on every run
        out3, out2 = [], []
        for obj in labels.objects:
            name = kitti_type(obj)
            view = camera_view(obj, inp.camera) if inp.camera else None
            if name is None or view is None or rng.random() < miss:
                continue
            box = obj.boxes["ego"]
            shift = rng.normal(0.0, noise, 3) if noise > 0 else np.zeros(3)
            center = tuple(float(c) for c in np.asarray(box.center) + shift)
            score = float(rng.uniform(0.5, 1.0))
            out3.append(Detection3D(name, Box(center, box.size, box.yaw), score))
            if view.visible_box is not None:
                out2.append(Detection2D(name, tuple(float(v) for v in view.visible_box), score))
        for _ in range(int(rng.poisson(false_positives))):
            x, y = float(rng.uniform(5, 60)), float(rng.uniform(-10, 10))
            out3.append(Detection3D("Car", Box((x, y, 0.8), (4.5, 1.8, 1.5), 0.0), 0.3))
        return Predictions(out3, out2)

    return predict


REGISTRY: dict[str, Callable[..., Model]] = {"oracle": oracle}


def load_model(name: str, args: dict[str, Any]) -> Model:
    """A registered model, or ``package.module:factory`` called with ``args``."""
    if name in REGISTRY:
        return REGISTRY[name](**args)
    module, _, attribute = name.partition(":")
    if not attribute:
        known = ", ".join(REGISTRY)
        raise ValueError(f"unknown model '{name}'; use one of {known} or package.module:factory")
    factory = getattr(importlib.import_module(module), attribute)
    return factory(**args)
