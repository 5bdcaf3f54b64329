"""Render every catalog asset from a three-quarter view into one contact sheet (PNG), to look at.

python tools/preview_assets.py --out assets_preview.png
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import cv2
import numpy as np
import trimesh

from simgen.sensors.pose import PoseKey
from simgen.sensors.pyrender.compat import import_pyrender
from simgen.sensors.scene import asset_placements, posed_extent

ROOT = Path(__file__).resolve().parent.parent


def look_at(eye: np.ndarray, target: np.ndarray) -> np.ndarray:
    """OpenGL camera pose (looking down -z, y up) at ``eye`` towards ``target``, world z up."""
    forward = target - eye
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, [0, 0, 1.0])
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = right, up, -forward, eye
    return pose


def shown_pose(name: str, entry: dict) -> PoseKey | None:
    """Articulated assets in motion: people mid-stride, riders pedalling."""
    if "skeleton" not in entry:
        return None
    return PoseKey("ride", 3, 0) if entry["kind"] == "cyclist" else PoseKey("walk", 4, 24)


def render_asset(pyrender, name: str, entry: dict, size: int) -> np.ndarray:
    scene = pyrender.Scene(ambient_light=[0.35, 0.35, 0.35], bg_color=[0.85, 0.9, 0.95, 1.0])
    key = shown_pose(name, entry)
    for placed in asset_placements(name, key):
        material = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=[*placed.color, 1.0],
            roughnessFactor=placed.roughness,
            metallicFactor=placed.metallic,
        )
        mesh = trimesh.Trimesh(placed.part.vertices, placed.part.faces, process=False)
        scene.add(pyrender.Mesh.from_trimesh(mesh, material=material, smooth=False))
    length, width, height = posed_extent(name, key)[1]
    radius = max(length, width, height)
    target = np.array([0.0, 0.0, height / 2])
    eye = target + radius * 1.3 * np.array([math.cos(0.6), math.sin(0.6), 0.55])
    pose = look_at(eye, target)
    scene.add(pyrender.PerspectiveCamera(yfov=math.radians(45)), pose=pose)
    scene.add(
        pyrender.DirectionalLight(intensity=3.0),
        pose=look_at(eye + np.array([0.0, -3.0, 5.0]), target),
    )
    renderer = pyrender.OffscreenRenderer(size, size)
    try:
        color, _ = renderer.render(scene)
    finally:
        renderer.delete()
    image = cv2.cvtColor(color, cv2.COLOR_RGB2BGR)
    cv2.putText(image, name, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    return image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("assets_preview.png"))
    parser.add_argument("--size", type=int, default=240)
    args = parser.parse_args()
    pyrender = import_pyrender()
    catalog = json.loads((ROOT / "assets" / "catalog.json").read_text())["assets"]
    tiles = [render_asset(pyrender, n, e, args.size) for n, e in catalog.items()]
    cols = 5
    while len(tiles) % cols:
        tiles.append(np.full_like(tiles[0], 255))
    rows = [np.hstack(tiles[i : i + cols]) for i in range(0, len(tiles), cols)]
    cv2.imwrite(str(args.out), np.vstack(rows))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
