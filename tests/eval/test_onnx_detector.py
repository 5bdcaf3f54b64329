"""The onnx model: letterbox arithmetic, each layout's decoding against tensors with known boxes
(tiny ONNX graphs that output constants laid out like the real exports), per-class NMS, NanoDet-m
on a real photograph, and its 2D AP equal to the same detections scored as a COCO results file."""

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from simgen.eval.detector_decoding import (
    Candidates,
    DecodingError,
    Letterbox,
    decode_nanodet,
    letterbox,
    nms,
)
from simgen.eval.errors import ModelLoadError
from simgen.eval.onnx_detector import (
    COCO_NAMES,
    OnnxDetector,
    default_class_map,
    onnx_detector,
    parse_class_map,
)

REALISM = Path(__file__).resolve().parents[3] / "shared" / "realism"  # ../shared beside the repo
NANODET = REALISM / "nanodet_m.onnx"
needs_shared = pytest.mark.skipif(not NANODET.exists(), reason="../shared/realism is absent")

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")


def constant_model(path: Path, outputs: list[np.ndarray], size: int = 64) -> Path:
    """An ONNX file with one image input [1, 3, size, size] that outputs ``outputs`` as they
    are: a detector export with known answers."""
    from onnx import TensorProto, helper, numpy_helper

    nodes, infos = [], []
    for i, array in enumerate(outputs):
        name = f"out{i}"
        value = numpy_helper.from_array(np.asarray(array, np.float32), f"c{i}")
        nodes.append(helper.make_node("Constant", [], [name], value=value))
        infos.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(array.shape)))
    image = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])
    graph = helper.make_graph(nodes, "constant_detector", [image], infos)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


# an image 128 x 64 into a 64 x 64 input: scale 0.5, 32 rows of image, 32 rows of padding
IMAGE = np.zeros((64, 128, 3), np.uint8)
CAR = (20.0, 10.0, 60.0, 40.0)  # x0, y0, x1, y1 in the image
PERSON = (24.0, 12.0, 56.0, 38.0)  # overlaps the car: another class, so NMS keeps both


def _input_xywh(box, pad_y: float) -> list[float]:
    x0, y0, x1, y1 = (v * 0.5 for v in box)
    return [(x0 + x1) / 2, (y0 + y1) / 2 + pad_y, x1 - x0, y1 - y0]


def _yolo_rows(pad_y: float, objectness: bool) -> np.ndarray:
    """Four anchors: the car (0.9 x 0.8), a weaker copy of it (suppressed), a person on top of
    it (kept: another class) and a car below the score threshold."""
    rows = []
    for box, cls, obj, score in (
        (CAR, 2, 0.9, 0.8),
        ((21.0, 11.0, 61.0, 41.0), 2, 0.9, 0.5),
        (PERSON, 0, 1.0, 0.6),
        ((90.0, 10.0, 120.0, 30.0), 2, 0.5, 0.2),
    ):
        scores = np.zeros(80)
        scores[cls] = score if objectness else obj * score
        head = [obj] if objectness else []
        rows.append([*_input_xywh(box, pad_y), *head, *scores])
    return np.asarray(rows)


def _check(found):
    assert [(d.name, d.cls) for d in found] == [("car", 2), ("person", 0)]
    assert found[0].box == pytest.approx(CAR, abs=1e-4)
    assert found[0].score == pytest.approx(0.72, abs=1e-6)
    assert found[1].box == pytest.approx(PERSON, abs=1e-4)
    assert found[0].pixel_box == pytest.approx((20.0, 10.0, 59.0, 39.0), abs=1e-4)


def test_yolov5_rows_decode_to_the_boxes_put_in(tmp_path):
    rows = _yolo_rows(pad_y=16, objectness=True)  # centred letterbox: 16 rows above
    path = constant_model(tmp_path / "v5.onnx", [rows[None]])
    _check(OnnxDetector(path, "yolov5", score=0.3).detect(IMAGE))


def test_yolov8_columns_decode_to_the_boxes_put_in(tmp_path):
    rows = _yolo_rows(pad_y=16, objectness=False)  # [1, 84, N]: no objectness, transposed
    assert rows.shape == (4, 84)
    path = constant_model(tmp_path / "v8.onnx", [rows.T[None]])
    _check(OnnxDetector(path, "yolov8", score=0.3).detect(IMAGE))


def test_yolox_decoded_export(tmp_path):
    rows = _yolo_rows(pad_y=0, objectness=True)  # YOLOX letterboxes into the top-left corner
    path = constant_model(tmp_path / "x.onnx", [rows[None]])
    _check(OnnxDetector(path, "yolox", score=0.3, decoded=True).detect(IMAGE))


