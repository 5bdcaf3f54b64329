"""The injector reference, generated from the models so that it never drifts from the format."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic.fields import FieldInfo

from simgen.scenario.models import (
    CAMERA_FAULTS,
    INJECTORS,
    LIDAR_FAULTS,
    RADAR_FAULTS,
    SHARED_FAULTS,
    WEATHER_INJECTORS,
    WORLD_INJECTORS,
)


@dataclass(frozen=True)
class Parameter:
    name: str
    default: str
    description: str


@dataclass(frozen=True)
class InjectorDoc:
    type: str
    group: str
    summary: str
    parameters: tuple[Parameter, ...]


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    return "unset" if value is None else str(value)


def _group(model: type) -> str:
    if model in WORLD_INJECTORS:
        return "world"
    if model in WEATHER_INJECTORS:
        return "weather and light"
    if model in CAMERA_FAULTS:
        return "camera fault"
    if model in LIDAR_FAULTS:
        return "lidar fault"
    if model in RADAR_FAULTS:
        return "radar fault"
    assert model in SHARED_FAULTS
    return "camera, lidar and radar fault"


def injector_docs() -> list[InjectorDoc]:
    docs = []
    for model in INJECTORS:
        kind = model.model_fields["type"].annotation.__args__[0]
        summary = " ".join((model.__doc__ or "").replace("``", "`").split())
        params = tuple(
            Parameter(name, _default(field), field.description or "")
            for name, field in model.model_fields.items()
            if name != "type"
        )
        docs.append(InjectorDoc(kind, _group(model), summary, params))
    return docs


def markdown_table() -> str:
    """The overview table of injectors that heads the docs' catalogue (tools/gen_docs.py)."""
    rows = ["| type | acts on | parameters (default) | what it does |", "|---|---|---|---|"]
    for doc in injector_docs():
        params = ", ".join(f"`{p.name}` ({p.default})" for p in doc.parameters) or "none"
        rows.append(f"| `{doc.type}` | {doc.group} | {params} | {doc.summary} |")
    return "\n".join(rows) + "\n"
