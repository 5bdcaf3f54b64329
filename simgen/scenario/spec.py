"""Spec models: the instance models of ``models`` with every ``Varies`` field open to distributions.

The models in ``models`` describe a concrete instance: a number is a ``float``, a lane an ``int``,
a vehicle model a ``Literal``. A field a scenario file may give as a distribution is marked with
``Varies`` in its annotation. ``spec_model`` derives, once per class, the model a scenario file
is validated into: a subclass with the same name, docstring, defaults and validators whose marked
fields also accept ``{uniform: ...}``, ``{normal: ...}`` and ``{choice: ...}``. So the field lists
are written once, and the YAML format, its error messages and its JSON schema come from the spec
models while simulation code reads plain values.

A spec twin subclasses its instance model (and the twins of that model's bases), so ``isinstance``
dispatch on kinds (``Camera``, ``Crash``) works on both; statically a spec reads as its instance
model, and code that reads a varying field of a spec goes through ``checks.candidates``.
"""

from __future__ import annotations

import inspect
import types
from copy import copy
from types import SimpleNamespace
from typing import Annotated, Any, Literal, TypeVar, Union, cast, get_args, get_origin

from pydantic import BaseModel, create_model

from simgen.scenario.distributions import Varies, integer, number, one_of

M = TypeVar("M", bound=BaseModel)

_TWINS: dict[type[BaseModel], type[BaseModel]] = {}
TWINS = SimpleNamespace()
"""Where pickle finds a spec twin (``simgen.scenario.spec.TWINS.Road``): a loaded scenario is sent
to worker processes, and its classes must be found there by name."""


def spec_model(model: type[M]) -> type[M]:
    """The spec twin of ``model``, or ``model`` itself when none of its fields can vary."""
    if model in _TWINS or model is BaseModel:
        return cast(type[M], _TWINS.get(model, model))
    _TWINS[model] = model  # stops a recursion (no model of the format refers to itself)
    if not model.__pydantic_complete__:
        model.model_rebuild()
    bases = tuple(
        spec_model(base)
        for base in model.__bases__
        if issubclass(base, BaseModel) and spec_model(base) is not base
    )
    own = inspect.get_annotations(model)
    fields: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name not in own:
            continue  # declared by a base: its twin widens it
        declared: Any = field.annotation
        if field.metadata:
            declared = Annotated[(declared, *field.metadata)]
        widened = spec_type(declared)
        if widened is not declared:
            info = copy(field)
            info.metadata = []
            fields[name] = (widened, info)
    if not fields and not bases:
        return model
    twin = _TWINS[model] = _subclass(model, bases, fields)
    _TWINS[twin] = twin
    return cast(type[M], twin)


def _subclass(
    model: type[BaseModel], bases: tuple[type[BaseModel], ...], fields: dict[str, Any]
) -> type[BaseModel]:
    """``model`` under its own name with ``fields`` replaced; the twins of its bases come first,
    since pydantic copies an inherited field from the first base that has it."""
    name = model.__name__
    assert not hasattr(TWINS, name), f"two models named {name} cannot both have a spec twin"
    twin = create_model(name, __base__=(*bases, model), __doc__=model.__doc__, **fields)
    twin.__module__, twin.__qualname__ = __name__, f"TWINS.{name}"
    setattr(TWINS, name, twin)
    return twin


def spec_type(tp: Any) -> Any:
    """``tp`` with every ``Varies`` value widened and every model replaced by its spec twin;
    ``tp`` itself (the same object) when nothing in it can vary."""
    origin = get_origin(tp)
    if origin is Annotated:
        inner, *meta = get_args(tp)
        marks = [m for m in meta if isinstance(m, Varies)]
        rest = [m for m in meta if not isinstance(m, Varies)]
        if marks:
            widened = spec_type(_widen(inner, marks[0]))
            return Annotated[(widened, *rest)] if rest else widened
        new = spec_type(inner)
        return tp if new is inner else Annotated[(new, *rest)]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return spec_model(tp)
    args = get_args(tp)
    if origin is None or not args or origin is Literal:
        return tp
    new_args = tuple(a if a is Ellipsis else spec_type(a) for a in args)
    if all(n is a for n, a in zip(new_args, args, strict=True)):
        return tp
    if origin in (Union, types.UnionType):
        return Union[new_args]  # noqa: UP007 - built from a tuple
    return origin[new_args]


def _widen(concrete: Any, mark: Varies) -> Any:
    """The distribution-aware type of a ``Varies`` field of type ``concrete``."""
    if concrete is float:
        widened = number(ge=mark.ge, gt=mark.gt, le=mark.le, lt=mark.lt)
    elif concrete is int:
        widened = integer(ge=_whole(mark.ge), le=_whole(mark.le))
    elif get_origin(concrete) is Literal:
        widened = one_of(concrete)
    else:  # pragma: no cover - a mistake in models.py, found at import
        raise TypeError(f"Varies cannot widen {concrete!r}")
    return widened if mark.widen is None else mark.widen(widened)


def _whole(bound: float | None) -> int | None:
    return None if bound is None else int(bound)
