"""Signals (traffic lights and signs) as read, and their world placement.

A signal with orientation "+" governs traffic travelling along +s, so its face looks back
towards -s, at the traffic approaching it: yaw = road heading + pi (+ hOffset). "-" faces along
+s; "none" (both directions) is placed like "+" with direction 0.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from simgen.core.geometry import wrap_angle
from simgen.world.opendrive.road import Road
from simgen.world.signal_layout import SignalPlacement

TRAFFIC_LIGHT_CODES = frozenset({"1000001", "1000002", "1000011"})
# esmini writes "de_274-50" in the name of a sign with no type: country_code-value
_NAMED = re.compile(r"^([a-z]{2})_([0-9a-z]+)(?:-([0-9.]+))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Signal:
    road: str
    id: str
    name: str
    s: float
    t: float
    dynamic: bool
    orientation: str  # "+", "-" or "none"
    z_offset: float
    h_offset: float
    country: str
    type: str
    subtype: str
    value: float | None
    width: float
    height: float
    validity: tuple[tuple[int, int], ...]  # (fromLane, toLane) ranges
    line: int


@dataclass(frozen=True)
class SignalReference:
    road: str
    id: str  # the referenced signal
    s: float
    t: float
    orientation: str
    validity: tuple[tuple[int, int], ...]
    line: int


def signal_kind(sig: Signal) -> str:
    if sig.type in TRAFFIC_LIGHT_CODES or (sig.dynamic and sig.type.startswith("1000")):
        return "traffic_light"
    return "traffic_sign"


def _code(sig: Signal) -> tuple[str, str, float | None]:
    """(code, country, value), read from the name where the type is empty."""
    if sig.type:
        return sig.type, sig.country, sig.value
    m = _NAMED.match(sig.name)
    if m:
        value = float(m.group(3)) if m.group(3) else sig.value
        return m.group(2), m.group(1).upper(), value
    return "-1", sig.country, sig.value


def _lanes(validity: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    ids: set[int] = set()
    for a, b in validity:
        lo, hi = sorted((a, b))
        ids.update(i for i in range(lo, hi + 1) if i != 0)
    return tuple(sorted(ids, reverse=True))


def _direction(orientation: str) -> int:
    return {"+": 1, "-": -1}.get(orientation, 0)


def place_signal(
    sig: Signal,
    road: Road,
    ground_z: float,
    controller: str | None,
) -> SignalPlacement:
    x, y, z, heading = road.to_world(sig.s, sig.t)
    facing = heading if sig.orientation == "-" else heading + math.pi
    code, country, value = _code(sig)
    return SignalPlacement(
        id=sig.id,
        kind=signal_kind(sig),  # type: ignore[arg-type]
        code=code,
        subtype=sig.subtype or "-1",
        value=value,
        country=country,
        position=(x, y, z + sig.z_offset),
        yaw=wrap_angle(facing + sig.h_offset),
        width=sig.width,
        height=sig.height,
        ground_z=ground_z,
        controller=controller,
        road=road.id,
        s=sig.s,
        direction=_direction(sig.orientation),
        lanes=_lanes(sig.validity),
    )


def place_reference(ref: SignalReference, target: SignalPlacement, road: Road) -> SignalPlacement:
    """A signal governing another road: the referenced head, with this road's stop line."""
    return SignalPlacement(
        id=f"{target.id}@{road.id}",
        kind=target.kind,
        code=target.code,
        subtype=target.subtype,
        value=target.value,
        country=target.country,
        position=target.position,
        yaw=target.yaw,
        width=target.width,
        height=target.height,
        ground_z=target.ground_z,
        controller=target.controller,
        road=road.id,
        s=ref.s,
        direction=_direction(ref.orientation),
        lanes=_lanes(ref.validity),
        physical=False,
    )
