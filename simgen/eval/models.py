"""Reference models, reachable as ``--model NAME`` with ``--model-arg key=value``.

- ``oracle``: the ground truth with configurable misses, false positives and position noise, to
  test the harness itself (and CI's baselines).
- ``hog_pedestrians``: OpenCV's HOG people detector (Dalal and Triggs), trained on real
  photographs (INRIA), on the first camera's RGB: a real-data model tested on synthetic edges.
- ``lidar_clusters``: a classical 3D detector on the first lidar: RANSAC removes the ground plane
  (seeded NumPy: Open3D's parallel one is not reproducible), DBSCAN (Open3D) clusters the rest,
  each cluster gets its minimum-area oriented box and a class by its size.
- ``onnx``: the user's own ONNX 2D detector (NanoDet, YOLOX, YOLOv5/v8 exports) run with
  onnxruntime (``simgen.eval.onnx_detector``).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from simgen.eval.errors import ModelLoadError
from simgen.eval.iou import Box
from simgen.eval.nuscenes_metrics import detection_name, nuscenes_motion
from simgen.eval.onnx_detector import onnx_detector
from simgen.eval.protocol import Detection2D, Detection3D, FrameInput, Predictions
from simgen.labels.policy import camera_view, kitti_type

Model = Callable[[FrameInput], Predictions]
# A model may say what it outputs (``model.outputs``, a set of "2d" and "3d"): it is scored on
# those even in frames where it finds nothing; without it, on what it returned anywhere.


def oracle(
    miss: float = 0.0,
    false_positives: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
    dense: bool = False,
    depth_noise: float = 0.0,
) -> Model:
    """Ground truth as detections: each object missed with probability ``miss``, its centre
    moved by Gaussian ``noise`` (m), and ``false_positives`` spurious cars per frame on average.
    With ``dense``, also the camera's semantic mask and its depth (times 1 + Gaussian
    ``depth_noise``, a relative error)."""

    def predict(inp: FrameInput) -> Predictions:
        labels = inp.frame.labels
        key = f"{inp.frame.variant.key}/{inp.frame.index}"
        rng = np.random.default_rng([seed, *key.encode()])  # the same draws on every run
        out3, out2 = [], []
        world_from_ego = labels.pose()
        for obj in labels.objects:
            name = kitti_type(obj)
            view = camera_view(obj, inp.camera) if inp.camera else None
            if name is None or view is None or rng.random() < miss:
                continue
            box = obj.boxes.ego
            shift = rng.normal(0.0, noise, 3) if noise > 0 else np.zeros(3)
            center = tuple(float(c) for c in np.asarray(box.center) + shift)
            score = float(rng.uniform(0.5, 1.0))
            nu = detection_name(obj.semantic_class, obj.model)
            velocity, attribute = nuscenes_motion(obj, world_from_ego)
            out3.append(
                Detection3D(name, Box(center, box.size, box.yaw), score, nu, velocity, attribute)
            )
            if view.visible_box is not None:
                out2.append(Detection2D(name, tuple(float(v) for v in view.visible_box), score))
        for _ in range(int(rng.poisson(false_positives))):
            x, y = float(rng.uniform(5, 60)), float(rng.uniform(-10, 10))
            out3.append(Detection3D("Car", Box((x, y, 0.8), (4.5, 1.8, 1.5), 0.0), 0.3))
        semantic = depth = None
        if dense and inp.camera is not None:
            variant = inp.frame.variant
            if variant.has_output(inp.camera, "semantic"):
                semantic = inp.frame.semantic(inp.camera)
            if variant.has_output(inp.camera, "depth"):
                depth = inp.frame.depth(inp.camera)
                if depth_noise > 0:
                    depth = depth * (1.0 + rng.normal(0.0, depth_noise, depth.shape))
        return Predictions(out3, out2, semantic, depth)

    outputs = {"2d", "3d"} | ({"dense"} if dense else set())
    predict.outputs = frozenset(outputs)  # type: ignore[attr-defined]
    return predict


def hog_pedestrians(threshold: float = 0.0, scale: float = 1.05, upscale: float = 1.0) -> Model:
    """2D Pedestrian boxes; ``upscale`` enlarges the image first (people smaller than the
    128 px window need it)."""
    import cv2

    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def predict(inp: FrameInput) -> Predictions:
        if inp.camera is None:
            return Predictions()
        image = cv2.cvtColor(inp.frame.rgb(inp.camera), cv2.COLOR_RGB2BGR)
        if upscale != 1.0:
            image = cv2.resize(image, None, fx=upscale, fy=upscale, interpolation=cv2.INTER_LINEAR)
        rects, weights = hog.detectMultiScale(image, winStride=(8, 8), padding=(8, 8), scale=scale)
        out = []
        for (x, y, w, h), weight in zip(rects, np.ravel(weights), strict=True):
            if weight < threshold:
                continue
            box = tuple(float(v) / upscale for v in (x, y, x + w - 1, y + h - 1))
            out.append(Detection2D("Pedestrian", box, float(weight)))  # type: ignore[arg-type]
        return Predictions(boxes_2d=out)

    predict.outputs = frozenset({"2d"})  # type: ignore[attr-defined]
    return predict


def lidar_clusters(
    ground_distance: float = 0.15, eps: float = 0.7, min_points: int = 6, max_range: float = 60.0
) -> Model:
    """Oriented 3D boxes of point clusters above the ground, classified by size."""
    import cv2
    import open3d as o3d

    def predict(inp: FrameInput) -> Predictions:
        lidars = list(inp.calibration.lidars)
        if not lidars:
            return Predictions()
        calib = inp.calibration.lidars[lidars[0]]
        points = inp.frame.lidar(lidars[0])
        xyz = np.stack([points["x"], points["y"], points["z"]], axis=1).astype(np.float64)
        xyz = xyz[np.linalg.norm(xyz[:, :2], axis=1) < max_range]
        xyz = xyz @ calib.ego_from_lidar[:3, :3].T + calib.ego_from_lidar[:3, 3]  # ego frame
        if len(xyz) < 50:
            return Predictions()
        ground = ground_plane(xyz, ground_distance)
        above = xyz[~ground]
        if len(above) == 0:
            return Predictions()
        labels = np.asarray(
            o3d.geometry.PointCloud(o3d.utility.Vector3dVector(above)).cluster_dbscan(
                eps, min_points
            )
        )
        ground_z = float(np.median(xyz[ground, 2])) if ground.any() else 0.0
        out = []
        for label in range(labels.max() + 1 if len(labels) else 0):
            cluster = above[labels == label]
            (cx, cy), (a, b), angle = cv2.minAreaRect(cluster[:, :2].astype(np.float32))
            length, width = max(a, b), min(a, b)
            yaw = np.radians(angle if a >= b else angle + 90.0)
            top = float(cluster[:, 2].max())
            height = top - ground_z
            name = _by_size(length, width, height)
            if name is None:
                continue
            box = Box((float(cx), float(cy), ground_z + height / 2), (length, width, height), yaw)
            out.append(Detection3D(name, box, min(1.0, len(cluster) / 60.0)))
        return Predictions(boxes_3d=out)

    predict.outputs = frozenset({"3d"})  # type: ignore[attr-defined]
    return predict


def ground_plane(xyz: np.ndarray, distance: float, tries: int = 200) -> np.ndarray:
    """RANSAC for the dominant plane (the road): a mask of its inliers. Seeded NumPy, so the
    same points give the same plane on every run (Open3D's parallel RANSAC does not)."""
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(xyz), (tries, 3))
    a, b, c = xyz[picks[:, 0]], xyz[picks[:, 1]], xyz[picks[:, 2]]
    normals = np.cross(b - a, c - a)
    lengths = np.linalg.norm(normals, axis=1)
    usable = lengths > 1e-9
    normals = normals[usable] / lengths[usable, None]
    offsets = -np.einsum("ij,ij->i", normals, a[usable])
    best, best_count = np.zeros(len(xyz), bool), -1
    for normal, offset in zip(normals, offsets, strict=True):
        inliers = np.abs(xyz @ normal + offset) < distance
        count = int(inliers.sum())
        if count > best_count:
            best, best_count = inliers, count
    return best


