"""Traffic lights and signs as labelled objects: states that the lamps show, codes, exports."""

import json

import cv2
import numpy as np
import pytest

from simgen.core.classes import BY_NAME, nuscenes_category
from simgen.dataset.reader import find_variants
from simgen.exports.coco import STOP_SIGN_ID
from simgen.exports.kitti import kitti_objects
from simgen.exports.registry import export
from simgen.sensors.signal_heads import DEPTH, head_transform, light_parts
from simgen.world.road import RoadGeometry
from simgen.world.road_signals import road_signals
from simgen.world.signal_layout import SignalPlacement
from tests.conftest import render_text

# a turn is green 1 s, yellow 1 s, all-red 0.5 s; with two controllers red lasts 3 s (cycle 5 s)
SCENE = """
version: 1
name: lights
seed: 2
duration: 3.0
frame_rate: 2
road:
  type: intersection
  arm_length: 60
  lanes: 2
  oncoming_lanes: 2
  lane_width: 3.25
  sidewalk_width: 3.0
  signals: {type: traffic_lights, cycle: {green: 1, yellow: 1, all_red: 0.5}, mast_arm: false}
  signs:
    - {type: stop, s: 44, side: right}
    - {type: speed_limit, s: 40, side: right, value: 30}
    - {type: "625-10", s: 46, side: right}
environment: {sun: {elevation: 40, azimuth: 180}}
ego:
  model: sedan
  arm: south
  lane: 0
  s: 35
  speed: 0
  behavior: [{action: parked}]
  sensors:
    - {name: cam, type: camera, width: 480, height: 270, fov: 50, mount: {xyz: [1.5, 0, 1.5]},
       outputs: [rgb, semantic, instance]}
"""
HUES = {"red": (0, 12), "yellow": (14, 32), "green": (45, 95)}  # OpenCV hue, 0..180


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return render_text(tmp_path_factory.mktemp("lights"), SCENE)


@pytest.fixture(scope="module")
def variant(dataset):
    return find_variants(dataset)[0]


def lamp_pixel(placement: SignalPlacement, lamp: str, calib, world_from_ego) -> tuple[int, int]:
    """Where a lamp's lens centre projects in the camera image."""
    parts = light_parts(placement.code, round(placement.width, 3), round(placement.height, 3))
    lens = next(p for p in parts if p.name == f"lens_{lamp}")
    z = float(lens.part.vertices[:, 2].mean())
    world = head_transform(placement) @ np.array([DEPTH / 2 + 0.01, 0.0, z, 1.0])
    cam = np.linalg.inv(world_from_ego @ calib.ego_from_camera) @ world
    uv = calib.K @ cam[:3]
    return round(uv[0] / uv[2]), round(uv[1] / uv[2])


def hue_at(rgb: np.ndarray, u: int, v: int) -> tuple[float, float]:
    """Hue (OpenCV) and value of the brightest pixel around (u, v)."""
    patch = rgb[v - 2 : v + 3, u - 2 : u + 3].reshape(-1, 3)
    hsv = cv2.cvtColor(patch[None].astype(np.uint8), cv2.COLOR_RGB2HSV)[0]
    best = hsv[np.argmax(hsv[:, 2])]
    return float(best[0]), float(best[2])


def test_the_lamps_show_the_state_the_labels_give(variant):
    calib = variant.camera("cam")
    instance = variant.instance
    layout = road_signals(RoadGeometry(instance.scenario.road), instance.scenario.road)
    main = next(p for p in layout.signals if p.id == "south_main")
    states = []
    for frame in variant.frames():
        labels = frame.labels
        light = next(o for o in labels.objects if o.name == "signal_south_main")
        assert light.semantic_class == "traffic_light" and light.signal.code == "1000001"
        view = light.cameras["cam"]
        assert view.visible_pixels > 50 and view.visibility > 0.9
        states.append(light.signal.state)
        rgb = frame.rgb("cam")
        u, v = lamp_pixel(main, light.signal.state, calib, labels.pose())
        hue, value = hue_at(rgb, u, v)
        lo, hi = HUES[light.signal.state]
        assert lo <= hue <= hi or (light.signal.state == "red" and hue >= 170), (states, hue)
        assert value > 200
        for other in {"red", "yellow", "green"} - {light.signal.state}:  # unlit lenses: dark
            assert hue_at(rgb, *lamp_pixel(main, other, calib, labels.pose()))[1] < 90
        x0, y0, x1, y1 = view.visible_box
        assert x0 <= u <= x1 and y0 <= v <= y1
    # frames at 0, 0.5, ..., 2.5 s: green, green, yellow, yellow, red, red
    assert states == ["green", "green", "yellow", "yellow", "red", "red"]


def test_signs_carry_their_codes_names_and_values(variant):
    labels = variant.frame(0).labels
    signs = {o.signal.name: o for o in labels.objects if o.semantic_class == "traffic_sign"}
    assert set(signs) == {"stop", "speed_limit", "generic"}
    assert signs["stop"].signal.code == "206" and signs["stop"].signal.state is None
    assert signs["speed_limit"].signal.code == "274" and signs["speed_limit"].signal.value == 30
    assert (signs["generic"].signal.code, signs["generic"].signal.subtype) == ("625", "10")
    stop = signs["stop"]
    assert stop.cameras["cam"].visible_pixels > 100
    # the label box is the plate: 0.75 m square, 2 m above the sidewalk (kerb 0.15 m)
    box = stop.boxes.world
    assert box.size[1] == pytest.approx(0.75) and box.size[2] == pytest.approx(0.75)
    assert box.center[2] == pytest.approx(0.15 + 2.0 + 0.375)
    # ids stay put: every frame labels the same signals under the same ids
    ids = [sorted(o.id for o in f.labels.objects) for f in variant.frames()]
    assert all(i == ids[0] for i in ids)
    # the instance mask's pixels of the stop sign are its class in the semantic mask
    frame = variant.frame(0)
    mask = frame.instance("cam") == stop.id
    assert np.all(frame.semantic("cam")[mask] == BY_NAME["traffic_sign"].id)


def test_coco_names_lights_and_stop_signs_kitti_and_nuscenes_leave_them_out(
    dataset, variant, tmp_path
):
    out = tmp_path / "coco"
    export(dataset, "coco", out)
    data = json.loads((out / "annotations.json").read_text())
    names = {c["id"]: c["name"] for c in data["categories"]}
    assert names[BY_NAME["traffic_light"].id] == "traffic light"
    assert names[BY_NAME["traffic_sign"].id] == "traffic sign"
    assert names[STOP_SIGN_ID] == "stop sign"
    used = {names[a["category_id"]] for a in data["annotations"]}
    assert {"traffic light", "traffic sign", "stop sign"} <= used
    stop_id = next(o.id for o in variant.frame(0).labels.objects if o.name == "signal_sign_0")
    first = [a for a in data["annotations"] if a["image_id"] == 1]
    assert next(a for a in first if a["track_id"] == stop_id)["category_id"] == STOP_SIGN_ID
    labels = variant.frame(0).labels
    kept = {o.id for o, _ in kitti_objects(labels, "cam", None)}
    signals = {o.id for o in labels.objects if o.signal is not None}
    assert signals and not kept & signals
    assert all(nuscenes_category(o.semantic_class, o.model) is None for o in labels.objects
               if o.signal is not None)  # fmt: skip
