"""simgen eval: overlaps and AP against hand-computed cases, the oracle, baselines and JUnit."""

import json
import math
from xml.etree import ElementTree

import numpy as np
import pytest
from typer.testing import CliRunner

from simgen.cli import app
from simgen.dataset.reader import open_dataset
from simgen.eval import dataset_digest, load_model, regressions, run_model, score
from simgen.eval.iou import Box, bev_iou, iou_3d
from simgen.eval.kitti_ap import average_precision, match_image
from tests.conftest import render_text

SCENE = """
version: 1
name: ev
seed: 6
duration: 0.4
frame_rate: 10
variants: 2
road: {length: 300, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}
ego:
  lane: 0
  s: 20
  behavior: [{action: parked}]
  sensors:
    - {name: cam, type: camera, width: 480, height: 270, fov: 80,
       outputs: [rgb, instance, semantic]}
actors:
  - {name: a, model: sedan, lane: 0, s: {uniform: [30, 36]}, behavior: [{action: parked}]}
  - {name: b, model: suv, lane: 1, s: {uniform: [40, 50]}, behavior: [{action: parked}]}
  - {name: c, model: sedan, lane: 1, s: {uniform: [26, 30]}, behavior: [{action: parked}]}
  - {name: d, model: pedestrian, offset: -8.2, s: {uniform: [27, 33]}}
"""


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return render_text(tmp_path_factory.mktemp("eval"), SCENE)


def test_overlaps_match_analytic_cases():
    a = Box((0.0, 0.0, 1.0), (4.0, 2.0, 2.0), 0.0)
    assert bev_iou(a, a) == pytest.approx(1.0) and iou_3d(a, a) == pytest.approx(1.0)
    shifted = Box((2.0, 0.0, 1.0), (4.0, 2.0, 2.0), 0.0)  # half its length along x
    assert bev_iou(a, shifted) == pytest.approx(1 / 3) and iou_3d(a, shifted) == pytest.approx(
        1 / 3
    )
    turned = Box((0.0, 0.0, 1.0), (4.0, 2.0, 2.0), math.pi / 2)  # a 2 x 2 cross in the middle
    assert bev_iou(a, turned) == pytest.approx(4 / 12)
    far = Box((10.0, 0.0, 1.0), (4.0, 2.0, 2.0), 0.0)
    assert bev_iou(a, far) == 0.0 and iou_3d(a, far) == 0.0
    higher = Box((0.0, 0.0, 2.0), (4.0, 2.0, 2.0), 0.0)  # same footprint, 1 m higher
    assert bev_iou(a, higher) == pytest.approx(1.0) and iou_3d(a, higher) == pytest.approx(1 / 3)


def test_r40_ap_matches_a_hand_computed_case():
    truths = ["t1", "t2", "t3"]
    ignored = [False, False, True]

    def same(det, truth):
        return 1.0 if det == truth else 0.0

    # 0.9 finds t1, 0.8 finds nothing, 0.7 finds t2, 0.6 finds the ignored t3 (counts neither way)
    m = match_image(truths, ignored, [(0.9, "t1"), (0.8, "x"), (0.7, "t2"), (0.6, "t3")], same, 0.5)
    assert m.true_positive == [True, False, True] and m.positives == 2
    ap, recall = average_precision([m])
    # precision 1 up to recall 0.5 (20 of the 40 points), then 2/3 up to recall 1 (20 points)
    assert ap == pytest.approx((20 * 1.0 + 20 * (2 / 3)) / 40) and recall == 1.0


def test_the_oracle_scores_one_everywhere(dataset):
    metrics = score(run_model(open_dataset(dataset), load_model("oracle", {})))
    assert any(k.endswith("3d_ap/Car/moderate") for k in metrics)
    assert any("Pedestrian" in k for k in metrics)
    # every AP and recall is 1 (nuScenes' own mAP over its ten classes is not: most are absent)
    precise = {k: v for k, v in metrics.items() if "_err" not in k and "all10" not in k
               and "nds" not in k}  # fmt: skip
    assert precise and all(v == 1.0 for v in precise.values()), precise


def test_missing_thirty_percent_costs_recall_and_fails_the_baseline(dataset):
    data = open_dataset(dataset)
    clean = score(run_model(data, load_model("oracle", {})))
    lossy = score(run_model(data, load_model("oracle", {"miss": 0.3, "seed": 1})))
    assert lossy["all/recall/Car/hard"] == pytest.approx(0.7, abs=0.12)
    assert regressions(lossy, clean, 0.02)
    assert not regressions(clean, clean, 0.02)


