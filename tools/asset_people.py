"""Articulated procedural people for tools/generate_assets.py.

A person is a rest-pose mesh per body segment (head, hair, neck, torso, upper and lower arms,
hands, thighs, shins, feet) and a skeleton: each segment hangs from a joint of its parent.
``simgen.articulation`` poses the segments per frame (gait, standing poses), so the mesh stays
small and every pose is exact geometry for masks, lidar and boxes.

Part names are ``material.segment``: the material picks the colour (skin, hair, top, sleeve,
bottom, shin, shoes), the segment the bone that moves it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh
from asset_hull import hull

RING = 8  # facets around a limb: round after the lens blur at 200 px; ~1,200 triangles a person
# People are dressed: trousers, sleeves and jackets stand 1-2 cm off the skin, so a clothed limb
# or torso is about a quarter thicker than the bare one the proportions below give (they match
# ANSUR II's bare thigh, calf, biceps and chest depth). Bare, the limbs read as sticks: a
# COCO-trained detector found 485 of 691 people on the people scenes, 535 of 684 dressed.
CLOTHING = 1.25


@dataclass(frozen=True)
class Body:
    """Proportions of one body model, in metres (Drillis and Contini segment ratios, adjusted)."""

    name: str
    height: float
    mass: float
    shoulders: float  # half-width of the shoulders as a fraction of height
    hips: float  # half-width of the hips as a fraction of height
    girth: float  # limb and torso thickness multiplier (bare; ``CLOTHING`` dresses it)
    head: float  # head height as a fraction of height (children have larger heads)
    family: str = "pedestrian"


BODIES = (
    Body("pedestrian", 1.78, 75.0, 0.118, 0.095, 1.0, 0.13),
    Body("pedestrian_tall", 1.88, 90.0, 0.125, 0.098, 1.12, 0.125),
    Body("pedestrian_slim", 1.66, 58.0, 0.105, 0.1, 0.88, 0.132),
    Body("pedestrian_stout", 1.7, 88.0, 0.12, 0.108, 1.25, 0.13),
    Body("pedestrian_petite", 1.58, 52.0, 0.1, 0.098, 0.86, 0.135),
    Body("child", 1.2, 24.0, 0.112, 0.09, 0.95, 0.165, "child"),
    Body("child_small", 1.02, 17.0, 0.11, 0.09, 0.95, 0.18, "child"),
)


def _rotation_to(direction: np.ndarray) -> np.ndarray:
    """A rotation taking +z onto ``direction``."""
    z = direction / np.linalg.norm(direction)
    axis = np.cross([0.0, 0.0, 1.0], z)
    s = np.linalg.norm(axis)
    if s < 1e-9:
        return np.eye(4) if z[2] > 0 else trimesh.transformations.rotation_matrix(np.pi, (1, 0, 0))
    return trimesh.transformations.rotation_matrix(float(np.arctan2(s, z[2])), axis / s)


def limb(a, b, ra: float, rb: float, squash: float = 1.0) -> trimesh.Trimesh:
    """A tapered limb from joint ``a`` to ``b``: a hull of two rings, rounded at the ends."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    length = float(np.linalg.norm(b - a))
    angles = np.linspace(0, 2 * np.pi, RING, endpoint=False)
    pts = []
    for z, r, cap in ((0.0, ra, -1), (length, rb, 1)):
        for t, k in ((0.0, 1.0), (0.6, 0.8), (0.95, 0.4)):
            rr = r * k
            zz = z + cap * r * t
            pts += [(rr * np.cos(q) * squash, rr * np.sin(q), zz) for q in angles]
    mesh = hull(pts)
    mesh.apply_transform(_rotation_to(b - a))
    mesh.apply_translation(a)
    return mesh


def ellipsoid(center, radii, subdivisions: int = 1) -> trimesh.Trimesh:
    mesh = trimesh.creation.icosphere(subdivisions=subdivisions, radius=1.0)
    mesh.apply_scale(radii)
    mesh.apply_translation(center)
    return mesh


