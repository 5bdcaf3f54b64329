"""Procedural surface textures for tools/generate_assets.py (PNG, small, seeded).

Grey textures multiply a surface's colour (asphalt grain, worn paint, slab joints, kerb stones,
grass, leaves); facade textures carry their own colours (windows, frames, doors) and multiply
the wall tint. Each tiles seamlessly: noise is made periodic by filtering in the Fourier domain.
"""

from __future__ import annotations

import cv2
import numpy as np

SIZE = 256


def periodic_noise(rng: np.random.Generator, size: int, scale: float) -> np.ndarray:
    """Tileable noise with features about ``scale`` pixels wide, normalised to [-1, 1]."""
    white = rng.normal(size=(size, size))
    f = np.fft.fftfreq(size)
    radius = np.hypot(f[:, None], f[None, :])
    shaped = np.fft.ifft2(np.fft.fft2(white) * np.exp(-((radius * scale) ** 2))).real
    return shaped / (np.abs(shaped).max() + 1e-9)


def _grey(values: np.ndarray) -> np.ndarray:
    return np.clip(np.round(values * 255), 0, 255).astype(np.uint8)


def asphalt(rng: np.random.Generator) -> np.ndarray:
    """Aggregate grain, darker repair patches and lighter worn wheel paths."""
    grain = periodic_noise(rng, SIZE, 0.6) * 0.12 + periodic_noise(rng, SIZE, 3) * 0.06
    patches = np.clip(periodic_noise(rng, SIZE, 40) - 0.45, 0, 1) * -0.3
    stones = (rng.random((SIZE, SIZE)) < 0.01) * rng.uniform(0.05, 0.2, (SIZE, SIZE))
    return _grey(0.82 + grain + patches + stones)


def worn_paint(rng: np.random.Generator) -> np.ndarray:
    """Road paint: bright, with worn spots where the asphalt shows through."""
    wear = np.clip(periodic_noise(rng, SIZE, 6) + periodic_noise(rng, SIZE, 1.5) * 0.4, -1, 1)
    return _grey(np.where(wear > 0.45, 0.35, 0.95 + 0.04 * wear))


def slabs(rng: np.random.Generator, per_tile: int = 4) -> np.ndarray:
    """Paving slabs (per_tile x per_tile a tile) with joints and a brightness per slab."""
    cell = SIZE // per_tile
    out = np.zeros((SIZE, SIZE))
    for i in range(per_tile):
        for j in range(per_tile):
            out[i * cell : (i + 1) * cell, j * cell : (j + 1) * cell] = rng.uniform(0.8, 0.95)
    out += periodic_noise(rng, SIZE, 1.0) * 0.05
    joints = (np.arange(SIZE) % cell) < 3
    out[joints, :] *= 0.55
    out[:, joints] *= 0.55
    return _grey(out)


def kerb(rng: np.random.Generator, stones: int = 2) -> np.ndarray:
    """Kerb stones along u, a joint every stone."""
    cell = SIZE // stones
    out = np.ones((SIZE, SIZE)) * 0.9 + periodic_noise(rng, SIZE, 1.0) * 0.06
    for k in range(stones):
        out[:, k * cell : (k + 1) * cell] *= rng.uniform(0.88, 1.0)
    out[:, (np.arange(SIZE) % cell) < 3] *= 0.5
    return _grey(out)


def foliage(rng: np.random.Generator) -> np.ndarray:
    """A crown's leaves: clumps with deep shade between them, leaf-sized speckle and a few
    bright leaves catching the light, so a crown reads as foliage, not as a green blob (flat
    crowns above cars were taken for the roofs of trucks and buses)."""
    clumps = periodic_noise(rng, SIZE, 8)
    shade = np.where(clumps < -0.25, 0.35, 0.8 + 0.25 * clumps)
    leaves = periodic_noise(rng, SIZE, 1.2) * 0.22
    bright = (rng.random((SIZE, SIZE)) < 0.03) * rng.uniform(0.1, 0.35, (SIZE, SIZE))
    return _grey(np.clip(shade + leaves + bright, 0.0, 1.0))


