"""Typed JSON records: one way to read a record that may arrive as text or already parsed."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")


def validate_json(adapter: TypeAdapter[T], data: dict[str, Any] | str | bytes) -> T:
    """Validate JSON text or parsed JSON into ``adapter``'s type; raises ValidationError."""
    return adapter.validate_python(json.loads(data) if isinstance(data, str | bytes) else data)