def loft(sections: list[tuple[float, float, float, float]], n: int = 14) -> trimesh.Trimesh:
    """A convex trunk through horizontal super-ellipse sections (z, half-depth, half-width, x0)."""
    pts = []
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    for z, d, w, x0 in sections:
        c, s = np.cos(angles), np.sin(angles)
        # exponent 0.6 on |cos|, |sin|: squarer than an ellipse, like a torso
        pts += list(
            zip(
                x0 + d * np.sign(c) * np.abs(c) ** 0.7,
                w * np.sign(s) * np.abs(s) ** 0.7,
                np.full(n, z),
                strict=True,
            )
        )
    return hull(pts)


@dataclass(frozen=True)
class Joints:
    """Rest-pose joint positions of one body (x forward, y left, z up, feet on z = 0)."""

    ankle: float
    knee: float
    hip: float
    hip_y: float
    waist: float
    shoulder: float
    shoulder_y: float
    neck: float
    chin: float
    crown: float
    elbow: float
    wrist: float


def joints(b: Body) -> Joints:
    h = b.height
    head = b.head * h
    crown = h
    chin = crown - head
    neck = chin - 0.03 * h
    shoulder = neck - 0.045 * h
    leg = (0.53 if b.family != "child" else 0.5) * h
    return Joints(
        ankle=0.045 * h,
        knee=0.285 * h if b.family != "child" else 0.27 * h,
        hip=leg,
        hip_y=b.hips * h * 0.55,
        waist=leg + 0.12 * h,
        shoulder=shoulder,
        shoulder_y=b.shoulders * h,
        neck=neck,
        chin=chin,
        crown=crown,
        elbow=shoulder - 0.185 * h,
        wrist=shoulder - 0.33 * h,
    )