def grass(rng: np.random.Generator) -> np.ndarray:
    blades = periodic_noise(rng, SIZE, 0.8) * 0.15
    tufts = periodic_noise(rng, SIZE, 12) * 0.15
    return _grey(0.8 + blades + tufts)


WALL = np.array([0.92, 0.92, 0.9])
GLASS_TOP, GLASS_BOTTOM = np.array([0.45, 0.52, 0.6]), np.array([0.12, 0.14, 0.17])
FRAME = np.array([0.95, 0.95, 0.95])


def _window(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, frame: int = 4) -> None:
    img[y0:y1, x0:x1] = FRAME
    t = np.linspace(0, 1, y1 - y0 - 2 * frame)[:, None, None]
    img[y0 + frame : y1 - frame, x0 + frame : x1 - frame] = GLASS_TOP * (1 - t) + GLASS_BOTTOM * t
    mid = (x0 + x1) // 2
    img[y0:y1, mid - 1 : mid + 2] = FRAME  # mullion
    img[y1 : y1 + 4, x0 - 4 : x1 + 4] = 0.7  # sill


def facade_upper(rng: np.random.Generator, bays: int = 4) -> np.ndarray:
    """One storey of ``bays`` window bays (3 m each): the texture repeats up the building."""
    img = np.ones((SIZE, SIZE, 3)) * WALL * (1 + periodic_noise(rng, SIZE, 2)[..., None] * 0.04)
    cell = SIZE // bays
    for k in range(bays):
        x0 = k * cell + cell // 5
        _window(img, x0, SIZE // 5, x0 + cell * 3 // 5, SIZE * 3 // 4)
    img[-6:] *= 0.8  # the floor band
    return np.clip(np.round(img * 255), 0, 255).astype(np.uint8)[..., ::-1]


def facade_ground(rng: np.random.Generator, bays: int = 4) -> np.ndarray:
    """The ground storey: a door, shop windows and a window, with a plinth."""
    img = np.ones((SIZE, SIZE, 3)) * WALL * 0.9
    cell = SIZE // bays
    for k in range(bays):
        x0 = k * cell + cell // 6
        x1 = x0 + cell * 2 // 3
        if k == 1:  # door: dark wood, full height to the plinth
            img[SIZE // 4 : SIZE - 10, x0 + cell // 10 : x1 - cell // 10] = (0.25, 0.16, 0.1)
            img[SIZE // 4 : SIZE // 4 + 5, x0:x1] = 0.75
        elif k == 2:  # shop window, low and wide
            _window(img, x0 - cell // 10, SIZE // 5, x1 + cell // 10, SIZE - 24, frame=5)
        else:
            _window(img, x0, SIZE // 4, x1, SIZE * 2 // 3)
    img[-10:] = 0.45  # plinth
    return np.clip(np.round(img * 255), 0, 255).astype(np.uint8)[..., ::-1]


TEXTURES = {
    "asphalt": asphalt,
    "marking": worn_paint,
    "slabs": slabs,
    "kerb": kerb,
    "grass": grass,
    "foliage": foliage,
    "facade_upper": facade_upper,
    "facade_ground": facade_ground,
}


# each texture's stream: the first seven in their old sorted order, new ones after them, so a
# new texture leaves the committed ones as they are
STREAMS = {
    name: k
    for k, name in enumerate(
        ("asphalt", "facade_ground", "facade_upper", "grass", "kerb", "marking", "slabs", "foliage")
    )
}


def texture_png(name: str, seed: int = 20261123) -> bytes:
    rng = np.random.default_rng([seed, STREAMS[name]])
    ok, data = cv2.imencode(".png", TEXTURES[name](rng), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    assert ok
    return data.tobytes()
