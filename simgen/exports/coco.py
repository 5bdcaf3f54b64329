"""COCO instance export (detection and segmentation), a pure function of a native dataset.

    OUT/images/<scenario>_<variant>_<frame>_<camera>.png
    OUT/annotations.json   images, annotations (bbox, area, iscrowd, RLE segmentation), categories

One annotation per (object, class) seen in an image: a cyclist's bicycle and rider are two
annotations with the same ``track_id``. Boxes and areas are the visible pixels (COCO
convention); ``visibility`` and ``truncation`` from the labels ride along.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pycocotools import mask as mask_utils

from simgen.core.atomic import write_bytes_atomic
from simgen.core.classes import coco_classes
from simgen.dataset.layout import json_bytes
from simgen.dataset.reader import Dataset
from simgen.exports.options import ExportOptions


def categories() -> list[dict[str, Any]]:
    return [{"id": c.id, "name": c.name, "supercategory": c.coco} for c in coco_classes()]


def rle(mask: np.ndarray) -> dict[str, Any]:
    encoded = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": list(encoded["size"]), "counts": encoded["counts"].decode("ascii")}


def export_coco(dataset: Dataset, out: Path, options: ExportOptions) -> int:
    """Write images and annotations.json; returns the number of images."""
    wanted = {c.id for c in coco_classes()}
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
                views = {o.id: o.cameras.get(camera) for o in frame.labels.objects}
                for object_id in np.unique(instance[instance > 0]):
                    view = views.get(int(object_id))
                    for class_id in np.unique(semantic[instance == object_id]):
                        if int(class_id) not in wanted:
                            continue
                        mask = (instance == object_id) & (semantic == class_id)
                        ys, xs = np.nonzero(mask)
                        annotations.append(
                            {
                                "id": len(annotations) + 1,
                                "image_id": image_id,
                                "category_id": int(class_id),
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
                        )
    data = {
        "info": {"description": "simgen synthetic dataset", "version": "1.0"},
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": categories(),
    }
    write_bytes_atomic(out / "annotations.json", json_bytes(data))
    return len(images)
