"""simgen.torch: targets equal the labels and the instance image, filters and hooks act, torch
loads only on use, and a torchvision detector trains on a tiny rendered set.

The NumPy side runs everywhere. The torch side needs the optional extra (`pip install
simgen[torch]`, about 5.5 GB); tools/bootstrap.sh does not install it, so without it those
tests are skipped with that reason.
"""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from simgen.core.classes import BY_NAME
from simgen.dataset import DatasetError, open_dataset
from simgen.torch import (
    LIDAR_FIELDS,
    DetectionOptions,
    detection_target,
    index_items,
    lidar_array,
)
from simgen.torch.targets import check_classes, class_table, resolve_lidar
from tests.conftest import render_text

HAVE_TORCH = all(importlib.util.find_spec(m) for m in ("torch", "torchvision"))
requires_torch = pytest.mark.skipif(
    not HAVE_TORCH,
    reason="torch and torchvision are the optional extra simgen[torch] (5.5 GB), which "
    "tools/bootstrap.sh does not install: pip install torch==2.14.1 torchvision==0.29.1",
)
if HAVE_TORCH:
    # torchvision.ops loads triton, whose bundled LLVM crashes the process (SIGSEGV) when it
    # loads after Mesa's llvmpipe, which rendering loads: import it at collection, first
    import torchvision.ops  # noqa: F401

# 2 variants x 2 frames x 1 camera = 4 images; a car ahead and a pedestrian at the kerb
SCENE = """
version: 1
name: torchy
seed: 3
duration: 0.2
frame_rate: 10
variants: 2
road: {length: 200, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}
ego:
  lane: 0
  s: 20
  speed: 5
  sensors:
    - {name: cam, type: camera, width: 96, height: 64, fov: 90, mount: {xyz: [1.5, 0, 1.6]},
       outputs: [rgb, instance]}
    - {name: lidar, type: lidar, channels: 4, vertical_fov: [2, -10], horizontal_resolution: 2,
       range: 60, mount: {xyz: [0, 0, 1.9]}}
actors:
  - {name: lead, model: sedan, lane: 0, s: {uniform: [30, 36]}, speed: 5}
  - {name: walker, model: pedestrian, offset: -5.5, s: 32}
"""


@pytest.fixture(scope="module")
def native(tmp_path_factory):
    return render_text(tmp_path_factory.mktemp("torch"), SCENE)


def _targets(native, **options):
    dataset = open_dataset(native)
    ids = {c.name: c.id for c in class_table(dataset)}
    out = []
    for key in index_items(dataset):
        frame = key.variant.frame(key.frame)
        out.append((frame, detection_target(frame, key.camera, DetectionOptions(**options), ids)))
    return out


def test_boxes_labels_and_masks_are_the_labels_and_the_instance_image(native):
    items = _targets(native)
    assert len(items) == 4
    seen = set()
    for frame, target in items:
        instance = frame.instance("cam")
        objects = {o.id: o for o in frame.labels.objects}
        in_view = {o.id for o in objects.values() if o.cameras["cam"].visible_pixels > 0}
        assert set(target.object_ids.tolist()) == in_view
        assert target.masks.shape == (len(target.object_ids), 64, 96)
        assert target.masks.dtype == np.uint8
        for row, object_id in enumerate(target.object_ids.tolist()):
            obj = objects[object_id]
            view = obj.cameras["cam"]
            u0, v0, u1, v1 = view.visible_box
            np.testing.assert_array_equal(target.boxes[row], [u0, v0, u1 + 1, v1 + 1])
            assert target.labels[row] == BY_NAME[obj.semantic_class].id
            mask = target.masks[row].astype(bool)
            np.testing.assert_array_equal(mask, instance == object_id)
            ys, xs = np.nonzero(mask)  # the box is exactly the mask's, in pixel edges
            assert [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1] == target.boxes[row].tolist()
            assert target.area[row] == mask.sum() == view.visible_pixels
            seen.add(obj.semantic_class)
    assert seen == {"car", "person"}


def test_filters_drop_objects(native):
    everything = _targets(native)
    people = _targets(native, classes=("person",))
    assert sum(len(t.labels) for _, t in people) > 0
    for (_, all_of_it), (_, only) in zip(everything, people, strict=True):
        assert (only.labels == BY_NAME["person"].id).all()
        assert len(only.labels) == int((all_of_it.labels == BY_NAME["person"].id).sum())
    least = min(o.cameras["cam"].visibility for f, _ in everything for o in f.labels.objects)
    strict = _targets(native, min_visibility=1.0)
    for frame, target in strict:
        views = {o.id: o.cameras["cam"] for o in frame.labels.objects}
        assert all(views[i].visibility >= 1.0 for i in target.object_ids.tolist())
    assert least < 1.0 and sum(map(len, (t.labels for _, t in strict))) < sum(
        map(len, (t.labels for _, t in everything))
    )
    with pytest.raises(ValueError, match="min_visibility"):
        DetectionOptions(min_visibility=1.5)
    with pytest.raises(ValueError, match="unknown lorry"):
        check_classes(["car", "lorry"], class_table(open_dataset(native)))


