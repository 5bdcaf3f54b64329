"""Before/after pictures of every injector on one shared scene, for the README and for review.

python tools/edge_case_gallery.py --out docs/gallery [--only fog rain]

Each picture is a 2 x 2 sheet of one frame: camera before | after on top, lidar bird's-eye view
before | after below (points coloured by class; fog and rain scatter is light blue).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from simgen.injectors import MODELS, apply_injectors
from simgen.inspect.overview import lidar_bev
from simgen.pipeline.capture import capture
from simgen.scenario import load_scenario, sample
from simgen.scenario.models import Scenario
from simgen.sensors.frames import CameraFrame

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "edge_cases" / "sudden_brake.yaml"
TILE = (480, 270)

# injector -> (its parameters, the time shown)
SHOWN: dict[str, tuple[dict, float]] = {
    "crash": ({"actor": "neighbour", "target": "lead", "at": 1.0}, 3.0),
    "accident_scene": ({"ahead": 20}, 2.5),
    "jaywalker": ({"ahead": 30, "at": 0.2, "speed": 1.8}, 2.2),
    "cut_in": ({"gap": 5, "at": 0.5, "duration": 1.2}, 1.5),
    "sudden_brake": ({"actor": "lead", "at": 0.5, "decel": 9}, 2.5),
    "wrong_way": ({"ahead": 70, "speed": 12}, 2.6),
    "stalled_vehicle": ({"ahead": 25}, 0.5),
    "debris": ({"ahead": 12, "count": 8}, 0.5),
    "fog": ({"density": 0.03}, 0.5),
    "rain": ({"rate": 40}, 0.5),
    "low_light": ({"ev": -4, "night": True}, 0.5),
    "glare": ({"elevation": 5}, 0.5),
    "lidar_beam_dropout": ({"rings": [8, 9, 10, 11, 20]}, 0.5),
    "lidar_sector_blockage": ({"azimuth": [-40, 25]}, 0.5),
    "camera_occlusion": ({"kind": "dirt", "coverage": 0.15}, 0.5),
    "camera_noise": ({"gain_ev": 5}, 0.5),
    "motion_blur": ({"exposure": 0.08}, 0.5),
    "overexposure": ({"ev": 2.5}, 0.5),
    "blackout": ({}, 0.5),
    "frame_drop": ({"probability": 1.0}, 0.5),
    "stuck_frame": ({"at": 0.5}, 2.5),
}


def _frame(scenario: Scenario, time: float) -> tuple[CameraFrame, np.ndarray]:
    instance = apply_injectors(sample(scenario, 0))
    index = round(time * scenario.frame_rate)
    (found,) = capture(instance, only=frozenset({index}))
    return found.data["cam_front"], found.data["lidar_top"]  # type: ignore[return-value]


def sheet(kind: str) -> np.ndarray:
    params, time = SHOWN[kind]
    base = load_scenario(BASE).scenario.model_copy(update={"injectors": []})
    injector = MODELS[kind].model_validate({"type": kind, **params})
    after = base.model_copy(update={"injectors": [injector]})
    tiles = []
    for scenario in (base, after):
        camera, points = _frame(scenario, time)
        rgb = cv2.resize(cv2.cvtColor(camera.rgb, cv2.COLOR_RGB2BGR), TILE, cv2.INTER_AREA)
        tiles.append((rgb, lidar_bev(points, TILE[::-1])))
    top = np.hstack([tiles[0][0], tiles[1][0]])
    bottom = np.hstack([tiles[0][1], tiles[1][1]])
    out = np.vstack([top, bottom])
    for x, text in ((8, "before"), (TILE[0] + 8, f"{kind} {params}")):
        cv2.putText(out, text, (x, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(out, text, (x, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1,
                    cv2.LINE_AA)  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "gallery")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for kind in args.only or SHOWN:
        path = args.out / f"{kind}.jpg"
        cv2.imwrite(str(path), sheet(kind), [cv2.IMWRITE_JPEG_QUALITY, 85])
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
