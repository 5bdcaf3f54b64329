"""Pictures of simgen's look for the README and for review, from scenarios/appearance/.

python tools/appearance_gallery.py --out docs/gallery

- appearance_light.jpg: the gallery street by day, at dusk and at night;
- appearance_randomized.jpg: four variants with ``environment.randomize: true``;
- appearance_vehicles.jpg: every vehicle and rider model (tools/preview_assets.py's view);
- appearance_people.jpg: the people of three variants of the HOG scene (standing, walking,
  crossing, children) and riders, cut out of their frames by their instance masks.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

from simgen.labels.derive import mask_boxes
from simgen.pipeline.capture import capture
from simgen.scenario import load_scenario, sample
from simgen.scenario.models import Scenario
from simgen.sensors.frames import CameraFrame
from simgen.sensors.pyrender.compat import import_pyrender

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from preview_assets import render_asset  # noqa: E402

STREET = ROOT / "scenarios" / "appearance" / "gallery_street.yaml"
CROSSING = ROOT / "scenarios" / "appearance" / "people_crossing.yaml"
TILE = (640, 360)


def frame(scenario: Scenario, variant: int = 0, index: int = 4) -> tuple[CameraFrame, dict]:
    (found,) = capture(sample(scenario, variant), only=frozenset({index}))
    camera = found.data["cam_front"]
    names = {a.id: a.name for a in found.state.actors}
    return camera, names  # type: ignore[return-value]


def label(image: np.ndarray, text: str) -> np.ndarray:
    (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
    cv2.rectangle(image, (0, 0), (w + 10, h + 10), (0, 0, 0), -1)
    cv2.putText(image, text, (5, h + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1,
                cv2.LINE_AA)  # fmt: skip
    return image


def tile(camera: CameraFrame, text: str) -> np.ndarray:
    bgr = cv2.cvtColor(camera.rgb, cv2.COLOR_RGB2BGR)
    return label(cv2.resize(bgr, TILE, interpolation=cv2.INTER_AREA), text)


def grid(tiles: list[np.ndarray], cols: int) -> np.ndarray:
    blank = np.zeros_like(tiles[0])
    tiles = tiles + [blank] * (-len(tiles) % cols)
    return np.vstack([np.hstack(tiles[i : i + cols]) for i in range(0, len(tiles), cols)])


def crops(camera: CameraFrame, names: dict, wanted: list[str], size: int = 240) -> np.ndarray:
    """Each named actor cut out of the frame around its instance mask, scaled to one height."""
    boxes = mask_boxes(camera.instance)
    by_name = {name: i for i, name in names.items()}
    bgr = cv2.cvtColor(camera.rgb, cv2.COLOR_RGB2BGR)
    out = []
    for name in wanted:
        found = boxes.get(by_name.get(name, -1))
        if found is None:
            continue
        x0, y0, x1, y1 = found[0]
        pad = max(4, (y1 - y0) // 8)
        x0, y0 = max(0, x0 - pad), max(0, y0 - pad)
        x1, y1 = min(bgr.shape[1], x1 + pad), min(bgr.shape[0], y1 + pad)
        crop = bgr[y0:y1, x0:x1]
        scale = size / crop.shape[0]
        crop = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), size),
                          interpolation=cv2.INTER_CUBIC)  # fmt: skip
        out.append(label(crop, f"{name} ({y1 - y0} px)"))
    return np.hstack(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "gallery")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    street = load_scenario(STREET).scenario

    def lit(elevation: float, lamps: bool) -> Scenario:
        env = street.environment.model_copy(
            update={
                "sun": street.environment.sun.model_copy(update={"elevation": elevation}),
                "street_lights": lamps,
            }
        )
        return street.model_copy(update={"environment": env})

    day, names_day = frame(lit(45, False))
    tiles = [tile(day, "day: sun 45 deg"), tile(frame(lit(4, False))[0], "dusk: sun 4 deg")]
    tiles.append(tile(frame(lit(-12, True))[0], "night: street lights, headlights"))
    cv2.imwrite(
        str(args.out / "appearance_light.jpg"), grid(tiles, 3), [cv2.IMWRITE_JPEG_QUALITY, 88]
    )

    randomized = street.model_copy(
        update={"environment": street.environment.model_validate({"randomize": True})}
    )
    tiles = [tile(frame(randomized, v)[0], f"randomize: true, variant {v}") for v in range(4)]
    cv2.imwrite(str(args.out / "appearance_randomized.jpg"), grid(tiles, 2),
                [cv2.IMWRITE_JPEG_QUALITY, 88])  # fmt: skip

    catalog = json.loads((ROOT / "assets" / "catalog.json").read_text())["assets"]
    pyrender = import_pyrender()
    models = [m for m, e in catalog.items() if e["kind"] in ("vehicle", "cyclist")]
    sheet = grid([render_asset(pyrender, m, catalog[m], 300) for m in models], 4)
    cv2.imwrite(str(args.out / "appearance_vehicles.jpg"), sheet, [cv2.IMWRITE_JPEG_QUALITY, 88])
    crossing = load_scenario(CROSSING).scenario
    strips = []
    for variant in range(3):
        camera, names = frame(crossing, variant, 3)
        strips.append(crops(camera, names, sorted(names.values()), 260))
    strips.append(crops(day, names_day, ["cyclist", "rider", "walker_near"], 260))
    width = max(s.shape[1] for s in strips)
    people = np.vstack([np.pad(s, ((0, 0), (0, width - s.shape[1]), (0, 0))) for s in strips])
    cv2.imwrite(str(args.out / "appearance_people.jpg"), people, [cv2.IMWRITE_JPEG_QUALITY, 88])
    for name in ("light", "randomized", "vehicles", "people"):
        print(f"wrote {args.out / f'appearance_{name}.jpg'}")


if __name__ == "__main__":
    main()
