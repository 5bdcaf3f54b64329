"""The COCO person-keypoint layout: joint names, skeleton, per-joint sigmas and OKS.

Pure data and NumPy, so labels, exports and evaluation share one definition without importing
the simulator. Left and right are the person's own (COCO's convention), not the image's.
"""

from __future__ import annotations

import numpy as np

COCO_KEYPOINTS: tuple[str, ...] = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
NUM_KEYPOINTS = len(COCO_KEYPOINTS)

# limbs as 1-based keypoint index pairs, exactly as COCO's person category lists them
COCO_SKELETON: tuple[tuple[int, int], ...] = (
    (16, 14), (14, 12), (17, 15), (15, 13), (12, 13), (6, 12), (7, 13), (6, 7), (6, 8),
    (7, 9), (8, 10), (9, 11), (2, 3), (1, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 7),
)  # fmt: skip

# per-keypoint standard deviations of human annotators (pycocotools' COCOeval.kpt_oks_sigmas)
COCO_SIGMAS = (
    np.array(
        [.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89]
    )
    / 10.0
)  # fmt: skip

# visibility flags: COCO's meaning
OUTSIDE, OCCLUDED, VISIBLE = 0, 1, 2


def oks(predicted: np.ndarray, truth: np.ndarray, visibility: np.ndarray, area: float) -> float:
    """Object keypoint similarity of (17, 2) predicted and true pixels over the labelled
    (visibility > 0) joints: mean of exp(-d^2 / (2 s^2 k^2)) with s^2 the object's area and
    k = 2 sigma, COCO's definition."""
    labelled = np.asarray(visibility) > 0
    d2 = ((np.asarray(predicted, float) - np.asarray(truth, float)) ** 2).sum(axis=1)
    k2 = (2 * COCO_SIGMAS) ** 2
    e = np.exp(-d2 / (2 * area * k2))
    return float(e[labelled].mean()) if labelled.any() else 0.0
