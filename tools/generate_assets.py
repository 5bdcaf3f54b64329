"""Generate simgen's procedural assets: low-poly meshes (GLB, one node per material part) and
assets/catalog.json. Deterministic: running it twice gives byte-identical files.

    python tools/generate_assets.py            # writes assets/
    python tools/generate_assets.py --out DIR  # writes elsewhere (the tests compare the bytes)

Every mesh has its origin at the centre of its bounding box's bottom face, x forward, y left,
z up (DESIGN.md). The catalog's dimensions are measured from the mesh, so 3D boxes are exact.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import trimesh

sys.path.insert(0, str(Path(__file__).resolve().parent))
from asset_hull import hull
from asset_people import BODIES, Body, limb, person_parts, seated
from asset_textures import TEXTURES, texture_png
from asset_vehicles import CARS, CarShape, bus_parts, car_parts, truck_parts

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = 12  # facets of round parts: recognisable, and small on disk

# lidar reflectivity (0..1) and default colour (linear RGB) of each material part
MATERIALS = {
    "body": (0.55, (0.6, 0.6, 0.62)),
    "glass": (0.1, (0.08, 0.1, 0.14)),
    "tyres": (0.05, (0.03, 0.03, 0.03)),
    "lights": (0.9, (0.95, 0.95, 0.9)),
    "headlights": (0.9, (0.95, 0.95, 0.9)),
    "taillights": (0.9, (0.6, 0.02, 0.02)),
    "skin": (0.4, (0.85, 0.65, 0.5)),
    "clothes": (0.35, (0.2, 0.25, 0.45)),
    "hair": (0.2, (0.08, 0.05, 0.03)),
    "top": (0.35, (0.2, 0.25, 0.45)),
    "sleeve": (0.35, (0.2, 0.25, 0.45)),
    "bottom": (0.3, (0.1, 0.1, 0.14)),
    "shin": (0.3, (0.1, 0.1, 0.14)),
    "shoes": (0.2, (0.05, 0.05, 0.05)),
    "frame": (0.6, (0.15, 0.15, 0.15)),
    "plastic": (0.7, (1.0, 0.35, 0.0)),
    "stripes": (0.95, (0.95, 0.95, 0.95)),
    "concrete": (0.45, (0.65, 0.64, 0.6)),
    "rock": (0.3, (0.35, 0.3, 0.27)),
    "metal": (0.5, (0.4, 0.4, 0.42)),
    "trim": (0.1, (0.02, 0.02, 0.022)),
    "plate": (0.95, (0.85, 0.85, 0.8)),
    "bark": (0.3, (0.1, 0.08, 0.06)),
    "leaves": (0.35, (0.07, 0.16, 0.05)),
    "wall": (0.45, (0.62, 0.55, 0.5)),
    "roof": (0.3, (0.3, 0.22, 0.2)),
}


# camera material (roughness, metallic) where it differs from a matte (0.6, 0.0) surface
PBR = {
    "body": (0.35, 0.45),  # car paint: clear coat over metallic flakes
    "glass": (0.05, 0.0),
    "metal": (0.3, 0.9),
    "tyres": (0.9, 0.0),
    "trim": (0.5, 0.0),
    "plate": (0.4, 0.0),
    "skin": (0.55, 0.0),
    "hair": (0.7, 0.0),
    "top": (0.85, 0.0),
    "sleeve": (0.85, 0.0),
    "bottom": (0.85, 0.0),
    "shin": (0.85, 0.0),
    "clothes": (0.85, 0.0),
    "shoes": (0.5, 0.0),
    "leaves": (0.8, 0.0),
}


def box(size: tuple[float, float, float], center: tuple[float, float, float]) -> trimesh.Trimesh:
    return trimesh.creation.box(
        extents=size, transform=trimesh.transformations.translation_matrix(center)
    )


def cylinder(
    radius: float, height: float, center: tuple[float, float, float], axis: str = "z"
) -> trimesh.Trimesh:
    mesh = trimesh.creation.cylinder(radius=radius, height=height, sections=SECTIONS)
    if axis == "y":
        mesh.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, (1, 0, 0)))
    elif axis == "x":
        mesh.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, (0, 1, 0)))
    mesh.apply_translation(center)
    return mesh


def sphere(radius: float, center: tuple[float, float, float]) -> trimesh.Trimesh:
    mesh = trimesh.creation.icosphere(subdivisions=1, radius=radius)
    mesh.apply_translation(center)
    return mesh


def rect_frustum(
    x0: float, x1: float, w0: float, z0: float, x2: float, x3: float, w1: float, z1: float
) -> trimesh.Trimesh:
    """A hull between a bottom rectangle [x0, x1] x w0 at z0 and a top one [x2, x3] x w1 at z1."""
    pts = []
    for xa, xb, w, z in ((x0, x1, w0, z0), (x2, x3, w1, z1)):
        pts += [(xa, -w / 2, z), (xa, w / 2, z), (xb, -w / 2, z), (xb, w / 2, z)]
    return hull(pts)


@dataclass
class Asset:
    name: str
    kind: str  # vehicle | pedestrian | cyclist | object | furniture
    semantic_class: str
    mass: float
    parts: dict[str, list[trimesh.Trimesh]] = field(default_factory=dict)
    part_classes: dict[str, str] = field(default_factory=dict)
    lights: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)
    collision_mesh: trimesh.Trimesh | None = None  # default: the whole bounding box
    skeleton: dict[str, dict] = field(default_factory=dict)  # segment -> parent, pivot
    family: str | None = None  # the scenario model this one is a variant of

    def add(self, part: str, *meshes: trimesh.Trimesh) -> None:
        self.parts.setdefault(part, []).extend(meshes)


# --- vehicles ----------------------------------------------------------------------------------


def car(shape: CarShape) -> Asset:
    a = Asset(shape.name, "vehicle", "car", shape.mass)
    a.parts, a.lights = car_parts(shape)
    # collide with the body, not the mirrors
    a.collision_mesh = box((shape.length, shape.width, shape.height), (0, 0, shape.height / 2))
    return a


def truck(name: str, kind: str) -> Asset:
    a = Asset(name, "vehicle", "truck", 9000.0 if kind == "box" else 11000.0)
    a.parts, a.lights = truck_parts(kind)
    return a


def bus(name: str, kind: str) -> Asset:
    a = Asset(name, "vehicle", "bus", 12000.0 if kind == "city" else 13500.0)
    a.parts, a.lights = bus_parts(kind)
    return a


RIDER = Body("rider", 1.78, 75.0, 0.118, 0.095, 1.0, 0.13)


def spoked_wheel(a: Asset, bone: str, x: float, r: float, width: float, spokes: int) -> None:
    """A wheel that visibly turns: tyre, rim and ``spokes`` bars through the hub, on its bone."""
    a.add(f"tyres.{bone}", cylinder(r, width, (x, 0, r), axis="y"))
    for k in range(spokes):
        bar = box((2 * r * 0.92, width + 0.02, 0.025), (0, 0, 0))
        bar.apply_transform(
            trimesh.transformations.rotation_matrix(k * math.pi / spokes, (0, 1, 0))
        )
        bar.apply_translation((x, 0, r))
        a.add(f"metal.{bone}", bar)
    a.skeleton[bone] = {"parent": None, "pivot": [x, 0.0, r]}


def rig(a: Asset, crank: tuple[float, float], bars: tuple[float, float, float], hip) -> None:
    """The rider and the pose targets: crank centre (pedals), handlebar grips, saddle."""
    parts, skeleton = seated(RIDER, hip, a.part_classes)
    for name, meshes in parts.items():
        a.add(name, *meshes)
    a.skeleton |= skeleton
    a.skeleton["frame"] = {"parent": None, "pivot": [0.0, 0.0, 0.0]}
    a.skeleton["crank"] = {"parent": None, "pivot": [crank[0], 0.0, crank[1]]}
    a.skeleton["bars"] = {"parent": None, "pivot": list(bars)}


def motorcycle() -> Asset:
    a = Asset("motorcycle", "cyclist", "motorcycle", 260.0)
    for bone, x in (("wheel_rear", -0.72), ("wheel_front", 0.72)):
        spoked_wheel(a, bone, x, 0.32, 0.14, 3)
    a.add(
        "body.frame",
        hull(
            [
                (-0.55, -0.15, 0.35),
                (-0.55, 0.15, 0.35),
                (0.55, -0.15, 0.35),
                (0.55, 0.15, 0.35),
                (-0.35, -0.18, 0.85),
                (-0.35, 0.18, 0.85),
                (0.45, -0.2, 0.95),
                (0.45, 0.2, 0.95),
            ]
        ),
    )
    a.add("frame.frame", box((0.08, 0.7, 0.05), (0.55, 0, 1.05)))
    rig(a, crank=(0.0, 0.45), bars=(0.5, 0.3, 1.05), hip=(-0.2, 0.0, 0.88))
    head = [(0.8, 0.0, 0.85)]
    tail = [(-0.8, 0.0, 0.8)]
    a.add("headlights.frame", box((0.06, 0.14, 0.1), head[0]))
    a.add("taillights.frame", box((0.06, 0.12, 0.06), tail[0]))
    a.lights = {"head": head, "tail": tail}
    a.collision_mesh = box((2.0, 0.8, 1.6), (0, 0, 0.8))
    return a


def bicycle() -> Asset:
    a = Asset("bicycle", "cyclist", "bicycle", 90.0)
    for bone, x in (("wheel_rear", -0.55), ("wheel_front", 0.55)):
        spoked_wheel(a, bone, x, 0.34, 0.04, 4)
    for points in (
        [(-0.55, 0.34), (0.0, 0.36), (-0.15, 0.85)],
        [(0.0, 0.36), (0.45, 0.95), (0.55, 0.34)],
    ):
        a.add("frame.frame", hull([(x, y, z) for x, z in points for y in (-0.02, 0.02)]))
    a.add("frame.frame", box((0.06, 0.55, 0.04), (0.45, 0, 0.98)))
    a.add("frame.frame", box((0.25, 0.1, 0.05), (-0.17, 0, 0.9)))  # saddle
    for y, up in ((0.06, 1), (-0.06, -1)):  # the two crank arms point opposite ways
        a.add("metal.crank", box((0.04, 0.02, 0.17), (0, y, 0.36 + up * 0.085)))
    rig(a, crank=(0.0, 0.36), bars=(0.4, 0.25, 1.0), hip=(-0.17, 0.0, 0.95))
    a.lights = {"head": [], "tail": []}
    a.collision_mesh = box((1.8, 0.6, 1.7), (0, 0, 0.85))
    return a


# --- people and objects ------------------------------------------------------------------------


def person(body: Body) -> Asset:
    a = Asset(body.name, "pedestrian", "person", body.mass)
    a.parts, a.skeleton = person_parts(body)
    a.family = body.family
    a.lights = {"head": [], "tail": []}
    return a


def traffic_cone() -> Asset:
    a = Asset("traffic_cone", "object", "traffic_cone", 3.0)
    a.add("plastic", box((0.4, 0.4, 0.04), (0, 0, 0.02)))
    cone = trimesh.creation.cone(radius=0.15, height=0.66, sections=SECTIONS)
    cone.apply_translation((0, 0, 0.04))
    a.add("plastic", cone)
    a.add("stripes", cylinder(0.105, 0.1, (0, 0, 0.36)))
    return a


def barrier() -> Asset:
    a = Asset("barrier", "object", "barrier", 1500.0)
    a.add(
        "concrete",
        hull(
            [
                (x, y, z)
                for x in (-1.0, 1.0)
                for (y, z) in (
                    (-0.3, 0.0),
                    (0.3, 0.0),
                    (-0.2, 0.25),
                    (0.2, 0.25),
                    (-0.08, 0.8),
                    (0.08, 0.8),
                )
            ]
        ),
    )
    a.add("stripes", box((1.6, 0.17, 0.12), (0, 0, 0.6)))
    return a


def debris() -> Asset:
    a = Asset("debris", "object", "debris", 40.0)
    rng = np.random.default_rng(20240611)
    pts = rng.normal(size=(24, 3)) * (0.3, 0.22, 0.12)
    pts[:, 2] = np.abs(pts[:, 2])
    rock = hull([tuple(p) for p in np.round(pts, 4)])
    a.add("rock", rock)
    return a


# --- street furniture --------------------------------------------------------------------------


def street_lamp() -> Asset:
    a = Asset("street_lamp", "furniture", "pole", 0.0)
    a.add("metal", cylinder(0.09, 7.0, (0, 0, 3.5)))
    a.collision_mesh = cylinder(0.09, 7.0, (0, 0, 3.5))
    a.add("metal", box((0.08, 1.4, 0.08), (0, 0.7, 6.9)))
    a.add("lights", box((0.3, 0.5, 0.12), (0, 1.35, 6.8)))
    a.part_classes["lights"] = "street_light"
    a.lights = {"lamp": [(0.0, 1.35, 6.7)]}
    return a


def pole() -> Asset:
    a = Asset("pole", "furniture", "pole", 0.0)
    a.add("metal", cylinder(0.12, 8.0, (0, 0, 4.0)))
    a.collision_mesh = cylinder(0.12, 8.0, (0, 0, 4.0))
    a.add("metal", box((0.1, 1.2, 0.1), (0, 0, 7.5)))
    return a


# Street trees are pruned to keep the road clear beneath them: at least 4.3-5.2 m over the
# carriageway in common practice (US cities 14 ft, the UK's Highways Act 5.2 m). The crown of old
# came down to 3.5 m, a car's roof height down the road, and a COCO-trained detector took a far
# car and the crowns behind it for one truck (`vehicles_highway`: 1.2 false positives a frame).
FORK = 5.2  # metres: where the trunk forks into the limbs; the lowest leaves hang at 6.6 m


def tree() -> Asset:
    """A mature street tree, 11.8 m tall and 7 m across: a tapering trunk that forks into four
    limbs at ``FORK``, and a broad crown of forty leaf clumps with sky between them at its rim.
    (The 6 m lollipop of old, a ball on a pole,
    was taken for an umbrella by a COCO-trained detector, and for a truck's load when it stood
    over a car.)"""
    a = Asset("tree", "furniture", "vegetation", 0.0)
    rng = np.random.default_rng(20261201)
    fork = FORK
    a.add("bark", limb((0, 0, 0), (0, 0, fork + 0.4), 0.3, 0.19))
    for angle in (0.4, 2.0, 3.4, 5.0):  # main limbs into the crown
        tip = (2.0 * math.cos(angle), 2.0 * math.sin(angle), fork + 3.0)
        a.add("bark", limb((0, 0, fork), tip, 0.15, 0.07))
    a.collision_mesh = cylinder(0.3, 12.0, (0, 0, 6.0))
    # (centre, radius): small clumps scattered through the crown's ellipsoid round a core clump,
    # with sky between them at the rim
    middle, half_width, half_height = FORK + 3.4, 3.0, 2.7
    clumps = [((0, 0, middle), 1.6)]
    while len(clumps) < 40:
        p = rng.uniform(-1, 1, 3)
        if p @ p > 1:
            continue
        centre = (half_width * p[0], half_width * p[1], middle + half_height * p[2])
        clumps.append((centre, float(rng.uniform(0.6, 1.05))))
    for k, (center, radius) in enumerate(clumps):
        # the core a rounded icosphere, the small clumps plain icosahedra (20 faces: the static
        # world's triangles are cast by the lidar and drawn by the camera every frame)
        clump = trimesh.creation.icosphere(subdivisions=1 if k == 0 else 0, radius=1.0)
        # lumpy, not round: each vertex pushed in or out, and the clump squashed a little
        clump.vertices *= rng.uniform(0.75, 1.2, (len(clump.vertices), 1))
        clump.apply_scale((radius, radius, radius * 0.85))
        clump.apply_translation(center)
        a.add("leaves", trimesh.Trimesh(np.round(clump.vertices, 4), clump.faces, process=False))
    return a


def building() -> Asset:
    """A 1 m cube with a roof slab; the world scales it to each building's footprint and height."""
    a = Asset("building", "furniture", "building", 0.0)
    a.add("wall", box((1.0, 1.0, 0.96), (0, 0, 0.48)))
    a.add("roof", box((1.0, 1.0, 0.04), (0, 0, 0.98)))
    return a


