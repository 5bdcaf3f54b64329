"""Predictions read from files in the formats' own result layouts, served as a model.

- KITTI: a folder of result files ``<index>.txt`` (label_2 lines with a 16th column, the score),
  indexed like a simgen KITTI export: its ``mapping.json`` names each index's scenario, variant
  and frame. Boxes are in the camera frame; they are moved into the ego frame here.
- COCO: a results JSON (``image_id``, ``category_id``, ``bbox`` [x, y, w, h], ``score``) for the
  images of a simgen COCO export, whose ``annotations.json`` names each image's frame.
- nuScenes: a detection submission (``results``: sample token -> boxes in the global frame) for
  the samples of a simgen nuScenes export, whose tables give each sample's scene and ego pose.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np

from simgen.dataset.mapping import MAPPING, MappedFrame, read_mapping
from simgen.dataset.reader import DatasetError
from simgen.eval.iou import Box
from simgen.eval.models import Model
from simgen.eval.protocol import Detection2D, Detection3D, FrameInput, Predictions

Key = tuple[str, int, int]  # scenario, variant, frame


def _kitti_box(fields: list[str], ego_from_camera: np.ndarray) -> Box:
    h, w, length, x, y, z, ry = map(float, fields[8:15])
    rotation = ego_from_camera[:3, :3]
    centre = rotation @ np.array([x, y - h / 2, z]) + ego_from_camera[:3, 3]  # y points down
    forward = rotation @ np.array([math.cos(ry), 0.0, -math.sin(ry)])
    return Box(tuple(float(c) for c in centre), (length, w, h), math.atan2(forward[1], forward[0]))


def kitti_results(folder: Path, mapping: Path | None = None) -> Model:
    entries = read_mapping(mapping or folder / MAPPING, MappedFrame)
    lines: dict[Key, list[list[str]]] = {}
    for entry in entries:
        path = folder / f"{entry.index:06d}.txt"
        key = (entry.scenario, entry.variant, entry.frame)
        rows = path.read_text().splitlines() if path.exists() else []
        lines[key] = [r.split() for r in rows if r.strip() and not r.startswith("DontCare")]

    def predict(inp: FrameInput) -> Predictions:
        variant = inp.frame.variant
        rows = lines.get((variant.scenario, variant.variant, inp.frame.index), [])
        camera = inp.calibration.cameras[inp.camera] if inp.camera else None
        out3, out2 = [], []
        for fields in rows:
            score = float(fields[15]) if len(fields) > 15 else 1.0
            if camera is not None:
                out3.append(
                    Detection3D(fields[0], _kitti_box(fields, camera.ego_from_camera), score)
                )
            box = tuple(float(v) for v in fields[4:8])
            out2.append(Detection2D(fields[0], box, score))  # type: ignore[arg-type]
        return Predictions(out3, out2)

    predict.outputs = frozenset({"2d", "3d"})  # type: ignore[attr-defined]
    return predict


def coco_results(results: Path, annotations: Path) -> Model:
    try:
        exported = json.loads(annotations.read_text())
        detections = json.loads(results.read_text())
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot read COCO results or annotations: {exc}") from None
    names = {c["id"]: c["name"] for c in exported["categories"]}
    images = {i["id"]: i for i in exported["images"]}
    by_frame: dict[Key, list[dict]] = defaultdict(list)
    for d in detections:
        image = images.get(d["image_id"])
        if image is not None:
            by_frame[(image["scenario"], int(image["variant"]), int(image["frame"]))].append(d)
    kitti_names = _coco_to_kitti()

    def predict(inp: FrameInput) -> Predictions:
        variant = inp.frame.variant
        out = []
        for d in by_frame.get((variant.scenario, variant.variant, inp.frame.index), []):
            name = kitti_names.get(names.get(d["category_id"], ""))
            if name is None:
                continue
            x, y, w, h = d["bbox"]
            out.append(Detection2D(name, (x, y, x + w - 1, y + h - 1), float(d["score"])))
        return Predictions(boxes_2d=out)

    predict.outputs = frozenset({"2d"})  # type: ignore[attr-defined]
    return predict


def _coco_to_kitti() -> dict[str, str]:
    """COCO category (a simgen class name) -> the KITTI type eval scores it as."""
    from simgen.core.classes import CLASSES

    return {c.name: c.kitti for c in CLASSES if c.kitti is not None}


def _kitti_of_nuscenes() -> dict[str, str]:
    """nuScenes detection class -> KITTI type, read off the one class table."""
    from simgen.core.classes import CLASSES
    from simgen.eval.nuscenes_metrics import detection_name

    out = {}
    for c in CLASSES:
        name = detection_name(c.name, "") if c.nuscenes else None
        if name is not None and c.kitti is not None:
            out.setdefault(name, c.kitti)
    return out


def _yaw(wxyz: list[float]) -> float:
    w, x, y, z = wxyz
    return math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))


def nuscenes_results(results: Path, export: Path) -> Model:
    """A nuScenes detection submission for the samples of a simgen nuScenes export (its root)."""
    tables = export / "v1.0-simgen"
    try:
        submission = json.loads(results.read_text())["results"]
        scenes = json.loads((tables / "scene.json").read_text())
        samples = json.loads((tables / "sample.json").read_text())
        sample_data = json.loads((tables / "sample_data.json").read_text())
        poses = {p["token"]: p for p in json.loads((tables / "ego_pose.json").read_text())}
    except (OSError, ValueError, KeyError) as exc:
        raise DatasetError(f"cannot read the nuScenes submission or export: {exc}") from None
    scene_name = {s["token"]: s["name"] for s in scenes}
    pose_of = {d["sample_token"]: poses[d["ego_pose_token"]] for d in sample_data}
    ordered: dict[str, list[dict]] = defaultdict(list)
    for sample in samples:
        ordered[sample["scene_token"]].append(sample)
    where: dict[str, tuple[str, int]] = {}  # sample token -> (variant key, frame)
    for scene, rows in ordered.items():
        for frame, sample in enumerate(sorted(rows, key=lambda r: r["timestamp"])):
            where[sample["token"]] = (scene_name[scene], frame)
    kitti_of = _kitti_of_nuscenes()
    boxes: dict[tuple[str, int], list[Detection3D]] = defaultdict(list)
    for token, rows in submission.items():
        if token not in where or token not in pose_of:
            continue
        pose = pose_of[token]
        rotation = _quaternion_matrix(pose["rotation"])
        ego_yaw = _yaw(pose["rotation"])
        for row in rows:
            centre = rotation.T @ (np.asarray(row["translation"]) - np.asarray(pose["translation"]))
            w, length, h = row["size"]
            velocity = rotation[:2, :2].T @ np.asarray(
                row.get("velocity", [math.nan, math.nan])[:2]
            )
            name = row["detection_name"]
            boxes[where[token]].append(
                Detection3D(
                    kitti_of.get(name, "Misc"),
                    Box(
                        tuple(float(c) for c in centre),
                        (length, w, h),
                        _yaw(row["rotation"]) - ego_yaw,
                    ),
                    float(row["detection_score"]),
                    name,
                    (float(velocity[0]), float(velocity[1])),
                    row.get("attribute_name", ""),
                )
            )

    def predict(inp: FrameInput) -> Predictions:
        return Predictions(boxes_3d=boxes.get((inp.frame.variant.key, inp.frame.index), []))

    predict.outputs = frozenset({"3d"})  # type: ignore[attr-defined]
    return predict


def _quaternion_matrix(wxyz: list[float]) -> np.ndarray:
    from simgen.core.geometry import quat_to_matrix

    w, x, y, z = wxyz
    return quat_to_matrix((x, y, z, w))


def load_predictions(path: Path, fmt: str, index: Path | None = None) -> Model:
    if fmt == "kitti":
        return kitti_results(path, index)
    if fmt == "coco":
        if index is None:
            raise DatasetError("COCO results need --index: the export's annotations.json")
        return coco_results(path, index)
    if fmt == "nuscenes":
        if index is None:
            raise DatasetError("nuScenes results need --index: the nuScenes export's folder")
        return nuscenes_results(path, index)
    raise DatasetError(f"unknown prediction format '{fmt}'; expected kitti, coco or nuscenes")
