"""Storyboard elements and their states, as the standard defines them.

Every element (story, act, maneuver group, maneuver, event, action) is in ``standby``,
``running`` or ``complete``; it moves by a transition: ``start`` (standby -> running), ``end``
(running -> complete, its work done), ``stop`` (standby or running -> complete, stopped from
outside: a stop trigger, an overriding event or action) and ``skip`` (an event whose trigger
fired while another event of its maneuver ran, with priority skip: it stays in standby).
An event or maneuver group with executions left goes back to standby after its end.
Each execution's start and end times are kept: they are the scenario's phases as data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simgen.scenario.storyboard import ElementType
from simgen.world.events import Span
from simgen.world.storyboard.triggers import TriggerTracker


@dataclass(eq=False)
class Element:
    kind: ElementType
    name: str
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)
    state: str = "standby"
    executions: int = 0
    maximum_executions: int = 1
    start_trigger: TriggerTracker | None = None
    stop_trigger: TriggerTracker | None = None
    spans: list[Span] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.name

    @property
    def running(self) -> bool:
        return self.state == "running"

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class Transitions:
    """Moves elements between states, keeping every execution's span and the transitions that
    happened at each evaluation (a storyboard_element_state condition reads them one step on)."""

    def __init__(self) -> None:
        self.now: dict[tuple[str, str], set[str]] = {}

    def take(self) -> dict[tuple[str, str], frozenset[str]]:
        """The transitions since the last call (and forget them)."""
        out = {key: frozenset(v) for key, v in self.now.items()}
        self.now = {}
        return out

    def _note(self, element: Element, transition: str) -> None:
        self.now.setdefault(element.key, set()).add(transition)

    def start(self, element: Element, t: float) -> None:
        element.state = "running"
        element.executions += 1
        element.spans.append(Span(t, None, None))
        self._note(element, "start")

    def _close(self, element: Element, t: float, how: str) -> None:
        if element.spans and element.spans[-1].end is None:
            element.spans[-1] = Span(element.spans[-1].start, t, how)

    def end(self, element: Element, t: float) -> bool:
        """End a running element's execution; True when it may run again (back to standby)."""
        self._close(element, t, "end")
        self._note(element, "end")
        again = element.executions < element.maximum_executions
        element.state = "standby" if again else "complete"
        return again

    def stop(self, element: Element, t: float) -> None:
        """Stop an element and everything under it that is not complete."""
        for child in element.children:
            if child.state != "complete":
                self.stop(child, t)
        if element.state != "complete":
            self._close(element, t, "stop")
            self._note(element, "stop")
            element.state = "complete"

    def skip(self, element: Element) -> None:
        self._note(element, "skip")

    def rearm(self, element: Element) -> None:
        """Put the elements under one back in standby for its next execution."""
        for child in element.children:
            child.state = "standby"
            child.executions = 0
            if child.start_trigger is not None:
                child.start_trigger.reset()
            self.rearm(child)
