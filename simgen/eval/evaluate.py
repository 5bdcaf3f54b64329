"""Scoring a model on a rendered dataset: KITTI-style 3D and BEV AP (R40) and recall per class
and difficulty, COCO 2D AP through pycocotools, each per slice (all, scenario, injector, day or
night)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from simgen.batch.shards import TWIN
from simgen.core.classes import CLASSES
from simgen.dataset.layout import MANIFEST
from simgen.dataset.reader import Dataset, Variant
from simgen.eval.iou import Box, bev_iou, iou_3d
from simgen.eval.kitti_ap import IOU_THRESHOLDS, Match, average_precision, match_image
from simgen.eval.metric_keys import MetricKey
from simgen.eval.models import Model
from simgen.eval.nuscenes_metrics import (
    NuBox,
    detection_name,
    in_range,
    nuscenes_motion,
    nuscenes_scores,
)
from simgen.eval.protocol import FrameInput, Predictions
from simgen.labels.policy import KITTI_DIFFICULTIES, camera_view, difficulty, kitti_type
from simgen.world.events import ElementPhase

Metrics = dict[str, float]


@dataclass(frozen=True)
class Truth:
    type: str
    box: Box  # ego frame
    level: int | None  # easiest KITTI difficulty met (None: met none)
    visible_box: tuple[int, int, int, int] | None
    visibility: float


DISTANCE_BUCKETS = ((0.0, 20.0), (20.0, 40.0), (40.0, 80.0))  # m from the ego, on the ground
VISIBILITY_BUCKETS = ((0.0, 0.5), (0.5, 0.9), (0.9, 1.01))


def ground_distance(box: Box) -> float:
    return math.hypot(box.center[0], box.center[1])


@dataclass
class FrameResult:
    slices: tuple[str, ...]
    truths: list[Truth]
    predictions: Predictions
    dense: DenseScores | None = None  # segmentation and depth, when the model predicts them
    nu_truths: list[NuBox] = field(default_factory=list)  # the nuScenes way: lidar-seen objects
    sample: str = ""


@dataclass(frozen=True)
class DenseScores:
    """Per frame sums, so slices add up pixels rather than averaging frames."""

    intersection: np.ndarray  # per class id
    union: np.ndarray
    abs_rel: float  # sum of |d - d*| / d* over valid pixels
    squared: float  # sum of (d - d*)^2
    pixels: int  # valid depth pixels


def dense_scores(frame, camera: str, predictions: Predictions) -> DenseScores | None:
    if predictions.semantic is None and predictions.depth is None:
        return None
    classes = len(CLASSES)
    intersection = np.zeros(classes)
    union = np.zeros(classes)
    if predictions.semantic is not None and frame.variant.has_output(camera, "semantic"):
        truth = frame.semantic(camera).astype(np.int64)
        guess = predictions.semantic.astype(np.int64)
        both = np.bincount(truth[truth == guess], minlength=classes)[:classes]
        intersection += both
        union += (
            np.bincount(truth.ravel(), minlength=classes)[:classes]
            + np.bincount(guess.ravel(), minlength=classes)[:classes]
            - both
        )
    abs_rel = squared = 0.0
    pixels = 0
    if predictions.depth is not None and frame.variant.has_output(camera, "depth"):
        truth_depth = frame.depth(camera).astype(np.float64)
        valid = truth_depth > 0
        diff = predictions.depth.astype(np.float64)[valid] - truth_depth[valid]
        abs_rel = float(np.sum(np.abs(diff) / truth_depth[valid]))
        squared = float(np.sum(diff**2))
        pixels = int(valid.sum())
    return DenseScores(intersection, union, abs_rel, squared, pixels)


def _dense_metrics(name: str, subset: list[FrameResult]) -> Metrics:
    scored = [r.dense for r in subset if r.dense is not None]
    if not scored:
        return {}
    out: Metrics = {}
    union = sum(d.union for d in scored)
    if union.sum() > 0:
        inter = sum(d.intersection for d in scored)
        present = union > 0
        ious = inter[present] / union[present]
        out[_key(name, "miou")] = round(float(ious.mean()), 6)
        for cls, value in zip(np.nonzero(present)[0], ious, strict=True):
            out[_key(name, "iou", CLASSES[cls].name)] = round(float(value), 6)
    pixels = sum(d.pixels for d in scored)
    if pixels:
        # errors, lower is better (their direction: simgen.eval.metric_keys.FAMILIES)
        out[_key(name, "depth_absrel")] = round(sum(d.abs_rel for d in scored) / pixels, 6)
        out[_key(name, "depth_rmse")] = round(math.sqrt(sum(d.squared for d in scored) / pixels), 6)
    return out


def dataset_digest(dataset: Dataset) -> str:
    """What a baseline was made on: every variant's manifest, hashed."""
    digest = hashlib.sha256()
    for v in dataset:
        digest.update(v.key.encode())
        digest.update((v.root / MANIFEST).read_bytes())
    return digest.hexdigest()


