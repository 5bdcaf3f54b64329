"""``Entities`` -> simgen road users: a model picked by category and nearest bounding box (whose
dimensions the road user keeps as its ``size``), where its reference point lies from the box's
centre, a valid unique name, and the ego (``Ego``/``hero``, or the one asked for)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from simgen.importers.openscenario.catalogs import referenced
from simgen.importers.openscenario.context import Ctx, Element, Skipped
from simgen.importers.openscenario.env import Env
from simgen.world.assets import load_catalog

Box = tuple[float, float, float]  # length, width, height (m)
Center = tuple[float, float, float]  # the box's centre from the reference point (m)

VEHICLES: dict[str, tuple[str, ...]] = {
    "car": ("sedan", "hatchback", "estate", "suv", "pickup"),
    "van": ("van",),
    "truck": ("truck", "truck_tanker"),
    "semitrailer": ("truck", "truck_tanker"),
    "trailer": ("truck", "truck_tanker"),
    "bus": ("bus", "bus_coach"),
    "tram": ("bus", "bus_coach"),
    "train": ("bus", "bus_coach"),
    "motorbike": ("motorcycle",),
    "bicycle": ("bicycle",),
}
STAND_INS = {"semitrailer": "truck", "trailer": "truck", "tram": "bus", "train": "bus"}
BARRIERS = frozenset(["barrier", "guardRail", "railing", "soundBarrier", "wall"])
EGO_NAMES = ("ego", "hero")
NAME_OK = re.compile(r"[^a-z0-9_-]+")


@dataclass(frozen=True)
class Entity:
    """One ``ScenarioObject``: its names, what it is and the box the file gave it."""

    file_name: str
    name: str  # simgen's: ego or a valid actor name
    kind: str  # vehicle, pedestrian or object
    model: str
    box: Box
    line: int | None
    center: Center = (0.0, 0.0, 0.0)

    @property
    def reference_point(self) -> tuple[float, float] | None:
        """The reference point from simgen's origin (the box's bottom centre), in the road
        user's frame; None when they coincide in plan view."""
        if self.center[0] == 0.0 and self.center[1] == 0.0:
            return None
        return (0.0 - self.center[0], 0.0 - self.center[1])


def nearest_model(options: tuple[str, ...], box: Box) -> str:
    """The option whose catalog box is nearest ``box`` (sum of squared differences)."""
    catalog = load_catalog()

    def distance(model: str) -> float:
        dims = catalog[model].dimensions
        return sum((a - b) ** 2 for a, b in zip(dims, box, strict=True))

    return min(options, key=distance)


def _box(ctx: Ctx, el: Element) -> Box:
    dims = ctx.one(ctx.one(el, "BoundingBox"), "Dimensions")
    box = (ctx.num(dims, "length"), ctx.num(dims, "width"), ctx.num(dims, "height"))
    if min(box) <= 0:
        raise ctx.error(dims, "<Dimensions>: length, width and height must be positive")
    return box


def _center(ctx: Ctx, el: Element) -> Center:
    center = ctx.maybe(ctx.one(el, "BoundingBox"), "Center")
    if center is None:
        return (0.0, 0.0, 0.0)
    return (ctx.num(center, "x"), ctx.num(center, "y"), ctx.num(center, "z"))


def _model(ctx: Ctx, el: Element) -> tuple[str, str, Box]:
    box = _box(ctx, el)
    if el.tag == "Vehicle":
        category = str(ctx.text(el, "vehicleCategory"))
        if category not in VEHICLES:
            raise ctx.error(
                el,
                f"<Vehicle>: unknown vehicleCategory '{category}' "
                f"(expected one of {', '.join(VEHICLES)})",
            )
        if category in STAND_INS:
            ctx.report.note(
                f"a {category} ('{el.get('name')}') is rendered as a {STAND_INS[category]} model"
            )
        return "vehicle", nearest_model(VEHICLES[category], box), box
    if el.tag == "Pedestrian":
        category = str(ctx.text(el, "pedestrianCategory", "pedestrian"))
        if category != "pedestrian":
            ctx.report.note(f"a {category} ('{el.get('name')}') is rendered as a pedestrian")
        return "pedestrian", "child" if box[2] < 1.4 else "pedestrian", box
    if el.tag == "MiscObject":
        category = str(ctx.text(el, "miscObjectCategory"))
        if category in BARRIERS:
            return "object", "barrier", box
        if category == "obstacle":
            small = box[0] <= 0.6 and box[1] <= 0.6 and box[2] <= 1.2
            return "object", "traffic_cone" if small else "debris", box
        raise ctx.unsupported(
            el, f"miscObjectCategory '{category}': barrier-like and obstacle only"
        )
    raise ctx.unsupported(el, "entities: Vehicle, Pedestrian, MiscObject")


