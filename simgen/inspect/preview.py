"""Label overlays for people: 2D and projected 3D boxes on the RGB image, read from a dataset,
and the lane labels where the dataset has them.

Visible boxes are solid, amodal boxes thin, 3D boxes are wireframes projected through the stored
calibration (edges behind the camera are clipped), each tagged with class and visibility.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from simgen.core.atomic import write_bytes_atomic
from simgen.core.classes import BY_NAME
from simgen.dataset.reader import DatasetError, Variant, open_dataset
from simgen.inspect.lanes import draw_lanes
from simgen.labels.schema import Box3D, FrameLabels
from simgen.labels.visibility import NEAR
from simgen.sensors.lens import is_distorted, project
from simgen.sensors.rig import CameraCalibration

EDGES = ((0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (5, 6), (6, 7), (7, 4),
         (0, 4), (1, 5), (2, 6), (3, 7))  # fmt: skip


def draw_box3d(
    image: np.ndarray, calib: CameraCalibration, box: Box3D, color: tuple[int, int, int]
) -> None:
    """A 3D box's wireframe through the camera's lens (edges bend when it distorts)."""
    corners = box.corners()
    steps = np.linspace(0.0, 1.0, 16 if is_distorted(calib) else 2)[:, None]
    for a, b in EDGES:
        p, q = corners[a], corners[b]
        if p[2] < NEAR and q[2] < NEAR:
            continue
        if p[2] < NEAR or q[2] < NEAR:  # clip the edge at the near plane
            t = (NEAR - p[2]) / (q[2] - p[2])
            cut = p + t * (q - p)
            p, q = (cut, q) if p[2] < NEAR else (p, cut)
        uv = project(calib, p + steps * (q - p))
        cv2.polylines(image, [np.round(uv).astype(np.int32)], False, color, 1, cv2.LINE_AA)


def draw_labels(
    image: np.ndarray, labels: FrameLabels, calib: CameraCalibration, camera: str
) -> np.ndarray:
    """Every labelled object of one frame drawn on a BGR image (in place, and returned)."""
    for obj in labels.objects:
        view = obj.cameras.get(camera)
        if view is None or view.amodal_box is None:
            continue
        rgb = BY_NAME[obj.semantic_class].color
        color = (int(rgb[2]), int(rgb[1]), int(rgb[0]))
        draw_box3d(image, calib, obj.boxes.sensors[camera], color)
        u0, v0, u1, v1 = (round(c) for c in view.amodal_box)
        cv2.rectangle(image, (u0, v0), (u1, v1), color, 1)
        if view.visible_box is not None:
            x0, y0, x1, y1 = view.visible_box
            cv2.rectangle(image, (x0, y0), (x1, y1), color, 2)
        text = f"{obj.semantic_class} {obj.id} v={view.visibility:.2f}"
        if view.truncation > 0.01:
            text += f" t={view.truncation:.2f}"
        cv2.putText(image, text, (u0, max(v0 - 4, 10)), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                    color, 1, cv2.LINE_AA)  # fmt: skip
    return image


def overlay(variant: Variant, frame: int, camera: str) -> np.ndarray:
    """The RGB image of one frame with every labelled object drawn on it (BGR)."""
    found = variant.frame(frame)
    image = cv2.cvtColor(found.rgb(camera), cv2.COLOR_RGB2BGR)
    if variant.has_lanes:
        draw_lanes(image, found.lanes, variant.camera(camera))
    return draw_labels(image, found.labels, variant.camera(camera), camera)


def write_preview(
    dataset: str | Path,
    out: str | Path,
    scenario: str | None = None,
    variant: int = 0,
    frame: int = 0,
    camera: str | None = None,
) -> Path:
    chosen = open_dataset(dataset).variant(scenario, variant)
    camera = camera or next(iter(chosen.cameras("rgb")), None)
    if camera is None:
        raise DatasetError(f"{chosen.root}: no camera with RGB to draw on")
    _, data = cv2.imencode(".png", overlay(chosen, frame, camera))
    write_bytes_atomic(out, data.tobytes())
    return Path(out)
