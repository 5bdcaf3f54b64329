"""The JSON Schema of scenario format v1, for editors (yaml-language-server) and other tools."""

from __future__ import annotations

import json
from typing import Any

from simgen.scenario.models import ScenarioSpec

SCHEMA_ID = "https://simgen.dev/schema/scenario.v1.json"


def scenario_json_schema() -> dict[str, Any]:
    schema = ScenarioSpec.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "simgen scenario v1",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def scenario_json_schema_text() -> str:
    return json.dumps(scenario_json_schema(), indent=2, sort_keys=True) + "\n"