def light(variant: Variant) -> str:
    """ "night" when the variant's sun is below the horizon, else "day"."""
    sun = float(variant.instance.scenario.environment.sun.elevation)
    return "night" if sun < 0 else "day"


PHASE_ELEMENTS = ("act", "event")  # storyboard elements that slice metrics by phase


def _slices(
    variant: Variant, frame_time: float, storyboard: tuple[ElementPhase, ...] = ()
) -> tuple[str, ...]:
    kinds = sorted({i.type for i in variant.instance.applied})
    phases = [
        f"phase={p.name.replace('/', '_')}:{p.phase}"
        for p in storyboard
        if p.type in PHASE_ELEMENTS
    ]
    return (
        "all",
        f"scenario={variant.scenario}",
        *(f"injector={k}" for k in kinds or ["none"]),
        f"light={light(variant)}",
        *phases,
    )


def run_model(dataset: Dataset, model: Model) -> list[FrameResult]:
    results = []
    for variant in dataset:
        cameras = variant.cameras("rgb", "instance")
        camera = cameras[0] if cameras else None
        for frame in variant.frames():
            truths = []
            for obj in frame.labels.objects:
                name = kitti_type(obj)
                view = camera_view(obj, camera) if camera else None
                if name is None or view is None:
                    continue
                b = obj.boxes.ego
                box = Box(b.center, b.size, b.yaw)
                truths.append(Truth(name, box, difficulty(view), view.visible_box, view.visibility))
            predictions = model(FrameInput(frame, variant.calibration, camera))
            dense = dense_scores(frame, camera, predictions) if camera else None
            sample = f"{variant.key}/{frame.index}"
            world_from_ego = frame.labels.pose()
            nu = []
            for obj in frame.labels.objects:
                name = detection_name(obj.semantic_class, obj.model)
                if name is None or not obj.visible or sum(obj.lidar_points.values()) == 0:
                    continue
                b = obj.boxes.ego
                velocity, attribute = nuscenes_motion(obj, world_from_ego)
                nu.append(NuBox(sample, name, b.center, b.size, b.yaw, -1.0, velocity, attribute))
            results.append(
                FrameResult(
                    _slices(variant, frame.time, frame.labels.storyboard),
                    truths,
                    predictions,
                    dense,
                    nu,
                    sample,
                )
            )
    return results


def _ap(
    results: list[FrameResult],
    kind: str,
    cls: str,
    level: int | None,
    keep: Callable[[Truth], bool] | None = None,
    outside: Callable[[Box], bool] | None = None,
) -> tuple[float, float]:
    """AP and recall of one class at one difficulty level (None: every object seen counts);
    ``keep`` narrows the truths to a slice (the rest are ignored) and ``outside`` drops
    unmatched detections outside it."""
    overlap = iou_3d if kind == "3d" else bev_iou
    matches: list[Match] = []
    for r in results:
        truths = [t for t in r.truths if t.type == cls]
        ignored = [
            (level is not None and (t.level is None or t.level > level))
            or (keep is not None and not keep(t))
            for t in truths
        ]
        dets = [(d.score, d.box) for d in r.predictions.boxes_3d if d.type == cls]
        matches.append(match_image([t.box for t in truths], ignored, dets, overlap,
                                   IOU_THRESHOLDS[cls], outside))  # fmt: skip
    return average_precision(matches)


