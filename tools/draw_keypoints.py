"""Draw the labelled COCO keypoints and skeleton of every person on a dataset's RGB frames.

    python tools/draw_keypoints.py DATASET OUT_DIR [--scale 2] [--frames 4]

Visible keypoints are filled dots, occluded ones rings; the person's left side is drawn in
orange, the right in blue, so a swapped side shows at a glance. Each image is upscaled
(nearest) by ``--scale`` so joints of small people can be judged by eye.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from simgen.core.keypoints import COCO_KEYPOINTS, COCO_SKELETON, OCCLUDED, VISIBLE
from simgen.dataset.reader import open_dataset

LEFT, RIGHT, MIDDLE = (0, 140, 255), (255, 120, 0), (0, 220, 0)  # BGR


def _color(index: int) -> tuple[int, int, int]:
    name = COCO_KEYPOINTS[index]
    return LEFT if name.startswith("left") else RIGHT if name.startswith("right") else MIDDLE


def draw(rgb: np.ndarray, people: list[np.ndarray], scale: int) -> np.ndarray:
    """``people``: (17, 3) rows u, v, visibility in the labels' pixel-centre convention."""
    image = cv2.resize(rgb[..., ::-1], None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)

    def at(row: np.ndarray) -> tuple[int, int]:
        return round(float(row[0] + 0.5) * scale), round(float(row[1] + 0.5) * scale)

    for points in people:
        for a, b in COCO_SKELETON:
            pa, pb = points[a - 1], points[b - 1]
            if pa[2] and pb[2]:
                both = pa[2] == VISIBLE and pb[2] == VISIBLE
                color = _color(a - 1) if _color(a - 1) == _color(b - 1) else MIDDLE
                cv2.line(image, at(pa), at(pb), color, 1 if not both else 2, cv2.LINE_AA)
        for index, row in enumerate(points):
            if row[2] == VISIBLE:
                cv2.circle(image, at(row), 3, _color(index), -1, cv2.LINE_AA)
            elif row[2] == OCCLUDED:
                cv2.circle(image, at(row), 3, _color(index), 1, cv2.LINE_AA)
    return image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--frames", type=int, default=4)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for variant in open_dataset(args.dataset):
        for camera in variant.cameras("rgb"):
            for frame in list(variant.frames())[: args.frames]:
                people = [
                    np.array([(k.u, k.v, k.visibility) for k in view.keypoints])
                    for obj in frame.labels.objects
                    if (view := obj.cameras.get(camera)) is not None and view.keypoints
                ]
                out = args.out / f"{variant.key}_{frame.index:06d}_{camera}.png"
                cv2.imwrite(str(out), draw(frame.rgb(camera), people, args.scale))
                print(out)


if __name__ == "__main__":
    main()
