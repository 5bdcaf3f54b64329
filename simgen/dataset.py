"""Reading native datasets back: exports and evaluation start here, never at the simulator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from simgen.writers.native import MANIFEST


class DatasetError(Exception):
    """A folder that is not a (complete) native dataset."""


@dataclass(frozen=True)
class Variant:
    """One complete (scenario, variant) folder of a native dataset."""

    root: Path
    manifest: dict[str, Any]

    @property
    def scenario(self) -> str:
        return self.manifest["scenario"]

    @property
    def variant(self) -> int:
        return int(self.manifest["variant"])

    @property
    def frames(self) -> list[dict[str, Any]]:
        return self.manifest["frames"]

    @property
    def calibration(self) -> dict[str, Any]:
        return self.manifest["calibration"]

    @property
    def instance(self) -> dict[str, Any]:
        """The concrete scenario this variant was rendered from."""
        return self.manifest["instance"]

    def cameras(self) -> list[str]:
        return [n for n, c in self.calibration.items() if c["type"] == "camera"]

    def lidars(self) -> list[str]:
        return [n for n, c in self.calibration.items() if c["type"] == "lidar"]

    def labels(self, frame: int) -> dict[str, Any]:
        return json.loads((self.root / f"labels/{frame:06d}.json").read_text())

    def file(self, rel: str) -> Path:
        if rel not in self.manifest["files"]:
            raise DatasetError(f"{self.root}: no file {rel} in the manifest")
        return self.root / rel

    def image(self, camera: str, output: str, frame: int) -> Path:
        return self.file(f"{camera}/{output}/{frame:06d}.png")

    def lidar_points(self, lidar: str, frame: int) -> np.ndarray:
        return np.load(self.file(f"{lidar}/{frame:06d}.npy"))

    @cached_property
    def key(self) -> str:
        return f"{self.scenario}_{self.variant:04d}"


def find_variants(root: str | Path) -> list[Variant]:
    """Every complete variant below ``root``, sorted by (scenario, variant)."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: no such dataset folder")
    out = []
    for manifest in root.rglob(MANIFEST):
        data = json.loads(manifest.read_text())
        if data.get("complete") and "calibration" in data:
            out.append(Variant(manifest.parent, data))
    if not out:
        raise DatasetError(f"{root}: no complete variant (no manifest.json) below it")
    return sorted(out, key=lambda v: (v.scenario, v.variant))
