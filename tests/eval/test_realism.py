"""simgen realism: recall on the selected objects against models whose answers are known, the
light of a variant, and the report through the command line with NanoDet-m and real photos."""

import json
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from simgen.cli import app
from simgen.dataset.reader import open_dataset
from simgen.eval.models import load_model
from simgen.eval.protocol import Detection2D, Predictions
from simgen.eval.realism import Selection, detector_recall, light_of
from tests.conftest import render_text
from tests.eval.test_onnx_detector import NANODET, REALISM, SCENE, needs_shared


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return open_dataset(render_text(tmp_path_factory.mktemp("realism"), SCENE))


def rows(recall):
    return {(r.group, r.where): (r.found, r.total) for r in recall.rows}


def test_the_truth_as_detections_finds_every_selected_object(dataset):
    recall = detector_recall(dataset, load_model("oracle", {}), "oracle")
    table = rows(recall)
    assert table[("car", "all")][1] >= 2 and table[("vehicle", "all")][1] >= 2
    assert all(found == total for found, total in table.values()), table
    assert recall.false_positives == 0 and recall.images == 2
    # each object counts once overall, once in its distance bin and once in its light
    cars = table[("car", "all")][1]
    assert cars == sum(t for (g, w), (_, t) in table.items() if g == "car" and "distance" in w)
    assert table[("car", "light=day")] == table[("car", "all")]
    none = detector_recall(dataset, load_model("oracle", {}), "o", Selection(min_height_px=1e4))
    assert none.rows == ()


def test_a_wrong_class_misses_the_car_but_finds_the_vehicle(dataset):
    oracle = load_model("oracle", {})

    def as_misc(inp):
        boxes = [Detection2D("Misc" if d.type == "Car" else d.type, d.box, d.score)
                 for d in oracle(inp).boxes_2d]  # fmt: skip
        return Predictions(boxes_2d=boxes)

    table = rows(detector_recall(dataset, as_misc, "bus for car"))
    assert table[("car", "all")][0] == 0
    assert table[("vehicle", "all")][0] == table[("vehicle", "all")][1]


def test_boxes_in_the_sky_are_false_positives_and_low_scores_do_not_count(dataset):
    def sky(inp):
        return Predictions(boxes_2d=[Detection2D("Car", (0.0, 0.0, 29.0, 29.0), 0.9),
                                     Detection2D("Car", (0.0, 0.0, 29.0, 29.0), 0.2)])  # fmt: skip

    recall = detector_recall(dataset, sky, "sky")
    assert recall.false_positives == 2 and recall.false_positives_per_image == 1.0
    assert recall.false_positive_types == {"Car": 2}  # what they were taken for
    assert all(found == 0 for found, _ in rows(recall).values())


def test_light_of_a_variant():
    def variant(sun, injectors):
        env = SimpleNamespace(sun=SimpleNamespace(elevation=sun))
        applied = [SimpleNamespace(type=t) for t in injectors]
        scenario = SimpleNamespace(environment=env)
        return SimpleNamespace(instance=SimpleNamespace(scenario=scenario, applied=applied))

    assert light_of(variant(30.0, [])) == "day"
    assert light_of(variant(-5.0, ["fog"])) == "night"
    assert light_of(variant(30.0, ["low_light"])) == "low_light"


@needs_shared
def test_the_realism_command_with_nanodet_and_real_photos(dataset, tmp_path):
    runner = CliRunner()
    out = tmp_path / "realism.json"
    args = ["realism", str(dataset.root), "--model", "onnx", "--model-arg", f"path={NANODET}",
            "--reference", str(REALISM / "real_images"), "--out", str(out)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["statistics"]["reference"]["images"] == 6
    assert report["statistics"]["synthetic"]["images"] == 2
    assert report["detector"]["images"] == 2
    fp_types = report["detector"]["false_positive_types"]
    assert sum(fp_types.values()) == report["detector"]["false_positives"]
    car = [r for r in report["detector"]["recall"] if r["group"] == "car" and r["where"] == "all"]
    assert car and 0 <= car[0]["found"] <= car[0]["total"]
    html = tmp_path / "realism.html"
    assert runner.invoke(app, [*args[:-1], str(html)]).exit_code == 0
    assert "<table>" in html.read_text() and "edge_density" in html.read_text()
    missing = runner.invoke(app, ["realism", str(dataset.root), "--reference", "/nonexistent"])
    assert missing.exit_code == 1 and "not a folder" in missing.output
