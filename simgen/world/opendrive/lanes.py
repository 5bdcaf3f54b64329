"""Lanes and lane sections: ids, types, links, width polynomials, heights and road marks."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from simgen.world.opendrive.profiles import Poly3Profile

# Lane types built as asphalt; sidewalks are raised; the rest (border, none, median, curb,
# restricted verges...) are verge (terrain) strips at the road's height.
ASPHALT_TYPES = frozenset(
    {
        "driving", "stop", "parking", "biking", "shoulder", "entry", "exit", "onRamp",
        "offRamp", "connectingRamp", "bidirectional", "bus", "taxi", "HOV", "roadWorks",
        "slipLane", "restricted", "mwyEntry", "mwyExit", "special1", "special2", "special3",
    }
)  # fmt: skip
WALK_TYPES = frozenset({"sidewalk", "walking"})
DEFAULT_KERB = 0.15  # m: a sidewalk without a <height> record


@dataclass(frozen=True)
class MarkLine:
    """One painted line of a mark (``<type><line>``)."""

    length: float  # dash length; 0 for solid
    space: float  # gap; 0 for solid
    t_offset: float  # lateral shift from the lane edge (+ towards +t)
    s_offset: float  # where the pattern starts, from the mark's start
    width: float


@dataclass(frozen=True)
class RoadMark:
    s_offset: float  # from the lane section's start
    type: str  # OpenDRIVE type: solid, broken, "solid solid", "botts dots", curb, none ...
    color: str
    width: float
    lines: tuple[MarkLine, ...]  # the explicit pattern, or the default one of ``type``
    lane_change: str


@dataclass(frozen=True)
class Lane:
    id: int
    type: str
    level: bool
    predecessor: int | None  # lane id in the previous section (or road)
    successor: int | None
    width: Poly3Profile  # of ds from the section start
    height: tuple[float, float]  # inner, outer raise above the road surface (first record)
    road_marks: tuple[RoadMark, ...]
    line: int  # source line, for messages

    def mark_at(self, ds: float) -> RoadMark | None:
        """The road mark in force ``ds`` metres into the section."""
        found = None
        for mark in self.road_marks:
            if mark.s_offset <= ds + 1e-9:
                found = mark
        return found

    @property
    def raise_height(self) -> float:
        """How far its surface sits above the road (sidewalks: a kerb)."""
        if self.type in WALK_TYPES:
            return max(self.height) if max(self.height) > 0 else DEFAULT_KERB
        return max(0.0, self.height[0])


@dataclass(frozen=True)
class LaneSection:
    s: float
    lanes: dict[int, Lane]  # includes the centre lane 0 (its marks)
    single_side: bool = False

    def ids(self) -> tuple[int, ...]:
        """Nonzero ids, left (positive) to right (negative)."""
        return self._ids

    @cached_property
    def _ids(self) -> tuple[int, ...]:
        return tuple(sorted((i for i in self.lanes if i != 0), reverse=True))

    def side(self, sign: int) -> list[Lane]:
        """Lanes of one side, from the reference line outwards."""
        return list(self._sides[sign])

    @cached_property
    def _sides(self) -> dict[int, tuple[Lane, ...]]:
        return {
            sign: tuple(
                self.lanes[i] for i in sorted((i for i in self.lanes if i * sign > 0), key=abs)
            )
            for sign in (1, -1)
        }


def default_lines(type_: str, width: float) -> tuple[MarkLine, ...]:
    """The pattern of a mark with no ``<type>``: 3 m on, 9 m off for broken lines; double lines
    side by side, the first named one on the +t side."""
    parts = type_.split()
    if type_ == "botts dots":
        return (MarkLine(0.12, 1.2, 0.0, 0.0, max(width, 0.12)),)
    if not parts or parts[0] not in ("solid", "broken"):
        return ()
    gap = width if width > 0 else 0.12
    offsets = [0.0] if len(parts) == 1 else [(width + gap) / 2, -(width + gap) / 2]
    return tuple(
        MarkLine(3.0 if p == "broken" else 0.0, 9.0 if p == "broken" else 0.0, o, 0.0, width)
        for p, o in zip(parts, offsets, strict=False)
        if p in ("solid", "broken")
    )
