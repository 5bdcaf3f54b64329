"""Per-actor colours: car paint from a real-world-like palette, clothes from a wide one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simgen.rng import derive_rng

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
PAINTED = ("body",)
DRESSED = ("clothes",)


@dataclass(frozen=True)
class Appearance:
    """Colour overrides per (actor name, part); parts not listed keep the catalog colour."""

    colors: dict[tuple[str, str], Color]

    def color(self, actor: str, part: str, default: Color) -> Color:
        return self.colors.get((actor, part), default)


def draw_appearance(seed: int, variant: int, actors: list[tuple[str, str]]) -> Appearance:
    """Colours for (name, kind) road users; each actor has its own stream, keyed by name."""
    colors: dict[tuple[str, str], Color] = {}
    weights = np.array([w for _, w in PAINT])
    for name, kind in actors:
        rng = derive_rng(seed, variant, f"appearance/{name}")
        if kind == "vehicle":
            base = np.array(PAINT[int(rng.choice(len(PAINT), p=weights / weights.sum()))][0])
            shade = base * rng.uniform(0.9, 1.1)
            colors[(name, "body")] = tuple(float(c) for c in np.clip(shade, 0, 1))  # type: ignore[assignment]
        elif kind in ("pedestrian", "cyclist"):
            hue = rng.uniform(0.05, 0.7, size=3)
            colors[(name, "clothes")] = tuple(float(c) for c in hue)  # type: ignore[assignment]
    return Appearance(colors)
