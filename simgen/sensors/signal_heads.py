"""Signal heads as sensors see them: traffic-light housings with lamps, sign plates with faces.

Built in code from a placement's code and size, in the head's own frame: origin at the bottom
centre, +x out of the face (towards the traffic it governs), +y left, +z up. A light is a dark
housing on a backplate with a white border, round lenses under visors; the lens of the lamp
that is on glows (emissive, so the camera's bloom makes it shine at night), the others are dark
glass. A sign is a thin plate of its shape whose face wears its drawn texture. Poles are static
road furniture (``world.road_signals``), so a head's label box and mask cover the head alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import trimesh

from simgen.core.classes import class_id
from simgen.sensors.scene import Part, Placed
from simgen.sensors.sign_faces import outline, texture_name
from simgen.world.signal_layout import LIGHT_DEPTH, SignalPlacement
from simgen.world.signals import PEDESTRIAN, SignalState

Color = tuple[float, float, float]

LIT: dict[str, Color] = {"red": (1.0, 0.06, 0.02), "yellow": (1.0, 0.55, 0.0),
                         "green": (0.05, 1.0, 0.5)}  # fmt: skip
DARK: dict[str, Color] = {"red": (0.09, 0.015, 0.012), "yellow": (0.09, 0.06, 0.01),
                          "green": (0.012, 0.07, 0.045)}  # fmt: skip
HOUSING = (0.025, 0.025, 0.027)
BORDER = (0.85, 0.85, 0.8)
PLATE_BACK = (0.45, 0.46, 0.47)
DEPTH = LIGHT_DEPTH  # housing, along x
PLATE = 0.025  # sign plate thickness
STANDOFF = 0.005  # m between a sign's post axis plane and the back of its plate
REFLECTIVITY = {"housing": 0.08, "border": 0.85, "lens": 0.3, "face": 0.9, "back": 0.5}


@dataclass(frozen=True)
class HeadPart:
    name: str
    part: Part
    color: Color
    reflectivity: float
    lamp: str | None = None  # red, yellow or green: the lamp this lens belongs to
    texture: str | None = None


def _box(key: str, lo: tuple[float, float, float], hi: tuple[float, float, float]) -> Part:
    mesh = trimesh.creation.box(bounds=np.array([lo, hi]))
    return Part(key, np.asarray(mesh.vertices, np.float64), np.asarray(mesh.faces, np.int32))


def _lens(key: str, y: float, z: float, radius: float) -> Part:
    mesh = trimesh.creation.cylinder(radius=radius, height=0.02, sections=24)
    mesh.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, (0, 1, 0)))
    mesh.apply_translation((DEPTH / 2, y, z))
    return Part(key, np.asarray(mesh.vertices, np.float64), np.asarray(mesh.faces, np.int32))


def _visor(key: str, z: float, radius: float) -> list[Part]:
    """A hood over a lens: a roof and two cheeks reaching out of the housing."""
    x0, x1, r = DEPTH / 2, DEPTH / 2 + 0.16, radius + 0.02
    return [
        _box(f"{key}/roof", (x0, -r, z + radius), (x1, r, z + radius + 0.015)),
        _box(f"{key}/left", (x0, r, z - 0.2 * radius), (x1, r + 0.012, z + radius + 0.015)),
        _box(f"{key}/right", (x0, -r - 0.012, z - 0.2 * radius), (x1, -r, z + radius + 0.015)),
    ]


@lru_cache(maxsize=64)
def light_parts(code: str, width: float, height: float) -> tuple[HeadPart, ...]:
    key = f"signal/{code}/{width:.3f}x{height:.3f}"
    lamps = ("red", "green") if code == PEDESTRIAN else ("red", "yellow", "green")
    n = len(lamps)
    radius = min(0.36 * width, 0.42 * height / n)
    w2 = width / 2
    out = [
        HeadPart("housing", _box(f"{key}/housing", (-DEPTH / 2, -w2, 0.0),
                                 (DEPTH / 2, w2, height)), HOUSING, REFLECTIVITY["housing"]),
        # a black backplate with a white rim in front, a dark cover behind
        HeadPart("backplate", _box(f"{key}/backplate", (-DEPTH / 2 - 0.03, -w2 - 0.09, -0.07),
                                   (-DEPTH / 2, w2 + 0.09, height + 0.07)), HOUSING,
                 REFLECTIVITY["housing"]),
        HeadPart("border", _box(f"{key}/border", (-DEPTH / 2 - 0.02, -w2 - 0.13, -0.11),
                                (-DEPTH / 2 - 0.01, w2 + 0.13, height + 0.11)), BORDER,
                 REFLECTIVITY["border"]),
        HeadPart("cover", _box(f"{key}/cover", (-DEPTH / 2 - 0.04, -w2 - 0.13, -0.11),
                               (-DEPTH / 2 - 0.03, w2 + 0.13, height + 0.11)), HOUSING,
                 REFLECTIVITY["housing"]),
    ]  # fmt: skip
    for i, lamp in enumerate(lamps):
        z = height * (n - i - 0.5) / n
        out.append(HeadPart(f"lens_{lamp}", _lens(f"{key}/lens_{lamp}", 0.0, z, radius),
                            DARK[lamp], REFLECTIVITY["lens"], lamp))  # fmt: skip
        out += [
            HeadPart(f"visor_{lamp}", p, HOUSING, REFLECTIVITY["housing"])
            for p in _visor(f"{key}/visor_{lamp}", z, radius)
        ]
    return tuple(out)


def _prism(key: str, points: np.ndarray, x0: float, x1: float) -> Part:
    """Sides and back of a convex plate (outline points in the y-z plane, counter-clockwise
    seen from +x); its front face is a separate part."""
    n = len(points)
    front = [(x1, y, z) for y, z in points]
    back = [(x0, y, z) for y, z in points]
    vertices = np.array(front + back, np.float64)
    faces = [(n, n + i + 1, n + i) for i in range(1, n - 1)]  # back, facing -x
    for i in range(n):
        j = (i + 1) % n
        faces += [(i, n + i, j), (j, n + i, n + j)]
    return Part(key, vertices, np.asarray(faces, np.int32))


@lru_cache(maxsize=64)
def sign_parts(code: str, width: float, height: float, value: float | None) -> tuple[HeadPart, ...]:
    key = f"sign/{code}/{width:.3f}x{height:.3f}"
    uv = outline(code)
    points = np.stack([(uv[:, 0] - 0.5) * width, uv[:, 1] * height], axis=1)
    # in front of its post: back-to-back signs (one per direction) never share their space
    front = np.array([(PLATE + STANDOFF, y, z) for y, z in points], np.float64)
    faces = np.array([(0, i, i + 1) for i in range(1, len(points) - 1)], np.int32)
    # texture coordinates as the renderer samples them (checked on a rendered STOP)
    face = Part(f"{key}/face", front, faces, np.stack([uv[:, 0], uv[:, 1]], axis=1))
    return (
        HeadPart("face", face, (1.0, 1.0, 1.0), REFLECTIVITY["face"],
                 texture=texture_name(code, value)),
        HeadPart("back", _prism(f"{key}/back", points, STANDOFF, PLATE + STANDOFF - 0.002),
                 PLATE_BACK, REFLECTIVITY["back"]),
    )  # fmt: skip


def head_parts(p: SignalPlacement) -> tuple[HeadPart, ...]:
    if p.kind == "traffic_light":
        return light_parts(p.code, round(p.width, 3), round(p.height, 3))
    return sign_parts(p.code, round(p.width, 3), round(p.height, 3), p.value)


def head_transform(p: SignalPlacement) -> np.ndarray:
    """World pose of the head frame."""
    c, s = math.cos(p.yaw), math.sin(p.yaw)
    out = np.eye(4)
    out[:3, :3] = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    out[:3, 3] = p.position
    return out


@lru_cache(maxsize=256)
def _extent(p: SignalPlacement) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    vertices = np.concatenate([h.part.vertices for h in head_parts(p)])
    lo, hi = vertices.min(axis=0), vertices.max(axis=0)
    centre = (lo + hi) / 2
    return (float(centre[0]), float(centre[1]), float(lo[2])), tuple(float(v) for v in hi - lo)  # type: ignore[return-value]


def head_box(p: SignalPlacement) -> tuple[np.ndarray, tuple[float, float, float]]:
    """World pose of the head's label box (origin at its bottom centre) and its size: tight
    around the housing, visors and backplate (or the plate)."""
    offset, size = _extent(p)
    transform = head_transform(p)
    transform[:3, 3] += transform[:3, :3] @ np.array(offset)
    return transform, size


@lru_cache(maxsize=256)
def head_mesh(p: SignalPlacement) -> tuple[np.ndarray, np.ndarray]:
    """The head as one mesh in its own frame, for silhouettes."""
    vertices, faces, offset = [], [], 0
    for h in head_parts(p):
        vertices.append(h.part.vertices)
        faces.append(h.part.faces + offset)
        offset += len(h.part.vertices)
    return np.concatenate(vertices), np.concatenate(faces)


def signal_placements(signal: SignalState) -> list[Placed]:
    """One signal's head as the camera draws it, its glowing lamp lit."""
    p = signal.placement
    transform = head_transform(p)
    cls = class_id(p.kind)
    out = []
    for h in head_parts(p):
        part, color, emissive = h.part, h.color, False
        if h.lamp is not None and h.lamp == signal.lit:
            part = Part(f"{part.key}/lights", part.vertices, part.faces)  # a lamp: it glows
            color, emissive = LIT[h.lamp], True
        out.append(
            Placed(part, transform, signal.id, cls, color, h.reflectivity, emissive,
                   texture=h.texture, roughness=0.35 if h.lamp else 0.6)
        )  # fmt: skip
    return out


def local_parts(p: SignalPlacement) -> list[Placed]:
    """The head's parts in its own frame, for the lidar's and radar's meshes."""
    cls = class_id(p.kind)
    return [Placed(h.part, np.eye(4), 0, cls, h.color, h.reflectivity) for h in head_parts(p)]