def test_amodal_boxes_are_the_projected_boxes_in_pixel_edges(native):
    for frame, target in _targets(native, box="amodal", masks=False):
        assert target.masks is None
        views = {o.id: o.cameras["cam"] for o in frame.labels.objects}
        for row, object_id in enumerate(target.object_ids.tolist()):
            expected = np.clip(np.add(views[object_id].amodal_box, 0.5), 0, [96, 64, 96, 64])
            np.testing.assert_allclose(target.boxes[row], expected, rtol=1e-6)


class Corners:
    """A keypoint source: the visible box's top-left and bottom-right corners."""

    num_keypoints = 2

    def __call__(self, frame, camera, obj):
        u0, v0, u1, v1 = obj.cameras[camera].visible_box
        return np.array([[u0, v0, 2], [u1 + 1, v1 + 1, 2]])


class Broken(Corners):
    num_keypoints = 3


def test_the_keypoint_hook_fills_rows_in_object_order(native):
    dataset = open_dataset(native)
    key = index_items(dataset)[0]
    frame = key.variant.frame(key.frame)
    ids = {c.name: c.id for c in class_table(dataset)}
    target = detection_target(frame, "cam", DetectionOptions(), ids, Corners())
    assert target.keypoints.shape == (len(target.boxes), 2, 3) and len(target.boxes) > 0
    np.testing.assert_array_equal(target.keypoints[:, :, :2].reshape(-1, 4), target.boxes)
    with pytest.raises(ValueError, match=r"expected \(3, 3\)"):
        detection_target(frame, "cam", DetectionOptions(), ids, Broken())


def test_lidar_points_and_choice(native):
    dataset = open_dataset(native)
    assert resolve_lidar(dataset, True) == "lidar" and resolve_lidar(dataset, False) is None
    with pytest.raises(DatasetError, match="no lidar 'roof'"):
        resolve_lidar(dataset, "roof")
    with pytest.raises(DatasetError, match="no RGB camera back"):
        index_items(dataset, ["back"])
    frame = dataset.variants[0].frame(1)
    raw, points = frame.lidar("lidar"), lidar_array(frame, "lidar")
    assert points.shape == (len(raw), 8) and points.dtype == np.float32 and len(raw) > 0
    for column, name in enumerate(LIDAR_FIELDS):
        np.testing.assert_array_equal(points[:, column], raw[name].astype(np.float32))


def test_importing_simgen_never_imports_torch_and_a_missing_torch_names_the_extra():
    code = (
        "import sys\n"
        "import simgen, simgen.dataset, simgen.torch\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "sys.modules['torch'] = None  # as if it were not installed\n"
        "try:\n"
        "    from simgen.torch import DetectionDataset\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "pip install simgen[torch]" in run.stdout


@requires_torch
def test_the_dataset_yields_torchvision_detection_items(native):
    import torch

    from simgen.torch import DetectionDataset, collate_detection

    data = DetectionDataset(native, lidar=True)
    assert len(data) == 4 and data.num_classes == max(c.id for c in data.classes) + 1
    image, target, points = data[3]
    key = data.key(3)
    frame = key.variant.frame(key.frame)
    assert image.dtype == torch.float32 and image.shape == (3, 64, 96)
    expected = torch.from_numpy(frame.rgb("cam")).permute(2, 0, 1) / 255.0
    torch.testing.assert_close(image, expected)
    numpy_target = data.target(3)
    assert target["boxes"].dtype == torch.float32 and target["labels"].dtype == torch.int64
    assert target["masks"].dtype == torch.uint8 and target["iscrowd"].sum() == 0
    assert target["image_id"].item() == 3
    np.testing.assert_array_equal(target["boxes"].numpy(), numpy_target.boxes)
    np.testing.assert_array_equal(target["masks"].numpy(), numpy_target.masks)
    np.testing.assert_array_equal(points.numpy(), lidar_array(frame, "lidar"))
    images, targets, clouds = collate_detection([data[0], data[1]])
    assert len(images) == len(targets) == len(clouds) == 2
    assert "keypoints" not in target
    with pytest.raises(IndexError):
        data[4]


@requires_torch
def test_a_detector_trains_on_the_dataset(native):
    import torch

    from simgen.torch import DetectionDataset
    from tests.tools.conftest import load_tool

    tool = load_tool("train_detector")
    data = DetectionDataset(native)
    # at the images' own size and with fewer sampled boxes, a step takes about a second
    small = {"min_size": 64, "max_size": 96, "box_batch_size_per_image": 64}
    torch.manual_seed(0)
    model = tool.build_model(data.num_classes, **small)
    losses = tool.train(model, data, steps=8, batch_size=4, lr=0.01)
    assert all(np.isfinite(losses)) and len(losses) == 8
    assert np.mean(losses[-3:]) < 0.8 * losses[0], losses
    # the last step's gradients reached every trainable tensor, the backbone's first conv too
    grads = {n: p.grad for n, p in model.named_parameters() if p.requires_grad}
    assert all(g is not None and torch.isfinite(g).all() for g in grads.values())
    first = next(iter(grads))
    assert first.startswith("backbone.") and grads[first].abs().sum() > 0
    # images with no objects at all (no bus anywhere) train too
    empty = DetectionDataset(native, classes=["bus"])
    assert len(empty.target(0).labels) == 0
    assert np.isfinite(tool.train(tool.build_model(data.num_classes, **small), empty, 1))
