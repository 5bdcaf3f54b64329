"""Per-actor colours and finishes: car paint from a real-world-like palette, solid or metallic,
dirty or clean, on a trim level (black steel wheels to bright alloys and chrome); clothes from
a wide one."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simgen.core.rng import derive_rng

Color = tuple[float, float, float]

# (linear RGB, weight): roughly the paint colours seen on European roads
PAINT: tuple[tuple[Color, float], ...] = (
    ((0.85, 0.85, 0.85), 0.24),  # white
    ((0.03, 0.03, 0.035), 0.2),  # black
    ((0.45, 0.46, 0.48), 0.17),  # silver
    ((0.2, 0.21, 0.22), 0.14),  # grey
    ((0.06, 0.12, 0.4), 0.1),  # blue
    ((0.5, 0.04, 0.03), 0.08),  # red
    ((0.08, 0.2, 0.1), 0.04),  # green
    ((0.55, 0.45, 0.3), 0.03),  # beige
)
# (linear RGB, weight): city buses and coaches wear an operator's livery, mostly light or bright;
# few are black or metallic grey, as cars so often are
LIVERY: tuple[tuple[Color, float], ...] = (
    ((0.85, 0.85, 0.83), 0.3),  # white
    ((0.8, 0.55, 0.02), 0.15),  # yellow
    ((0.55, 0.04, 0.03), 0.2),  # red
    ((0.05, 0.15, 0.5), 0.15),  # blue
    ((0.05, 0.3, 0.1), 0.1),  # green
    ((0.8, 0.25, 0.02), 0.1),  # orange
)
PAINTED = ("body",)
ROAD_DUST = np.array([0.2, 0.18, 0.14])  # linear RGB of the grime a car picks up
DIRT = (1.3, 4.0)  # beta(a, b) of a car's dirt: most are fairly clean, a few filthy
# trim levels, (weight, wheels and brightwork colour, trim colour): steel wheels painted black,
# silver alloys, polished alloys with chrome
TRIM_LEVELS: tuple[tuple[float, Color, Color], ...] = (
    (0.3, (0.06, 0.06, 0.065), (0.02, 0.02, 0.022)),
    (0.5, (0.4, 0.4, 0.42), (0.02, 0.02, 0.022)),
    (0.2, (0.7, 0.7, 0.72), (0.05, 0.05, 0.055)),
)
DRESSED = ("clothes",)

# linear RGB; skin tones span the Fitzpatrick scale, hair from black to blond and grey
SKIN: tuple[Color, ...] = (
    (0.78, 0.57, 0.44), (0.7, 0.47, 0.34), (0.56, 0.36, 0.24), (0.38, 0.23, 0.14),
    (0.22, 0.13, 0.08), (0.85, 0.66, 0.52),
)  # fmt: skip
HAIR: tuple[Color, ...] = (
    (0.02, 0.015, 0.01), (0.08, 0.045, 0.02), (0.2, 0.12, 0.05), (0.45, 0.33, 0.16),
    (0.5, 0.48, 0.45), (0.25, 0.07, 0.02),
)  # fmt: skip
# clothes: mostly muted (dark, denim, grey, beige), some saturated
CLOTHES: tuple[Color, ...] = (
    (0.02, 0.02, 0.025), (0.05, 0.07, 0.14), (0.1, 0.14, 0.25), (0.3, 0.3, 0.3),
    (0.6, 0.6, 0.58), (0.45, 0.36, 0.22), (0.12, 0.16, 0.08), (0.5, 0.05, 0.04),
    (0.75, 0.72, 0.65), (0.05, 0.2, 0.35), (0.55, 0.35, 0.05), (0.25, 0.05, 0.2),
)  # fmt: skip


def _pick(rng: np.random.Generator, palette: tuple[Color, ...], spread: float = 0.12) -> Color:
    base = np.array(palette[int(rng.integers(len(palette)))])
    return tuple(float(c) for c in np.clip(base * rng.uniform(1 - spread, 1 + spread, 3), 0, 1))  # type: ignore[return-value]


def dress(rng: np.random.Generator) -> dict[str, Color]:
    """Colours of one person's materials: skin, hair, top, trousers or shorts, sleeves, shoes."""
    skin = _pick(rng, SKIN, 0.06)
    top = _pick(rng, CLOTHES)
    bottom = _pick(rng, CLOTHES)
    short_sleeves = rng.random() < 0.3
    shorts = rng.random() < 0.15
    return {
        "skin": skin,
        "hair": _pick(rng, HAIR, 0.1),
        "top": top,
        "sleeve": skin if short_sleeves else top,
        "bottom": bottom,
        "shin": skin if shorts else bottom,
        "shoes": _pick(rng, ((0.02, 0.02, 0.02), (0.7, 0.7, 0.68), (0.15, 0.08, 0.04)), 0.1),
        "clothes": top,
    }