def test_yolox_raw_grid_is_decoded_with_strides_and_cells(tmp_path):
    """A 64 x 64 input has 8x8 + 4x4 + 2x2 = 84 anchors; the car sits in stride 16's cell
    (col 1, row 0), anchor 64 + 1, as a cell offset and a log size."""
    raw = np.zeros((84, 85))
    raw[:, 4] = 0.0  # no objectness anywhere ...
    cx, cy, w, h = _input_xywh(CAR, pad_y=0)  # (20, 12.5, 20, 15)
    raw[65, :5] = [cx / 16 - 1, cy / 16 - 0, math.log(w / 16), math.log(h / 16), 0.9]
    raw[65, 5 + 2] = 0.8  # ... but the car's
    path = constant_model(tmp_path / "raw.onnx", [raw[None]])
    found = OnnxDetector(path, "yolox", score=0.3).detect(IMAGE)
    assert [d.name for d in found] == ["car"]
    assert found[0].box == pytest.approx(CAR, abs=1e-4)
    decoded = OnnxDetector(path, "yolox", score=0.3, decoded=True).detect(IMAGE)
    assert not decoded or decoded[0].box != pytest.approx(CAR, abs=1e-2)  # the flag matters
    bad = constant_model(tmp_path / "bad.onnx", [raw[None, :80]])
    with pytest.raises(ModelLoadError, match="decoded=true"):
        OnnxDetector(bad, "yolox").detect(IMAGE)


def test_nanodet_distributions_decode_to_distances_from_cell_centres():
    """Each side's logits peak at one bin (softmax ~ one-hot): distance = bin x stride."""
    size = (64, 64)
    outputs = []
    for stride in (8, 16, 32):
        n = (64 // stride) ** 2
        outputs.append(np.zeros((1, n, 80)))
        outputs.append(np.full((1, n, 32), -50.0))
    reg = outputs[3][0]  # stride 16, 4 x 4 cells; cell (col 2, row 1) is anchor 6
    for side, bin_ in enumerate((1, 2, 3, 0)):  # left 1, top 2, right 3, bottom 0 bins
        reg[6, side * 8 + bin_] = 50.0
    outputs[2][0, 6, 2] = 0.7
    boxes, scores = decode_nanodet(outputs, size)
    centre = (2 * 16 + 7.5, 1 * 16 + 7.5)
    row = 64 + 6
    assert boxes[row] == pytest.approx(
        [centre[0] - 16, centre[1] - 32, centre[0] + 48, centre[1]], abs=1e-9
    )
    assert scores[row, 2] == 0.7 and scores.shape == (84, 80)
    with pytest.raises(DecodingError, match="stride 8"):
        decode_nanodet(outputs[2:], size)


def test_letterbox_maps_back_exactly():
    image = np.full((90, 160, 3), 200, np.uint8)
    boxed, where = letterbox(image, (64, 64), fill=114, centred=True)
    assert where == Letterbox((0.4, 36 / 90), (0, 14))
    assert (boxed[:14] == 114).all() and (boxed[50:] == 114).all() and (boxed[14:50] == 200).all()
    back = where.to_image(np.array([[0.0, 14.0, 64.0, 50.0]]))
    assert back[0] == pytest.approx([0, 0, 160, 90])
    _, corner = letterbox(image, (64, 64), fill=114, centred=False)
    assert corner.pad == (0, 0)


def test_nms_is_per_class_and_keeps_the_best():
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [0, 0, 10, 10], [20, 0, 30, 10.0]])
    found = Candidates(boxes, np.array([0.9, 0.8, 0.7, 0.6]), np.array([0, 0, 1, 0]))
    kept = nms(found, 0.5)  # box 1 overlaps box 0 by 9/11 > 0.5; box 2 is another class
    assert kept.scores.tolist() == [0.9, 0.7, 0.6] and kept.classes.tolist() == [0, 1, 0]
    assert nms(found, 0.95).scores.tolist() == [0.9, 0.8, 0.7, 0.6]


def test_class_mapping_goes_through_the_class_table():
    mapping = default_class_map(COCO_NAMES)
    assert mapping == {"person": "Pedestrian", "bicycle": "Cyclist", "car": "Car",
                       "motorcycle": "Cyclist", "bus": "Misc", "truck": "Truck"}  # fmt: skip
    assert default_class_map(("motorbike",)) == {"motorbike": "Cyclist"}  # Darknet's spelling
    assert parse_class_map("car:Car,bus:Car", COCO_NAMES) == {"car": "Car", "bus": "Car"}
    with pytest.raises(ModelLoadError, match="no class 'lorry'"):
        parse_class_map("lorry:Truck", COCO_NAMES)


