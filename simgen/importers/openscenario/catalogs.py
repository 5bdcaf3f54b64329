"""Catalogs: ``CatalogLocations`` directories (relative to the scenario file) and
``CatalogReference`` with ``ParameterAssignments``, resolved to the entry's element in a
context of its own parameters (its declarations, overridden by the assignments)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from simgen.importers.openscenario.context import Ctx, Element, children, read_xml
from simgen.importers.openscenario.expressions import Value
from simgen.importers.openscenario.parameters import declare

LOCATIONS = (
    "VehicleCatalog", "ControllerCatalog", "PedestrianCatalog", "MiscObjectCatalog",
    "EnvironmentCatalog", "ManeuverCatalog", "TrajectoryCatalog", "RouteCatalog",
)  # fmt: skip


@dataclass
class _Catalog:
    file: str
    entries: dict[str, Element]


@dataclass
class Catalogs:
    """Every catalog file found in the scenario's catalog directories, by catalog name."""

    directories: list[tuple[Path, Element]] = field(default_factory=list)
    _found: dict[str, _Catalog] | None = None

    @classmethod
    def from_scenario(cls, ctx: Ctx, root: Element) -> Catalogs:
        out = cls()
        locations = ctx.maybe(root, "CatalogLocations")
        for kind in [] if locations is None else children(locations):
            if kind.tag not in LOCATIONS:
                raise ctx.error(
                    kind,
                    f"<{kind.tag}>: not a catalog location "
                    f"(expected one of {', '.join(LOCATIONS)})",
                )
            directory = ctx.one(kind, "Directory")
            path = (ctx.directory / str(ctx.text(directory, "path"))).resolve()
            if not path.is_dir():
                raise ctx.error(directory, f"<Directory>: no such catalog directory: {path}")
            out.directories.append((path, directory))
        return out

    def _index(self, ctx: Ctx) -> dict[str, _Catalog]:
        if self._found is None:
            found: dict[str, _Catalog] = {}
            for path, _ in self.directories:
                for file in sorted(path.glob("*.xosc")):
                    root = read_xml(file)
                    catalog = next((c for c in children(root) if c.tag == "Catalog"), None)
                    if catalog is None:
                        continue
                    name = str(catalog.get("name", ""))
                    entries = {str(e.get("name")): e for e in children(catalog) if e.get("name")}
                    found.setdefault(name, _Catalog(str(file), {}))
                    for key, entry in entries.items():
                        found[name].entries.setdefault(key, entry)
            self._found = found
        return self._found

    def resolve(self, ctx: Ctx, ref: Element) -> tuple[Element, Ctx]:
        """The entry a ``CatalogReference`` names and the context to read it in."""
        catalog_name = str(ctx.text(ref, "catalogName"))
        entry_name = str(ctx.text(ref, "entryName"))
        index = self._index(ctx)
        if catalog_name not in index:
            where = ", ".join(str(p) for p, _ in self.directories) or "no CatalogLocations"
            raise ctx.error(ref, f"<CatalogReference>: no catalog '{catalog_name}' in {where}")
        catalog = index[catalog_name]
        if entry_name not in catalog.entries:
            known = ", ".join(sorted(catalog.entries))
            raise ctx.error(
                ref, f"<CatalogReference>: catalog '{catalog_name}' has no entry "
                f"'{entry_name}' (entries: {known})"
            )  # fmt: skip
        overrides: dict[str, tuple[Element, Value]] = {}
        assignments = ctx.maybe(ref, "ParameterAssignments")
        for a in [] if assignments is None else ctx.all(assignments, "ParameterAssignment"):
            overrides[str(ctx.value(a, "parameterRef"))] = (a, ctx.value(a, "value"))
        entry = catalog.entries[entry_name]
        return entry, declare(Ctx(catalog.file, {}, ctx.report), entry, overrides, where=ctx)


def referenced(ctx: Ctx, catalogs: Catalogs, el: Element, tag: str) -> tuple[Element, Ctx]:
    """``el``'s inline ``tag`` child, or the entry its ``CatalogReference`` names."""
    inline = ctx.maybe(el, tag)
    if inline is not None:
        return inline, declare(ctx, inline)
    ref = ctx.maybe(el, "CatalogReference")
    if ref is None:
        raise ctx.error(el, f"<{el.tag}>: expected <{tag}> or <CatalogReference>")
    entry, entry_ctx = catalogs.resolve(ctx, ref)
    if entry.tag != tag:
        raise ctx.error(
            ref, f"<CatalogReference>: '{entry.get('name')}' is a {entry.tag}, expected a {tag}"
        )
    return entry, entry_ctx
