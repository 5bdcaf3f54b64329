"""KITTI-style average precision: 40 recall points (R40), greedy matching by score, and objects
outside a difficulty level ignored (neither missed nor matched as false positives)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

RECALL_POINTS = np.linspace(1 / 40, 1.0, 40)
IOU_THRESHOLDS = {"Car": 0.7, "Pedestrian": 0.5, "Cyclist": 0.5}


@dataclass(frozen=True)
class Match:
    """One image's matches: detection scores marked true or false positive, and how many
    ground-truth objects counted (not ignored)."""

    scores: list[float]
    true_positive: list[bool]
    positives: int


def match_image(
    truths: Sequence[object],
    ignored: Sequence[bool],
    detections: Sequence[tuple[float, object]],  # (score, box)
    overlap: Callable[[object, object], float],
    threshold: float,
    outside: Callable[[object], bool] | None = None,
) -> Match:
    """Greedy by score: each detection takes the best unmatched truth above ``threshold``.
    An unmatched detection for which ``outside(box)`` holds is not counted (a slice's edge)."""
    taken = [False] * len(truths)
    scores, flags = [], []
    for score, box in sorted(detections, key=lambda d: -d[0]):
        best, best_iou = -1, threshold
        for i, truth in enumerate(truths):
            if not taken[i]:
                value = overlap(box, truth)
                if value >= best_iou:
                    best, best_iou = i, value
        if best >= 0:
            taken[best] = True
            if ignored[best]:
                continue  # a match to an ignored object counts neither way
            scores.append(score)
            flags.append(True)
        elif outside is None or not outside(box):
            scores.append(score)
            flags.append(False)
    return Match(scores, flags, sum(not i for i in ignored))


def average_precision(matches: Sequence[Match]) -> tuple[float, float]:
    """(AP over 40 recall points, recall at every score) over many images."""
    positives = sum(m.positives for m in matches)
    scores = np.array([s for m in matches for s in m.scores])
    flags = np.array([f for m in matches for f in m.true_positive], bool)
    if positives == 0:
        return float("nan"), float("nan")
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(flags[order])
    fp = np.cumsum(~flags[order])
    recall = tp / positives
    precision = tp / np.maximum(tp + fp, 1)
    # interpolated precision: the best precision at this recall or above
    best = np.maximum.accumulate(precision[::-1])[::-1] if len(precision) else precision
    ap = 0.0
    for r in RECALL_POINTS:
        reached = np.nonzero(recall >= r - 1e-9)[0]
        ap += best[reached[0]] if len(reached) else 0.0
    return ap / len(RECALL_POINTS), float(recall[-1]) if len(recall) else 0.0
