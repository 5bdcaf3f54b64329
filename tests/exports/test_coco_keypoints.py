"""The COCO export's person keypoints: pycocotools' OKS evaluation reads them, the ground truth
scores AP 1.0 against itself, and a 5-pixel error costs what the OKS formula says it should."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simgen.core.keypoints import COCO_KEYPOINTS, COCO_SIGMAS, COCO_SKELETON, oks
from simgen.dataset.reader import open_dataset
from simgen.exports.registry import export
from tests.conftest import render_text
from tests.keypoint_scene import SCENE

pytest.importorskip("pycocotools")


@pytest.fixture(scope="module")
def coco(tmp_path_factory):
    native = render_text(tmp_path_factory.mktemp("kp"), SCENE)
    out = tmp_path_factory.mktemp("coco")
    export(native, "coco", out)
    return native, out / "annotations.json"


def _evaluator(gt_file, detections):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    gt = COCO(str(gt_file))
    evaluator = COCOeval(gt, gt.loadRes(detections), "keypoints")
    # keypoint evaluation covers the categories with keypoints, as COCO's person file does
    evaluator.params.catIds = [c["id"] for c in gt.loadCats(gt.getCatIds()) if "keypoints" in c]
    evaluator.evaluate()
    evaluator.accumulate()
    evaluator.summarize()
    return gt, evaluator


def _posed(data):
    return [a for a in data["annotations"] if "keypoints" in a and a["num_keypoints"] > 0]


def test_people_and_riders_carry_coco_keypoints_that_match_the_labels(coco):
    native, path = coco
    data = json.loads(path.read_text())
    categories = {c["name"]: c for c in data["categories"]}
    for name in ("person", "rider"):
        assert categories[name]["keypoints"] == list(COCO_KEYPOINTS)
        assert categories[name]["skeleton"] == [list(p) for p in COCO_SKELETON]
    assert "keypoints" not in categories["car"] and "keypoints" not in categories["bicycle"]
    kept = {categories["person"]["id"], categories["rider"]["id"]}
    labels = {
        (v.key, f.index, o.id): o
        for v in open_dataset(native)
        for f in v.frames()
        for o in f.labels.objects
    }
    images = {i["id"]: i for i in data["images"]}
    riders = 0
    for a in data["annotations"]:
        assert ("keypoints" in a) == (a["category_id"] in kept)
        if "keypoints" not in a:
            continue
        riders += a["category_id"] == categories["rider"]["id"]
        image = images[a["image_id"]]
        key = (f"{image['scenario']}_{image['variant']:04d}", image["frame"], a["track_id"])
        truth = labels[key].cameras[image["camera"]].keypoints
        rows = np.array(a["keypoints"]).reshape(17, 3)
        assert a["num_keypoints"] == sum(k.visibility > 0 for k in truth)
        for row, k in zip(rows, truth, strict=True):
            expected = (k.u + 0.5, k.v + 0.5, k.visibility) if k.visibility else (0, 0, 0)
            assert tuple(row) == pytest.approx(expected)  # pixel edges, like the boxes
    assert riders > 0 and len(_posed(data)) >= 8


def test_the_ground_truth_scores_ap_one_against_itself(coco):
    _, path = coco
    data = json.loads(path.read_text())
    detections = [{**a, "score": 1.0} for a in _posed(data)]
    _, evaluator = _evaluator(path, detections)
    assert evaluator.stats[0] == pytest.approx(1.0)  # AP over OKS 0.50:0.95
    assert evaluator.stats[5] == pytest.approx(1.0)  # AR


def test_a_five_pixel_error_costs_what_oks_predicts(coco):
    """Move every labelled keypoint 5 px in a random direction: COCOeval's OKS of each person is
    exp(-d^2 / (2 s^2 k^2)) averaged over its labelled keypoints (s^2 its area, k = 2 sigma),
    and the AP at each threshold counts the people whose OKS reaches it."""
    _, path = coco
    data = json.loads(path.read_text())
    rng = np.random.default_rng(0)
    detections, expected = [], {}
    for a in _posed(data):
        rows = np.array(a["keypoints"], float).reshape(17, 3)
        labelled = rows[:, 2] > 0
        angle = rng.uniform(0, 2 * np.pi, 17)
        moved = rows.copy()
        moved[labelled, :2] += 5.0 * np.stack([np.cos(angle), np.sin(angle)], 1)[labelled]
        predicted = float(
            np.mean(np.exp(-25.0 / (2 * a["area"] * (2 * COCO_SIGMAS[labelled]) ** 2)))
        )
        assert oks(moved[:, :2], rows[:, :2], rows[:, 2], a["area"]) == pytest.approx(predicted)
        expected[a["id"]] = (a, predicted)
        detections.append(
            {
                "image_id": a["image_id"],
                "category_id": a["category_id"],
                "keypoints": moved.ravel().tolist(),
                "score": predicted,  # a confident detector: better poses score higher
                "person": a["id"],
            }
        )
    _, evaluator = _evaluator(path, detections)
    # COCOeval's own OKS between each detection and its person: rows are the image's
    # detections by falling score, columns its people
    seen = 0
    for (image_id, category_id), matrix in evaluator.ious.items():
        if len(matrix) == 0:
            continue
        people = [t["id"] for t in evaluator._gts[image_id, category_id]]
        dts = evaluator._dts[image_id, category_id]
        order = np.argsort([-d["score"] for d in dts], kind="mergesort")
        for row, index in enumerate(order):
            person = dts[index]["person"]
            assert matrix[row, people.index(person)] == pytest.approx(expected[person][1])
            seen += 1
    assert seen == len(detections)
    # the 5 px error is a small fraction of a big person's scale and a large one of a small one's
    values = np.array([p for _, p in expected.values()])
    assert values.min() < 0.5 < values.max() < 1.0
    # AP at each OKS threshold: per category, precision 1 up to the recall of the people whose
    # OKS reaches it (they score highest), then 0; averaged over categories
    params = evaluator.params
    for t, threshold in enumerate(params.iouThrs):
        per_category = []
        for category in params.catIds:
            scores = [p for a, p in expected.values() if a["category_id"] == category]
            recall = np.sum(np.array(scores) >= threshold) / len(scores)
            # a recall of 0 leaves even the first recall point without a true detection
            reached = np.sum(params.recThrs <= recall) if recall > 0 else 0
            per_category.append(reached / len(params.recThrs))
        reported = evaluator.eval["precision"][t, :, :, 0, -1]  # all areas, most detections
        ap = np.mean([np.mean(reported[:, k]) for k in range(len(params.catIds))])
        assert ap == pytest.approx(np.mean(per_category), abs=1e-12), threshold
    assert evaluator.stats[0] < 1.0
