"""``ParameterDeclarations``: typed parameters, declared in order (a value may use the ones
declared before it), overridden by assignments (catalog references, distribution sets)."""

from __future__ import annotations

from collections.abc import Mapping

from simgen.importers.openscenario.context import Ctx, Element
from simgen.importers.openscenario.expressions import Value

TYPES = (
    "double", "int", "integer", "unsignedInt", "unsignedShort", "string", "bool", "boolean",
    "dateTime",
)  # fmt: skip


def typed(ctx: Ctx, el: Element, kind: str, value: Value, name: str) -> Value:
    """A parameter's value as its declared type."""
    if kind == "double":
        try:
            return float(value)
        except ValueError:
            raise ctx.error(el, f"parameter '{name}' is a double, got '{value}'") from None
    if kind in ("int", "integer", "unsignedInt", "unsignedShort"):
        try:
            number = float(value)
        except ValueError:
            number = 0.5  # not an integer: reported below
        if not number.is_integer() or (kind.startswith("unsigned") and number < 0):
            raise ctx.error(el, f"parameter '{name}' is an {kind}, got '{value}'")
        return int(number)
    if kind in ("bool", "boolean"):
        text = str(value).lower()
        if text not in ("true", "false"):
            raise ctx.error(el, f"parameter '{name}' is a boolean, got '{value}'")
        return text == "true"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).lower() if isinstance(value, bool) else str(value)


def declare(
    ctx: Ctx,
    owner: Element,
    overrides: Mapping[str, tuple[Element, Value]] | None = None,
    where: Ctx | None = None,
) -> Ctx:
    """A child context with ``owner``'s ``ParameterDeclarations`` in scope; ``overrides`` maps
        a declared name to the assignment's element and its value (resolved where it was written),
        which replaces the declared value; ``where`` is the context the assignments were written in.
    Assigning an undeclared name is an error."""
    where = where or ctx
    overrides = dict(overrides or {})
    decls = ctx.maybe(owner, "ParameterDeclarations")
    scope = ctx.child()
    for decl in [] if decls is None else ctx.all(decls, "ParameterDeclaration"):
        name = str(ctx.value(decl, "name"))
        kind = str(ctx.value(decl, "parameterType"))
        if kind not in TYPES:
            raise ctx.error(
                decl,
                f'<ParameterDeclaration name="{name}">: unknown '
                f"parameterType '{kind}' (expected one of {', '.join(TYPES)})",
            )
        if name in overrides:
            el, value = overrides.pop(name)
            scope.params[name] = typed(where, el, kind, value, name)
        else:
            scope.params[name] = typed(scope, decl, kind, scope.value(decl, "value"), name)
    for name, (el, _) in overrides.items():
        raise where.error(
            el,
            f"parameter '{name}' is not declared here "
            f"(declared: {', '.join(sorted(scope.params)) or 'none'})",
        )
    return scope
