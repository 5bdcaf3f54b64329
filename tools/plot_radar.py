"""Bird's-eye view of one frame's radar targets over the lidar points, in the ego frame.

python tools/plot_radar.py OUT/radar_highway/0000 --frame 5 --out radar_bev.png

Grey dots: lidar returns. Boxes: the labelled road users. Radar targets: circles sized by RCS,
coloured by the object they belong to (black: static world; red cross: ghost or false alarm),
each with an arrow of its over-ground radial velocity (vr_comp) along its line of sight, 1 s long.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon

from simgen.core.geometry import footprint
from simgen.dataset.reader import Frame, open_dataset


def _ego(frame: Frame, sensor_to_ego: np.ndarray, xyz: np.ndarray) -> np.ndarray:
    return xyz @ sensor_to_ego[:3, :3].T + sensor_to_ego[:3, 3]


def plot(variant_dir: Path, frame_index: int, out: Path, extent: float = 80.0) -> None:
    variant = open_dataset(variant_dir).variants[0]
    frame = variant.frame(frame_index)
    fig, ax = plt.subplots(figsize=(10, 10))
    for name in variant.lidars():
        p = frame.lidar(name)
        xyz = _ego(frame, variant.lidar(name).ego_from_lidar, np.c_[p["x"], p["y"], p["z"]])
        ax.scatter(xyz[:, 0], xyz[:, 1], s=0.3, c="0.65", zorder=1)
    cmap = plt.get_cmap("tab10")
    for obj in frame.labels.objects:
        box = obj.boxes.ego
        corners = footprint(box.center[0], box.center[1], box.yaw, box.size[0], box.size[1])
        ax.add_patch(Polygon(corners, closed=True, fill=False, ec=cmap(obj.id % 10), lw=1.5))
        ax.annotate(obj.name, (box.center[0], box.center[1] + box.size[1]), fontsize=8)
    for name in variant.radars():
        calib = variant.radar(name)
        t = frame.radar(name)
        xyz = _ego(frame, calib.ego_from_radar, np.c_[t["x"], t["y"], t["z"]])
        los = _ego(frame, calib.ego_from_radar, np.c_[t["x"], t["y"], t["z"]] / np.maximum(
            t["range"][:, None], 1e-6)) - calib.ego_from_radar[:3, 3]  # fmt: skip
        arrows = los * t["vr_comp"][:, None]
        real = t["kind"] == 0
        colors = [cmap(i % 10) if i else (0, 0, 0, 1) for i in t["instance"][real]]
        size = 8 + 4 * np.clip(t["rcs"][real] + 20, 0, 40)
        ax.scatter(xyz[real, 0], xyz[real, 1], s=size, c=colors, ec="k", lw=0.4, zorder=3)
        ax.scatter(xyz[~real, 0], xyz[~real, 1], s=30, c="red", marker="x", zorder=3)
        ax.quiver(
            xyz[:, 0], xyz[:, 1], arrows[:, 0], arrows[:, 1],
            angles="xy", scale_units="xy", scale=1.0, width=0.002, color="C3", zorder=4,
        )  # fmt: skip
        mount = calib.ego_from_radar
        ax.plot(*mount[:2, 3], "k^", ms=6)
        half = np.radians(calib.pattern.azimuth_fov / 2)
        yaw = np.arctan2(mount[1, 0], mount[0, 0])
        for a in (yaw - half, yaw + half):
            reach = min(calib.pattern.range, extent * 1.5)
            ax.plot(
                [mount[0, 3], mount[0, 3] + reach * np.cos(a)],
                [mount[1, 3], mount[1, 3] + reach * np.sin(a)],
                ":", color="0.4", lw=0.8,
            )  # fmt: skip
    ax.set_xlim(-extent * 0.25, extent)
    ax.set_ylim(-extent * 0.625, extent * 0.625)
    ax.set_aspect("equal")
    ax.set_xlabel("ego x (m)")
    ax.set_ylabel("ego y (m)")
    ax.set_title(
        f"{variant.key} frame {frame_index}: radar targets (arrows: over-ground radial "
        "velocity, 1 s) over lidar"
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variant", type=Path, help="a rendered variant's folder")
    parser.add_argument("--frame", type=int, default=0)
    parser.add_argument("--extent", type=float, default=80.0, help="metres ahead shown")
    parser.add_argument("--out", type=Path, default=Path("radar_bev.png"))
    args = parser.parse_args()
    plot(args.variant, args.frame, args.out, args.extent)


if __name__ == "__main__":
    main()
