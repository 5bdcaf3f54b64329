"""Triggers as the standard defines them: an OR of condition groups, each an AND of conditions,
every condition with its edge and delay.

An edge compares this evaluation of a check with the previous one: ``rising`` is met when it
turns from false to true, ``falling`` from true to false, ``rising_or_falling`` on either,
``none`` whenever the check holds. The first evaluation has no previous one, so no edge is met
then. A ``delay`` reports what was met ``delay`` seconds later: an edge met at t1 counts at
the first evaluation at or after t1 + delay; a level (``none``) counts when the check held at
the latest evaluation at or before t - delay.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from simgen.scenario.storyboard import Condition, ConditionGroup

TIME_EPS = 1e-9


@dataclass
class ConditionTracker:
    """One condition's memory across evaluations: the previous value and what waits for its
    delay."""

    condition: Condition
    previous: bool | None = None
    # (time, met, entities): what the edge gave at each evaluation (level) or each edge met
    history: deque[tuple[float, bool, frozenset[str]]] = field(default_factory=deque)
    current: tuple[bool, frozenset[str]] = (False, frozenset())  # a delayed level's value

    def reset(self) -> None:
        self.previous, self.current = None, (False, frozenset())
        self.history.clear()

    def update(self, t: float, value: bool, who: frozenset[str]) -> tuple[bool, frozenset[str]]:
        """Feed the check's value at ``t``; returns whether the condition is met now."""
        edge = self.condition.edge
        if edge == "none":
            met = value
        elif self.previous is None:
            met = False
        elif edge == "rising":
            met = value and not self.previous
        elif edge == "falling":
            met = self.previous and not value
        else:
            met = value != self.previous
        self.previous = value
        delay = self.condition.delay
        if delay <= 0:
            return met, who
        if edge == "none":
            self.history.append((t, met, who))
            while self.history and self.history[0][0] <= t - delay + TIME_EPS:
                _, was, who = self.history.popleft()
                self.current = (was, who)
            return self.current
        if met:
            self.history.append((t, True, who))
        if self.history and self.history[0][0] + delay <= t + TIME_EPS:
            _, _, who = self.history.popleft()
            return True, who
        return False, frozenset()


@dataclass
class TriggerTracker:
    """A trigger's trackers; empty fires at once (the standard's missing trigger)."""

    groups: list[list[ConditionTracker]]

    @classmethod
    def of(cls, groups: list[ConditionGroup]) -> TriggerTracker:
        return cls([[ConditionTracker(c) for c in g.conditions] for g in groups])

    @property
    def empty(self) -> bool:
        return not self.groups

    def reset(self) -> None:
        for group in self.groups:
            for tracker in group:
                tracker.reset()
