"""Pedestrian detection scored as in the Caltech pedestrian benchmark (Dollar et al., PAMI 2012).

Ground-truth boxes and detections are standardised to one aspect ratio (width = 0.41 x height,
about the box centre), so a detector is not scored on how wide it draws people. People that are
too small or too occluded to count are "ignore" regions: a detection on one is neither a hit nor
a false positive. Recall is read at a budget of false positives per image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ASPECT = 0.41

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels


@dataclass(frozen=True)
class ImageTruth:
    people: tuple[Box, ...]  # the ones that count
    ignore: tuple[Box, ...]  # present, but too small, occluded or cut off to count


@dataclass(frozen=True)
class Detection:
    box: Box
    score: float


def standardise(box: Box, height_scale: float = 1.0) -> Box:
    """Keep the centre and (scaled) height, set width = 0.41 x height."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    h = (y1 - y0) * height_scale
    w = ASPECT * h
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def iou_2d(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _covered(det: Box, region: Box) -> float:
    """Fraction of the detection inside an ignore region (Caltech's test for ignores)."""
    ix = max(0.0, min(det[2], region[2]) - max(det[0], region[0]))
    iy = max(0.0, min(det[3], region[3]) - max(det[1], region[1]))
    area = (det[2] - det[0]) * (det[3] - det[1])
    return ix * iy / area if area > 0 else 0.0


def match_image(
    truth: ImageTruth, detections: Sequence[Detection], iou: float = 0.5
) -> list[tuple[float, bool | None]]:
    """(score, hit) per detection, best first: True a hit, False a false positive, None a
    detection on an ignore region or a second one on a person already found."""
    found = [False] * len(truth.people)
    out: list[tuple[float, bool | None]] = []
    for det in sorted(detections, key=lambda d: -d.score):
        best, best_iou = -1, iou
        for i, person in enumerate(truth.people):
            overlap = iou_2d(det.box, person)
            if not found[i] and overlap >= best_iou:
                best, best_iou = i, overlap
        if best >= 0:
            found[best] = True
            out.append((det.score, True))
        elif any(iou_2d(det.box, p) >= iou for p in truth.people) or any(
            _covered(det.box, r) >= iou for r in truth.ignore
        ):
            out.append((det.score, None))
        else:
            out.append((det.score, False))
    return out


@dataclass(frozen=True)
class RecallAtFppi:
    recall: float
    fppi: float
    threshold: float
    people: int
    images: int


def recall_at_fppi(
    truths: Sequence[ImageTruth], detections: Sequence[Sequence[Detection]], budget: float = 1.0
) -> RecallAtFppi:
    """The highest recall reachable with at most ``budget`` false positives per image, sweeping
    the score threshold over every detection."""
    scored = [m for t, d in zip(truths, detections, strict=True) for m in match_image(t, d)]
    people = sum(len(t.people) for t in truths)
    images = len(truths)
    order = sorted((m for m in scored if m[1] is not None), key=lambda m: -m[0])
    best = RecallAtFppi(0.0, 0.0, float("inf"), people, images)
    hits = fps = 0
    for k, (score, hit) in enumerate(order):
        hits += bool(hit)
        fps += not hit
        if k + 1 < len(order) and order[k + 1][0] == score:
            continue  # a threshold keeps every detection of equal score
        if fps / images > budget:
            break
        if people:
            best = RecallAtFppi(hits / people, fps / images, score, people, images)
    return best