def test_errors_name_the_problem(tmp_path, monkeypatch):
    with pytest.raises(ModelLoadError, match="no file"):
        OnnxDetector(tmp_path / "missing.onnx")
    with pytest.raises(ModelLoadError, match="unknown layout 'ssd'"):
        OnnxDetector(tmp_path / "missing.onnx", "ssd")
    model = constant_model(tmp_path / "v5.onnx", [_yolo_rows(16, True)[None]])
    with pytest.raises(ModelLoadError, match="nanodet layout: no pair"):
        OnnxDetector(model, "nanodet").detect(IMAGE)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ModelLoadError, match=r"pip install 'simgen\[onnx\]'"):
        onnx_detector(str(model), "yolov5")


@needs_shared
def test_nanodet_finds_the_cars_of_a_real_photo():
    import cv2

    photo = REALISM / "real_images" / "bdd_0ace96c3-48481887.jpg"
    rgb = cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB)
    found = OnnxDetector(NANODET).detect(rgb)
    cars = [d for d in found if d.name == "car"]
    assert len(cars) >= 10, [d.name for d in found]  # a person marks about 13
    assert all(d.score >= 0.3 for d in found)
    # the lead car, straight ahead at the image centre, is found with a tight box
    lead = [d for d in cars if d.box[0] < 640 < d.box[2] and d.box[3] > 380]
    assert lead and 150 < lead[0].box[2] - lead[0].box[0] < 260


SCENE = """
version: 1
name: onnx
seed: 3
duration: 0.2
frame_rate: 10
variants: 1
road: {length: 200, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}
environment: {sun: {elevation: 40, azimuth: 140}}
ego:
  lane: 0
  s: 20
  behavior: [{action: parked}]
  sensors:
    - {name: cam, type: camera, width: 640, height: 360, fov: 70, mount: {xyz: [1.5, 0, 1.6]},
       outputs: [rgb, instance, semantic]}
actors:
  - {name: a, model: sedan, lane: 0, s: 30, behavior: [{action: parked}]}
  - {name: b, model: suv, lane: 1, s: 36, behavior: [{action: parked}]}
  - {name: c, model: hatchback, lane: 1, s: 52, behavior: [{action: parked}]}
  - {name: p, model: pedestrian, offset: -6.5, s: 33}
  - {name: q, model: pedestrian, offset: 8.0, s: 40}
"""


@needs_shared
def test_onnx_model_scores_like_its_detections_as_a_coco_results_file(tmp_path):
    from simgen.dataset.reader import open_dataset
    from simgen.eval.api import evaluate
    from simgen.eval.onnx_detector import simgen_class
    from simgen.exports.registry import export
    from tests.conftest import render_text

    native = render_text(tmp_path, SCENE)
    first = evaluate(native, "onnx", model_args={"path": str(NANODET)})
    again = evaluate(native, "onnx", model_args={"path": str(NANODET)})
    assert json.dumps(first.metrics) == json.dumps(again.metrics)  # byte-identical
    ap = {k: v for k, v in first.metrics.items() if "/2d_ap" in k}
    assert ap["all/2d_ap50/Car"] > 0.0 and not any("3d_ap" in k for k in first.metrics)

    export(native, "coco", tmp_path / "coco")  # the same detections, written as COCO results
    annotations = tmp_path / "coco/annotations.json"
    exported = json.loads(annotations.read_text())
    category = {c["name"]: c["id"] for c in exported["categories"]}
    detector = OnnxDetector(NANODET)
    data = open_dataset(native)
    results = []
    for image in exported["images"]:
        frame = data.variant(image["scenario"], image["variant"]).frame(image["frame"])
        for d in detector.detect(frame.rgb(image["camera"])):
            name = simgen_class(d.name)
            if name is None or name not in category:
                continue
            x0, y0, x1, y1 = d.box
            bbox = [x0, y0, x1 - x0, y1 - y0]
            row = {"image_id": image["id"], "category_id": category[name], "bbox": bbox}
            results.append({**row, "score": d.score})
    assert results
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results))
    scored = evaluate(native, predictions=path, prediction_format="coco", index=annotations)
    assert {k: v for k, v in scored.metrics.items() if "/2d_ap" in k} == ap
