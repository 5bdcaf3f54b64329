"""The typed core stays typed: mypy --strict (config in pyproject.toml) passes on the scenario
format, the dataset read/write API and the labels. mypy is in the ``test`` extra."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[1]
STRICT = ("simgen/scenario", "simgen/dataset", "simgen/labels")


def test_mypy_strict_passes_on_scenario_dataset_and_labels():
    config = ["--config-file", str(ROOT / "pyproject.toml")]
    out, err, status = api.run(["--strict", *config, *(str(ROOT / p) for p in STRICT)])
    assert status == 0, f"mypy --strict found problems:\n{out}{err}"
    assert "Success: no issues found" in out