def nuscenes_for(results: list[FrameResult]) -> dict[str, float]:
    """The nuScenes metrics of every frame (ego frame: the ego is at the origin)."""
    origin = (0.0, 0.0)
    truths = [t for r in results for t in r.nu_truths if in_range(t, origin)]
    preds = [
        NuBox(
            r.sample,
            d.nuscenes,
            d.box.center,
            d.box.size,
            d.box.yaw,
            d.score,
            d.velocity,
            d.attribute,
        )
        for r in results
        for d in r.predictions.boxes_3d
        if d.nuscenes is not None
    ]
    return nuscenes_scores(truths, [p for p in preds if in_range(p, origin)])


def _object_slices(results: list[FrameResult], classes: list[str]) -> Metrics:
    """Distance buckets (AP and recall) and visibility buckets (recall), counting every object
    the camera sees: far objects are small, so difficulty levels would ignore them all."""
    out: Metrics = {}
    for cls in classes:
        for lo, hi in DISTANCE_BUCKETS:

            def keep(t: Truth, lo: float = lo, hi: float = hi) -> bool:
                return lo <= ground_distance(t.box) < hi

            def outside(b: Box, lo: float = lo, hi: float = hi) -> bool:
                return not lo <= ground_distance(b) < hi

            if not any(keep(t) for r in results for t in r.truths if t.type == cls):
                continue
            ap, recall = _ap(results, "3d", cls, None, keep, outside)
            if not math.isnan(ap):
                where = f"distance={lo:.0f}-{hi:.0f}m"
                out[_key(where, "3d_ap", cls, "all")] = round(float(ap), 6)
                out[_key(where, "recall", cls, "all")] = round(float(recall), 6)
        for lo, hi in VISIBILITY_BUCKETS:

            def seen(t: Truth, lo: float = lo, hi: float = hi) -> bool:
                return lo <= t.visibility < hi

            if not any(seen(t) for r in results for t in r.truths if t.type == cls):
                continue
            _, recall = _ap(results, "3d", cls, None, seen, lambda b: True)
            if not math.isnan(recall):
                where = f"visibility={lo:.1f}-{min(hi, 1.0):.1f}"
                out[_key(where, "recall", cls, "all")] = round(float(recall), 6)
    return out


