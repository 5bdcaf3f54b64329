"""`--inject` and `simgen injectors`: the command line's way into edge cases."""

import re

from typer.testing import CliRunner

from simgen.cli import app
from simgen.dataset.reader import open_dataset
from simgen.injectors import MODELS
from tests.cli.test_cli import TINY

runner = CliRunner()


def test_injectors_lists_every_type_with_its_parameters():
    result = runner.invoke(app, ["injectors"])
    assert result.exit_code == 0
    listed = re.findall(r"^(\w+)  \[", result.output, re.M)
    assert listed == list(MODELS)
    assert "    rings = required" in result.output and "    density = 0.03" in result.output


def test_inject_applies_on_top_of_a_scenario_and_is_recorded(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    out = tmp_path / "out"
    args = ["render", str(scenario), "--out", str(out), "--variant", "0"]
    result = runner.invoke(app, [*args, "--inject", "blackout", "--inject", "fog:density=0.05"])
    assert result.exit_code == 0, result.output
    variant = open_dataset(out).variants[0]
    assert [i.type for i in variant.manifest.injectors] == ["blackout", "fog"]
    assert variant.instance.scenario.environment.fog == 0.05
    frame = variant.frame(1)
    assert not frame.rgb("cam").any() and frame.labels.faults == {"cam": ("blackout",)}


def test_inject_errors_name_the_option_and_the_key(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    result = runner.invoke(
        app,
        ["render", str(scenario), "--out", str(tmp_path / "o"), "--inject", "fgo",
         "--inject", "rain:rat=5", "--inject", "sudden_brake:decel=-1"],
    )  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert "--inject:1:1: inject[0].type: unknown injector 'fgo' (did you mean 'fog'?)" in lines[0]
    assert lines[1].startswith("--inject:2:1: inject[1].rat:") and "did you mean 'rate'" in lines[1]
    assert lines[2].startswith("--inject:3:1: inject[2].decel:")
    assert not (tmp_path / "o").exists()  # nothing written


def test_inject_checks_references_against_the_scenario(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    result = runner.invoke(
        app,
        ["render", str(scenario), "--out", str(tmp_path / "o"), "--inject", "crash:actor=led",
         "--inject", "lidar_beam_dropout:rings=[1,9]"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "inject[0].actor: unknown actor 'led' (did you mean 'lead'?)" in result.output
    assert "inject[1].rings: lidar has rings 0..3; no ring 9" in result.output
