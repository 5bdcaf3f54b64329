"""An import as files: scenario YAML (the map's path relative to the YAML), a suite for a
parameter distribution, and the in-memory load that ``simgen render FILE.xosc`` uses, which
goes through the same YAML so that both paths give the same scenario."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import yaml

from simgen.importers.openscenario.errors import XoscError
from simgen.importers.openscenario.importer import ImportOptions, ImportResult, import_xosc
from simgen.scenario.dump import scenario_yaml
from simgen.scenario.limits import Limits
from simgen.scenario.load import LoadedScenario, parse_scenario
from simgen.scenario.models import Scenario


def scenario_text(scenario: Scenario, target: Path, source: Path) -> str:
    """The scenario as YAML to be written at ``target`` (its map path made relative to it)."""
    road_file = Path(str(scenario.road.file))
    relative = os.path.relpath(road_file, Path(target).resolve().parent)
    road = scenario.road.model_copy(update={"file": relative})
    header = (
        f"# Imported from {source.name} by `simgen import` (OpenSCENARIO 1.x). Every value is "
        "concrete;\n# add sensors, injectors and variants as in any scenario file.\n"
    )
    return scenario_yaml(scenario.model_copy(update={"road": road}), header, exclude_defaults=True)


def import_texts(result: ImportResult, out: Path) -> dict[Path, str]:
    """Every file an import writes, by path: one scenario at ``out``; for a distribution, a
    suite at ``out`` and its scenarios beside it (``<suite stem>/<name>.yaml``)."""
    if not result.distribution:
        return {out: scenario_text(result.scenario, out, result.source)}
    folder = out.parent / out.stem
    texts: dict[Path, str] = {}
    entries = []
    for scenario in result.scenarios:
        path = folder / f"{scenario.name}.yaml"
        texts[path] = scenario_text(scenario, path, result.source)
        entries.append({"file": f"{folder.name}/{path.name}", "variants": 1, "seed": scenario.seed})
    suite_name = result.scenarios[0].name.rsplit("_", 1)[0]
    suite = {
        "suite": suite_name,
        "description": f"Parameter sets of {result.source.name}, one scenario each",
        "scenarios": entries,
    }
    header = f"# Imported from {result.source.name} by `simgen import`: one scenario per set.\n"
    texts[out] = header + yaml.safe_dump(suite, sort_keys=False)
    return texts


def load_xosc(
    path: str | Path, options: ImportOptions | None = None, limits: Limits | None = None
) -> LoadedScenario:
    """An OpenSCENARIO file imported in memory and loaded as its YAML would be (the map path
    relative to the .xosc), so that rendering it and rendering its import give the same
    scenario."""
    options = options or ImportOptions()
    source = Path(path)
    result = import_xosc(
        source, ego=options.ego, lenient=options.lenient, rig=options.rig,
        duration=options.duration,
    )  # fmt: skip
    if result.distribution:
        raise XoscError(
            str(source),
            None,
            "a ParameterValueDistribution file gives several "
            "scenarios: `simgen import` it to a suite and render the suite",
        )
    text = scenario_text(result.scenario, source, source)
    loaded = parse_scenario(text, str(source), limits)
    return replace(loaded, notes=(*result.notes, *result.warnings, *loaded.notes))
