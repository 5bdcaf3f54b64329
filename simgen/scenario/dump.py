"""Writing a concrete scenario back as readable YAML that loads as a scenario file again."""

from __future__ import annotations

from typing import Any

import yaml

from simgen.scenario.models import Scenario
from simgen.scenario.sample import ScenarioInstance

_FIRST = ("version", "name", "type", "model", "description")


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: _FIRST.index(k) if k in _FIRST else len(_FIRST))
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    """Short lists of scalars (xyz, rpy, outputs) in flow style, everything else in block style."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = len(data) <= 8 and all(not isinstance(v, (dict, list)) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def scenario_yaml(scenario: Scenario, header: str = "", exclude_defaults: bool = False) -> str:
    """A scenario as a scenario file (keys in reading order, unset keys left out, and keys at
    their defaults with ``exclude_defaults``), headed by ``header`` (comment lines)."""
    dumped = scenario.model_dump(mode="json", exclude_none=True, exclude_defaults=exclude_defaults)
    data = _ordered(dumped)
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def instance_yaml(instance: ScenarioInstance, source: str = "") -> str:
    """The instance as a scenario file: every value concrete, headed by where it came from."""
    header = (
        f"# Sampled{' from ' + source if source else ''}: variant {instance.variant}, "
        f"attempt {instance.attempt}. Every value is concrete.\n"
    )
    return scenario_yaml(instance.scenario, header)
