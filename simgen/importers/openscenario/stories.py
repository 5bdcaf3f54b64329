"""Stories, acts, maneuver groups, maneuvers and events (catalog maneuvers expanded), with
their triggers. Element names are kept; a name used twice gets a ``#2`` suffix (the model wants
them unique; references by name find the first), with a note. Lenient mode drops an element
whose parts were all skipped."""

from __future__ import annotations

from simgen.importers.openscenario.actions import global_action, private_action
from simgen.importers.openscenario.conditions import trigger
from simgen.importers.openscenario.context import Ctx, Element, Skipped, kept
from simgen.importers.openscenario.env import Env
from simgen.importers.openscenario.parameters import declare
from simgen.scenario import storyboard as sb

PRIORITIES = {"overwrite": "overwrite", "override": "override", "skip": "skip",
              "parallel": "parallel"}  # fmt: skip


class Names:
    """Unique storyboard element names."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx, self.seen = ctx, set[str]()

    def __call__(self, ctx: Ctx, el: Element) -> str:
        name = str(ctx.label(el, "name"))
        unique, n = name, 2
        while unique in self.seen:
            unique, n = f"{name}#{n}", n + 1
        if unique != name:
            ctx.report.note(
                f"{ctx.file}:{el.sourceline}: <{el.tag}> name '{name}' is used "
                f"before: renamed '{unique}'"
            )
        self.seen.add(unique)
        return unique


def _skipped(ctx: Ctx, el: Element, what: str) -> Skipped:
    message = f'<{el.tag} name="{el.get("name")}">: {what}'
    ctx.report.warnings.append(f"{ctx.file}:{el.sourceline}: {message}: skipped")
    return Skipped(message)


def stories(ctx: Ctx, env: Env, board: Element) -> tuple[list[sb.Story], list[sb.ConditionGroup]]:
    names = Names(ctx)
    out = []
    for story_el in ctx.all(board, "Story"):
        story_ctx = declare(ctx, story_el)
        acts = kept(lambda a, c=story_ctx: act(c, env, a, names), ctx.all(story_el, "Act"))
        if acts:
            out.append(sb.Story(name=names(story_ctx, story_el), acts=acts))
    stop = trigger(ctx, env, ctx.maybe(board, "StopTrigger"))
    return out, stop


def act(ctx: Ctx, env: Env, el: Element, names: Names) -> sb.Act:
    name = names(ctx, el)
    groups = kept(lambda g: maneuver_group(ctx, env, g, names), ctx.all(el, "ManeuverGroup"))
    if not groups:
        raise _skipped(ctx, el, "no maneuver group left")
    return sb.Act(
        name=name, maneuver_groups=groups,
        start_trigger=trigger(ctx, env, ctx.maybe(el, "StartTrigger")),
        stop_trigger=trigger(ctx, env, ctx.maybe(el, "StopTrigger")),
    )  # fmt: skip


def maneuver_group(ctx: Ctx, env: Env, el: Element, names: Names) -> sb.ManeuverGroup:
    name = names(ctx, el)
    actors_el = ctx.one(el, "Actors")
    actors = env.entities(ctx, actors_el)
    entries: list[tuple[Ctx, Element]] = [(declare(ctx, m), m) for m in ctx.all(el, "Maneuver")]
    for ref in ctx.all(el, "CatalogReference"):
        entry, entry_ctx = env.catalogs.resolve(ctx, ref)
        if entry.tag != "Maneuver":
            raise ctx.error(
                ref,
                f"<CatalogReference>: '{entry.get('name')}' is a {entry.tag}, expected a Maneuver",
            )
        entries.append((entry_ctx, entry))
    maneuvers = kept(lambda entry: maneuver(entry[0], env, entry[1], names, actors), entries)
    if not maneuvers and entries:
        raise _skipped(ctx, el, "no maneuver left")
    return sb.ManeuverGroup(
        name=name, maximum_execution_count=ctx.int(el, "maximumExecutionCount"), actors=actors,
        select_triggering_entities=ctx.bool(actors_el, "selectTriggeringEntities"),
        maneuvers=maneuvers,
    )  # fmt: skip


def maneuver(ctx: Ctx, env: Env, el: Element, names: Names, actors: list[str]) -> sb.Maneuver:
    name = names(ctx, el)
    events = kept(lambda e: event(ctx, env, e, names, actors), ctx.all(el, "Event"))
    if not events:
        raise _skipped(ctx, el, "no event left")
    return sb.Maneuver(name=name, events=events)


def event(ctx: Ctx, env: Env, el: Element, names: Names, actors: list[str]) -> sb.Event:
    name = names(ctx, el)
    actions = []
    who = actors[0] if len(actors) == 1 else None
    for a in ctx.all(el, "Action"):
        a_name = names(ctx, a)
        try:
            kind = ctx.one(a)
            if kind.tag == "PrivateAction":
                do = private_action(ctx, env, kind, who)
            elif kind.tag == "GlobalAction":
                do = global_action(ctx, kind)
            else:
                raise ctx.unsupported(kind, "actions: PrivateAction, GlobalAction")
        except Skipped:
            continue
        actions.append(sb.Action(name=a_name, do=do))
    if not actions:
        raise _skipped(ctx, el, "no action left")
    count = ctx.int(el, "maximumExecutionCount", 1)
    if count < 1:
        raise ctx.error(el, f"<Event>: maximumExecutionCount must be >= 1, got {count}")
    return sb.Event(
        name=name, priority=ctx.choice(el, "priority", PRIORITIES), maximum_execution_count=count,
        start_trigger=trigger(ctx, env, ctx.maybe(el, "StartTrigger")), actions=actions,
    )  # fmt: skip
