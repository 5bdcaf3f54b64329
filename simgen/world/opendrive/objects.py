"""Road objects as read: position, size, outlines, repeats and markings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Corner:
    local: bool  # cornerLocal (u, v in the object frame) or cornerRoad (s, t)
    a: float  # u or s
    b: float  # v or t
    z: float  # z (local) or dz (road)
    height: float
    id: str


@dataclass(frozen=True)
class Outline:
    corners: tuple[Corner, ...]
    closed: bool


@dataclass(frozen=True)
class Repeat:
    s: float
    length: float
    distance: float  # 0: one continuous object along the stretch
    t_start: float
    t_end: float
    width_start: float | None
    width_end: float | None
    height_start: float | None
    height_end: float | None
    z_start: float
    z_end: float


@dataclass(frozen=True)
class ObjectMarking:
    width: float
    color: str
    z_offset: float
    space: float
    line_length: float
    start_offset: float
    stop_offset: float
    corners: tuple[str, ...]  # corner ids along which the marking runs


@dataclass(frozen=True)
class RoadObject:
    road: str
    id: str
    type: str
    name: str
    s: float
    t: float
    z_offset: float
    hdg: float  # relative to the road heading
    length: float | None
    width: float | None
    height: float | None
    radius: float | None
    orientation: str
    outlines: tuple[Outline, ...]
    repeats: tuple[Repeat, ...]
    markings: tuple[ObjectMarking, ...]
    line: int

    @property
    def kind(self) -> str:
        """What simgen builds for it: pole, barrier, building, vegetation, crosswalk, parking,
        cone, lamp, or "" (nothing)."""
        t, n = self.type.lower(), self.name.lower()
        if t == "crosswalk":
            return "crosswalk"
        if t in ("parkingspace",):
            return "parking"
        if t in ("streetlamp",):
            return "lamp"
        if t in ("pole", "guide-post", "rail-pole", "trafficisland") or (
            "pole" in n and t != "barrier"
        ):
            return "pole"
        if t in ("barrier", "railing", "fence", "wall", "guardrail") or "railing" in n:
            return "barrier"
        if t == "building" or n.startswith("building"):
            return "building"
        if t in ("tree", "vegetation"):
            return "vegetation"
        if "cone" in n:
            return "cone"
        if t == "obstacle":
            return "barrier"
        return ""
