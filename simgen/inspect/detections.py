"""What a detector found on a frame, drawn on it: the realism report's overlays.

Selected objects (``simgen.eval.realism``'s selection) found in green, missed in red, objects the
selection does not count in grey, the detections that score enough in yellow: where a user looks
first to see what their model misses on synthetic data, and why.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from simgen.core.atomic import write_bytes_atomic
from simgen.eval.realism import FrameMatch

GREEN, RED, GREY, YELLOW = (0, 200, 0), (0, 0, 230), (150, 150, 150), (0, 220, 255)  # BGR
GROUPS = ("vehicle", "person")  # the groups drawn: a vehicle by any vehicle type, people


def draw_match(image: np.ndarray, match: FrameMatch) -> np.ndarray:
    """The frame (BGR uint8) with the match's boxes drawn on a copy."""
    out = image.copy()

    def box(b: tuple[float, float, float, float], colour: tuple[int, int, int], width: int) -> None:
        x0, y0, x1, y1 = (round(v) for v in b)
        cv2.rectangle(out, (x0, y0), (x1 - 1, y1 - 1), colour, width, cv2.LINE_8)

    for group in GROUPS:
        for truth, hit in zip(match.members(group), match.found.get(group, ()), strict=True):
            box(truth.box, (GREEN if hit else RED) if truth.counts else GREY, 2)
    for det in match.detections:  # labels' convention: the last pixel covered
        box((det.box[0], det.box[1], det.box[2] + 1.0, det.box[3] + 1.0), YELLOW, 1)
    return out


def write_overlay(path: Path, rgb: np.ndarray, match: FrameMatch) -> None:
    """``draw_match`` on an RGB frame, written as a JPEG atomically."""
    image = draw_match(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), match)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 88])
    if not ok:
        raise OSError(f"cannot encode {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, data.tobytes())
