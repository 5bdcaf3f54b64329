"""How road users obey traffic lights: vehicles halt at red stop lines, pedestrians wait.

A vehicle following its lane (IDM) on a signalised approach, matched to a stop line by its road
(the arm on the procedural intersection), direction and lane, gets the line as a standing
obstacle while the light is red; at yellow it stops when it can do so comfortably and otherwise
drives on, a choice kept until the next green. A pedestrian whose crossing starts at a crosswalk
with lights waits on the sidewalk for the walk signal (at a crosswalk without pedestrian lights,
for the crossed approach's red). Dark or flashing lights govern nobody: drivers give way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simgen.world.behaviour import IDM_COMFORT_DECEL, Plan, Roads
from simgen.world.signal_layout import SignalPlacement
from simgen.world.signals import PEDESTRIAN, SignalSystem, stopping_distance

LOOK_AHEAD = 150.0  # m: stop lines further away than this do not matter yet
CROSSWALK_REACH = 4.0  # m along the road: a crossing that starts this near a crosswalk uses it


@dataclass(frozen=True)
class StopLine:
    road: str
    s: float
    direction: int
    lanes: tuple[int, ...]
    head: SignalPlacement  # one light that governs it (all of them switch together)

    def governs(self, plan: Plan) -> bool:
        return (
            (plan.arm or "") == self.road
            and plan.direction == self.direction
            and plan.lane is not None
            and (not self.lanes or plan.lane in self.lanes)
        )


@dataclass(frozen=True)
class Crosswalk:
    road: str
    s: float
    light: SignalPlacement  # the pedestrian light, or the crossed approach's vehicle light
    walk_on: str  # the light's state that lets pedestrians go: "green" (walk) or "red"


@dataclass
class SignalRules:
    system: SignalSystem
    geom: Roads
    lines: list[StopLine] = field(default_factory=list)
    crosswalks: list[Crosswalk] = field(default_factory=list)
    going: dict[tuple[str, int], bool] = field(default_factory=dict)  # yellow choices

    def __post_init__(self) -> None:
        seen = set()
        for p in self.system.placements:
            if p.kind != "traffic_light":
                continue
            if p.code == PEDESTRIAN:
                self.crosswalks.append(Crosswalk(p.road or "", p.s, p, "green"))
                continue
            key = (p.road or "", round(p.s, 3), p.direction, p.lanes)
            if key not in seen:
                seen.add(key)
                self.lines.append(StopLine(p.road or "", p.s, p.direction, p.lanes, p))
        if not self.crosswalks:  # no pedestrian lights: cross while the approach has red
            for line in self.lines:
                self.crosswalks.append(Crosswalk(line.road, line.s, line.head, "red"))

    def apply(self, plans: list[Plan], t: float) -> None:
        """Set each plan's stop line for the next step; hold pedestrians waiting to cross."""
        for plan in plans:
            plan.stop_at = self.stop_line(plan, t)

    def stop_line(self, plan: Plan, t: float) -> float | None:
        if not plan.obey_signals or plan.mode != "follow" or plan.path is not None:
            return None
        ahead = [
            (distance, index, line)
            for index, line in enumerate(self.lines)
            if line.governs(plan)
            and 0.0
            <= (distance := (line.s - plan.s) * plan.direction - plan.length / 2)
            <= LOOK_AHEAD
        ]
        if not ahead:
            return None
        distance, index, line = min(ahead, key=lambda a: a[0])
        state, _ = self.system.state_of(line.head, t)
        key = (plan.name, index)
        if state == "green" or state in ("off", "flashing_yellow"):
            self.going.pop(key, None)
            return None
        if key not in self.going:  # a red or a yellow just seen: stop if comfortably possible
            comfortable = stopping_distance(plan.speed, IDM_COMFORT_DECEL) <= distance
            self.going[key] = state == "yellow" and not comfortable
        return None if self.going[key] else line.s

    def waits(self, plan: Plan, t: float) -> bool:
        """Whether a pedestrian about to cross at a signalised crosswalk must wait."""
        if plan.crossing is None or plan.entry.kind != "pedestrian":
            return False
        if self.geom.on_carriageway(plan.s, plan.lateral, plan.arm):
            return False  # already on the carriageway: finish the crossing
        for walk in self.crosswalks:
            if walk.road == (plan.arm or "") and abs(plan.s - walk.s) <= CROSSWALK_REACH:
                state, _ = self.system.state_of(walk.light, t)
                if state in ("off", "flashing_yellow"):
                    return False
                return state != walk.walk_on
        return False


def hold(plan: Plan) -> None:
    """Keep a waiting road user where it stands, at rest."""
    plan.vx = plan.vy = plan.yaw_rate = 0.0
