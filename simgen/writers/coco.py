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

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from simgen.classes import BY_NAME, CLASSES
from simgen.dataset import find_variants
from simgen.writers.atomic import write_bytes_atomic
from simgen.writers.native import json_bytes

OBJECT_CLASSES = (
    "car",
    "truck",
    "bus",
    "motorcycle",
    "bicycle",
    "person",
    "rider",
    "traffic_cone",
    "barrier",
    "debris",
)


def categories() -> list[dict[str, Any]]:
    supercategory = {"person": "human", "rider": "human"}
    return [
        {"id": c.id, "name": c.name, "supercategory": supercategory.get(c.name, "object")}
        for c in CLASSES
        if c.name in OBJECT_CLASSES
    ]


def rle(mask: np.ndarray) -> dict[str, Any]:
    encoded = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": list(encoded["size"]), "counts": encoded["counts"].decode("ascii")}


def export_coco(dataset: str | Path, out: str | Path) -> int:
    """Write images and annotations.json; returns the number of images."""
    out = Path(out)
    wanted = {BY_NAME[n].id for n in OBJECT_CLASSES}
    images, annotations = [], []
    for variant in find_variants(dataset):
        for camera in variant.cameras():
            files = variant.manifest["files"]
            if not {f"{camera}/{o}/000000.png" for o in ("rgb", "instance", "semantic")} <= set(
                files
            ):
                continue
            height, width = (
                variant.calibration[camera]["height"],
                variant.calibration[camera]["width"],
            )
            for entry in variant.frames:
                frame = entry["frame"]
                image_id = len(images) + 1
                name = f"images/{variant.key}_{frame:06d}_{camera}.png"
                write_bytes_atomic(
                    out / name, variant.image(camera, "rgb", frame).read_bytes(), durable=False
                )
                images.append(
                    {
                        "id": image_id,
                        "file_name": name,
                        "width": width,
                        "height": height,
                        "scenario": variant.scenario,
                        "variant": variant.variant,
                        "frame": frame,
                        "camera": camera,
                    }
                )
                instance = cv2.imread(
                    str(variant.image(camera, "instance", frame)), cv2.IMREAD_UNCHANGED
                )
                semantic = cv2.imread(
                    str(variant.image(camera, "semantic", frame)), cv2.IMREAD_UNCHANGED
                )
                views = {
                    o["id"]: o["cameras"].get(camera, {}) for o in variant.labels(frame)["objects"]
                }
                for object_id in np.unique(instance[instance > 0]):
                    for class_id in np.unique(semantic[instance == object_id]):
                        if int(class_id) not in wanted:
                            continue
                        mask = (instance == object_id) & (semantic == class_id)
                        ys, xs = np.nonzero(mask)
                        view = views.get(int(object_id), {})
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
                                "visibility": view.get("visibility"),
                                "truncation": view.get("truncation"),
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