def _coco_2d(results: list[FrameResult], cls: str) -> tuple[float, float]:
    """COCO AP and AP50 of one class's 2D detections against the visible boxes (pycocotools)."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    names = [cls] if any(t.type == cls for r in results for t in r.truths) else []
    if not names:
        return math.nan, math.nan
    ids = {n: i + 1 for i, n in enumerate(names)}
    images, anns, dets = [], [], []
    for index, r in enumerate(results):
        images.append({"id": index + 1})
        for t in r.truths:
            if t.visible_box is None or t.type != cls:
                continue
            u0, v0, u1, v1 = t.visible_box
            w, h = u1 - u0 + 1, v1 - v0 + 1
            anns.append(
                {
                    "id": len(anns) + 1,
                    "image_id": index + 1,
                    "category_id": ids[t.type],
                    "bbox": [u0, v0, w, h],
                    "area": w * h,
                    "iscrowd": 0,
                }
            )
        for d in r.predictions.boxes_2d:
            if d.type in ids:
                u0, v0, u1, v1 = d.box
                box = [u0, v0, u1 - u0 + 1, v1 - v0 + 1]
                dets.append(
                    {
                        "image_id": index + 1,
                        "category_id": ids[d.type],
                        "bbox": box,
                        "score": d.score,
                    }
                )
    if not anns or not dets:
        return (0.0, 0.0) if anns else (math.nan, math.nan)
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints as it goes
        truth = COCO()
        categories = [{"id": i, "name": n} for n, i in ids.items()]
        truth.dataset = {"images": images, "annotations": anns, "categories": categories}
        truth.createIndex()
        evaluator = COCOeval(truth, truth.loadRes(dets), "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return float(evaluator.stats[0]), float(evaluator.stats[1])


def score(results: list[FrameResult], outputs: frozenset[str] | None = None) -> Metrics:
    """Every metric, per slice, of a model that outputs ``outputs`` ("2d", "3d"; by default what
    it returned anywhere); metrics without ground truth are left out."""
    by_slice: dict[str, list[FrameResult]] = defaultdict(list)
    for r in results:
        for s in r.slices:
            by_slice[s].append(r)
    metrics: Metrics = {}
    # a model is scored on what it outputs: 3D metrics for 3D detectors, 2D for 2D ones
    has_3d = (
        "3d" in outputs if outputs is not None else any(r.predictions.boxes_3d for r in results)
    )
    has_2d = (
        "2d" in outputs if outputs is not None else any(r.predictions.boxes_2d for r in results)
    )
    for name, subset in sorted(by_slice.items()):
        classes = sorted({t.type for r in subset for t in r.truths} & set(IOU_THRESHOLDS))
        for cls in classes if has_3d else []:
            for level, difficulty_level in enumerate(KITTI_DIFFICULTIES):
                for kind in ("3d", "bev"):
                    ap, recall = _ap(subset, kind, cls, level)
                    if not np.isnan(ap):
                        level_name = difficulty_level.name
                        metrics[_key(name, f"{kind}_ap", cls, level_name)] = round(float(ap), 6)
                        if kind == "3d":
                            metrics[_key(name, "recall", cls, level_name)] = round(recall, 6)
        metrics |= _dense_metrics(name, subset)
        if has_3d and any(d.nuscenes for r in subset for d in r.predictions.boxes_3d):
            metrics |= {_key(name, k): v for k, v in nuscenes_for(subset).items()}
        for cls in classes if has_2d else []:
            ap, ap50 = _coco_2d(subset, cls)
            if not np.isnan(ap):
                metrics[_key(name, "2d_ap", cls)] = round(ap, 6)
                metrics[_key(name, "2d_ap50", cls)] = round(ap50, 6)
    if has_3d:
        classes = sorted({t.type for r in results for t in r.truths} & set(IOU_THRESHOLDS))
        metrics |= _object_slices(results, classes)
    return metrics | pairs(metrics)


def pairs(metrics: Metrics) -> Metrics:
    """Each edge case's cost against its own clean twin (the same variants without injectors):
    ``pair=<scenario>/drop/<metric>`` = clean - edge, and the mean relative robustness
    ``suite/mRR/<metric>`` = mean of edge / clean over the scenarios (Robo3D's RR)."""
    out: Metrics = {}
    ratios: dict[str, list[float]] = defaultdict(list)
    for text, value in metrics.items():
        key = MetricKey.parse(text)
        clean = _clean_twin(key, metrics)
        if clean is None:
            continue
        error = key.lower_is_better  # the drop is how much it grew
        drop = value - clean if error else clean - value
        out[_key(f"pair={key.slice.split('=', 1)[1]}", "drop", key.metric)] = round(drop, 6)
        if clean > 0 and not error:
            ratios[key.metric].append(value / clean)
    for metric, values in sorted(ratios.items()):
        out[_key("suite", "mRR", metric)] = round(float(np.mean(values)), 6)
    return out


def corruption_errors(metrics: Metrics, reference: Metrics) -> Metrics:
    """mCE (ImageNet-C; Robo3D for 3D): each edge case's error 1 - AP relative to a reference
    model's on the same edge case, averaged over the edge cases (1.0 = as robust as it)."""
    ratios: dict[str, list[float]] = defaultdict(list)
    for text, value in metrics.items():
        key = MetricKey.parse(text)
        if key.lower_is_better or _clean_twin(key, metrics) is None:
            continue  # an error, or not an edge case with a clean twin
        theirs = reference.get(text)
        if theirs is not None and theirs < 1.0:
            ratios[key.metric].append((1.0 - value) / (1.0 - theirs))
    return {_key("suite", "mCE", m): round(float(np.mean(v)), 6) for m, v in sorted(ratios.items())}


def _clean_twin(key: MetricKey, metrics: Metrics) -> float | None:
    """The same metric on an edge-case scenario's clean twin, if ``key`` is of an edge case."""
    if not key.slice.startswith("scenario=") or key.slice.endswith(TWIN):
        return None
    return metrics.get(str(MetricKey(f"{key.slice}{TWIN}", key.metric)))


def _key(slice: str, *parts: str) -> str:
    """A metric key's text, checked against the known metric families."""
    return str(MetricKey.of(slice, *parts))
