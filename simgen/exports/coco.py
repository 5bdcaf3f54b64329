"""COCO instance export (detection, segmentation and person keypoints), a pure function of a
native dataset.

    OUT/images/<scenario>_<variant>_<frame>_<camera>.png
    OUT/annotations.json   images, annotations (bbox, area, iscrowd, RLE segmentation), categories

One annotation per (object, class) seen in an image: a cyclist's bicycle and rider are two
annotations with the same ``track_id``. Boxes and areas are the visible pixels (COCO
convention); ``visibility`` and ``truncation`` from the labels ride along. Person and rider
annotations carry the 17 COCO keypoints (``keypoints``, ``num_keypoints``; their categories
name the keypoints and the skeleton), so pycocotools' keypoint evaluation (OKS) reads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pycocotools import mask as mask_utils

from simgen.core.atomic import write_bytes_atomic
from simgen.core.classes import coco_classes
from simgen.core.keypoints import COCO_KEYPOINTS, COCO_SKELETON, NUM_KEYPOINTS
from simgen.dataset.layout import json_bytes
from simgen.dataset.reader import Dataset
from simgen.exports.options import ExportOptions
from simgen.labels.schema import Keypoint, ObjectLabel

KEYPOINT_CLASSES = ("person", "rider")  # COCO categories whose annotations carry keypoints


# stop signs (code 206) are COCO's own category, split off the traffic_sign class; its id lies
# past every semantic class id (those are uint8), so the two never collide
STOP_SIGN_ID = 256
STOP_SIGN_CODE = "206"
COCO_NAMES = {"traffic_light": "traffic light", "traffic_sign": "traffic sign"}  # COCO's own


def categories() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for c in coco_classes():
        name = COCO_NAMES.get(c.name, c.name)
        category: dict[str, Any] = {"id": c.id, "name": name, "supercategory": c.coco}
        if c.name in KEYPOINT_CLASSES:
            category["keypoints"] = list(COCO_KEYPOINTS)
            category["skeleton"] = [list(pair) for pair in COCO_SKELETON]
        out.append(category)
    out.append({"id": STOP_SIGN_ID, "name": "stop sign", "supercategory": "outdoor"})
    return out


def category_of(class_id: int, obj: ObjectLabel | None) -> int:
    """An annotation's category: its pixels' class, except that stop signs are their own."""
    if obj is not None and obj.signal is not None and obj.signal.code == STOP_SIGN_CODE:
        return STOP_SIGN_ID
    return class_id


def coco_keypoints(keypoints: tuple[Keypoint, ...] | None) -> tuple[list[float], int]:
    """COCO's flat ``[x1, y1, v1, ...]`` and the number of labelled keypoints. Pixel-edge
    coordinates (the labels' pixel centres plus half a pixel, like the boxes); a keypoint outside
    the image is (0, 0, 0), COCO's unlabelled one. No keypoints: all 17 unlabelled."""
    if keypoints is None:
        return [0.0] * (3 * NUM_KEYPOINTS), 0
    flat: list[float] = []
    for k in keypoints:
        flat += [k.u + 0.5, k.v + 0.5, k.visibility] if k.visibility else [0.0, 0.0, 0]
    return flat, sum(1 for k in keypoints if k.visibility)


def rle(mask: np.ndarray) -> dict[str, Any]:
    encoded = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": list(encoded["size"]), "counts": encoded["counts"].decode("ascii")}


def export_coco(dataset: Dataset, out: Path, options: ExportOptions) -> int:
    """Write images and annotations.json; returns the number of images."""
    wanted = {c.id for c in coco_classes()}
    posed = {c.id for c in coco_classes() if c.name in KEYPOINT_CLASSES}
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for variant in dataset:
        for camera in variant.cameras("rgb", "instance", "semantic"):
            calib = variant.camera(camera)
            for frame in variant.frames():
                image_id = len(images) + 1
                name = f"images/{variant.key}_{frame.index:06d}_{camera}.png"
                write_bytes_atomic(
                    out / name, frame.image_file(camera, "rgb").read_bytes(), durable=False
                )
                images.append(
                    {
                        "id": image_id,
                        "file_name": name,
                        "width": calib.width,
                        "height": calib.height,
                        "scenario": variant.scenario,
                        "variant": variant.variant,
                        "frame": frame.index,
                        "camera": camera,
                    }
                )
                instance, semantic = frame.instance(camera), frame.semantic(camera)
                objects = {o.id: o for o in frame.labels.objects}
                for object_id in np.unique(instance[instance > 0]):
                    obj = objects.get(int(object_id))
                    view = obj.cameras.get(camera) if obj is not None else None
                    for class_id in np.unique(semantic[instance == object_id]):
                        if int(class_id) not in wanted:
                            continue
                        mask = (instance == object_id) & (semantic == class_id)
                        ys, xs = np.nonzero(mask)
                        annotation: dict[str, Any] = {
                            "id": len(annotations) + 1,
                            "image_id": image_id,
                            "category_id": category_of(int(class_id), obj),
                            "bbox": [
                                int(xs.min()),
                                int(ys.min()),
                                int(xs.max() - xs.min() + 1),
                                int(ys.max() - ys.min() + 1),
                            ],
                            "area": len(xs),
                            "iscrowd": 0,
                            "segmentation": rle(mask),
                            "track_id": int(object_id),
                            "visibility": view.visibility if view else None,
                            "truncation": view.truncation if view else None,
                        }
                        if int(class_id) in posed:
                            flat, labelled = coco_keypoints(view.keypoints if view else None)
                            annotation["keypoints"] = flat
                            annotation["num_keypoints"] = labelled
                        annotations.append(annotation)
    data = {
        "info": {"description": "simgen synthetic dataset", "version": "1.0"},
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": categories(),
    }
    write_bytes_atomic(out / "annotations.json", json_bytes(data))
    return len(images)
