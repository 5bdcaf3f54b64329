"""Where signals stand: traffic lights and signs as placed by a road source.

A road source (the procedural intersection, an OpenDRIVE map) says where each signal is, which
way it faces, what it is and which controller switches it; ``simgen.world.signals`` gives them
states over time, meshes and labels. Pure data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Vec3 = tuple[float, float, float]
LIGHT_DEPTH = 0.24  # m: a traffic light's housing, front to back (its pole stands behind it)


@dataclass(frozen=True)
class SignalPlacement:
    """One signal head and the stop line it governs; ``direction`` 0: both directions."""

    id: str  # the OpenDRIVE signal id, or a generated one
    kind: Literal["traffic_light", "traffic_sign"]
    code: str  # OpenDRIVE type (German/Vienna convention): "1000001", "206", "274", ...
    subtype: str  # OpenDRIVE subtype, "-1" when none
    value: float | None  # e.g. the speed limit of a 274
    country: str  # OpenDRIVE country code, "" when none
    position: Vec3  # world point at the bottom centre of the signal head (plate or housing)
    yaw: float  # world heading (rad) of the face's outward normal: towards the traffic it governs
    width: float  # of the head (m)
    height: float  # of the head (m)
    ground_z: float  # world height of the ground under it (its pole runs from here up)
    controller: str | None  # the controller that switches it (traffic lights only)
    road: str | None  # the road it governs, in the source's road ids
    s: float  # where on that road traffic must stop for it (its stop line)
    direction: int  # +1: governs traffic travelling along increasing s; -1: against
    lanes: tuple[int, ...]  # the lanes it governs (empty: every lane of its direction)
    # False for an OpenDRIVE <signalReference>: the same head (already placed) governing another
    # road's stop line; build no mesh and no label for it, only the stop line
    physical: bool = True


@dataclass(frozen=True)
class ControllerPlacement:
    """Signals switched together (an OpenDRIVE ``<controller>``), in phase order."""

    id: str
    signals: tuple[str, ...]
    sequence: int = 0  # OpenDRIVE's order among controllers of a junction
