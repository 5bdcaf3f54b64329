"""nuScenes detection metrics (Caesar et al., CVPR 2020), as its devkit defines them: matching by
centre distance on the ground (0.5, 1, 2, 4 m), AP over 101 recall steps above 10 % recall and
10 % precision, the five true-positive errors at 2 m (translation, scale, orientation,
velocity, attribute), and NDS. Classes, ranges and weights are those of the devkit's
``detection_cvpr_2019`` configuration; a test checks them against its DetectionEval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simgen.core.classes import nuscenes_category

CLASS_RANGE = {
    "car": 50.0, "truck": 50.0, "bus": 50.0, "trailer": 50.0, "construction_vehicle": 50.0,
    "pedestrian": 40.0, "motorcycle": 40.0, "bicycle": 40.0, "traffic_cone": 30.0,
    "barrier": 30.0,
}  # fmt: skip
DIST_THS = (0.5, 1.0, 2.0, 4.0)
DIST_TH_TP = 2.0
MIN_RECALL = MIN_PRECISION = 0.1
MEAN_AP_WEIGHT = 5
TP_METRICS = ("trans_err", "scale_err", "orient_err", "vel_err", "attr_err")
NOT_SCORED = {
    "traffic_cone": ("attr_err", "vel_err", "orient_err"),
    "barrier": ("attr_err", "vel_err"),
}  # as the devkit: a cone has no heading, neither moves


def detection_name(semantic_class: str, model: str) -> str | None:
    """The devkit's detection class of a simgen object (its general category, cut short)."""
    category = nuscenes_category(semantic_class, model)
    if category is None:
        return None
    for prefix, name in (
        ("human.pedestrian", "pedestrian"),
        ("vehicle.bus", "bus"),
        ("vehicle.car", "car"),
        ("vehicle.truck", "truck"),
        ("vehicle.bicycle", "bicycle"),
        ("vehicle.motorcycle", "motorcycle"),
        ("movable_object.trafficcone", "traffic_cone"),
        ("movable_object.barrier", "barrier"),
    ):
        if category.startswith(prefix):
            return name
    return None


@dataclass(frozen=True)
class NuBox:
    sample: str
    name: str
    center: tuple[float, float, float]
    size: tuple[float, float, float]  # length, width, height
    yaw: float
    score: float = -1.0
    velocity: tuple[float, float] = (math.nan, math.nan)  # absolute, in the box's frame axes
    attribute: str = ""


def _accumulate(
    truths: list[NuBox], preds: list[NuBox], name: str, threshold: float
) -> dict[str, np.ndarray] | None:
    by_sample: dict[str, list[NuBox]] = {}
    for t in truths:
        if t.name == name:
            by_sample.setdefault(t.sample, []).append(t)
    positives = sum(len(v) for v in by_sample.values())
    if positives == 0:
        return None
    mine = [p for p in preds if p.name == name]
    order = [i for _, i in sorted((p.score, i) for i, p in enumerate(mine))][::-1]
    taken: set[tuple[str, int]] = set()
    tp, fp, conf = [], [], []
    errors: dict[str, list[float]] = {m: [] for m in TP_METRICS}
    matched_conf: list[float] = []
    for i in order:
        pred = mine[i]
        best, best_index = math.inf, None
        for j, truth in enumerate(by_sample.get(pred.sample, [])):
            if (pred.sample, j) not in taken:
                d = math.hypot(truth.center[0] - pred.center[0], truth.center[1] - pred.center[1])
                if d < best:
                    best, best_index = d, j
        if best < threshold and best_index is not None:
            taken.add((pred.sample, best_index))
            truth = by_sample[pred.sample][best_index]
            tp.append(1)
            fp.append(0)
            errors["trans_err"].append(best)
            errors["scale_err"].append(1.0 - _scale_iou(truth.size, pred.size))
            errors["orient_err"].append(_yaw_diff(truth.yaw, pred.yaw, name))
            errors["vel_err"].append(
                math.hypot(
                    truth.velocity[0] - pred.velocity[0], truth.velocity[1] - pred.velocity[1]
                )
            )
            errors["attr_err"].append(0.0 if truth.attribute == pred.attribute else 1.0)
            matched_conf.append(pred.score)
        else:
            tp.append(0)
            fp.append(1)
        conf.append(pred.score)
    if not matched_conf:
        return None
    tps, fps = np.cumsum(tp).astype(float), np.cumsum(fp).astype(float)
    precision = tps / (fps + tps)
    recall = tps / positives
    steps = np.linspace(0, 1, 101)
    out = {
        "precision": np.interp(steps, recall, precision, right=0),
        "confidence": np.interp(steps, recall, np.array(conf), right=0),
    }
    for metric, values in errors.items():
        mean = np.cumsum(values) / np.arange(1, len(values) + 1)
        out[metric] = np.interp(out["confidence"][::-1], np.array(matched_conf)[::-1],
                                mean[::-1])[::-1]  # fmt: skip
    return out


