"""What every part of an import reads besides its own element: the catalogs and the entity
names (OpenSCENARIO name -> simgen name)."""

from __future__ import annotations

from dataclasses import dataclass, field

from simgen.importers.openscenario.catalogs import Catalogs
from simgen.importers.openscenario.context import Ctx, Element


@dataclass
class Env:
    catalogs: Catalogs
    names: dict[str, str] = field(default_factory=dict)  # file name -> simgen name
    controllers: dict[str, str] = field(default_factory=dict)  # simgen name -> its controller

    def entity(self, ctx: Ctx, el: Element, attr: str = "entityRef") -> str:
        """The simgen name of the entity an attribute refers to."""
        name = str(ctx.text(el, attr))
        if name not in self.names:
            known = ", ".join(self.names) or "none"
            raise ctx.error(el, f"<{el.tag}>: {attr} '{name}' is no entity (entities: {known})")
        return self.names[name]

    def entities(self, ctx: Ctx, el: Element) -> list[str]:
        """The simgen names of ``el``'s ``EntityRef`` children."""
        return [self.entity(ctx, ref) for ref in ctx.all(el, "EntityRef")]