def _by_size(length: float, width: float, height: float) -> str | None:
    """A class from a cluster's extent (what a classical pipeline does without appearance)."""
    if height < 0.5 or height > 4.5 or length > 14.0:
        return None  # kerbs, low clutter, walls, buildings
    if 0.8 <= height <= 2.2 and length <= 1.2 and width <= 1.2:
        return "Pedestrian"
    if 1.0 <= height <= 2.2 and 1.2 < length <= 2.4 and width <= 1.0:
        return "Cyclist"
    if height >= 1.0 and 2.5 <= length <= 6.5 and width <= 2.6:
        return "Car"
    return None


REGISTRY: dict[str, Callable[..., Model]] = {
    "oracle": oracle,
    "hog_pedestrians": hog_pedestrians,
    "lidar_clusters": lidar_clusters,
    "onnx": onnx_detector,
}


def model_args(items: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` strings -> arguments; each value is read as YAML (numbers, booleans...)."""
    import yaml

    args = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ModelLoadError(f"model argument {item!r}: expected KEY=VALUE")
        try:
            args[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            raise ModelLoadError(f"model argument {item!r}: {exc}") from None
    return args


def load_model(name: str, args: dict[str, Any]) -> Model:
    """A registered model, or ``package.module:factory`` called with ``args``; ModelLoadError if
    there is no such model or it does not take ``args``. Errors inside the factory propagate."""
    if name in REGISTRY:
        factory = REGISTRY[name]
    else:
        module, _, attribute = name.partition(":")
        if not attribute:
            known = ", ".join(REGISTRY)
            raise ModelLoadError(
                f"unknown model '{name}'; use one of {known} or package.module:factory"
            )
        try:
            imported = importlib.import_module(module)
        except ImportError as exc:
            raise ModelLoadError(f"model '{name}': cannot import {module}: {exc}") from None
        factory = getattr(imported, attribute, None)
        if not callable(factory):
            raise ModelLoadError(f"model '{name}': {module} has no factory '{attribute}'")
    try:
        inspect.signature(factory).bind(**args)
    except TypeError as exc:
        raise ModelLoadError(f"model '{name}': {exc}") from None
    except ValueError:  # no signature to check (a builtin): let the call say
        pass
    return factory(**args)
