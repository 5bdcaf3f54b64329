"""The exports load in the formats' own tools and agree with the native labels."""

import json
import math

import numpy as np
import pytest

from simgen.dataset.reader import find_variants
from simgen.exports.registry import export
from tests.conftest import render_text
from tests.exports.test_kitti import kitti_corners, read_calib

SCENE = """
version: 1
name: exp
seed: 5
duration: 0.3
frame_rate: 10
variants: 2
road: {length: 200, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}
ego:
  lane: 0
  s: 20
  speed: 6
  sensors:
    - {name: cam_front, type: camera, width: 320, height: 200, fov: 90, mount: {xyz: [1.5, 0, 1.6]},
       outputs: [rgb, depth, semantic, instance]}
    # raw rolling-shutter points are where things were when each column fired; boxes are at the
    # sweep start, so the exact points-in-box comparison below uses a global-shutter lidar
    - {name: lidar_top, type: lidar, preset: vlp16, mount: {xyz: [0, 0, 1.9]},
       rolling_shutter: false}
actors:
  - {name: lead, model: sedan, lane: 0, s: 38, speed: 6}
  - {name: van, model: truck, lane: 1, s: 45, speed: 5}
  - {name: hidden, model: sedan, lane: 1, s: 60, speed: 5}
  - {name: walker, model: pedestrian, offset: -8.0, s: 35}
  - {name: bike, model: bicycle, lane: 1, s: 30, speed: 4}
  - {name: edge, model: suv, offset: -24.0, s: 43, behavior: [{action: parked}]}
"""


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return render_text(tmp_path_factory.mktemp("ds"), SCENE)


def test_coco_loads_and_evaluates_to_ap_one(dataset, tmp_path):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    assert export(dataset, "coco", tmp_path) == 6  # 2 variants x 3 frames
    gt = COCO(str(tmp_path / "annotations.json"))
    assert len(gt.getImgIds()) == 6 and len(gt.getAnnIds()) > 10
    names = {c["name"] for c in gt.loadCats(gt.getCatIds())}
    assert {"car", "truck", "person", "bicycle", "rider"} <= names
    anns = gt.loadAnns(gt.getAnnIds())
    detections = [{**a, "score": 1.0} for a in anns]
    for kind in ("bbox", "segm"):
        evaluator = COCOeval(gt, gt.loadRes(detections), kind)
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
        assert evaluator.stats[0] == pytest.approx(1.0)
    # masks decode to the native instance masks' pixels
    ann = next(a for a in anns if a["category_id"] == 11)
    assert gt.annToMask(ann).sum() == ann["area"]


def test_nuscenes_devkit_loads_the_export_and_returns_our_boxes(dataset, tmp_path):
    from nuscenes.nuscenes import NuScenes

    assert export(dataset, "nuscenes", tmp_path) == 6
    nusc = NuScenes(version="v1.0-simgen", dataroot=str(tmp_path), verbose=False)
    assert [s["name"] for s in nusc.scene] == ["exp_0000", "exp_0001"]
    variant = find_variants(dataset)[0]
    sample = nusc.get("sample", nusc.scene[0]["first_sample_token"])
    labels = variant.labels(0)
    ours = {o.name: o for o in labels.objects if o.visible}
    for channel, sensor in (("LIDAR_TOP", "lidar_top"), ("CAM_FRONT", "cam_front")):
        path, boxes, intrinsic = nusc.get_sample_data(sample["data"][channel])
        assert path.endswith((".pcd.bin", ".png"))
        if channel == "CAM_FRONT":
            np.testing.assert_allclose(intrinsic, variant.camera("cam_front").K)
        assert boxes
        for box in boxes:
            ann = nusc.get("sample_annotation", box.token)
            instance = nusc.get("instance", ann["instance_token"])
            match = [
                o
                for o in ours.values()
                if np.allclose(box.center, o.boxes.sensors[sensor].center, atol=1e-4)
            ]
            assert len(match) == 1, box
            length, width, height = match[0].boxes.sensors[sensor].size
            np.testing.assert_allclose(box.wlh, [width, length, height], atol=1e-6)
            assert nusc.get("category", instance["category_token"])["name"].split(".")[0] in (
                "vehicle",
                "human",
                "movable_object",
            )
    points = np.fromfile(nusc.get_sample_data_path(sample["data"]["LIDAR_TOP"]), dtype=np.float32)
    assert points.size % 5 == 0
    native = variant.frame(0).lidar("lidar_top")
    np.testing.assert_allclose(points.reshape(-1, 5)[:, 0], native["x"])
    # the map mask is a real raster of the road: the ego stands on drivable surface
    log = nusc.get("log", nusc.scene[0]["log_token"])
    mask = nusc.get("map", log["map_token"])["mask"]
    pose = nusc.get(
        "ego_pose", nusc.get("sample_data", sample["data"]["LIDAR_TOP"])["ego_pose_token"]
    )
    assert mask.is_on_mask(pose["translation"][0], pose["translation"][1])
    assert not mask.is_on_mask(pose["translation"][0], pose["translation"][1] + 40.0)


