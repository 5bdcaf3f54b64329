"""Turning a 2D detector's raw output tensors into boxes: letterboxing, per-layout decoding and
per-class non-maximum suppression. Pure NumPy (and cv2 for the resize), no runtime: the ONNX
model in ``simgen.eval.onnx_detector`` feeds it, and tests feed it tensors with known boxes.

Boxes here are continuous image coordinates ``x0, y0, x1, y1`` (pixel ``i`` spans ``[i, i+1)``),
first in the network's input, then mapped back to the image.

Layouts (what each export puts out):
- ``nanodet``: per stride 8, 16, 32 a pair of outputs, class scores [1, N, C] (sigmoid applied)
  and box regression [1, N, 4 * bins], a discrete distance distribution per side (Generalized
  Focal Loss); outputs are told apart by their shapes.
- ``yolox``: [1, N, 5 + C]: cx, cy, w, h, objectness, class scores; raw (offsets in grid cells
  and log sizes over strides 8, 16, 32) unless exported with ``decode_in_inference``.
- ``yolov5``: [1, N, 5 + C]: cx, cy, w, h in input pixels, objectness, class scores.
- ``yolov8``: [1, 4 + C, N]: cx, cy, w, h in input pixels, class scores (no objectness).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STRIDES = (8, 16, 32)
LAYOUTS = ("nanodet", "yolox", "yolov5", "yolov8")


class DecodingError(ValueError):
    """Output tensors that do not have the shapes the chosen layout puts out."""


@dataclass(frozen=True)
class Letterbox:
    """Where the image sits inside the network's input: scaled by ``scale`` (x, y), offset by
    ``pad`` (x, y) input pixels."""

    scale: tuple[float, float]
    pad: tuple[int, int]

    def to_image(self, boxes: np.ndarray) -> np.ndarray:
        """Input-pixel boxes (K, 4) back into the image's pixels."""
        offset = np.array([self.pad[0], self.pad[1], self.pad[0], self.pad[1]], np.float64)
        scale = np.array([self.scale[0], self.scale[1], self.scale[0], self.scale[1]])
        return (np.asarray(boxes, np.float64) - offset) / scale


