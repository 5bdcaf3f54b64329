import json

import jsonschema
import yaml
from typer.testing import CliRunner

from simgen import __version__
from simgen.cli import app
from simgen.scenario import parse_scenario, sample
from simgen.scenario.schema import scenario_json_schema_text
from tests.conftest import ROOT, SCENARIOS

runner = CliRunner()
DEFAULT = ROOT / "scenarios" / "default.yaml"


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_schema_is_json_and_the_committed_copy_is_current():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["additionalProperties"] is False
    committed = (ROOT / "schema" / "scenario.schema.json").read_text()
    assert committed == scenario_json_schema_text(), "run `make schema` to refresh it"


def test_schema_accepts_the_examples_and_rejects_unknown_keys():
    schema = json.loads(scenario_json_schema_text())
    for path in SCENARIOS:
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    bad = yaml.safe_load(DEFAULT.read_text()) | {"colour": "red"}
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError as exc:
        assert "colour" in exc.message
    else:
        raise AssertionError("the schema accepted an unknown key")


def test_schema_out_writes_a_file(tmp_path):
    out = tmp_path / "s.json"
    assert runner.invoke(app, ["schema", "--out", str(out)]).exit_code == 0
    assert out.read_text() == scenario_json_schema_text()


def test_sample_prints_a_concrete_scenario_that_loads_again():
    result = runner.invoke(app, ["sample", str(DEFAULT), "--variant", "2"])
    assert result.exit_code == 0, result.output
    again = parse_scenario(result.output, "sampled.yaml").scenario
    original = sample(parse_scenario(DEFAULT.read_text()).scenario, 2).scenario
    assert again.model_dump() == original.model_dump()  # a spec without distributions
    # and it has nothing left to draw
    assert "uniform" not in result.output and "relative_to" not in result.output


def test_sample_rejects_a_missing_variant_cleanly():
    result = runner.invoke(app, ["sample", str(DEFAULT), "--variant", "99"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{DEFAULT}:" in result.output and "variants 0..2" in result.output


def test_validate_exit_codes(tmp_path):
    assert runner.invoke(app, ["validate", str(DEFAULT)]).exit_code == 0
    big = tmp_path / "big.yaml"
    big.write_text(DEFAULT.read_text().replace("width: 640", "width: 5000"))
    result = runner.invoke(app, ["validate", str(DEFAULT), str(big)])
    assert result.exit_code == 1
    assert f"{big}:" in result.output and "--no-limits" in result.output
    assert runner.invoke(app, ["validate", "--no-limits", str(big)]).exit_code == 0


TINY = """
version: 1
name: tiny
seed: 2
duration: 0.2
frame_rate: 10
variants: 2
ego:
  lane: 0
  s: 20
  speed: 5
  sensors:
    - {name: cam, type: camera, width: 96, height: 64, outputs: [rgb, depth, semantic, instance]}
    - {name: lidar, type: lidar, channels: 4, vertical_fov: [2, -10], horizontal_resolution: 2,
       range: 60, mount: {xyz: [0, 0, 1.9]}}
actors:
  - {name: lead, model: sedan, lane: 0, s: 40, speed: 5}
"""


def test_render_writes_every_variant_and_names_the_overview(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    result = runner.invoke(app, ["render", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    for variant in ("0000", "0001"):
        root = tmp_path / "out" / "tiny" / variant
        manifest = json.loads((root / "manifest.json").read_text())
        assert manifest["complete"] and manifest["variant"] == int(variant)
        assert len(manifest["frames"]) == 2
        assert {"cam/rgb/000001.png", "lidar/000001.bin", "labels/000001.json"} <= set(
            manifest["files"]
        )
        assert manifest["calibration"]["cam"]["K"][0][0] > 0
    assert "overview.png" in result.output


def test_render_refuses_bad_input_without_writing(tmp_path):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(TINY.replace("speed: 5\n  sensors", "speed: fast\n  sensors"))
    result = runner.invoke(app, ["render", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{scenario}:" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    good = tmp_path / "tiny.yaml"
    good.write_text(TINY)
    result = runner.invoke(
        app, ["render", str(good), "--out", str(tmp_path / "out"), "--variant", "5"]
    )
    assert result.exit_code == 1 and "variants 0..1" in result.output
    assert not (tmp_path / "out").exists()


def test_render_into_an_unwritable_place_fails_cleanly(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["render", str(scenario), "--out", str(blocker / "out")])
    assert result.exit_code == 1
    assert "cannot write" in result.output and "Traceback" not in result.output
