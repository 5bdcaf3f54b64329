"""The faults every sensor shares: a frame lost (``frame_drop``) and a frame repeated
(``stuck_frame``). Cameras and lidars decide and deliver them here, the same way.

A lost frame wins over a stuck one: the sensor may be repeating itself, but nothing arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from simgen.scenario.models import FrameDrop, StuckFrame

T = TypeVar("T")


@dataclass(frozen=True)
class FrameFault:
    """What the shared faults do to one sensor's frame."""

    dropped: bool = False
    stuck: bool = False

    def names(self) -> tuple[str, ...]:
        """The fault names the labels carry, after the sensor's own faults."""
        return ("frame_drop",) * self.dropped + ("stuck_frame",) * self.stuck


def frame_fault(active: Iterable[object], draw: Callable[[], float]) -> FrameFault:
    """The shared faults among the ``active`` ones. ``draw`` gives a uniform number for each
    ``frame_drop`` in turn, until one drops the frame (a camera hands one draw for all; a lidar
    draws from its frame's stream, so it draws no more than it used to)."""
    faults = list(active)
    dropped = any(isinstance(f, FrameDrop) and draw() < f.probability for f in faults)
    return FrameFault(dropped, any(isinstance(f, StuckFrame) for f in faults))


def other_faults(active: Iterable[object]) -> list[object]:
    """The active faults that are not shared ones: each sensor names these itself."""
    return [f for f in active if not isinstance(f, FrameDrop | StuckFrame)]


def repeats_frames(faults: Iterable[object]) -> bool:
    """Whether any fault makes a sensor repeat an earlier frame (maybe from far back)."""
    return any(isinstance(f, StuckFrame) for f in faults)


class Held(Generic[T]):
    """The last frame each sensor delivered, which a stuck sensor repeats; ``lost`` turns a
    fresh frame into what a dropped one delivers (the frame itself when it already is)."""

    def __init__(self, lost: Callable[[T], T] = lambda frame: frame) -> None:
        self._lost = lost
        self._last: dict[str, T] = {}

    def deliver(self, sensor: str, fresh: T, fault: FrameFault) -> T:
        """What ``sensor`` delivers, given the frame it made now."""
        if fault.dropped:
            return self._lost(fresh)
        if fault.stuck and sensor in self._last:
            return self._last[sensor]
        self._last[sensor] = fresh
        return fresh
