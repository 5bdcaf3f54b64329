"""Do detectors trained on real photographs find simgen's people?

Runs OpenCV's HOG people detectors on every camera frame of a rendered dataset and scores them
as the Caltech pedestrian benchmark does (simgen.eval.caltech): people >= 120 px tall, >= 0.9
visible and not cut off by the image border count; other people are ignore regions; recall is
read at <= 1 false positive per image.

    python tools/people_detector_check.py DATASET [--json OUT.json] [--overlay OUT.jpg]

Detectors (both ship inside opencv-contrib-python-headless; nothing is downloaded):
- ``hog_inria``: Dalal and Triggs, trained on INRIA person photos (64x128 window);
- ``hog_daimler``: trained on the Daimler pedestrian benchmark (48x96 window), run on the image
  halved, as its window is made for people about 72 px tall.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np

from simgen.dataset.reader import open_dataset
from simgen.eval.caltech import Detection, ImageTruth, recall_at_fppi, standardise

MIN_HEIGHT = 120
MIN_VISIBILITY = 0.9
PERSON_IN_WINDOW = 0.75  # both detectors' windows hold a person 3/4 of their height


def detector(name: str):
    if name == "hog_inria":
        hog = cv2.HOGDescriptor()
        hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        scale, window_stride = 1.0, (8, 8)
    else:
        hog = cv2.HOGDescriptor((48, 96), (16, 16), (8, 8), (8, 8), 9)
        hog.setSVMDetector(cv2.HOGDescriptor_getDaimlerPeopleDetector())
        scale, window_stride = 0.5, (4, 4)

    def detect(rgb: np.ndarray) -> list[Detection]:
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        if scale != 1.0:
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        rects, weights = hog.detectMultiScale(
            gray, hitThreshold=-0.3, winStride=window_stride, padding=(16, 16), scale=1.05
        )
        return [
            Detection(
                standardise(
                    (x / scale, y / scale, (x + w) / scale, (y + h) / scale), PERSON_IN_WINDOW
                ),
                float(s),
            )
            for (x, y, w, h), s in zip(rects, np.ravel(weights), strict=True)
        ]

    return detect


def truth_of(frame, camera: str) -> ImageTruth:
    people, ignore = [], []
    for obj in frame.labels.objects:
        if obj.semantic_class != "person":
            continue
        view = obj.cameras.get(camera)
        if view is None or view.visible_box is None:
            continue
        x0, y0, x1, y1 = view.visible_box
        box = standardise((x0, y0, x1 + 1, y1 + 1))
        counts = (
            y1 + 1 - y0 >= MIN_HEIGHT and view.visibility >= MIN_VISIBILITY and view.truncation == 0
        )
        (people if counts else ignore).append(box)
    return ImageTruth(tuple(people), tuple(ignore))


def check(
    root: Path, names: tuple[str, ...] = ("hog_inria", "hog_daimler"), overlay: Path | None = None
) -> dict:
    dataset = open_dataset(root)
    detectors = {name: detector(name) for name in names}
    truths: list[ImageTruth] = []
    found: dict[str, list[list[Detection]]] = {name: [] for name in names}
    first = None
    for variant in dataset:
        for camera in variant.cameras("rgb", "instance"):
            for frame in variant.frames():
                rgb = frame.rgb(camera)
                first = rgb if first is None else first
                truths.append(truth_of(frame, camera))
                for name, detect in detectors.items():
                    found[name].append(detect(rgb))
    scores = {name: recall_at_fppi(truths, found[name], budget=1.0) for name in names}
    if overlay is not None and first is not None:
        cv2.imwrite(str(overlay), draw(first, truths[0], found[names[0]][0], scores[names[0]]))
    return {name: asdict(score) for name, score in scores.items()}


def draw(rgb: np.ndarray, truth: ImageTruth, detections: list[Detection], score) -> np.ndarray:
    """People that count in green, ignored ones in grey, detections kept at the 1-FPPI
    threshold in red with their scores."""
    image = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)

    def box(b, color, width):
        cv2.rectangle(image, (round(b[0]), round(b[1])), (round(b[2]), round(b[3])), color, width)

    for b in truth.people:
        box(b, (0, 220, 0), 2)
    for b in truth.ignore:
        box(b, (160, 160, 160), 1)
    for d in detections:
        if d.score >= score.threshold:
            box(d.box, (0, 0, 255), 2)
            cv2.putText(image, f"{d.score:.2f}", (round(d.box[0]), round(d.box[1]) - 4),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 255), 1, cv2.LINE_AA)  # fmt: skip
    return image


TITLES = {
    "hog_inria": "HOG INRIA (getDefaultPeopleDetector)",
    "hog_daimler": "HOG Daimler (getDaimlerPeopleDetector, image halved)",
}


def record_payload(scores: dict, scene: str, look: str) -> dict:
    """The scores as a benchmark record's ``detector`` payload (``benchmarks.model``)."""
    first = next(iter(scores.values()))
    return {
        "scene": scene,
        "look": look,
        "people": first["people"],
        "images": first["images"],
        "scores": [
            {"detector": TITLES[n], "recall": round(s["recall"], 3)} for n, s in scores.items()
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--overlay", type=Path, help="the first frame with truth and detections")
    parser.add_argument("--look", default="", help="with --json: which look was rendered, for a "
                        "record (benchmarks/record.py OUT.json)")  # fmt: skip
    parser.add_argument("--scene", help="with --json: what was rendered (default: the folder)")
    args = parser.parse_args()
    result: dict = check(args.dataset, overlay=args.overlay)
    result["detector"] = record_payload(result, args.scene or args.dataset.name, args.look)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
