"""Draw what a detector found on one frame of a rendered dataset, for the realism report.

    python tools/realism_overlay.py out/realism/vehicles_day_street --variant 0 --frame 0 \\
        --model-arg path=../shared/realism/nanodet_m.onnx --out docs/gallery/vehicles_day.jpg

Selected vehicles and people (``simgen realism``'s selection) found in green, missed in red,
objects the selection does not count in grey, the detections that score enough in yellow.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

from simgen.dataset.reader import open_dataset
from simgen.eval.errors import EvalError
from simgen.eval.models import load_model
from simgen.eval.realism import FrameMatch, match_frame

GREEN, RED, GREY, YELLOW = (0, 200, 0), (0, 0, 230), (150, 150, 150), (0, 220, 255)  # BGR


def draw(image: np.ndarray, match: FrameMatch) -> np.ndarray:
    """The frame (BGR) with the match's boxes drawn on it."""
    out = image.copy()

    def box(b: tuple[float, float, float, float], colour: tuple[int, int, int], width: int) -> None:
        x0, y0, x1, y1 = (round(v) for v in b)
        cv2.rectangle(out, (x0, y0), (x1 - 1, y1 - 1), colour, width, cv2.LINE_8)

    for group in ("vehicle", "person"):
        for truth, hit in zip(match.members(group), match.found.get(group, ()), strict=True):
            box(truth.box, (GREEN if hit else RED) if truth.counts else GREY, 2)
    for det in match.detections:
        box((det.box[0], det.box[1], det.box[2] + 1.0, det.box[3] + 1.0), YELLOW, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path, help="a rendered scenario's folder")
    parser.add_argument("--variant", type=int, default=0)
    parser.add_argument("--frame", type=int, default=0)
    parser.add_argument("--model", default="onnx")
    parser.add_argument("--model-arg", action="append", default=[], help="KEY=VALUE")
    parser.add_argument("--out", type=Path, required=True, help="the image to write (.jpg)")
    args = parser.parse_args(argv)
    try:
        model = load_model(args.model, dict(a.split("=", 1) for a in args.model_arg))
        variant = list(open_dataset(args.dataset))[args.variant]
        camera = variant.cameras("rgb", "instance")[0]
        frame = list(variant.frames())[args.frame]
        match = match_frame(frame, variant, camera, model)
    except (EvalError, OSError, IndexError, ValueError) as error:
        print(f"cannot draw {args.dataset}: {error}", file=sys.stderr)
        return 1
    image = draw(cv2.cvtColor(frame.rgb(camera), cv2.COLOR_RGB2BGR), match)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 88])
    if not ok:
        print(f"cannot encode {args.out}", file=sys.stderr)
        return 1
    args.out.write_bytes(data.tobytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