def _scale_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    inter = np.prod(np.minimum(a, b))
    return float(inter / (np.prod(a) + np.prod(b) - inter))


def _yaw_diff(a: float, b: float, name: str) -> float:
    period = math.pi if name == "barrier" else 2 * math.pi
    diff = (a - b) % period
    return abs(diff - period if diff > period / 2 else diff)


def _ap(data: dict[str, np.ndarray] | None) -> float:
    if data is None:
        return 0.0
    precision = data["precision"][round(100 * MIN_RECALL) + 1 :] - MIN_PRECISION
    precision[precision < 0] = 0
    return float(np.mean(precision)) / (1.0 - MIN_PRECISION)


def _tp(data: dict[str, np.ndarray] | None, metric: str) -> float:
    if data is None:
        return 1.0
    first = round(100 * MIN_RECALL) + 1
    nonzero = np.nonzero(data["confidence"])[0]
    last = int(nonzero[-1]) if len(nonzero) else 0
    if last < first:
        return 1.0
    return float(np.mean(data[metric][first : last + 1]))


def in_range(box: NuBox, ego_xy: tuple[float, float]) -> bool:
    return math.hypot(box.center[0] - ego_xy[0], box.center[1] - ego_xy[1]) < CLASS_RANGE[box.name]


def nuscenes_scores(truths: list[NuBox], preds: list[NuBox]) -> dict[str, float]:
    """mAP (over the classes present, and over the devkit's ten), per-class AP, the five mean
    TP errors and NDS (the devkit's: with the ten-class mAP)."""
    out: dict[str, float] = {}
    aps, present, errors = [], [], {m: [] for m in TP_METRICS}
    for name in CLASS_RANGE:
        per_threshold = [_ap(_accumulate(truths, preds, name, th)) for th in DIST_THS]
        ap = float(np.mean(per_threshold))
        aps.append(ap)
        if any(t.name == name for t in truths):
            out[f"nuscenes_ap/{name}"] = round(ap, 6)
            present.append(ap)
        tp_data = _accumulate(truths, preds, name, DIST_TH_TP)
        for metric in TP_METRICS:
            skip = metric in NOT_SCORED.get(name, ())
            errors[metric].append(math.nan if skip else _tp(tp_data, metric))
    # the devkit averages over its ten classes, present or not; over the classes in the ground
    # truth is what a dataset without trailers or buses can reach
    out["nuscenes_map_all10"] = round(float(np.mean(aps)), 6)
    if present:
        out["nuscenes_map"] = round(float(np.mean(present)), 6)
    scores = []
    for metric, values in errors.items():
        mean = float(np.nanmean(values))
        out[f"nuscenes_{metric}"] = round(mean, 6)
        scores.append(1.0 - min(1.0, mean))
    nds = (MEAN_AP_WEIGHT * float(np.mean(aps)) + sum(scores)) / (MEAN_AP_WEIGHT + len(scores))
    out["nuscenes_nds"] = round(nds, 6)
    return out


def nuscenes_motion(obj, world_from_ego: np.ndarray) -> tuple[tuple[float, float], str]:
    """An object's absolute velocity in the ego's axes, and its nuScenes attribute."""
    from simgen.core.classes import nuscenes_category
    from simgen.labels.policy import nuscenes_attribute

    v = world_from_ego[:3, :3].T @ np.asarray(obj.velocity, float)
    category = nuscenes_category(obj.semantic_class, obj.model) or ""
    return (float(v[0]), float(v[1])), nuscenes_attribute(obj, category)
