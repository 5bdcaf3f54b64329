"""Gather `simgen realism` reports of several scenes into one realism payload for the records.

    simgen render scenarios/realism/*.yaml --out out/realism
    for s in out/realism/*; do simgen realism $s --model onnx \\
        --model-arg path=../shared/realism/nanodet_m.onnx \\
        --out out/realism_$(basename $s).json; done
    python tools/realism_record.py out/realism_*.json --look "this branch" --json out/realism.json
    python benchmarks/record.py out/realism.json --summary "..."
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SELECTION = (
    "visible box >= 40 px tall, visibility >= 0.7, truncation <= 0.3; detections scoring >= 0.3, "
    "found at IoU >= 0.5 (a vehicle by any vehicle type); a false positive overlaps no labelled "
    "object at IoU >= 0.5"
)


def scene_row(report: dict, scene: str) -> dict:
    """One scene's row from a `simgen realism --out` report: overall recall per group."""
    detector = report["detector"]
    recall = {
        row["group"]: {"found": row["found"], "total": row["total"]}
        for row in detector["recall"]
        if row["where"] == "all"
    }
    return {
        "scene": scene,
        "images": detector["images"],
        "false_positives_per_image": detector["false_positives_per_image"],
        "recall": recall,
    }


def gather(paths: list[Path], look: str, detector: str) -> dict:
    scenes = []
    for path in paths:
        report = json.loads(path.read_text())
        if not report.get("detector"):
            raise ValueError(f"{path}: no detector section (run simgen realism with --model)")
        scenes.append(scene_row(report, Path(report["dataset"]).name))
    return {"realism": {"detector": detector, "look": look, "selection": SELECTION,
                        "scenes": scenes}}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("reports", type=Path, nargs="+", help="`simgen realism --out` files")
    parser.add_argument("--look", required=True, help="which look was rendered")
    parser.add_argument("--detector", default="nanodet_m")
    parser.add_argument("--json", type=Path, required=True, help="where to write the payload")
    args = parser.parse_args(argv)
    try:
        payload = gather(args.reports, args.look, args.detector)
    except (OSError, ValueError, KeyError) as error:
        print(f"cannot gather the reports: {error}", file=sys.stderr)
        return 1
    args.json.write_text(json.dumps(payload, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
