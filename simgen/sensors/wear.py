"""Per-variant wear of the static world: each textured surface's shade and where its texture's
tiles fall (so repairs, cracks and worn paint move from variant to variant), and a plaster
colour per building, drawn from the scenario seed.

Camera-only, like the textures themselves: geometry, lidar returns and labels are untouched.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from simgen.sensors.scene import Placed
from simgen.sensors.surfaces import FACADE_GROUND, FACADE_UPPER, NIGHT_FACADES

FACADES = (
    FACADE_GROUND.texture,
    FACADE_UPPER.texture,
    *(f.tiling.texture for f in NIGHT_FACADES.values()),
)

# brightness range per ground texture: fresh dark asphalt to worn grey, clean to dirty paint
SHADE: dict[str, tuple[float, float]] = {
    "asphalt": (0.8, 1.2),
    "marking": (0.85, 1.05),
    "slabs": (0.85, 1.1),
    "kerb": (0.85, 1.1),
    "grass": (0.85, 1.1),
}
# render plaster, as factors on the facade texture: white, cream, beige, grey, rose, ochre, brick
PLASTER: tuple[tuple[float, float, float], ...] = (
    (1.0, 1.0, 1.0), (1.0, 0.94, 0.82), (0.93, 0.84, 0.7), (0.82, 0.82, 0.82),
    (1.0, 0.88, 0.84), (0.95, 0.8, 0.55), (0.78, 0.5, 0.4),
)  # fmt: skip


def vary_surfaces(parts: list[Placed], rng: np.random.Generator) -> list[Placed]:
    """The static parts with this variant's shades, tile offsets and plaster colours. One tile
    offset per texture keeps neighbouring surfaces continuous; facades only shift along the
    wall, so their storeys stay on their floors."""
    textures = sorted({p.texture for p in parts if p.texture is not None})
    offsets = {t: rng.uniform(0.0, 1.0, 2) * (1.0, 0.0 if t in FACADES else 1.0) for t in textures}
    shades = {t: _shade(t, rng) for t in textures if t not in FACADES}
    buildings = sorted({_building(p) for p in parts if p.texture in FACADES})
    plaster = {b: np.array(PLASTER[int(rng.integers(len(PLASTER)))]) for b in buildings}
    out = []
    for p in parts:
        if p.texture is None or p.part.uv is None:
            out.append(p)
            continue
        tint = plaster[_building(p)] if p.texture in FACADES else shades[p.texture]
        color = tuple(float(c) for c in np.clip(np.asarray(p.color) * tint, 0.0, 1.0))
        uv = p.part.uv + offsets[p.texture]
        out.append(dataclasses.replace(p, part=dataclasses.replace(p.part, uv=uv), color=color))
    return out


def _shade(texture: str, rng: np.random.Generator) -> np.ndarray:
    lo, hi = SHADE.get(texture, (0.9, 1.1))
    shade = np.full(3, rng.uniform(lo, hi))
    if texture == "grass":  # greener or drier
        shade *= rng.uniform((0.9, 0.95, 0.85), (1.1, 1.05, 1.0))
    return shade


def _building(part: Placed) -> str:
    """Facade parts are keyed ``static/<object index>/<texture>``: both storeys of a building
    share its plaster."""
    return part.part.key.rsplit("/", 1)[0]
