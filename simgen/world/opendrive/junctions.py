"""Junctions, their connections and lane links, and signal controllers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Connection:
    id: str
    incoming_road: str
    connecting_road: str
    contact_point: Literal["start", "end"]  # where traffic enters the connecting road
    lane_links: tuple[tuple[int, int], ...]  # (incoming lane, connecting-road lane)


@dataclass(frozen=True)
class Junction:
    id: str
    name: str
    connections: tuple[Connection, ...]
    controllers: tuple[tuple[str, int], ...]  # (controller id, sequence)
    type: str = "default"  # "direct": connections name the outgoing road itself


@dataclass(frozen=True)
class Controller:
    id: str
    name: str
    sequence: int
    signals: tuple[str, ...]  # signal ids, in <control> order


@dataclass(frozen=True)
class LaneRef:
    """A lane a vehicle moves onto: ``s_entry`` is where it enters and ``forward`` whether it
    then travels along increasing s."""

    road: str
    lane: int
    s_entry: float
    forward: bool