BUILDERS: list[Callable[[], Asset]] = [
    *[lambda shape=shape: car(shape) for shape in CARS],
    lambda: truck("truck", "box"),
    lambda: truck("truck_tanker", "tanker"),
    lambda: bus("bus", "city"),
    lambda: bus("bus_coach", "coach"),
    motorcycle,
    bicycle,
    *[lambda body=body: person(body) for body in BODIES],
    traffic_cone,
    barrier,
    debris,
    street_lamp,
    pole,
    tree,
    building,
]


def _round(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    return trimesh.Trimesh(np.round(mesh.vertices, 5), mesh.faces.copy(), process=False)


def build(asset: Asset) -> tuple[bytes, dict]:
    merged = {
        part: _round(trimesh.util.concatenate(meshes)) for part, meshes in asset.parts.items()
    }
    lo = np.min([m.bounds[0] for m in merged.values()], axis=0)
    hi = np.max([m.bounds[1] for m in merged.values()], axis=0)
    # origin at the centre of the bounding box's bottom face
    shift = -np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
    scene = trimesh.Scene()
    for part in sorted(merged):
        mesh = merged[part]
        mesh.apply_translation(shift)
        scene.add_geometry(_round(mesh), node_name=part, geom_name=part)
    dims = [round(float(v), 4) for v in hi - lo]
    collision = {"shape": "box", "size": dims, "center": [0.0, 0.0, 0.0]}
    if asset.collision_mesh is not None:
        c_lo, c_hi = asset.collision_mesh.bounds + shift
        collision["size"] = [round(float(v), 4) for v in c_hi - c_lo]
        collision["center"] = [
            round(float(v), 4) for v in ((c_lo[0] + c_hi[0]) / 2, (c_lo[1] + c_hi[1]) / 2, c_lo[2])
        ]
    entry = {
        "kind": asset.kind,
        "semantic_class": asset.semantic_class,
        "mesh": f"models/{asset.name}.glb",
        "dimensions": dims,
        "mass": asset.mass,
        "collision": collision,
        "parts": {
            part: {
                "reflectivity": MATERIALS[part.split(".")[0]][0],
                "color": list(MATERIALS[part.split(".")[0]][1]),
                **(
                    {
                        "roughness": PBR[part.split(".")[0]][0],
                        "metallic": PBR[part.split(".")[0]][1],
                    }
                    if part.split(".")[0] in PBR
                    else {}
                ),
                **(
                    {"semantic_class": asset.part_classes[part]}
                    if part in asset.part_classes
                    else {}
                ),
            }
            for part in sorted(merged)
        },
        **({"family": asset.family} if asset.family else {}),
        **(
            {
                "skeleton": {
                    name: {
                        "parent": bone["parent"],
                        "pivot": [
                            round(float(c + d), 5)
                            for c, d in zip(bone["pivot"], shift, strict=True)
                        ],
                    }
                    for name, bone in sorted(asset.skeleton.items())
                }
            }
            if asset.skeleton
            else {}
        ),
        "lights": {
            k: [[round(float(c + d), 4) for c, d in zip(p, shift, strict=True)] for p in v]
            for k, v in sorted(asset.lights.items())
        },
    }
    return scene.export(file_type="glb"), entry


def generate(out: Path) -> None:
    (out / "models").mkdir(parents=True, exist_ok=True)
    (out / "textures").mkdir(parents=True, exist_ok=True)
    for name in sorted(TEXTURES):
        (out / "textures" / f"{name}.png").write_bytes(texture_png(name))
    catalog: dict[str, dict] = {}
    for builder in BUILDERS:
        asset = builder()
        data, entry = build(asset)
        (out / "models" / f"{asset.name}.glb").write_bytes(data)
        catalog[asset.name] = entry
    text = json.dumps({"version": 1, "assets": catalog}, indent=2, sort_keys=True) + "\n"
    (out / "catalog.json").write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets")
    generate(parser.parse_args().out)


if __name__ == "__main__":
    main()
