"""Traffic-light states as pure functions of time, for any road source's signal placements.

Each controller cycles green -> yellow -> red. The controllers of a junction take turns in their
``sequence`` order: turn k is green from k * (green + yellow + all_red) seconds into the cycle, so
conflicting approaches never see green together and every change passes an all-red clearance.
Pedestrian lights (1000002) show green while their controller (the parallel vehicle approach) is
green and not in its last seconds. Signs have no state. A fault turns a controller's lamps off or
to a yellow flashing at 1 Hz from a time on. A storyboard may set a light's state (``override``):
it holds until the next override of that light or until its controller's next phase change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from simgen.scenario.models import Cycle, SignalFaultSpec, Signals
from simgen.world.signal_layout import ControllerPlacement, SignalPlacement

LightState = Literal["red", "yellow", "green", "off", "flashing_yellow"]
Lamp = Literal["red", "yellow", "green"]

THREE_LAMP = "1000001"
PEDESTRIAN = "1000002"
ARROWS = "1000011"
LIGHT_CODES = frozenset({THREE_LAMP, PEDESTRIAN, ARROWS})
SIGN_CODES = {
    "stop": "206",
    "yield": "205",
    "speed_limit": "274",
    "no_entry": "267",
    "priority_road": "306",
}
NAMES = {code: name for name, code in SIGN_CODES.items()} | {
    THREE_LAMP: "traffic_light",
    PEDESTRIAN: "pedestrian_light",
    ARROWS: "arrow_light",
}
PEDESTRIAN_CLEARANCE = 5.0  # s: a walk signal ends this long before the vehicles' green does
FLASH_PERIOD = 1.0  # s: a flashing yellow is lit for the first half of each period


@dataclass(frozen=True)
class Timing:
    """One controller's cycle: green from ``start`` (mod the cycle), then yellow, then red."""

    green: float
    yellow: float
    red: float
    start: float  # time (s) at which a green begins; every cycle later another does

    @property
    def cycle(self) -> float:
        return self.green + self.yellow + self.red

    def phase(self, t: float) -> float:
        """Seconds since the last green began."""
        return (t - self.start) % self.cycle

    def state(self, t: float) -> Lamp:
        u = self.phase(t)
        if u < self.green:
            return "green"
        if u < self.green + self.yellow:
            return "yellow"
        return "red"

    def green_left(self, t: float) -> float:
        """Seconds of green left (0 outside the green)."""
        return max(0.0, self.green - self.phase(t))

    def next_change(self, t: float) -> float:
        """When the lamp changes next after ``t`` (the end of the green, yellow or red now)."""
        u = self.phase(t)
        for end in (self.green, self.green + self.yellow, self.cycle):
            if u < end - 1e-9:
                return t + end - u
        return t + self.cycle - u + self.green  # pragma: no cover - u < cycle always

    def next_green(self, t: float) -> float:
        """When the next green begins (``t`` itself during a green)."""
        u = self.phase(t)
        return t if u < self.green else t + self.cycle - u


def timings(controllers: tuple[ControllerPlacement, ...], signals: Signals) -> dict[str, Timing]:
    """Every controller's timing: the junction's cycle and offset with turns in ``sequence``
    order (controllers sharing a sequence number share their turn), overridden per id."""
    turns = sorted({c.sequence for c in controllers})
    out = {}
    for c in controllers:
        own = signals.controllers.get(c.id)
        cycle: Cycle = own.cycle if own is not None and own.cycle is not None else signals.cycle
        green, yellow, clear = float(cycle.green), float(cycle.yellow), float(cycle.all_red)
        slot = green + yellow + clear
        red = float(cycle.red) if cycle.red is not None else (len(turns) - 1) * slot + clear
        if own is not None and own.offset is not None:
            start = -float(own.offset)
        else:
            start = turns.index(c.sequence) * slot - float(signals.offset)
        out[c.id] = Timing(green, yellow, red, start)
    return out


@dataclass(frozen=True)
class SignalState:
    """One signal at one instant. ``id`` is its object id (masks, lidar points, labels)."""

    id: int
    placement: SignalPlacement
    state: LightState | None  # None for signs
    lit: Lamp | None  # the lamp glowing now (a pedestrian light's red or green man)


