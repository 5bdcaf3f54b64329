"""Typed JSON records: one way to read a record that may arrive as text or already parsed."""

from __future__ import annotations

import json
from dataclasses import fields
from functools import cache
from typing import Any, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")


def validate_json(adapter: TypeAdapter[T], data: dict[str, Any] | str | bytes) -> T:
    """Validate JSON text or parsed JSON into ``adapter``'s type; raises ValidationError."""
    return adapter.validate_python(json.loads(data) if isinstance(data, str | bytes) else data)


_LEAVES = (str, int, float, bool, type(None))


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def plain(obj: Any) -> Any:
    """``dataclasses.asdict`` for data bound for JSON: the same dicts, lists and tuples, with
    the leaves shared instead of deep-copied (a frame's labels in a fraction of the time)."""
    if isinstance(obj, _LEAVES):
        return obj
    cls = type(obj)
    if hasattr(cls, "__dataclass_fields__"):
        return {name: plain(getattr(obj, name)) for name in _field_names(cls)}
    if isinstance(obj, list):
        return [plain(v) for v in obj]
    if isinstance(obj, tuple):
        if hasattr(obj, "_fields"):  # a named tuple, rebuilt as asdict rebuilds it
            return cls(*[plain(v) for v in obj])
        return cls(plain(v) for v in obj)
    if isinstance(obj, dict):
        return cls((plain(k), plain(v)) for k, v in obj.items())
    return obj


def as_dict(obj: Any) -> dict[str, Any]:
    """A dataclass instance as ``plain`` data: ``dataclasses.asdict`` without its copies."""
    if not hasattr(type(obj), "__dataclass_fields__"):
        raise TypeError(f"as_dict takes a dataclass instance, not {type(obj).__name__}")
    data: dict[str, Any] = plain(obj)
    return data
