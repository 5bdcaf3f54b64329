"""Top-down plot of a simulated scenario: road surfaces, furniture and every road user's track.

python tools/plot_topdown.py scenarios/default.yaml --variant 0 --out topdown.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Polygon

from simgen.core.classes import BY_NAME
from simgen.core.geometry import footprint
from simgen.scenario import load_scenario, sample
from simgen.world.assets import load_catalog
from simgen.world.simulate import simulate, trajectories


def plot(scenario_path: Path, variant: int, out: Path) -> None:
    instance = sample(load_scenario(scenario_path).scenario, variant)
    states = list(simulate(instance))
    static = states[0].static
    fig, ax = plt.subplots(figsize=(14, 8))
    for surface in static.surfaces:
        color = [c / 255 for c in BY_NAME[surface.semantic_class].color]
        if surface.semantic_class == "road":
            color = (0.35, 0.35, 0.38)
        for tri in surface.mesh.triangles:
            ax.add_patch(Polygon(tri[:, :2], closed=True, color=color, lw=0, zorder=1))
    catalog = load_catalog()
    for obj in static.objects:
        entry = catalog[obj.model]
        length, width = entry.dimensions[0] * obj.scale[0], entry.dimensions[1] * obj.scale[1]
        corners = footprint(obj.position[0], obj.position[1], obj.yaw, length, width)
        color = [c / 255 for c in BY_NAME[entry.semantic_class].color]
        ax.add_patch(Polygon(corners, closed=True, color=color, alpha=0.6, zorder=2))
    tracks = trajectories(states)
    cmap = plt.get_cmap("tab10")
    for i, (name, track) in enumerate(tracks.items()):
        color = cmap(i % 10)
        ax.plot(track[:, 0], track[:, 1], "-", color=color, lw=1.5, zorder=3, label=name)
        for state in (states[0], states[-1]):
            a = state.actor(name)
            corners = footprint(
                a.position[0], a.position[1], a.yaw, a.dimensions[0], a.dimensions[1]
            )
            fill = state is states[-1]
            ax.add_patch(
                Polygon(corners, closed=True, fill=fill, ec=color, fc=color, lw=1.2, zorder=4)
            )
    for state in states:
        for event in state.events:
            ax.plot(*event.position[:2], "r*", ms=16, zorder=5)
            ax.annotate(f"{event.actors[0]}×{event.actors[1]} t={event.time:.2f}s",
                        event.position[:2], color="red", zorder=6)  # fmt: skip
    xs = [t[:, 0] for t in tracks.values()]
    ys = [t[:, 1] for t in tracks.values()]
    lo_x = min(x.min() for x in xs) - 25
    hi_x = max(x.max() for x in xs) + 25
    lo_y = min(y.min() for y in ys) - 20
    hi_y = max(y.max() for y in ys) + 20
    ax.set_xlim(lo_x, hi_x)
    ax.set_ylim(lo_y, hi_y)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.set_title(f"{instance.scenario.name} variant {variant}: outline at start, filled at end")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--variant", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("topdown.png"))
    args = parser.parse_args()
    plot(args.scenario, args.variant, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