def test_kitti_boxes_project_onto_their_2d_boxes_and_hold_their_points(dataset, tmp_path):
    frames = export(dataset, "kitti", tmp_path)
    assert frames == 6
    mapping = json.loads((tmp_path / "mapping.json").read_text())
    checked = dont_care = 0
    for entry in mapping:
        stem = f"{entry['index']:06d}"
        calib = read_calib(tmp_path / "training/calib" / f"{stem}.txt")
        P2 = calib["P2"].reshape(3, 4)
        velo_to_cam = np.vstack([calib["Tr_velo_to_cam"].reshape(3, 4), [0, 0, 0, 1]])
        scan = np.fromfile(
            tmp_path / "training/velodyne" / f"{stem}.bin", dtype=np.float32
        ).reshape(-1, 4)
        cam_points = (np.c_[scan[:, :3], np.ones(len(scan))] @ velo_to_cam.T)[:, :3]
        variant = next(v for v in find_variants(dataset) if v.variant == entry["variant"])
        objects = variant.labels(entry["frame"]).objects
        for line in (tmp_path / "training/label_2" / f"{stem}.txt").read_text().splitlines():
            f = line.split()
            if f[0] == "DontCare":
                dont_care += 1
                continue
            h, w, l, x, y, z, ry = map(float, f[8:15])  # noqa: E741
            u0, v0, u1, v1 = map(float, f[4:8])
            corners = kitti_corners(h, w, l, x, y, z, ry)
            uv = np.c_[corners, np.ones(8)] @ P2.T
            uv = uv[:, :2] / uv[:, 2:3]
            truncated = float(f[1]) > 0
            if not truncated:
                assert abs(uv[:, 0].min() - u0) < 2 and abs(uv[:, 0].max() - u1) < 2
                assert abs(uv[:, 1].min() - v0) < 2 and abs(uv[:, 1].max() - v1) < 2
            # the points inside the box (2 cm slack; the road surface it stands on left out)
            local = cam_points - [x, y, z]
            rot = np.array(
                [[math.cos(ry), 0, math.sin(ry)], [0, 1, 0], [-math.sin(ry), 0, math.cos(ry)]]
            )
            local = local @ rot  # into the box frame
            inside = (
                (np.abs(local[:, 0]) <= l / 2 + 0.02)
                & (np.abs(local[:, 2]) <= w / 2 + 0.02)
                & (local[:, 1] <= -0.01)
                & (local[:, 1] >= -h - 0.02)
            )
            candidates = [
                o
                for o in objects
                if math.isclose(o.boxes.sensors["cam_front"].size[2], h, abs_tol=1e-3)
                and math.dist(o.boxes.sensors["cam_front"].center[::2], (x, z)) < 1e-2
            ]
            assert len(candidates) == 1
            assert int(inside.sum()) == candidates[0].lidar_points["lidar_top"]
            checked += 1
    assert checked >= 6 and dont_care == 0  # every object seen is labelled; no DontCare asked for


def test_kitti_dontcare_regions_replace_small_or_hidden_objects_only_when_asked(dataset, tmp_path):
    from simgen.exports.options import ExportOptions
    from simgen.labels.policy import DontCare

    export(dataset, "kitti", tmp_path / "all")
    export(dataset, "kitti", tmp_path / "dc", ExportOptions(kitti_dontcare=DontCare(30, 0.5)))
    kept = replaced = 0
    for path in sorted((tmp_path / "all/training/label_2").glob("*.txt")):
        plain = path.read_text().splitlines()
        marked = (tmp_path / "dc/training/label_2" / path.name).read_text().splitlines()
        assert len(plain) == len(marked)  # one line per object either way
        for a, b in zip(plain, marked, strict=True):
            if b.startswith("DontCare"):
                replaced += 1
                v0, v1 = float(b.split()[5]), float(b.split()[7])
                assert v1 - v0 + 1 < 30 or a.split()[2] != "0"  # small, or partly hidden
            else:
                kept += 1
                assert a == b
    assert kept and replaced
