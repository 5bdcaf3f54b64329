"""Which texture a static surface wears, and its texture coordinates.

Textures are camera-only detail (lidar and labels see the same geometry): road grain, worn
paint, paving slabs, kerb stones, grass, leaves and facades. Coordinates come from world metres
by box projection (each triangle onto the axis plane it faces most), so tiles keep their real
size on every surface and never stretch on walls.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from simgen.sensors.sign_faces import parse_texture_name, sign_face
from simgen.world.assets import ASSETS_DIR


@dataclass(frozen=True)
class Tiling:
    texture: str
    metres_u: float  # one texture tile spans this many metres along u
    metres_v: float
    v_origin: float = 0.0  # height where v = 0 on walls (facades start their storey there)


BY_CLASS: dict[str, Tiling] = {
    "road": Tiling("asphalt", 7.0, 7.0),
    "lane_marking": Tiling("marking", 2.0, 2.0),
    "sidewalk": Tiling("slabs", 2.0, 2.0),
    "kerb": Tiling("kerb", 2.0, 0.5),
    "terrain": Tiling("grass", 5.0, 5.0),
}
FOLIAGE = Tiling("foliage", 2.0, 2.0)  # a tree's leaves, projected like any other surface
GROUND_STOREY = 3.5  # metres: shop fronts and doors below, repeating storeys above
STOREY = 3.0
FACADE_BAYS = 12.0  # metres: a facade texture holds four 3 m bays
FACADE_GROUND = Tiling("facade_ground", FACADE_BAYS, GROUND_STOREY)
FACADE_UPPER = Tiling("facade_upper", FACADE_BAYS, STOREY, GROUND_STOREY)


@dataclass(frozen=True)
class NightFacade:
    """A facade texture at night: ``storeys`` x ``repeats`` of its day tile in one tile, so
    that each window of it is lit or dark on its own (a one-storey tile would light whole
    columns), a window lit with probability ``lit``."""

    day: Tiling
    storeys: int
    repeats: int
    lit: float

    @property
    def tiling(self) -> Tiling:
        day = self.day
        return Tiling(
            f"{day.texture}{NIGHT}",
            day.metres_u * self.repeats,
            day.metres_v * self.storeys,
            day.v_origin,
        )


NIGHT = "_night"
BAYS_PER_TILE = 4  # window bays across a facade texture
# a third of the flats have a light on, a fifth of the shops (more, and rows of lit shop windows
# read as buses to a detector trained on real photographs)
NIGHT_FACADES = {
    f.day.texture: f
    for f in (NightFacade(FACADE_UPPER, 6, 2, 0.3), NightFacade(FACADE_GROUND, 1, 2, 0.2))
}
# lit windows' colours (sRGB): warm bulbs mostly, some cool LED and a television's blue
WINDOW_LIGHTS = ((255, 196, 120), (255, 214, 160), (255, 180, 95), (215, 225, 255))


@cache
def texture_image(name: str) -> np.ndarray:
    """(H, W, 3) uint8 RGB, as committed in assets/textures (sign faces and night facades are
    drawn)."""
    if name.startswith("sign_"):
        return sign_face(*parse_texture_name(name))
    if name.endswith(NIGHT):
        night = NIGHT_FACADES[name.removesuffix(NIGHT)]
        return np.tile(texture_image(night.day.texture), (night.storeys, night.repeats, 1))
    image = cv2.imread(str(ASSETS_DIR / "textures" / f"{name}.png"), cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(f"missing texture {name}.png in {ASSETS_DIR / 'textures'}")
    return np.ascontiguousarray(image[..., ::-1])


def glow_image(name: str) -> np.ndarray | None:
    """A texture's light of its own, (H, W, 3) uint8 sRGB, or None: a night facade's lit
    windows (its glass, found by colour: bluish and darker than the wall)."""
    if not name.endswith(NIGHT):
        return None
    return _window_glow(name)


@cache
def _window_glow(name: str) -> np.ndarray:
    night = NIGHT_FACADES[name.removesuffix(NIGHT)]
    day = texture_image(night.day.texture).astype(np.int16)
    glass = (day[..., 2] - day[..., 0] > 6) & (day.max(axis=2) < 180)
    h, w = glass.shape
    rng = np.random.default_rng([20261130, sorted(NIGHT_FACADES).index(night.day.texture)])
    bays = night.repeats * BAYS_PER_TILE
    lit = rng.random((night.storeys, bays)) < night.lit
    colour = np.asarray(WINDOW_LIGHTS, np.float64)[rng.integers(len(WINDOW_LIGHTS), size=lit.shape)]
    # a lamp deep in the room, a curtain, a ceiling light: each window as bright as its own
    colour = np.round(colour * rng.uniform(0.35, 1.0, lit.shape)[..., None]).astype(np.uint8)
    # each window a cell of the tile: storey by row, bay by column
    cells = np.zeros((night.storeys * h, bays * (w // BAYS_PER_TILE), 3), np.uint8)
    cells[:] = np.repeat(np.repeat(colour * lit[..., None], h, 0), w // BAYS_PER_TILE, 1)
    mask = np.tile(glass, (night.storeys, night.repeats))
    return np.ascontiguousarray(cells * mask[..., None])


def box_uv(
    vertices: np.ndarray, faces: np.ndarray, tiling: Tiling
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices unshared per triangle, new faces, and (V, 2) texture coordinates. Walls take u
    along the wall and v up it; ground takes u, v from x, y."""
    corners = vertices[faces]  # (F, 3, 3)
    normal = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    axis = np.argmax(np.abs(normal), axis=1)  # 0: faces x, 1: faces y, 2: faces up
    u_coord = np.where(axis[:, None] == 0, corners[..., 1], corners[..., 0])
    v_coord = np.where(axis[:, None] == 2, corners[..., 1], corners[..., 2] - tiling.v_origin)
    uv = np.stack([u_coord / tiling.metres_u, v_coord / tiling.metres_v], axis=-1)
    flat = corners.reshape(-1, 3)
    return flat, np.arange(len(flat), dtype=np.int32).reshape(-1, 3), uv.reshape(-1, 2)
