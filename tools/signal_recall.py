"""Does a detector trained on real photographs find simgen's traffic lights?

Runs an ONNX detector (NanoDet-m by default, through ``simgen.eval.onnx_detector``) on every
frame of the first camera of rendered datasets and measures its recall on the traffic lights
that face the camera: within 60 degrees of head-on, a visible box at least 30 px tall and at
least half visible. A light is found by a ``traffic light`` detection scoring at least 0.3 that
overlaps its visible box by IoU 0.5 (and, reported beside it, 0.3: small heads' boxes are loose).

    simgen render scenarios/intersection_signals.yaml scenarios/town_junction.yaml --out out/lights
    python tools/signal_recall.py out/lights --model ../shared/realism/nanodet_m.onnx \\
        --json out/signals.json
    python benchmarks/record.py out/signals.json --summary "..."
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np

from simgen.dataset.reader import open_dataset
from simgen.eval.caltech import iou_2d
from simgen.eval.evaluate import light
from simgen.eval.onnx_detector import OnnxDetector
from simgen.world.signals import PEDESTRIAN

MIN_HEIGHT = 30.0
MIN_VISIBILITY = 0.5
MAX_ANGLE = 60.0  # degrees between the head's facing and the direction to the camera
SCORE = 0.3


def facing(box_center: np.ndarray, yaw: float, camera: np.ndarray) -> float:
    """Degrees between where a head faces and where the camera is, seen from the head."""
    to_camera = camera[:2] - box_center[:2]
    cos = (math.cos(yaw) * to_camera[0] + math.sin(yaw) * to_camera[1]) / max(
        float(np.linalg.norm(to_camera)), 1e-9
    )
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def measure(datasets: list[Path], model: Path) -> dict:
    detector = OnnxDetector(model, layout="nanodet", score=SCORE)
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # key -> counted, hit50, hit30
    images = 0
    scenes = set()
    for root in datasets:
        for variant in open_dataset(root):
            camera = variant.cameras("rgb")[0]
            calib = variant.camera(camera)
            when = light(variant)
            scenes.add(variant.scenario)
            for frame in variant.frames():
                labels = frame.labels
                world_from_camera = labels.pose() @ calib.ego_from_camera
                eye = world_from_camera[:3, 3]
                lights = []
                for obj in labels.objects:
                    view = obj.cameras.get(camera)
                    if obj.semantic_class != "traffic_light" or view is None:
                        continue
                    if view.visible_box is None or view.visibility < MIN_VISIBILITY:
                        continue
                    x0, y0, x1, y1 = view.visible_box
                    box = obj.boxes.world
                    if y1 - y0 + 1 < MIN_HEIGHT:
                        continue
                    if facing(np.asarray(box.center), box.yaw, eye) > MAX_ANGLE:
                        continue
                    kind = (
                        "pedestrian" if obj.signal and obj.signal.code == PEDESTRIAN else "vehicle"
                    )
                    lights.append(((x0, y0, x1 + 1, y1 + 1), kind))
                images += 1
                if not lights:
                    continue
                boxes = [
                    d.box for d in detector.detect(frame.rgb(camera)) if d.name == "traffic light"
                ]
                for target, kind in lights:
                    best = max((iou_2d(target, b) for b in boxes), default=0.0)
                    for key in ("all", f"{kind} heads", f"{when}", f"{variant.scenario}"):
                        row = found[key]
                        row[0] += 1
                        row[1] += best >= 0.5
                        row[2] += best >= 0.3
    rows = {
        key: {"lights": n, "recall": hit50 / n, "recall_iou30": hit30 / n}
        for key, (n, hit50, hit30) in sorted(found.items())
        if n
    }
    return {
        "scenes": sorted(scenes),
        "detector": model.stem,
        "images": images,
        "selection": (
            f"traffic lights facing the camera (<= {MAX_ANGLE:g} deg), visible box >= "
            f"{MIN_HEIGHT:g} px tall, visibility >= {MIN_VISIBILITY:g}; detections scoring >= "
            f"{SCORE:g}"
        ),
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", type=Path, nargs="+")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = measure(args.datasets, args.model)
    for key, row in result["rows"].items():
        print(
            f"{key:28s} {row['lights']:5d} lights  recall {row['recall']:.2f} "
            f"(IoU 0.3: {row['recall_iou30']:.2f})"
        )
    if args.json:
        args.json.write_text(json.dumps({"signals": result}, indent=2) + "\n")


if __name__ == "__main__":
    main()
