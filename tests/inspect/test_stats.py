"""Label statistics against a reference: zero against itself, large against different data."""

import json

import pytest
from typer.testing import CliRunner

from simgen.cli import app
from simgen.exports.registry import export
from simgen.inspect.stats import compare, load_records
from tests.conftest import render_text

SCENE = """
version: 1
name: {name}
seed: 4
duration: 0.3
frame_rate: 10
variants: 2
road: {{length: 300, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}}
ego:
  lane: 0
  s: 20
  behavior: [{{action: parked}}]
  sensors:
    - {{name: cam, type: camera, width: 320, height: 180, fov: 80, outputs: [rgb, instance]}}
actors:
  - {{name: a, model: sedan, lane: 0, s: {{uniform: [{lo}, {hi}]}}, behavior: [{{action: parked}}]}}
  - {{name: b, model: suv, lane: 1, s: {{uniform: [{lo}, {hi}]}}, behavior: [{{action: parked}}]}}
  - {{name: c, model: pedestrian, offset: -8.5, s: {{uniform: [{lo}, {hi}]}}}}
"""


@pytest.fixture(scope="module")
def near_far(tmp_path_factory):
    near = render_text(tmp_path_factory.mktemp("near"), SCENE.format(name="near", lo=32, hi=40))
    far = render_text(tmp_path_factory.mktemp("far"), SCENE.format(name="far", lo=75, hi=90))
    kitti = tmp_path_factory.mktemp("kitti")
    export(far, "kitti", kitti)
    return near, far, kitti


def test_a_dataset_against_itself_is_at_distance_zero(near_far):
    near, _, _ = near_far
    records = load_records(near)
    assert {r.type for r in records} == {"Car", "Pedestrian"}
    result = compare(records, records)
    assert result["class_balance_tv"] == 0.0
    for fields in result["classes"].values():
        for value in fields.values():
            assert value["wasserstein"] == 0.0 and value["ks"] == 0.0


def test_near_against_far_is_clearly_apart_on_distance_only(near_far):
    near, _, kitti = near_far
    result = compare(load_records(near), load_records(kitti))  # the far set, read as KITTI
    car = result["classes"]["Car"]
    assert car["distance"]["wasserstein"] > 30.0 and car["distance"]["ks"] == 1.0
    assert car["height"]["wasserstein"] < 0.2  # the same cars, only further away


def test_stats_cli_prints_json(near_far):
    near, _, kitti = near_far
    result = CliRunner().invoke(app, ["stats", str(near), "--reference", str(kitti), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["classes"]["Pedestrian"]["distance"]["ks"] == 1.0
    missing = CliRunner().invoke(app, ["stats", str(near), "--reference", str(near / "nothing")])
    assert missing.exit_code == 1 and "no KITTI label files" in missing.output
