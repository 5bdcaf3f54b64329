"""The storyboard acted out: evaluated once per physics step by ``simgen.world.simulate``.

Each evaluation (at time t, after the plans moved to t) does, in order: end the actions whose
work is done; the storyboard's stop trigger; each story's acts (stop triggers, then start
triggers: an act starts its maneuver groups and their maneuvers at once); each running
maneuver's events in standby whose start trigger fires (by priority); then ends what has
finished, from events up to stories. Conditions read the scene of this step, and the element
states and transitions as they were after the previous evaluation, so the order of elements in
the file never changes what fires. Actions act from the next step on.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from simgen.scenario.storyboard import (
    Act,
    ActionKind,
    FollowTrajectoryAction,
    LaneChangeAction,
    LaneOffsetAction,
    LongitudinalDistanceAction,
    SpeedAction,
    Storyboard,
    SynchronizeAction,
    TeleportAction,
)
from simgen.world.behaviour import Plan, Roads, Snapshot
from simgen.world.events import ElementRecord
from simgen.world.signals import SignalSystem
from simgen.world.storyboard import actions as act
from simgen.world.storyboard.conditions import evaluate, off_road
from simgen.world.storyboard.elements import Element, Transitions
from simgen.world.storyboard.positions import PositionError
from simgen.world.storyboard.scene import Entity, Scene
from simgen.world.storyboard.triggers import TriggerTracker

DOMAINS: dict[type, frozenset[str]] = {
    SpeedAction: frozenset({"longitudinal"}),
    LongitudinalDistanceAction: frozenset({"longitudinal"}),
    SynchronizeAction: frozenset({"longitudinal"}),
    LaneChangeAction: frozenset({"lateral"}),
    LaneOffsetAction: frozenset({"lateral"}),
    TeleportAction: frozenset({"lateral"}),
    FollowTrajectoryAction: frozenset({"longitudinal", "lateral"}),
}


def action_domains(spec: ActionKind) -> frozenset[str]:
    """What an action takes control of: a trajectory without timing is a path only, moved
    along at the speed the speed actions give (the standard: at the entity's current speed)."""
    if isinstance(spec, FollowTrajectoryAction) and spec.timing is None:
        return frozenset({"lateral"})
    return DOMAINS.get(type(spec), frozenset())


class StoryboardError(ValueError):
    """An action or condition that cannot act on this world; names the element."""


@dataclass(eq=False)
class _Active:
    """A started action element and what acts for it on each road user."""

    element: Element
    spec: ActionKind
    runs: list[act.Running] = field(default_factory=list)


class StoryboardRunner:
    def __init__(self, board: Storyboard) -> None:
        self.board = board
        self.transitions = Transitions()
        self.seen: dict[tuple[str, str], frozenset[str]] = {}  # the previous step's transitions
        self.stop_trigger = TriggerTracker.of(board.stop_trigger)
        self.stopped = False
        self.stories: list[Element] = []
        self.specs: dict[Element, object] = {}  # element -> its model
        self.actors: dict[Element, list[str]] = {}  # maneuver group -> its actors
        for story in board.stories:
            s = Element("story", story.name)
            self.stories.append(s)
            for a in story.acts:
                s.children.append(self._act(a, s))
        self.active: list[_Active] = []
        self.init_runs: list[act.Running] = []
        self.off_road_since: dict[str, float] = {}
        self.free_travel: dict[str, float] = {}
        self.last_speed: dict[str, float] = {}
        self._plans: dict[str, Plan] = {}

    def _act(self, a: Act, story: Element) -> Element:
        e = Element("act", a.name, story)
        e.start_trigger = TriggerTracker.of(a.start_trigger)
        e.stop_trigger = TriggerTracker.of(a.stop_trigger)
        for group in a.maneuver_groups:
            g = Element("maneuver_group", group.name, e,
                        maximum_executions=group.maximum_execution_count)  # fmt: skip
            self.specs[g] = group
            e.children.append(g)
            for maneuver in group.maneuvers:
                m = Element("maneuver", maneuver.name, g)
                g.children.append(m)
                for event in maneuver.events:
                    ev = Element("event", event.name, m,
                                 maximum_executions=event.maximum_execution_count)  # fmt: skip
                    ev.start_trigger = TriggerTracker.of(event.start_trigger)
                    self.specs[ev] = event
                    m.children.append(ev)
                    for action in event.actions:
                        x = Element("action", action.name, ev)
                        self.specs[x] = action.do
                        ev.children.append(x)
        return e

    def elements(self):
        for story in self.stories:
            yield from story.walk()

    # --- what the world looks like to conditions ----------------------------------------------

    def scene(
        self, t: float, dt: float, plans: list[Plan], snapshots: dict[str, Snapshot],
        free: Collection[str], geom: Roads, signals: SignalSystem,
        collisions: Collection[tuple[str, str]],
    ) -> Scene:  # fmt: skip
        """The scene of one step: planned road users at their plans, crashed ones at their
        bodies (speed and acceleration from the body's velocity)."""
        entities = {}
        for plan in plans:
            snap = snapshots[plan.name]
            controlled = plan.name not in free
            if controlled:
                speed, accel = plan.speed, plan.accel
            else:
                speed = snap.speed
                accel = (speed - self.last_speed.get(plan.name, speed)) / dt
            self.last_speed[plan.name] = speed
            travelled = plan.odometer + self.free_travel.get(plan.name, 0.0)
            entities[plan.name] = Entity(plan.name, snap, plan, controlled, speed, accel, travelled)
        pairs = frozenset(tuple(sorted(p)) for p in collisions)
        return Scene(t, dt, entities, geom, signals, pairs)  # type: ignore[arg-type]

    # --- init -----------------------------------------------------------------------------------

    def init(self, scene: Scene) -> None:
        """Apply ``init`` and ``global_init`` at t = 0, before the first step."""
        for action in self.board.global_init:
            self._run(action, None, scene, None)
        for group in self.board.init:
            for action in group.actions:
                run = self._run(action, group.entity, scene, None)
                if run is not None:
                    self.init_runs.append(run)
        self.evaluate(scene)

    # --- one evaluation -------------------------------------------------------------------------

    def evaluate(self, scene: Scene) -> None:
        t = scene.time
        self._track(scene)
        states = {e.key: e.state for e in self.elements()}
        seen, self.seen = self.seen, {}

        def fires(trigger: TriggerTracker | None) -> tuple[bool, frozenset[str]]:
            if trigger is None or trigger.empty:
                return True, frozenset()
            fired, who = False, set[str]()
            for group in trigger.groups:
                ok, group_who = True, set[str]()
                for tracker in group:  # every condition is fed, for its edge
                    value, met_by = self._check(scene, tracker.condition.check, states, seen)
                    met, by = tracker.update(t, value, met_by)
                    ok = ok and met
                    group_who |= by
                if ok:
                    fired = True
                    who |= group_who
            return fired, frozenset(who)

        self._finish_actions(scene)
        if not self.stopped and not self.stop_trigger.empty and fires(self.stop_trigger)[0]:
            self.stopped = True
            for story in self.stories:
                self.transitions.stop(story, t)
            self._release_stopped()
        if not self.stopped:
            for story in self.stories:
                if story.state == "standby" and story.executions == 0:
                    self.transitions.start(story, t)
                if story.running:
                    for a in story.children:
                        self._step_act(a, scene, fires)
        self._finish_elements(t)
        self.seen = self.transitions.take()
        for run in [*self.init_runs, *(r for a in self.active for r in a.runs)]:
            run.prepare(scene)

    def _check(self, scene, check, states, seen) -> tuple[bool, frozenset[str]]:
        try:
            return evaluate(scene, check, states, seen, self.off_road_since.get)
        except PositionError as err:
            raise StoryboardError(f"condition {check.type}: {err}") from None

    def _step_act(self, a: Element, scene: Scene, fires) -> None:
        t = scene.time
        stop = a.stop_trigger
        if a.state != "complete" and stop is not None and not stop.empty and fires(stop)[0]:
            self.transitions.stop(a, t)
            self._release_stopped()
            return
        if a.state == "standby" and a.executions == 0:
            fired, who = fires(a.start_trigger)
            if fired:
                self.transitions.start(a, t)
                for group in a.children:
                    self._start_group(group, t, who)
        if a.running:
            for group in a.children:
                for maneuver in group.children:
                    if maneuver.running:
                        self._step_maneuver(maneuver, scene, fires)

    def _start_group(self, group: Element, t: float, who: frozenset[str]) -> None:
        spec = self.specs[group]
        actors = list(spec.actors)  # type: ignore[attr-defined]
        if spec.select_triggering_entities:  # type: ignore[attr-defined]
            actors += [name for name in sorted(who) if name not in actors]
        self.actors[group] = actors
        self.transitions.start(group, t)
        for maneuver in group.children:
            self.transitions.start(maneuver, t)

    def _step_maneuver(self, maneuver: Element, scene: Scene, fires) -> None:
        t = scene.time
        for event in maneuver.children:
            if event.state != "standby":
                continue
            fired, _ = fires(event.start_trigger)
            if not fired:
                continue
            priority = self.specs[event].priority  # type: ignore[attr-defined]
            others = [e for e in maneuver.children if e is not event and e.running]
            if priority == "skip" and others:
                self.transitions.skip(event)
                continue
            if priority in ("overwrite", "override"):
                for other in others:
                    self.transitions.stop(other, t)
                self._release_stopped()
            self.transitions.start(event, t)
            group = maneuver.parent
            assert group is not None
            for action in event.children:
                self.transitions.start(action, t)
                self._start_action(action, self.actors.get(group, []), scene)

    def _start_action(self, element: Element, actors: list[str], scene: Scene) -> None:
        spec = self.specs[element]
        active = _Active(element, spec)  # type: ignore[arg-type]
        self.active.append(active)
        targets: list[str | None] = list(actors)
        if spec.type in ("traffic_signal_state",) or not targets:  # type: ignore[attr-defined]
            targets = [None]
        for name in targets:
            run = self._run(spec, name, scene, element)  # type: ignore[arg-type]
            if run is not None:
                active.runs.append(run)

    def _run(self, spec: ActionKind, entity: str | None, scene: Scene, element) -> act.Running:
        domains = action_domains(spec)
        if entity is not None and domains:
            self._override(entity, domains, scene.time)
        try:
            return act.start(spec, entity, scene)
        except (act.ActionError, PositionError) as err:
            where = f"action '{element.name}'" if element is not None else f"init of {entity}"
            raise StoryboardError(f"storyboard {where} ({spec.type}): {err}") from None

    def _override(self, entity: str, domains: frozenset[str], t: float) -> None:
        """A new action on a road user stops the running ones of its domain."""
        for run in [r for r in self.init_runs if r.entity == entity and r.domains & domains]:
            self.init_runs.remove(run)
            run.release(self._plan(entity), stopped=True)
        for active in self.active:
            for run in [r for r in active.runs if r.entity == entity and r.domains & domains]:
                active.runs.remove(run)
                run.release(self._plan(entity), stopped=True)
                if not active.runs and active.element.state == "running":
                    self.transitions.stop(active.element, t)
        self.active = [a for a in self.active if a.runs or a.element.state == "running"]

    def _plan(self, name: str | None):
        return None if name is None else self._plans.get(name)

    def _finish_actions(self, scene: Scene) -> None:
        self._plans = {name: e.plan for name, e in scene.entities.items()}
        for run in list(self.init_runs):
            if run.done(scene):
                self.init_runs.remove(run)
                run.release(self._plan(run.entity), stopped=False)
        for active in list(self.active):
            if active.element.state != "running":
                continue
            if all(run.done(scene) for run in active.runs):
                for run in active.runs:
                    run.release(self._plan(run.entity), stopped=False)
                self.transitions.end(active.element, scene.time)
                self.active.remove(active)

    def _release_stopped(self) -> None:
        for active in list(self.active):
            if active.element.state == "complete":
                for run in active.runs:
                    run.release(self._plan(run.entity), stopped=True)
                self.active.remove(active)

    def _finish_elements(self, t: float) -> None:
        """End what has finished, from events up to stories."""
        for story in self.stories:
            for a in story.children:
                for group in a.children:
                    for maneuver in group.children:
                        for event in maneuver.children:
                            self._end_if_done(event, t)
                        self._end_if_done(maneuver, t)
                    if self._end_if_done(group, t):
                        self._start_group(group, t, frozenset())  # its next execution
                self._end_if_done(a, t)
            self._end_if_done(story, t)

    def _end_if_done(self, element: Element, t: float) -> bool:
        """End a running element whose children are all complete; True when it goes back to
        standby for another execution (its children rearmed)."""
        if not element.running or not _all_done(element):
            return False
        again = self.transitions.end(element, t)
        if again:
            self.transitions.rearm(element)
        return again

    def _track(self, scene: Scene) -> None:
        """Distances driven while free, and when each road user left its road."""
        self._plans = {name: e.plan for name, e in scene.entities.items()}
        for name, e in scene.entities.items():
            if not e.controlled:
                self.free_travel[name] = self.free_travel.get(name, 0.0) + e.speed * scene.dt
            if off_road(scene, e):
                self.off_road_since.setdefault(name, scene.time)
            else:
                self.off_road_since.pop(name, None)

    # --- the record -----------------------------------------------------------------------------

    def records(self) -> tuple[ElementRecord, ...]:
        return tuple(
            ElementRecord(
                e.kind, e.name, None if e.parent is None else e.parent.name, tuple(e.spans)
            )
            for e in self.elements()
        )


def _all_done(element: Element) -> bool:
    return all(child.state == "complete" for child in element.children)


__all__ = ["ElementRecord", "StoryboardError", "StoryboardRunner"]
