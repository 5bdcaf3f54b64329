"""A suite of OpenSCENARIO files rendered in a batch with an edge case on top, and scored with
phase slices: the imported storyboard's events become the slices of ``simgen eval``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import simgen
from simgen.cli import app

XOSC = Path(__file__).resolve().parents[2].parent / "shared" / "standards" / "esmini" / "xosc"


@pytest.mark.skipif(not XOSC.is_dir(), reason="the esmini corpus is not here")
def test_an_imported_suite_renders_with_workers_and_fog_and_scores_by_phase(tmp_path):
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "suite: imported\n"
        "scenarios:\n"
        f"  - {{file: {XOSC / 'cut-in.xosc'}, variants: 1, seed: 1}}\n"
        f"  - {{file: {XOSC / 'slow-lead-vehicle.xosc'}, variants: 1, seed: 2}}\n"
    )
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["render", str(suite), "--out", str(out), "--workers", "2", "--inject", "fog",
         "--rig", "tiny", "--frames", "4", "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    dataset = simgen.open_dataset(out)
    variants = list(dataset)
    assert sorted(v.scenario for v in variants) == ["cut-in", "slow-lead-vehicle"]
    for variant in variants:
        assert [i.type for i in variant.instance.applied] == ["fog"]
        assert variant.storyboard(), "the imported storyboard's timeline is written"
    metrics = simgen.evaluate(out, "oracle").metrics
    assert any(k.startswith("phase=") for k in metrics)
    assert any(k.startswith("injector=fog/") for k in metrics)
