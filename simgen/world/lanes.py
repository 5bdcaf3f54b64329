"""Lane geometry as world polylines: what lane labels, lane-following and marks are built from.

Every road source (the procedural roads and OpenDRIVE maps) describes its lanes with these types,
so that lane labels and their exports never care where a road came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

MarkType = Literal[
    "none",
    "solid",
    "broken",
    "solid_solid",
    "solid_broken",
    "broken_solid",
    "broken_broken",
    "curb",
]
MarkColor = Literal["white", "yellow", "blue", "green", "red", "orange", "standard"]


@dataclass(frozen=True)
class LaneMark:
    """The painted line (or kerb) along one lane boundary; ``standard`` colour is white."""

    type: MarkType = "none"
    color: MarkColor = "standard"
    width: float = 0.0
    # where each painted line lies across the boundary (m, + left looking along the polyline):
    # a double line is one boundary with two lines of paint, as OpenLane labels it
    offsets: tuple[float, ...] = (0.0,)

    def flipped(self) -> LaneMark:
        """The same mark seen from the other end of its line."""
        return LaneMark(self.type, self.color, self.width, tuple(-o for o in self.offsets))


@dataclass(frozen=True, eq=False)
class LanePolyline:
    """One lane over a stretch where its marks do not change, sampled along the road.

    ``left`` and ``right`` are taken looking along increasing ``s`` of ``road`` (not along the
    direction of travel); ``direction`` says which way traffic goes (+1 along increasing s).
    Arrays are (N, 3) world points, N >= 2, sampled at the same stations.
    """

    road: str  # OpenDRIVE road id, or the procedural road's arm ("" for straight and curve)
    lane: int  # OpenDRIVE lane id, or simgen's lane index on procedural roads
    lane_type: str  # driving, shoulder, border, sidewalk, biking, parking, ...
    direction: int
    centre: np.ndarray
    left: np.ndarray
    right: np.ndarray
    left_mark: LaneMark
    right_mark: LaneMark
