"""Street furniture (lamps, poles, trees, buildings) placed along the road from the seed."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simgen.core.geometry import Footprints, footprint, wrap_angle
from simgen.scenario.models import Furniture
from simgen.world.assets import load_catalog
from simgen.world.road import RoadGeometry


@dataclass(frozen=True)
class StaticObject:
    """A catalog asset placed in the world; ``scale`` stretches it (buildings)."""

    model: str
    position: tuple[float, float, float]  # bottom centre
    yaw: float
    scale: tuple[float, float, float] = (1.0, 1.0, 1.0)


def _count(per_100m: float, length: float, rng: np.random.Generator) -> int:
    return int(rng.poisson(max(per_100m, 0.0) * length / 100.0))


def place_furniture(
    geom: RoadGeometry, furniture: Furniture, rng: np.random.Generator
) -> list[StaticObject]:
    """Deterministic placement: the same geometry, counts and generator give the same objects.

    Lamps and poles stand on the sidewalk at the kerb; trees and buildings stand behind the
    sidewalk, off every road area (which matters on curves and intersections) and clear of each
    other.
    """
    out: list[StaticObject] = []
    taken = Footprints()  # of trees and buildings
    catalog = load_catalog()
    length = geom.arm_extent
    for arm in geom.arms:
        for side in (-1, 1):
            edge = geom.right_edge if side < 0 else geom.left_edge
            outer = edge + side * geom.sidewalk_width

            def put(
                model: str,
                s: float,
                lateral: float,
                z: float = 0.0,
                scale: tuple[float, float, float] = (1.0, 1.0, 1.0),
                turn: float = 0.0,
                clear: bool = False,
                arm: str | None = arm,
                side: int = side,
            ) -> None:
                x, y, heading = geom.to_world(s, lateral, arm)
                yaw = wrap_angle(heading + (math.pi / 2 if side < 0 else -math.pi / 2) + turn)
                if clear:  # must keep off the road and off what is already there
                    dims = catalog[model].collision.size  # a tree crown may overhang
                    corners = footprint(x, y, yaw, dims[0] * scale[0], dims[1] * scale[1])
                    points = [*corners, (x, y), *((corners + np.roll(corners, 1, axis=0)) / 2)]
                    if any(geom.on_road_area(px, py, margin=0.5) for px, py in points):
                        return
                    if taken.any_within(corners, 1.0):
                        return
                    taken.add(corners)
                out.append(StaticObject(model, (x, y, z), yaw, scale))

            # lamps and poles at the kerb; a lamp's arm (its local +y) reaches over the road
            for model, density in (
                ("street_lamp", float(furniture.street_lamps)),
                ("pole", float(furniture.poles)),
            ):
                n = _count(density / 2, length, rng)
                if n:
                    spacing = length / n
                    for i in range(n):
                        s = (i + 0.5 + rng.uniform(-0.2, 0.2)) * spacing
                        turn = -math.pi / 2 if model == "street_lamp" else 0.0
                        put(model, s, edge + side * 0.4, geom.kerb_height, turn=turn)
            n = _count(float(furniture.buildings) / 2, length, rng)
            if n:
                slot = length / n
                for i in range(n):
                    along = rng.uniform(0.5, 0.9) * slot
                    depth = rng.uniform(8.0, 15.0)
                    height = rng.uniform(6.0, 24.0)
                    lateral = outer + side * (6.0 + depth / 2)
                    put(
                        "building",
                        (i + 0.5) * slot,
                        lateral,
                        scale=(depth, along, height),
                        clear=True,
                    )
            for _ in range(_count(float(furniture.trees) / 2, length, rng)):
                s = rng.uniform(0, length)
                put("tree", s, outer + side * rng.uniform(2.0, 4.0), clear=True)
    # drawn after every placement, so that each object stands where it stood before trees grew
    return [_grown(obj, rng) if obj.model == "tree" else obj for obj in out]


TREE_SIZES = (0.9, 1.15)  # the asset's size times this: 10.6-13.5 m tall, lowest leaves 5.9-7.6 m


def _grown(tree: StaticObject, rng: np.random.Generator) -> StaticObject:
    """A tree of its own size, turned its own way: a row of one asset's copies, alike to the
    leaf, is a pattern no street shows."""
    size = float(rng.uniform(*TREE_SIZES))
    yaw = wrap_angle(tree.yaw + rng.uniform(0.0, 2.0 * math.pi))
    return StaticObject(tree.model, tree.position, yaw, (size, size, size))