Finish = tuple[float, float]  # roughness, metallic


@dataclass(frozen=True)
class Appearance:
    """Colour and paint-finish overrides per (actor name, part); parts not listed keep the
    catalog's."""

    colors: dict[tuple[str, str], Color]
    finishes: dict[tuple[str, str], Finish] = field(default_factory=dict)

    def color(self, actor: str, part: str, default: Color) -> Color:
        return self.colors.get((actor, part), default)

    def finish(self, actor: str, part: str, default: Finish) -> Finish:
        return self.finishes.get((actor, part), default)


TRIM_WEIGHTS = np.array([w for w, _, _ in TRIM_LEVELS]) / sum(w for w, _, _ in TRIM_LEVELS)


def paint_finish(rng: np.random.Generator) -> Finish:
    """Solid or metallic paint under a clear coat, glossy to dull (dirt, age). Both sit high
    on the metal scale: in the camera's sky-environment shading that is what mirrors the sky
    and the street in a body's panels, as a clear coat does."""
    if rng.random() < 0.5:  # metallic: flakes under a clear coat
        return float(rng.uniform(0.2, 0.35)), float(rng.uniform(0.85, 0.95))
    return float(rng.uniform(0.25, 0.4)), float(rng.uniform(0.75, 0.85))


def _draw_color(rng: np.random.Generator, palette: tuple[tuple[Color, float], ...]) -> np.ndarray:
    """One colour of a weighted palette."""
    weights = np.array([w for _, w in palette])
    return np.array(palette[int(rng.choice(len(palette), p=weights / weights.sum()))][0])


def draw_appearance(
    seed: int,
    variant: int,
    actors: list[tuple[str, str]],
    cars: frozenset[str] = frozenset(),
    buses: frozenset[str] = frozenset(),
) -> Appearance:
    """Colours for (name, kind) road users; each actor has its own stream, keyed by name. The
    vehicles named in ``cars`` (whose ``metal`` part is their wheels) get a trim level, those
    in ``buses`` an operator's livery."""
    colors: dict[tuple[str, str], Color] = {}
    finishes: dict[tuple[str, str], Finish] = {}
    for name, kind in actors:
        rng = derive_rng(seed, variant, f"appearance/{name}")
        if kind == "vehicle":
            base = _draw_color(rng, LIVERY if name in buses else PAINT)
            shade = base * rng.uniform(0.9, 1.1)
            roughness, metallic = paint_finish(rng)  # drawn after the colour: it stays
            dirt = float(rng.beta(*DIRT))  # then dirt and trim: the draws before them stay
            level = TRIM_LEVELS[int(rng.choice(len(TRIM_LEVELS), p=TRIM_WEIGHTS))]
            dirty = (1.0 - 0.4 * dirt) * shade + 0.4 * dirt * ROAD_DUST
            colors[(name, "body")] = tuple(float(c) for c in np.clip(dirty, 0, 1))  # type: ignore[assignment]
            finishes[(name, "body")] = (min(0.6, roughness + 0.3 * dirt), metallic)
            if name in cars:
                colors[(name, "metal")], colors[(name, "trim")] = level[1], level[2]
        elif kind in ("pedestrian", "cyclist"):
            colors |= {(name, material): c for material, c in dress(rng).items()}
    return Appearance(colors, finishes)
