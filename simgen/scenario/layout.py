"""Lateral road layout: where each lane lies relative to the road's reference line.

The reference line is the centre line between the two directions (as in OpenDRIVE). The ego's
direction drives on the right, at negative offsets (y is left); lane 0 is its rightmost lane.
Oncoming lanes are numbered -1 (next to the centre line) to -oncoming_lanes.
"""

from __future__ import annotations

import math


def lane_bounds(lanes: int, oncoming_lanes: int) -> tuple[int, int]:
    """The smallest and largest valid lane index."""
    return -oncoming_lanes, lanes - 1


def lane_center_offset(lane: int, lanes: int, lane_width: float) -> float:
    """Signed lateral offset (m) of a lane's centre from the reference line."""
    if lane >= 0:
        return -(lanes - lane - 0.5) * lane_width
    return (-lane - 0.5) * lane_width


ARM_HEADINGS = {"south": 0.0, "north": math.pi, "west": -math.pi / 2, "east": math.pi / 2}


def road_point(
    road_type: str,
    s: float,
    lateral: float,
    *,
    radius: float | None = None,
    arm: str | None = None,
    arm_length: float | None = None,
) -> tuple[float, float, float]:
    """World (x, y, heading) of a point at distance ``s`` along the reference line and ``lateral``
    metres to its left.

    - straight: the reference line is the x axis from the origin.
    - curve: an arc from the origin heading +x; a positive radius turns left.
    - intersection: four arms meet at the origin. ``s`` runs from an arm's outer end (``arm_length``
      from the centre) towards the centre; the ego's default arm, ``south``, heads +x.
    """
    if road_type == "curve":
        if not radius:
            raise ValueError("a curve needs a non-zero radius")
        theta = s / radius
        x = radius * math.sin(theta) - lateral * math.sin(theta)
        y = radius * (1.0 - math.cos(theta)) + lateral * math.cos(theta)
        return x, y, theta
    if road_type == "intersection":
        if arm_length is None:
            raise ValueError("an intersection needs an arm_length")
        heading = ARM_HEADINGS[arm or "south"]
        cx, cy = math.cos(heading), math.sin(heading)
        start = -arm_length
        return (
            (start + s) * cx - lateral * cy,
            (start + s) * cy + lateral * cx,
            heading,
        )
    return s, lateral, 0.0