def test_cli_baseline_tolerance_and_junit(dataset, tmp_path):
    runner = CliRunner()
    base = tmp_path / "base.json"
    ok = runner.invoke(
        app, ["eval", str(dataset), "--model", "oracle", "--save-baseline", str(base)]
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(base.read_text())["dataset"] == dataset_digest(open_dataset(dataset))
    same = runner.invoke(app, ["eval", str(dataset), "--model", "oracle", "--baseline", str(base)])
    assert same.exit_code == 0, same.output
    junit = tmp_path / "junit.xml"
    args = ["--model-arg", "miss=0.3", "--baseline", str(base), "--junit", str(junit)]
    worse = runner.invoke(app, ["eval", str(dataset), "--model", "oracle", *args])
    assert worse.exit_code == 1 and "regressed: all/recall/Car" in worse.output
    suite = ElementTree.parse(junit).getroot()
    failures = suite.findall("testcase/failure")
    assert int(suite.get("failures")) == len(failures) == worse.output.count("regressed:")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"dataset": "something else", "metrics": {}}))
    refused = runner.invoke(
        app, ["eval", str(dataset), "--model", "oracle", "--baseline", str(other)]
    )
    assert refused.exit_code == 1 and "another dataset" in refused.output


def test_fog_costs_lidar_clusters_recall_against_its_clean_twin(tmp_path):
    from simgen.batch import executor, plan_shards, run_batch

    scene = SCENE.replace("variants: 2", "variants: 1").replace("duration: 0.4", "duration: 0.3")
    scene = scene.replace(
        "outputs: [rgb, instance, semantic]}",
        "outputs: [rgb, instance, semantic]}\n    - {name: lidar, type: lidar, preset: vlp16, "
        "horizontal_resolution: 0.4, mount: {xyz: [0, 0, 1.9]}}",
    )
    path = tmp_path / "ev.yaml"
    path.write_text(scene + "injectors: [{type: fog, density: 0.05}]\n")
    shards = plan_shards([path], tmp_path / "out", clean_twins=True)
    assert sorted(s.id for s in shards) == ["ev/0000", "ev__clean/0000"]
    run_batch(shards, executor("local", 1), lambda e: None)
    model = load_model("lidar_clusters", {})
    metrics = score(run_model(open_dataset(tmp_path / "out"), model), model.outputs)
    clean = metrics["scenario=ev__clean/recall/Car/hard"]
    foggy = metrics["scenario=ev/recall/Car/hard"]
    assert clean >= 0.5 and foggy < clean
    assert metrics["pair=ev/drop/recall/Car/hard"] == pytest.approx(clean - foggy)
    assert metrics["suite/mRR/recall/Car/hard"] == pytest.approx(foggy / clean)
    # a drop that grows is a regression
    worse = dict(metrics, **{"pair=ev/drop/recall/Car/hard": clean - foggy + 0.1})
    assert [r.metric for r in regressions(worse, metrics, 0.02)] == ["pair=ev/drop/recall/Car/hard"]


def test_hog_pedestrians_is_a_2d_model(dataset):
    model = load_model("hog_pedestrians", {})
    metrics = score(run_model(open_dataset(dataset), model), model.outputs)
    assert "all/2d_ap/Pedestrian" in metrics and not any("3d_ap" in k for k in metrics)
    assert 0.0 <= metrics["all/2d_ap/Pedestrian"] <= 1.0


def test_distance_slices_ignore_what_lies_outside_them(dataset):
    from simgen.eval.evaluate import ground_distance
    from simgen.eval.protocol import Predictions

    oracle = load_model("oracle", {})

    def near_only(inp):  # finds everything within 20 m, nothing further
        found = oracle(inp)
        return Predictions([d for d in found.boxes_3d if ground_distance(d.box) < 20.0])

    metrics = score(run_model(open_dataset(dataset), near_only), frozenset({"3d"}))
    assert metrics["distance=0-20m/recall/Car/all"] == 1.0
    assert metrics["distance=0-20m/3d_ap/Car/all"] == 1.0  # no false positive from far cars
    assert metrics["distance=20-40m/recall/Car/all"] == 0.0
    assert 0.0 < metrics["visibility=0.9-1.0/recall/Car/all"] < 1.0


