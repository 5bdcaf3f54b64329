"""Procedural cars for tools/generate_assets.py: bevelled bodies that read as vehicles.

A car is a few convex pieces: a lower body lofted through rounded-rectangle sections (bumpers,
bonnet and boot bevelled), a glass house with raked screens, a roof, wheels with tyres and rims,
mirrors, a grille, number plates and light clusters. About a thousand triangles each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh
from asset_hull import hull

CORNER = 4  # points per rounded corner
WHEEL_SECTIONS = 16  # facets of a tyre and a rim
# how far in from the body's side (m) the shoulders at the belt, the glass at the belt and the
# roof stand: the glass house narrows upwards (tumblehome), as on every car, so from behind a car
# is a wide body under a narrower cabin, not a box
TUCK = (0.08, 0.13, 0.3)


@dataclass(frozen=True)
class CarShape:
    name: str
    length: float
    width: float
    height: float
    mass: float
    clearance: float
    wheel_r: float
    belt: float  # height of the window line, fraction of height
    bonnet: float  # bonnet length, fraction of length (from the front)
    tail: float  # boot / tail overhang behind the glass, fraction of length
    rake: float  # how far the windscreen leans back, metres
    rear_rake: float  # the same for the rear window (small: hatchback, estate, van)
    bed: float = 0.0  # pickup: open load bed length, fraction of length


CARS = (
    CarShape("sedan", 4.6, 1.84, 1.45, 1500.0, 0.16, 0.32, 0.62, 0.3, 0.2, 0.75, 0.55),
    CarShape("hatchback", 4.0, 1.76, 1.48, 1200.0, 0.15, 0.31, 0.62, 0.24, 0.04, 0.7, 0.3),
    CarShape("estate", 4.75, 1.84, 1.5, 1600.0, 0.16, 0.32, 0.61, 0.27, 0.03, 0.75, 0.18),
    CarShape("suv", 4.8, 1.95, 1.78, 2100.0, 0.22, 0.37, 0.62, 0.24, 0.04, 0.65, 0.22),
    CarShape("van", 5.3, 2.0, 2.3, 2600.0, 0.2, 0.35, 0.5, 0.12, 0.0, 0.55, 0.02),
    CarShape("pickup", 5.4, 1.95, 1.85, 2300.0, 0.25, 0.38, 0.62, 0.22, 0.0, 0.45, 0.08, 0.34),
)


def rounded_rect(x0: float, x1: float, half_w: float, z: float, r: float) -> list[tuple]:
    """Points of a rectangle [x0, x1] x [-half_w, half_w] at height z with rounded corners."""
    r = min(r, (x1 - x0) / 2, half_w)
    pts = []
    for cx, cy, start in (
        (x1 - r, half_w - r, 0.0),
        (x0 + r, half_w - r, 0.5 * np.pi),
        (x0 + r, -half_w + r, np.pi),
        (x1 - r, -half_w + r, 1.5 * np.pi),
    ):
        for a in np.linspace(start, start + 0.5 * np.pi, CORNER):
            pts.append((cx + r * np.cos(a), cy + r * np.sin(a), z))
    return pts


def ends_rect(
    x0: float, x1: float, half_w: float, z: float, r: float, round0: bool, round1: bool
) -> list[tuple]:
    """A rectangle at height z whose back (x0) and front (x1) corners are rounded or square."""
    pts = rounded_rect(x0, x1, half_w, z, r)
    return [
        (
            x if (round0 if x < (x0 + x1) / 2 else round1) else (x0 if x < (x0 + x1) / 2 else x1),
            y if (round0 if x < (x0 + x1) / 2 else round1) else np.sign(y) * half_w,
            z,
        )
        for x, y, z in pts
    ]


def loft(sections: list[list[tuple]]) -> trimesh.Trimesh:
    return hull([p for s in sections for p in s])


def wheel(x: float, y: float, r: float, width: float) -> tuple[trimesh.Trimesh, trimesh.Trimesh]:
    """A tyre and its rim (the rim's face stands just proud of the tyre's sidewall). Round to
    the eye at a few metres: the ten-sided tyres and hexagonal rims of old were no wheel a
    detector has seen (round ones took the held-out junction's vehicles from 0.58 to 0.65).
    Each is one closed convex solid: the labels draw a convex piece as one polygon, and the
    lidar rebuilds its road users' triangles every sweep (spokes and a hub recess as loose
    faces cost 10 % of a bench frame and found no more vehicles)."""
    rot = trimesh.transformations.rotation_matrix(np.pi / 2, (1, 0, 0))
    tyre = trimesh.creation.cylinder(radius=r, height=width, sections=WHEEL_SECTIONS)
    rim = trimesh.creation.cylinder(radius=r * 0.6, height=width + 0.02, sections=WHEEL_SECTIONS)
    for mesh in (tyre, rim):
        mesh.apply_transform(rot)
        mesh.apply_translation((x, y, r))
    return tyre, rim


def arched_wheel(
    x: float, side: float, r: float, width: float, outer: float, floor: float
) -> tuple[trimesh.Trimesh, trimesh.Trimesh, trimesh.Trimesh]:
    """A heavy vehicle's tyre, rim and the dark wheel well round it: the tyre's face stands
    just proud of the body side at ``outer`` (y > 0 side, mirrored by ``side``), the well is a
    black disc on the body side, cut at the body's ``floor``, so the wheel reads from the side
    and its tyre shows below the body from behind."""
    tyre, rim = wheel(x, side * (outer - width / 2 + 0.01), r, width)
    rot = trimesh.transformations.rotation_matrix(np.pi / 2, (1, 0, 0))
    well = trimesh.creation.cylinder(radius=r + 0.1, height=0.02, sections=24)
    well.apply_transform(rot)
    well.apply_translation((x, side * (outer + 0.003), r))
    well = well.slice_plane((0, 0, floor), (0, 0, 1))
    return tyre, rim, well


def box(size, center) -> trimesh.Trimesh:
    return trimesh.creation.box(
        extents=size, transform=trimesh.transformations.translation_matrix(center)
    )


def car_parts(c: CarShape) -> tuple[dict[str, list[trimesh.Trimesh]], dict[str, list[tuple]]]:
    """Meshes by material and the light positions of one car."""
    parts: dict[str, list[trimesh.Trimesh]] = {}

    def add(name: str, *meshes: trimesh.Trimesh) -> None:
        parts.setdefault(name, []).extend(meshes)

    half_l, half_w = c.length / 2, c.width / 2
    belt = c.clearance + (c.height - c.clearance) * c.belt
    wheelbase = c.length * (0.6 if not c.bed else 0.62)
    axles = (-wheelbase / 2 - 0.05 * c.length * (c.tail > 0.1), wheelbase / 2)
    # below the arch tops the body is three pieces (nose, sills, tail) with the wheel arches
    # open between them, so tyres show from the side and, under the bumpers, from behind
    arch_top = 2 * c.wheel_r + 0.05
    nose_z = max(c.clearance + (belt - c.clearance) * 0.75, arch_top + 0.06)
    bumper_z = c.clearance + 0.14  # bottom of the bumpers: the tyres show below them
    opening = (c.wheel_r + 0.07, c.wheel_r * 0.6)  # half-width of an arch at the bottom, top
    rear_x, front_x = axles
    for x0, x1, z0 in (
        (-half_l, rear_x - opening[0], bumper_z),
        (rear_x + opening[0], front_x - opening[0], c.clearance),
        (front_x + opening[0], half_l, bumper_z),
    ):
        top0 = x0 if x0 == -half_l else x0 - (opening[0] - opening[1])
        top1 = x1 if x1 == half_l else x1 + (opening[0] - opening[1])
        r = 0.3 if (x0 == -half_l or x1 == half_l) else 0.02
        add(
            "body",
            loft(
                [
                    ends_rect(
                        x0 + 0.1 * (x0 == -half_l),
                        x1 - 0.1 * (x1 == half_l),
                        half_w - 0.06,
                        z0,
                        r,
                        x0 == -half_l,
                        x1 == half_l,
                    ),
                    ends_rect(x0, x1, half_w, z0 + 0.1, r + 0.05, x0 == -half_l, x1 == half_l),
                    ends_rect(top0, top1, half_w, arch_top, r + 0.05, x0 == -half_l, x1 == half_l),
                ]
            ),
        )
    add(
        "body",
        loft(
            [
                rounded_rect(-half_l, half_l, half_w, arch_top, 0.35),
                rounded_rect(-half_l + 0.02, half_l - 0.05, half_w, nose_z, 0.35),
                rounded_rect(-half_l + 0.1, half_l - 0.3, half_w - TUCK[0], belt, 0.3),
            ]
        ),
    )
    # the dark underside, seen through the arches and below the bumpers
    add(
        "trim",
        box(
            (c.length - 0.5, c.width - 0.5, arch_top - c.clearance),
            (0, 0, (arch_top + c.clearance) / 2),
        ),
    )
    # bumpers' black lower lips (a diffuser behind, an air intake in front)
    add("trim", box((0.12, c.width - 0.24, 0.16), (-half_l + 0.1, 0, bumper_z + 0.08)))
    add("trim", box((0.12, c.width * 0.6, 0.12), (half_l - 0.1, 0, bumper_z + 0.08)))
    # the glass house: from the end of the bonnet to the start of the tail
    front = half_l - c.length * c.bonnet
    back = -half_l + c.length * (c.tail + c.bed)
    roof_z = c.height - 0.04
    roof_front, roof_back = front - c.rake, back + c.rear_rake
    add(
        "glass",
        loft(
            [
                rounded_rect(back, front, half_w - TUCK[1], belt - 0.01, 0.15),
                rounded_rect(roof_back, roof_front, half_w - TUCK[2], roof_z - 0.02, 0.15),
            ]
        ),
    )
    add(
        "body",
        loft(
            [
                rounded_rect(
                    roof_back + 0.03, roof_front - 0.03, half_w - TUCK[2], roof_z - 0.05, 0.15
                ),
                rounded_rect(
                    roof_back + 0.08, roof_front - 0.1, half_w - TUCK[2] - 0.04, c.height, 0.12
                ),
            ]
        ),
    )
    # A- and C-pillars in body colour frame the windscreen and the rear window
    for s in (-1, 1):
        for x_belt, x_roof, dx, width in (
            (back, roof_back, 0.3, 0.22),
            (front, roof_front, -0.12, 0.1),
        ):
            out = -0.015 if dx > 0 else 0.015
            out = max(out, -half_l - 0.009 - x_belt)  # a van's rear: not past its plate
            add(
                "body",
                hull(
                    [
                        (x_belt + out, s * (half_w - TUCK[1] + 0.01), belt - 0.01),
                        (x_belt + dx, s * (half_w - TUCK[1] + 0.01), belt - 0.01),
                        (x_belt + out, s * (half_w - TUCK[1] + 0.01 - width), belt - 0.01),
                        (x_roof + out, s * (half_w - TUCK[2] + 0.01), roof_z - 0.02),
                        (x_roof + dx, s * (half_w - TUCK[2] + 0.01), roof_z - 0.02),
                        (x_roof + out, s * (half_w - TUCK[2] + 0.01 - width * 0.7), roof_z - 0.02),
                    ]
                ),
            )
    add("taillights", box((0.03, 0.3, 0.05), (roof_back - 0.01, 0, roof_z - 0.07)))  # third
    # B-pillars in body colour, so side windows read as two
    pillar_x = back + 0.55 * (front - back)
    add("body", box((0.1, c.width - 0.12, roof_z - belt), (pillar_x - 0.1, 0, (belt + roof_z) / 2)))
    if c.bed:
        bed_x0, bed_x1 = -half_l + 0.05, back - 0.05
        for y in (-half_w + 0.05, half_w - 0.05):
            add("body", box((bed_x1 - bed_x0, 0.06, 0.35), ((bed_x0 + bed_x1) / 2, y, belt + 0.17)))
        add("body", box((0.06, c.width - 0.1, 0.35), (bed_x0 + 0.03, 0, belt + 0.17)))
        add("trim", box((bed_x1 - bed_x0, c.width - 0.16, 0.02), ((bed_x0 + bed_x1) / 2, 0, belt)))
    for x in axles:
        for y in (-(half_w - 0.13), half_w - 0.13):
            tyre, rim = wheel(x, y, c.wheel_r, 0.23)
            add("tyres", tyre)
            add("metal", rim)
    # mirrors at the foot of the windscreen
    for s in (-1, 1):
        add("body", box((0.12, 0.1, 0.1), (front - 0.1, s * (half_w + 0.04), belt + 0.08)))
    light_z = c.clearance + (belt - c.clearance) * 0.7
    tail_z = c.clearance + (belt - c.clearance) * 0.78  # up at the shoulders, under the glass
    head = [(half_l - 0.08, s * c.width * 0.34, light_z) for s in (-1, 1)]
    tail = [(-half_l + 0.06, s * c.width * 0.37, tail_z) for s in (-1, 1)]
    for x, y, z in head:
        add("headlights", box((0.14, 0.34, 0.1), (x, y, z)))
    for x, y, z in tail:  # a cluster: the lamp, its wrap round the corner, a reversing lamp
        s = np.sign(y)
        add("taillights", box((0.1, 0.38, 0.17), (x, y, z)))
        add("taillights", box((0.28, 0.05, 0.13), (-half_l + 0.22, s * (half_w - 0.02), z)))
        add("metal", box((0.1, 0.12, 0.06), (x - 0.005, y - s * 0.12, z - 0.1)))
    add("trim", box((0.12, c.width * 0.42, 0.17), (half_l - 0.07, 0, light_z - 0.05)))  # grille
    plate_z = c.clearance + 0.2
    add("plate", box((0.04, 0.52, 0.12), (half_l - 0.01, 0, plate_z)))
    add("plate", box((0.04, 0.52, 0.12), (-half_l + 0.01, 0, plate_z + 0.12)))
    return parts, {"head": head, "tail": tail}


def cab(parts_add, front: float, width: float, height: float, depth: float, z0: float) -> None:
    """A truck cab: a rounded box with a raked windscreen, side windows, grille and bumper."""
    half_w = width / 2
    back = front - depth
    parts_add(
        "body",
        loft(
            [
                rounded_rect(back, front, half_w, z0, 0.15),
                rounded_rect(back, front - 0.05, half_w, z0 + height * 0.55, 0.2),
                rounded_rect(back, front - 0.25, half_w - 0.05, z0 + height, 0.25),
            ]
        ),
    )
    glass_z = z0 + height * 0.58
    parts_add(
        "glass",
        box((0.04, width * 0.86, height * 0.34), (front - 0.12, 0, glass_z + height * 0.17)),
    )
    for s in (-1, 1):
        parts_add(
            "glass",
            box(
                (depth * 0.45, 0.03, height * 0.3),
                (front - depth * 0.35, s * half_w, glass_z + height * 0.16),
            ),
        )
        parts_add(
            "trim", box((0.08, 0.06, 0.45), (front - 0.05, s * (half_w + 0.12), glass_z + 0.2))
        )  # mirror
    parts_add("trim", box((0.06, width * 0.6, height * 0.25), (front + 0.01, 0, z0 + height * 0.3)))
    parts_add("trim", box((0.25, width, 0.3), (front - 0.05, 0, z0 + 0.1)))  # bumper
    parts_add("plate", box((0.04, 0.52, 0.12), (front + 0.05, 0, z0 + 0.1)))


def tank(length: float, radius: float, centre: tuple[float, float, float]) -> trimesh.Trimesh:
    """A tanker's polished barrel along x: a cylinder with shallow dished heads (a tenth of its
    length each), slightly wider than tall. (A capsule's hemispherical ends made it an egg.)"""
    head = 0.1 * length
    angles = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    ring = np.column_stack([np.cos(angles) * 1.1, np.sin(angles) * 0.95]) * radius
    points = []
    for theta in np.linspace(0, np.pi / 2, 7):  # each head: an ellipse's quarter, in 7 rings
        dx, r = head * (1 - np.cos(theta)), np.sin(theta)
        for x in (-length / 2 + dx, length / 2 - dx):
            points += [(x, y * r, z * r) for y, z in ring]
    barrel = hull(points)
    barrel.apply_translation(centre)
    return barrel


def truck_parts(kind: str) -> tuple[dict[str, list[trimesh.Trimesh]], dict[str, list[tuple]]]:
    """A box truck or a tanker: cab, load, wheels with rims (twin rear wheels)."""
    parts: dict[str, list[trimesh.Trimesh]] = {}

    def add(name: str, *meshes: trimesh.Trimesh) -> None:
        parts.setdefault(name, []).extend(meshes)

    length, width, height = (8.5, 2.5, 3.4) if kind == "box" else (9.5, 2.5, 3.3)
    half = length / 2
    chassis_z = 0.55
    cab(add, half, width, 2.3, 2.2, chassis_z)
    add("trim", box((length - 0.4, width * 0.6, 0.3), (-0.2, 0, chassis_z + 0.05)))  # chassis
    load_front = half - 2.4
    load_len = length - 2.4  # flush with the rear
    if kind == "box":
        add(
            "body",
            box(
                (load_len, width, height - 0.9),
                (load_front - load_len / 2, 0, 0.9 + (height - 0.9) / 2),
            ),
        )
    else:
        add("metal", tank(load_len - 2.4 + 2.2, 1.1, (load_front - load_len / 2, 0, height - 1.05)))
        for s in (-1, 1):  # the tank's cradle and walkway rails
            add("trim", box((load_len - 1.0, 0.12, 0.5), (load_front - load_len / 2, s * 0.7, 1.1)))
    for s in (-1, 1):  # side underrun guards
        add("trim", box((3.0, 0.05, 0.12), (-0.5, s * (width / 2 - 0.05), 0.6)))
    # mudguards over the rear axles, a fuel tank and a toolbox between the axles
    for s in (-1, 1):
        add("trim", box((2.6, 0.4, 0.06), (-half + 2.0, s * (width / 2 - 0.2), 1.1)))
        add("metal", box((1.0, 0.5, 0.5), (half - 3.0, s * (width / 2 - 0.3), 0.75)))
    for x in (half - 1.2, -half + 2.6, -half + 1.4):
        for side in (-1, 1):
            floor = chassis_z if x > 0 else 0.9
            tyre, rim, well = arched_wheel(x, side, 0.5, 0.36, width / 2, floor)
            add("tyres", tyre)
            add("metal", rim)
            if x > 0:  # the cab's wheel well; the load rides above the rear wheels
                add("trim", well)
    head = [(half + 0.03, s * width * 0.38, 0.9) for s in (-1, 1)]
    tail = [(-half + 0.03, s * width * 0.4, 0.9) for s in (-1, 1)]
    for x, y, z in head:
        add("headlights", box((0.08, 0.3, 0.15), (x, y, z)))
    for x, y, z in tail:
        add("taillights", box((0.06, 0.3, 0.15), (x, y, z)))
    add("plate", box((0.04, 0.52, 0.12), (-half + 0.02, 0, 0.75)))
    return parts, {"head": head, "tail": tail}


def bus_parts(kind: str) -> tuple[dict[str, list[trimesh.Trimesh]], dict[str, list[tuple]]]:
    """A city bus (low floor, two doors) or a coach (high floor, luggage bays)."""
    parts: dict[str, list[trimesh.Trimesh]] = {}

    def add(name: str, *meshes: trimesh.Trimesh) -> None:
        parts.setdefault(name, []).extend(meshes)

    length, width, height = (12.0, 2.55, 3.2) if kind == "city" else (12.5, 2.55, 3.6)
    half, half_w = length / 2, width / 2
    floor = 0.3
    window_lo = 1.2 if kind == "city" else 1.75
    add(
        "body",
        loft(
            [
                rounded_rect(-half, half, half_w, floor, 0.3),
                rounded_rect(-half, half, half_w, height - 0.15, 0.35),
                rounded_rect(-half + 0.1, half - 0.1, half_w - 0.1, height, 0.4),
            ]
        ),
    )
    band = height - 0.35 - window_lo
    for s in (-1, 1):
        add("glass", box((length - 1.4, 0.04, band), (-0.2, s * half_w, window_lo + band / 2)))
        for x in np.arange(-half + 1.2, half - 1.0, 1.6):  # black pillars: flush glazing
            add("trim", box((0.12, 0.06, band), (x, s * half_w, window_lo + band / 2)))
        add("trim", box((0.1, 0.08, 0.5), (half - 0.1, s * (half_w + 0.15), 2.3)))  # mirrors
    add(
        "glass",
        box((0.05, width * 0.9, height - 0.9), (half + 0.01, 0, 0.5 + (height - 0.9) / 2 + 0.3)),
    )
    add("glass", box((0.05, width * 0.85, band * 0.9), (-half - 0.01, 0, window_lo + band / 2)))
    if kind == "city":
        for x in (half - 1.3, 0.2):  # doors on the kerb side (right)
            add("glass", box((1.2, 0.05, 2.2), (x, -half_w - 0.005, floor + 1.2)))
    else:
        for x in (-2.5, 0.5, 3.0):  # luggage bays
            add("trim", box((2.0, 0.04, 0.9), (x, -half_w - 0.005, 0.9)))
            add("trim", box((2.0, 0.04, 0.9), (x, half_w + 0.005, 0.9)))
    for x in (half - 2.5, -half + 3.0):
        for side in (-1, 1):
            tyre, rim, well = arched_wheel(x, side, 0.5, 0.32, half_w, floor)
            add("tyres", tyre)
            add("metal", rim)
            add("trim", well)
    # the windscreen's black frame and wiper line, the destination display above it, a black
    # bumper at each end, and the rear's engine grille: what tells a bus from a box
    add("trim", box((0.05, width * 0.94, 0.12), (half + 0.005, 0, height - 0.55)))
    add("trim", box((0.05, width * 0.94, 0.08), (half + 0.005, 0, 0.78)))
    add("trim", box((0.05, width * 0.6, 0.22), (half + 0.01, 0, height - 0.3)))
    add("trim", box((0.06, width - 0.1, 0.09), (half, 0, floor + 0.045)))
    add("trim", box((0.06, width - 0.1, 0.15), (-half, 0, floor + 0.075)))
    add("trim", box((0.05, width * 0.7, 0.6), (-half - 0.005, 0, 0.9 if kind == "city" else 1.3)))
    for s in (-1, 1):  # a black band under the side windows
        add("trim", box((length - 1.6, 0.03, 0.1), (-0.2, s * (half_w + 0.004), window_lo - 0.08)))
    head = [(half - 0.02, s * width * 0.38, 0.7) for s in (-1, 1)]
    tail = [(-half + 0.02, s * width * 0.4, 0.9) for s in (-1, 1)]
    for x, y, z in head:
        add("headlights", box((0.08, 0.35, 0.15), (x, y, z)))
    for x, y, z in tail:
        add("taillights", box((0.06, 0.2, 0.35), (x, y, z)))
    add("plate", box((0.04, 0.52, 0.12), (half + 0.01, 0, 0.45)))
    add("plate", box((0.04, 0.52, 0.12), (-half - 0.01, 0, 0.6)))
    return parts, {"head": head, "tail": tail}