def simgen_name(file_name: str, taken: set[str]) -> str:
    """A valid actor name ([a-z0-9_-], starting with a letter or digit), unique in ``taken``."""
    base = NAME_OK.sub("_", file_name.lower()).strip("_-")[:56] or "actor"
    name, n = base, 2
    while name in taken or name == "ego":
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def choose_ego(ctx: Ctx, objects: list[Element], ego: str | None) -> str:
    names = [str(ctx.text(o, "name")) for o in objects]
    if ego is not None:
        found = [n for n in names if n == ego] or [n for n in names if n.lower() == ego.lower()]
        if not found:
            raise ctx.error(None, f"--ego {ego}: no such entity (entities: {', '.join(names)})")
        return found[0]
    for wanted in EGO_NAMES:
        found = [n for n in names if n.lower() == wanted]
        if found:
            return found[0]
    raise ctx.error(
        None,
        "no entity is named Ego or hero: say which one carries the sensors "
        f"with --ego NAME (entities: {', '.join(names)})",
    )


def read_entities(ctx: Ctx, env: Env, root: Element, ego: str | None) -> list[Entity]:
    """Every entity in file order (an unsupported one is an error, or skipped when lenient);
    fills ``env.names`` and ``env.controllers``."""
    entities_el = ctx.one(root, "Entities")
    objects = []
    for o in ctx.all(entities_el, "ScenarioObject"):
        objects.append(o)
    for other in entities_el:
        if isinstance(other.tag, str) and other.tag != "ScenarioObject":
            try:
                raise ctx.unsupported(other, "entities are ScenarioObjects")
            except Skipped:
                pass
    if not objects:
        raise ctx.error(entities_el, "<Entities>: no ScenarioObject")
    ego_name = choose_ego(ctx, objects, ego)
    taken: set[str] = set()
    out = []
    for o in objects:
        file_name = str(ctx.text(o, "name"))
        if file_name in env.names:
            raise ctx.error(o, f"<ScenarioObject>: a second entity named '{file_name}'")
        tag = next((c.tag for c in o if c.tag in ("Vehicle", "Pedestrian", "MiscObject")), None)
        try:
            if tag is None and ctx.maybe(o, "CatalogReference") is None:
                raise ctx.unsupported(ctx.one(o), "entities: Vehicle, Pedestrian, MiscObject")
            if tag is None:
                entry, entry_ctx = env.catalogs.resolve(ctx, ctx.one(o, "CatalogReference"))
                tag = entry.tag
            else:
                entry, entry_ctx = referenced(ctx, env.catalogs, o, tag)
            kind, model, box = _model(entry_ctx, entry)
            center = _center(entry_ctx, entry)
        except Skipped:
            continue
        is_ego = file_name == ego_name
        if (is_ego and kind != "vehicle") or (is_ego and model in ("bicycle",)):
            raise ctx.error(
                o,
                f'<ScenarioObject name="{file_name}">: the ego must be a '
                f"car, van, truck, bus or motorbike (it is a {model})",
            )
        name = "ego" if is_ego else simgen_name(file_name, taken)
        env.names[file_name] = name
        controller = _controller(ctx, env, o)
        if controller:
            env.controllers[name] = controller
            ctx.report.note(f"{file_name}'s controller '{controller}' {DRIVER_NOTE}")
        out.append(Entity(file_name, name, kind, model, box, o.sourceline, center))
    return out


DRIVER_NOTE = "becomes simgen's default driver"


def _controller(ctx: Ctx, env: Env, o: Element) -> str:
    holder = ctx.maybe(o, "ObjectController")
    if holder is None:
        return ""
    inline = ctx.maybe(holder, "Controller")
    if inline is not None:
        return str(ctx.text(inline, "name", "controller"))
    ref = ctx.maybe(holder, "CatalogReference")
    if ref is not None:
        return str(ctx.text(ref, "entryName"))
    return ""
