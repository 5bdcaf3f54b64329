"""The procedural asset catalog (assets/catalog.json, made by tools/generate_assets.py)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

ASSETS_DIR = Path(str(files("simgen_assets")))

Vec3 = tuple[float, float, float]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Part(_Frozen):
    reflectivity: float  # lidar, 905 nm
    color: Vec3  # linear RGB
    semantic_class: str | None = None
    roughness: float = 0.6  # metallic-roughness material for the camera
    metallic: float = 0.0


class Collision(_Frozen):
    """A box of ``size`` whose bottom centre sits at ``center`` in the asset frame."""

    shape: Literal["box"]
    size: Vec3
    center: Vec3 = (0.0, 0.0, 0.0)


class Bone(_Frozen):
    """A body segment's joint: where it hangs from its parent, in the asset's rest pose."""

    parent: str | None
    pivot: Vec3


class AssetEntry(_Frozen):
    kind: Literal["vehicle", "pedestrian", "cyclist", "object", "furniture"]
    semantic_class: str
    mesh: str
    dimensions: Vec3
    mass: float
    collision: Collision
    parts: dict[str, Part]
    lights: dict[str, list[Vec3]]
    family: str | None = None  # the scenario model this body is a variant of
    skeleton: dict[str, Bone] = {}  # segment -> joint; empty for rigid assets

    @property
    def is_pedestrian(self) -> bool:
        return self.kind == "pedestrian"

    def part_class(self, part: str) -> str:
        """The semantic class of a material part: its own (a rider on a bicycle), or the
        asset's."""
        return self.parts[part].semantic_class or self.semantic_class


class Catalog(_Frozen):
    version: int
    assets: dict[str, AssetEntry]

    def __getitem__(self, model: str) -> AssetEntry:
        try:
            return self.assets[model]
        except KeyError:
            raise KeyError(f"no asset '{model}' in the catalog") from None

    def variants(self, family: str) -> list[str]:
        """Concrete models a scenario model stands for: itself, or its body variants."""
        found = sorted(name for name, e in self.assets.items() if e.family == family)
        return found or [family]

    def mesh_path(self, model: str) -> Path:
        return ASSETS_DIR / self[model].mesh


UNIT: Vec3 = (1.0, 1.0, 1.0)


def body_scale(entry: AssetEntry, size: Vec3) -> Vec3:
    """The scale that makes an asset ``size`` (length, width, height) about its box's bottom
    centre: per axis for rigid bodies, the height's ratio on every axis for articulated people
    (so joints, gait and keypoints stay a person's)."""
    ratio = tuple(float(w) / float(d) for w, d in zip(size, entry.dimensions, strict=True))
    if entry.skeleton:
        return (ratio[2], ratio[2], ratio[2])
    return ratio  # type: ignore[return-value]


def sized(entry: AssetEntry, size: Vec3) -> tuple[AssetEntry, Vec3]:
    """An asset entry made ``size`` (``body_scale``) and that scale: its box, its collision box
    and its mass (by volume) scale with it; meshes stay in the catalog and sensors scale them."""
    scale = body_scale(entry, size)
    dims = tuple(float(v) for v in size) if not entry.skeleton else _times(entry.dimensions, scale)
    col = entry.collision
    return (
        entry.model_copy(
            update={
                "dimensions": dims,
                "mass": entry.mass * scale[0] * scale[1] * scale[2],
                "collision": col.model_copy(
                    update={"size": _times(col.size, scale), "center": _times(col.center, scale)}
                ),
            }
        ),
        scale,
    )


def _times(v: Vec3, scale: Vec3) -> Vec3:
    return (v[0] * scale[0], v[1] * scale[1], v[2] * scale[2])


@cache
def load_catalog(path: Path = ASSETS_DIR / "catalog.json") -> Catalog:
    return Catalog.model_validate(json.loads(path.read_text()))