def test_the_pytest_helper_fails_with_the_regressed_metrics(dataset, tmp_path):
    from simgen.eval import save_baseline
    from simgen.eval.pytest_helper import assert_no_regression

    data = open_dataset(dataset)
    base = tmp_path / "base.json"
    save_baseline(base, score(run_model(data, load_model("oracle", {}))), dataset_digest(data))
    assert_no_regression(dataset, load_model("oracle", {}), base)
    with pytest.raises(AssertionError, match="metrics regressed"):
        assert_no_regression(dataset, load_model("oracle", {"miss": 0.5}), base)


def test_segmentation_and_depth_metrics(tmp_path):
    scene = SCENE.replace(
        "outputs: [rgb, instance, semantic]",
        "outputs: [rgb, instance, semantic, depth], mount: {xyz: [1.5, 0, 1.6]}",
    )
    scene = scene.replace("variants: 2", "variants: 1")
    dataset = render_text(tmp_path, scene)
    data = open_dataset(dataset)
    exact = score(run_model(data, load_model("oracle", {"dense": True})))
    assert exact["all/miou"] == 1.0 and exact["all/iou/car"] == 1.0 and exact["all/iou/road"] == 1.0
    assert exact["all/depth_absrel"] < 1e-3 and exact["all/depth_rmse"] < 0.01  # mm PNG steps
    noisy = score(run_model(data, load_model("oracle", {"dense": True, "depth_noise": 0.1})))
    # the mean of |N(0, 0.1)| is 0.1 * sqrt(2 / pi)
    assert noisy["all/depth_absrel"] == pytest.approx(0.1 * math.sqrt(2 / math.pi), rel=0.05)
    assert [r.metric for r in regressions(noisy, exact, 0.02)] == [
        k for k in sorted(exact) if "depth_" in k and noisy[k] > exact[k] + 0.02
    ]


def test_prediction_files_in_kitti_and_coco_layouts(dataset, tmp_path):
    from simgen.exports.registry import export

    export(dataset, "kitti", tmp_path / "kitti")
    results = tmp_path / "results"
    results.mkdir()
    for label in (tmp_path / "kitti/training/label_2").glob("*.txt"):  # the truth, with scores
        rows = [f"{line} 0.9" for line in label.read_text().splitlines()]
        (results / label.name).write_text("".join(f"{r}\n" for r in rows))
    index = tmp_path / "kitti/mapping.json"
    runner = CliRunner()
    args = ["eval", str(dataset), "--predictions", str(results), "--index", str(index), "--json"]
    kitti = json.loads(runner.invoke(app, args).output)
    assert kitti["all/3d_ap/Car/moderate"] == 1.0 and kitti["all/bev_ap/Pedestrian/hard"] == 1.0
    export(dataset, "coco", tmp_path / "coco")
    annotations = tmp_path / "coco/annotations.json"
    truth = json.loads(annotations.read_text())["annotations"]
    coco_results = tmp_path / "coco_results.json"
    coco_results.write_text(json.dumps([{**a, "score": 0.9} for a in truth]))
    args = ["eval", str(dataset), "--predictions", str(coco_results), "--format", "coco",
            "--index", str(annotations), "--json"]  # fmt: skip
    coco = json.loads(runner.invoke(app, args).output)
    assert coco["all/2d_ap/Car"] == 1.0 and not any("3d_ap" in k for k in coco)


