"""Road marks as thin strips a few millimetres above their lane edge; curbs as kerb faces."""

from __future__ import annotations

import math

import numpy as np
import trimesh

from simgen.world.materials import ribbon
from simgen.world.opendrive.lanes import RoadMark
from simgen.world.opendrive.road import Road
from simgen.world.road import MARKING_HEIGHT

STEP = 1.0  # m between cross-sections of a strip


def stations(a: float, b: float, step: float = STEP) -> np.ndarray:
    return np.linspace(a, b, max(2, math.ceil((b - a) / step) + 1))


def dash_intervals(
    a: float, b: float, length: float, space: float, start: float
) -> list[tuple[float, float]]:
    """The painted stretches of [a, b]: all of it when solid, else ``length`` on, ``space`` off
    from ``a + start``."""
    if length <= 0 or space <= 0:
        return [(a, b)] if b > a else []
    out = []
    s = a + start
    while s < b - 1e-6:
        lo, hi = max(s, a), min(s + length, b)
        if hi > lo + 1e-6:
            out.append((lo, hi))
        s += length + space
    return out


def mark_strips(
    road: Road,
    section: int,
    lane_id: int,
    mark: RoadMark,
    s0: float,
    s1: float,
    raise_z: float,
) -> list[trimesh.Trimesh]:
    """Every line of one mark over [s0, s1], centred on the lane's outer edge + tOffset."""
    out = []
    for line in mark.lines:
        half = max(line.width, 0.01) / 2
        for a, b in dash_intervals(s0, s1, line.length, line.space, line.s_offset):
            ss = stations(a, b)
            edge = road.section_bounds(section, ss)[lane_id][1] + line.t_offset
            lo = road.to_world_many(ss, edge - half)[:, :3]
            hi = road.to_world_many(ss, edge + half)[:, :3]
            lift = np.array([0.0, 0.0, MARKING_HEIGHT + raise_z])
            out.append(ribbon(lo + lift, hi + lift, up=True))
    return out


def wall(
    road: Road, ss: np.ndarray, t: np.ndarray, z0: float, z1: float, facing: int
) -> trimesh.Trimesh:
    """A vertical face along t(s) from z0 to z1 above the surface; ``facing`` +1: towards +t."""
    base = road.to_world_many(ss, t)[:, :3]
    up = np.array([0.0, 0.0, 1.0])
    return ribbon(base + z0 * up, base + z1 * up, up=facing < 0)