def light_state(
    timing: Timing, code: str, t: float, fault: SignalFaultSpec | None
) -> tuple[LightState, Lamp | None]:
    """A light's state and its glowing lamp at ``t``."""
    if fault is not None:
        if fault.mode == "off" or code == PEDESTRIAN:
            return "off", None
        lit = (t - float(fault.at)) % FLASH_PERIOD < FLASH_PERIOD / 2
        return "flashing_yellow", "yellow" if lit else None
    if code == PEDESTRIAN:
        clearance = min(PEDESTRIAN_CLEARANCE, timing.green / 2)
        walk = timing.state(t) == "green" and timing.green_left(t) > clearance
        return ("green", "green") if walk else ("red", "red")
    lamp = timing.state(t)
    return lamp, lamp


@dataclass(frozen=True)
class SignalOverride:
    """A light set to ``state`` at ``at`` (a storyboard's traffic_signal_state action), until
    ``until``: the next phase change of its controller (inf for a light no controller
    switches); a later override of the same light replaces it."""

    signal: str
    state: LightState
    at: float
    until: float


@dataclass(frozen=True)
class SignalSystem:
    """The signals of a world and their controllers' timings; ``states`` gives each frame's."""

    placements: tuple[SignalPlacement, ...]
    timings: dict[str, Timing]
    faults: tuple[SignalFaultSpec, ...]
    first_id: int  # object id of the first placement; the others follow in order
    overrides: list[SignalOverride] = field(default_factory=list)  # in the order they were set

    def override(self, signal: str, state: LightState, t: float) -> None:
        """Set a light's state from ``t`` until its controller's next phase change."""
        placement = next((p for p in self.placements if p.id == signal), None)
        if placement is None:
            raise KeyError(signal)
        timing = self.timings.get(placement.controller or "")
        until = math.inf if timing is None else timing.next_change(t)
        self.overrides.append(SignalOverride(signal, state, t, until))

    def overridden(self, placement: SignalPlacement, t: float) -> LightState | None:
        """The state a storyboard set for a light, while it holds at ``t``."""
        for o in reversed(self.overrides):
            if o.signal == placement.id and o.at <= t + 1e-9:
                return o.state if t < o.until - 1e-9 else None
        return None

    def fault(self, controller: str | None, t: float) -> SignalFaultSpec | None:
        """The latest fault acting on a controller at ``t``."""
        found = None
        for f in self.faults:
            acts = f.controller in (None, controller) and t >= float(f.at) - 1e-9
            if acts and (found is None or float(f.at) >= float(found.at)):
                found = f
        return found

    def state_of(
        self, placement: SignalPlacement, t: float
    ) -> tuple[LightState | None, Lamp | None]:
        if placement.kind != "traffic_light":
            return None, None
        if self.overrides:
            state = self.overridden(placement, t)
            if state is not None:
                return state, _lamp(state, t)
        timing = self.timings.get(placement.controller or "")
        fault = self.fault(placement.controller, t)
        if timing is None:  # a light no controller switches: dark unless a fault flashes it
            if fault is not None and fault.mode == "flashing_yellow":
                return light_state(Timing(1, 1, 1, 0), placement.code, t, fault)
            return "off", None
        return light_state(timing, placement.code, t, fault)

    def states(self, t: float) -> tuple[SignalState, ...]:
        out = []
        for index, p in enumerate(self.placements):
            state, lit = self.state_of(p, t)
            out.append(SignalState(self.first_id + index, p, state, lit))
        return tuple(out)


def _lamp(state: LightState, t: float) -> Lamp | None:
    """The lamp a light set to ``state`` shows (a flashing yellow blinks at 1 Hz)."""
    if state == "off":
        return None
    if state == "flashing_yellow":
        return "yellow" if t % FLASH_PERIOD < FLASH_PERIOD / 2 else None
    return state


def signal_name(code: str) -> str:
    """A signal's name by its code; codes without one are ``generic`` signs."""
    return NAMES.get(code, "generic")


def stopping_distance(speed: float, decel: float) -> float:
    return speed * speed / (2 * decel) if decel > 0 else math.inf
