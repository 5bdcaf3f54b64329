"""Lanes counted as a driver sees them, on maps and procedural roads alike."""

from __future__ import annotations

from simgen.world.behaviour import Plan, Roads
from simgen.world.map_road import MapGeometry
from simgen.world.storyboard.positions import PositionError, shifted_lane


def lane_shift(geom: Roads, arm: str | None, s: float, lane: int, d_lane: int) -> int:
    """The lane ``d_lane`` lanes left (+) of ``lane`` for the traffic on it. Procedural lanes
    run 0 (rightmost of the ego's direction) up to lanes - 1, then -1, -2 ... oncoming."""
    if isinstance(geom, MapGeometry):
        assert arm is not None
        return shifted_lane(geom, arm, s, lane, d_lane)
    ids = [*range(geom.lanes), *range(-1, -geom.oncoming_lanes - 1, -1)]  # right to left
    step = d_lane if geom.lane_direction(lane) > 0 else -d_lane
    index = ids.index(lane) + step
    if not 0 <= index < len(ids):
        raise PositionError(f"the road has no lane {d_lane:+d} from lane {lane}")
    return ids[index]


def lane_here(geom: Roads, plan: Plan) -> int | None:
    """The lane under a plan's (s, lateral)."""
    if isinstance(geom, MapGeometry):
        return geom.lane_at(plan.s, plan.lateral, plan.arm)
    return geom.lane_at(plan.lateral)


def centre_offset(geom: Roads, plan: Plan) -> float:
    """How far a plan stands from its lane's centre (+ left of the road's s), 0 off lanes."""
    if plan.lane is None:
        return 0.0
    return plan.lateral - geom.lane_offset(plan.lane, plan.s, plan.arm)