def test_nuscenes_map_matches_the_devkit(tmp_path):
    """Our nuScenes mAP against nuscenes-devkit's DetectionEval on our own export."""
    from nuscenes.eval.common.config import config_factory
    from nuscenes.eval.detection.evaluate import DetectionEval
    from nuscenes.nuscenes import NuScenes

    from simgen.eval.protocol import Predictions
    from simgen.exports.nuscenes import token
    from simgen.exports.registry import export

    scene = SCENE.replace("variants: 2", "variants: 2").replace(
        "outputs: [rgb, instance, semantic]}",
        "outputs: [rgb, instance, semantic], mount: {xyz: [1.5, 0, 1.6]}}\n"
        "    - {name: lidar_top, type: lidar, preset: vlp16, mount: {xyz: [0, 0, 1.9]}}",
    )
    dataset = render_text(tmp_path, scene)
    data = open_dataset(dataset)
    oracle = load_model("oracle", {"miss": 0.25, "noise": 0.4, "false_positives": 0.5, "seed": 3})
    seen: dict[str, Predictions] = {}

    def model(inp):
        found = oracle(inp)
        seen[f"{inp.frame.variant.key}/{inp.frame.index}"] = found
        return found

    ours = score(run_model(data, model))
    perfect = score(run_model(data, load_model("oracle", {})))
    assert perfect["all/nuscenes_map"] == 1.0  # (errors average in the absent classes as 1)
    export(dataset, "nuscenes", tmp_path / "nu")
    version = tmp_path / "nu" / "v1.0-simgen"
    (version / "splits.json").write_text(json.dumps({"simgen": [v.key for v in data]}))
    nusc = NuScenes(version="v1.0-simgen", dataroot=str(tmp_path / "nu"), verbose=False)
    results = {}
    for v in data:
        for frame in v.frames():
            sample = token("sample", v.key, frame.index)
            lidar_data = nusc.get("sample", sample)["data"]["LIDAR_TOP"]
            pose = nusc.get("ego_pose", nusc.get("sample_data", lidar_data)["ego_pose_token"])
            world_from_ego = frame.labels.pose()
            shift = np.array(pose["translation"]) - world_from_ego[:3, 3]
            rows = []
            for d in seen[f"{v.key}/{frame.index}"].boxes_3d:
                if d.nuscenes is None:
                    continue
                center = world_from_ego[:3, :3] @ np.array(d.box.center) + world_from_ego[:3, 3]
                yaw = d.box.yaw + math.atan2(world_from_ego[1, 0], world_from_ego[0, 0])
                length, width, height = d.box.size
                rows.append({
                    "sample_token": sample, "translation": (center + shift).tolist(),
                    "size": [width, length, height],
                    "rotation": [math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2)],
                    "velocity": (world_from_ego[:2, :2] @ np.array(d.velocity)).tolist(),
                    "detection_name": d.nuscenes, "detection_score": d.score,
                    "attribute_name": d.attribute,
                })  # fmt: skip
            results[sample] = rows
    submission = tmp_path / "results.json"
    meta = {"use_camera": True, "use_lidar": True, "use_radar": False, "use_map": False,
            "use_external": False}  # fmt: skip
    submission.write_text(json.dumps({"meta": meta, "results": results}))
    evaluation = DetectionEval(nusc, config_factory("detection_cvpr_2019"), str(submission),
                               "simgen", str(tmp_path / "nu_eval"), verbose=False)  # fmt: skip
    metrics, _ = evaluation.evaluate()
    assert ours["all/nuscenes_map_all10"] == pytest.approx(metrics.mean_ap, abs=1e-3)
    assert 0.0 < metrics.mean_ap < 0.2  # cars and pedestrians only, with misses and noise
    for error in ("trans_err", "scale_err", "orient_err", "vel_err", "attr_err"):
        assert ours[f"all/nuscenes_{error}"] == pytest.approx(metrics.tp_errors[error], abs=1e-3)
    assert ours["all/nuscenes_nds"] == pytest.approx(metrics.nd_score, abs=1e-3)
    # the submission read back as predictions scores what the model scored
    args = ["eval", str(dataset), "--predictions", str(submission), "--format", "nuscenes",
            "--index", str(tmp_path / "nu"), "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    read_back = json.loads(result.output)
    for key in ("all/nuscenes_map", "all/nuscenes_nds", "all/nuscenes_vel_err"):
        assert read_back[key] == pytest.approx(ours[key], abs=1e-4), key


def test_2d_ap_equals_pycocotools_on_the_same_data(dataset):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    model = load_model("oracle", {"miss": 0.2, "seed": 4})
    results = run_model(open_dataset(dataset), model)
    ours = score(results, frozenset({"2d"}))["all/2d_ap/Car"]
    images, anns, dets = [], [], []
    for i, r in enumerate(results):
        images.append({"id": i + 1})
        for t in r.truths:
            if t.type == "Car" and t.visible_box is not None:
                u0, v0, u1, v1 = t.visible_box
                anns.append({"id": len(anns) + 1, "image_id": i + 1, "category_id": 1,
                             "bbox": [u0, v0, u1 - u0 + 1, v1 - v0 + 1],
                             "area": (u1 - u0 + 1) * (v1 - v0 + 1), "iscrowd": 0})  # fmt: skip
        for d in r.predictions.boxes_2d:
            if d.type == "Car":
                u0, v0, u1, v1 = d.box
                dets.append({"image_id": i + 1, "category_id": 1, "score": d.score,
                             "bbox": [u0, v0, u1 - u0 + 1, v1 - v0 + 1]})  # fmt: skip
    truth = COCO()
    truth.dataset = {"images": images, "annotations": anns, "categories": [{"id": 1}]}
    truth.createIndex()
    evaluator = COCOeval(truth, truth.loadRes(dets), "bbox")
    evaluator.evaluate()
    evaluator.accumulate()
    evaluator.summarize()
    assert 0.5 < ours < 1.0 and ours == pytest.approx(evaluator.stats[0], abs=1e-6)


def test_mce_is_the_edge_case_error_relative_to_a_reference_model():
    from simgen.eval import corruption_errors

    ours = {"scenario=fog/2d_ap/Car": 0.6, "scenario=fog__clean/2d_ap/Car": 0.9,
            "scenario=rain/2d_ap/Car": 0.8, "scenario=rain__clean/2d_ap/Car": 0.9}  # fmt: skip
    reference = {"scenario=fog/2d_ap/Car": 0.2, "scenario=rain/2d_ap/Car": 0.6}
    # fog: (1 - 0.6) / (1 - 0.2) = 0.5; rain: (1 - 0.8) / (1 - 0.6) = 0.5
    assert corruption_errors(ours, reference) == {"suite/mCE/2d_ap/Car": 0.5}


def test_reports_and_reproducible_lidar_clusters(dataset, tmp_path):
    runner = CliRunner()
    md, page = tmp_path / "eval.md", tmp_path / "eval.html"
    for out in (md, page):
        result = runner.invoke(
            app, ["eval", str(dataset), "--model", "oracle", "--report", str(out)]
        )
        assert result.exit_code == 0, result.output
    assert "## Over everything" in md.read_text() and "| all |" in md.read_text()
    assert "<h2>By scenario</h2>" in page.read_text() and "<table>" in page.read_text()
    model = load_model("lidar_clusters", {})
    data = open_dataset(dataset)
    assert score(run_model(data, model), model.outputs) == score(
        run_model(data, model), model.outputs
    )


def buggy_model():
    """A model factory whose model has a bug: the harness must not pass it off as user error."""

    def predict(inp):
        return len(inp)  # TypeError: FrameInput has no len()

    return predict


def test_evaluate_is_the_one_pipeline(dataset, tmp_path):
    from simgen.eval import EvalError, MetricKey, ModelLoadError
    from simgen.eval.api import evaluate

    result = evaluate(dataset, "oracle")
    assert result.passed and result.regressions == () and result.title == "simgen eval: oracle"
    assert result.digest == dataset_digest(open_dataset(dataset))
    assert [str(k) for k, _ in result.rows()] == list(result.metrics)
    assert all(isinstance(MetricKey.parse(k), MetricKey) for k in result.metrics)
    base = tmp_path / "base.json"
    result.save_baseline(base)
    lossy = evaluate(
        open_dataset(dataset), "oracle", model_args={"miss": 0.3, "seed": 1}, baseline=base
    )
    assert not lossy.passed and "all/recall/Car/hard" in {r.metric for r in lossy.regressions}
    assert lossy.failure_message().startswith(f"{len(lossy.regressions)} metrics regressed:")
    # a model given as a callable scores what the same model by name scores
    assert evaluate(dataset, load_model("oracle", {})).metrics == result.metrics
    with pytest.raises(EvalError, match="one of them"):
        evaluate(dataset)
    with pytest.raises(EvalError, match="one of them"):
        evaluate(dataset, "oracle", predictions=tmp_path)
    with pytest.raises(ModelLoadError, match="unknown model 'nope'"):
        evaluate(dataset, "nope")
    with pytest.raises(ModelLoadError, match="mis"):
        evaluate(dataset, "oracle", model_args={"mis": 0.3})


def test_cli_eval_reports_user_errors_and_lets_bugs_through(dataset):
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, ["eval", str(dataset), *args])

    for args, message in [
        (["--model", "nope"], "simgen eval: unknown model 'nope'"),
        (["--model", "no_such_module:make"], "cannot import no_such_module"),
        (["--model", "tests.eval.test_eval:nothing"], "has no factory 'nothing'"),
        (["--model", "oracle", "--model-arg", "miss"], "expected KEY=VALUE"),
        (["--model", "oracle", "--model-arg", "mis=0.3"], "unexpected keyword argument 'mis'"),
        ([], "one of them"),
    ]:
        result = run(*args)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    # a TypeError inside a model is a bug: it keeps its traceback instead of one polite line
    buggy = run("--model", "tests.eval.test_eval:buggy_model")
    assert isinstance(buggy.exception, TypeError), buggy.output