def person_parts(b: Body) -> tuple[dict[str, list[trimesh.Trimesh]], dict[str, dict]]:
    """Rest-pose meshes keyed ``material.segment`` and the skeleton (segment -> parent, pivot)."""
    j = joints(b)
    h, g = b.height, b.girth * CLOTHING
    parts: dict[str, list[trimesh.Trimesh]] = {}

    def add(name: str, mesh: trimesh.Trimesh) -> None:
        parts.setdefault(name, []).append(mesh)

    skeleton: dict[str, dict] = {"torso": {"parent": None, "pivot": [0.0, 0.0, j.hip]}}
    for side, sy in (("l", 1.0), ("r", -1.0)):
        hy = sy * j.hip_y
        skeleton[f"thigh_{side}"] = {"parent": "torso", "pivot": [0.0, hy, j.hip]}
        skeleton[f"shin_{side}"] = {"parent": f"thigh_{side}", "pivot": [0.0, hy, j.knee]}
        skeleton[f"foot_{side}"] = {"parent": f"shin_{side}", "pivot": [0.0, hy, j.ankle]}
        add(
            f"bottom.thigh_{side}",
            limb((0, hy, j.hip + 0.02 * h), (0, hy, j.knee), 0.05 * h * g, 0.033 * h * g),
        )
        add(
            f"shin.shin_{side}",
            limb((0, hy, j.knee), (0, hy, j.ankle + 0.01 * h), 0.031 * h * g, 0.021 * h * g),
        )
        foot_len = 0.15 * h
        add(
            f"shoes.foot_{side}",
            loft(
                [
                    (0.0, foot_len * 0.5, 0.022 * h, foot_len * 0.3),
                    (j.ankle * 0.9, foot_len * 0.42, 0.02 * h, foot_len * 0.2),
                    (j.ankle * 1.4, 0.03 * h, 0.018 * h, 0.0),
                ],
                n=10,
            ).apply_translation((0, hy, 0)),
        )
        sx = sy * j.shoulder_y
        ex = sy * (j.shoulder_y + 0.012 * h)
        skeleton[f"upper_arm_{side}"] = {"parent": "torso", "pivot": [0.0, sx, j.shoulder]}
        skeleton[f"lower_arm_{side}"] = {"parent": f"upper_arm_{side}", "pivot": [0.0, ex, j.elbow]}
        skeleton[f"hand_{side}"] = {"parent": f"lower_arm_{side}", "pivot": [0.0, ex, j.wrist]}
        add(
            f"top.upper_arm_{side}",
            limb((0, sx, j.shoulder), (0, ex, j.elbow), 0.029 * h * g, 0.024 * h * g),
        )
        add(
            f"sleeve.lower_arm_{side}",
            limb((0, ex, j.elbow), (0, ex, j.wrist), 0.022 * h * g, 0.017 * h * g),
        )
        add(
            f"skin.hand_{side}",
            ellipsoid((0.0, ex, j.wrist - 0.045 * h), (0.022 * h, 0.013 * h, 0.05 * h), 1),
        )
    half_w = j.shoulder_y - 0.02 * h
    depth = 0.065 * h * g
    add(
        "top.torso",
        loft(
            [
                (j.hip - 0.04 * h, depth * 0.95, b.hips * h, 0.0),
                (j.waist, depth * 0.9, (b.hips * 0.9) * h * min(g, 1.1), 0.0),
                (j.shoulder - 0.06 * h, depth * 1.05, half_w, 0.005 * h),
                (j.shoulder + 0.015 * h, depth * 0.75, half_w * 0.82, 0.0),
                # the trapezius sloping up to the neck: from the side a neck shows a few cm
                # above the collar, not a stalk standing on a flat-topped torso
                (j.shoulder + 0.035 * h, depth * 0.55, 0.05 * h, -0.005 * h),
            ]
        ),
    )
    add(
        "bottom.torso",
        loft(
            [
                (j.hip - 0.08 * h, depth * 0.85, b.hips * h * 0.92, 0.0),
                (j.hip + 0.01 * h, depth * 0.97, b.hips * h * 1.02, 0.0),
            ]
        ),
    )
    skeleton["neck"] = {"parent": "torso", "pivot": [0.0, 0.0, j.shoulder]}
    skeleton["head"] = {"parent": "neck", "pivot": [0.0, 0.0, j.neck]}
    add("skin.neck", limb((0, 0, j.shoulder), (0, 0, j.chin + 0.02 * h), 0.032 * h, 0.029 * h))
    head_h = j.crown - j.chin
    center = (0.01 * h, 0.0, j.chin + head_h * 0.5)
    add("skin.head", ellipsoid(center, (head_h * 0.45, head_h * 0.37, head_h * 0.5)))
    cap = ellipsoid(
        (center[0] - 0.012 * h, 0.0, center[2] + head_h * 0.1),
        (head_h * 0.48, head_h * 0.4, head_h * 0.44),
    ).vertices
    # hair covers the crown and the back of the head, never the face
    keep = (cap[:, 0] < center[0] - 0.1 * head_h) | (cap[:, 2] > center[2] + 0.22 * head_h)
    add("hair.head", hull(cap[keep]))
    return parts, skeleton


def seated(b: Body, hip: tuple[float, float, float], prefix_class: dict[str, str]):
    """A rider: the body's parts and skeleton moved so that its hip joint sits at ``hip``.
    The rest pose stays standing; the riding pose comes from simgen.sensors.pose."""
    parts, skeleton = person_parts(b)
    j = joints(b)
    shift = np.array(hip) - np.array([0.0, 0.0, j.hip])
    for meshes in parts.values():
        for mesh in meshes:
            mesh.apply_translation(shift)
    for bone in skeleton.values():
        bone["pivot"] = [float(c) for c in np.array(bone["pivot"]) + shift]
    for name in parts:
        prefix_class[name] = "rider"
    return parts, skeleton