def letterbox(
    image: np.ndarray, size: tuple[int, int], fill: int, centred: bool
) -> tuple[np.ndarray, Letterbox]:
    """``image`` (H, W, 3) resized into ``size`` (width, height) keeping its aspect ratio, the
    rest filled with ``fill``; centred (NanoDet, YOLOv5/v8) or in the top-left corner (YOLOX)."""
    import cv2

    height, width = image.shape[:2]
    target_w, target_h = size
    ratio = min(target_w / width, target_h / height)
    new_w = max(1, min(target_w, round(width * ratio)))
    new_h = max(1, min(target_h, round(height * ratio)))
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    pad_x = (target_w - new_w) // 2 if centred else 0
    pad_y = (target_h - new_h) // 2 if centred else 0
    canvas = np.full((target_h, target_w, image.shape[2]), fill, dtype=image.dtype)
    canvas[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = resized
    return canvas, Letterbox((new_w / width, new_h / height), (pad_x, pad_y))


def _grid_cells(size: tuple[int, int], stride: int) -> tuple[int, int]:
    return -(-size[0] // stride), -(-size[1] // stride)  # columns, rows (ceil)


def _xywh_to_xyxy(xywh: np.ndarray) -> np.ndarray:
    half = xywh[:, 2:4] / 2.0
    return np.concatenate([xywh[:, 0:2] - half, xywh[:, 0:2] + half], axis=1)


def decode_nanodet(
    outputs: Sequence[np.ndarray], size: tuple[int, int], bins: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Every anchor's box (N, 4, input pixels) and class scores (N, C) from NanoDet's outputs.

    A side's distance is the expectation of the softmax over ``bins`` logits, times the stride,
    from the cell centre ``(col * stride + (stride - 1) / 2, row * stride + (stride - 1) / 2)``."""
    width = 4 * bins
    arrays = [np.asarray(o, np.float64).reshape(-1, np.asarray(o).shape[-1]) for o in outputs]
    regressions = {a.shape[0]: a for a in arrays if a.shape[1] == width}
    scores = {a.shape[0]: a for a in arrays if a.shape[1] != width}
    boxes_out, scores_out = [], []
    for stride in STRIDES:
        cols, rows = _grid_cells(size, stride)
        n = cols * rows
        if n not in regressions or n not in scores:
            shapes = ", ".join(str(tuple(np.asarray(o).shape)) for o in outputs)
            raise DecodingError(
                f"nanodet layout: no pair of outputs with {n} anchors (stride {stride} over a "
                f"{size[0]}x{size[1]} input; widths {width} and the class count); got {shapes}"
            )
        logits = regressions[n].reshape(n, 4, bins)
        logits = logits - logits.max(axis=2, keepdims=True)
        weights = np.exp(logits)
        weights /= weights.sum(axis=2, keepdims=True)
        distance = (weights @ np.arange(bins, dtype=np.float64)) * stride  # (n, 4): l, t, r, b
        row, col = np.divmod(np.arange(n), cols)
        cx = col * stride + (stride - 1) / 2.0
        cy = row * stride + (stride - 1) / 2.0
        left, top, right, bottom = distance.T
        boxes_out.append(np.stack([cx - left, cy - top, cx + right, cy + bottom], axis=1))
        scores_out.append(scores[n])
    return np.concatenate(boxes_out), np.concatenate(scores_out)


def decode_yolo(
    output: np.ndarray, layout: str, size: tuple[int, int], decoded: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Every anchor's box (N, 4, input pixels) and class scores (N, C) from a YOLO export's one
    output; ``decoded`` (YOLOX only) says whether the export already decoded the grid."""
    array = np.asarray(output, np.float64)
    if array.ndim != 3 or array.shape[0] != 1:
        raise DecodingError(f"{layout} layout: expected one [1, ...] output, got {array.shape}")
    rows = array[0].T if layout == "yolov8" else array[0]  # (N, 4 [+1] + C)
    first = 4 if layout == "yolov8" else 5
    if rows.shape[1] <= first:
        raise DecodingError(
            f"{layout} layout: rows of {rows.shape[1]} values leave no class scores "
            f"(output {array.shape}{'; yolov8 is [1, 4 + C, N]' if layout == 'yolov8' else ''})"
        )
    xywh = rows[:, :4].copy()
    if layout == "yolox" and not decoded:
        xywh = _yolox_grid(xywh, size)
    scores = rows[:, first:]
    if first == 5:
        scores = scores * rows[:, 4:5]  # objectness times class score
    return _xywh_to_xyxy(xywh), scores


def _yolox_grid(xywh: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """YOLOX's raw head: centres are offsets in grid cells, sizes log-scaled, over strides
    8, 16, 32 (row-major grids, stride 8 first)."""
    grids, strides = [], []
    for stride in STRIDES:
        cols, rows = _grid_cells(size, stride)
        row, col = np.divmod(np.arange(cols * rows), cols)
        grids.append(np.stack([col, row], axis=1))
        strides.append(np.full(cols * rows, stride))
    grid = np.concatenate(grids).astype(np.float64)
    scale = np.concatenate(strides).astype(np.float64)[:, None]
    if len(grid) != len(xywh):
        raise DecodingError(
            f"yolox layout: {len(xywh)} anchors, but strides 8/16/32 over a {size[0]}x{size[1]} "
            f"input make {len(grid)} (is it exported with decode_in_inference? say decoded=true)"
        )
    return np.concatenate([(xywh[:, :2] + grid) * scale, np.exp(xywh[:, 2:4]) * scale], axis=1)


@dataclass(frozen=True)
class Candidates:
    """Boxes (K, 4), their scores (K,) and class indices (K,), best first."""

    boxes: np.ndarray
    scores: np.ndarray
    classes: np.ndarray

    def take(self, index: np.ndarray) -> Candidates:
        return Candidates(self.boxes[index], self.scores[index], self.classes[index])


def candidates(
    boxes: np.ndarray, scores: np.ndarray, threshold: float, top_k: int = 1000
) -> Candidates:
    """Every (anchor, class) pair scoring at least ``threshold`` (an anchor may propose several
    classes), the ``top_k`` best, in a stable order: the same tensors give the same list."""
    anchor, cls = np.nonzero(scores >= threshold)
    found = scores[anchor, cls]
    order = np.argsort(-found, kind="stable")[:top_k]
    return Candidates(boxes[anchor[order]], found[order], cls[order].astype(np.int64))


def iou_one_to_many(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Intersection over union of one continuous box with each of ``others``."""
    x0 = np.maximum(box[0], others[:, 0])
    y0 = np.maximum(box[1], others[:, 1])
    x1 = np.minimum(box[2], others[:, 2])
    y1 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    union = area + areas - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def nms(found: Candidates, threshold: float) -> Candidates:
    """Greedy per-class non-maximum suppression: a box is dropped when a better one of its class
    overlaps it by more than ``threshold`` IoU. ``found`` is best first (as ``candidates``)."""
    if len(found.scores) == 0:
        return found
    # classes pushed apart so one pass suppresses within a class only
    span = float(np.abs(found.boxes).max()) + 1.0
    shifted = found.boxes + (found.classes * 2.0 * span)[:, None]
    alive = np.ones(len(shifted), bool)
    keep = []
    for i in range(len(shifted)):
        if not alive[i]:
            continue
        keep.append(i)
        rest = np.nonzero(alive[i + 1 :])[0] + i + 1
        if len(rest):
            alive[rest[iou_one_to_many(shifted[i], shifted[rest]) > threshold]] = False
    return found.take(np.asarray(keep, np.int64))


def clip_to_image(found: Candidates, width: int, height: int) -> Candidates:
    """Boxes clipped to the image; boxes left with no area dropped."""
    boxes = found.boxes.copy()
    boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, width)
    boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, height)
    keep = np.nonzero((boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1]))[0]
    return Candidates(boxes, found.scores, found.classes).take(keep)
