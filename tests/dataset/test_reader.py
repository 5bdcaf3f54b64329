"""The typed read API: labels round-trip exactly, arrays decode to what was rendered, and
reading a dataset loads no simulator or renderer."""

import json
import subprocess
import sys

import numpy as np
import pytest

from simgen.dataset.layout import Manifest
from simgen.dataset.reader import DatasetError, open_dataset
from simgen.labels.schema import FrameLabels
from tests.conftest import render_text

SCENE = """
version: 1
name: read
seed: 2
duration: 0.2
frame_rate: 10
variants: 2
road: {length: 200, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}
ego:
  lane: 0
  s: 20
  speed: 5
  sensors:
    - {name: cam, type: camera, width: 160, height: 100, fov: 90, mount: {xyz: [1.5, 0, 1.6]},
       outputs: [rgb, depth, semantic, instance], depth_npy: true}
    - {name: lidar, type: lidar, preset: vlp16, mount: {xyz: [0, 0, 1.9]}}
actors:
  - {name: lead, model: sedan, lane: 0, s: 32, speed: 5}
  - {name: walker, model: pedestrian, offset: -8.0, s: 30}
"""


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return render_text(tmp_path_factory.mktemp("read"), SCENE)


def test_labels_round_trip_exactly(dataset):
    variant = open_dataset(dataset).variant("read", 1)
    for frame in variant.frames():
        labels = frame.labels
        assert FrameLabels.from_json(labels.to_json()) == labels
        assert FrameLabels.from_json(json.dumps(labels.to_json())) == labels
        text = (variant.root / f"labels/{frame.index:06d}.json").read_text()
        assert FrameLabels.from_json(text) == labels
    lead = labels.object("lead")
    assert lead.semantic_class == "car" and lead.cameras["cam"].visibility > 0.9
    assert isinstance(lead.cameras["cam"].visible_box, tuple)


def test_manifest_and_calibration_are_typed(dataset):
    ds = open_dataset(dataset)
    assert [(v.scenario, v.variant) for v in ds] == [("read", 0), ("read", 1)]
    variant = ds.variants[0]
    manifest = variant.manifest
    assert Manifest.from_json(manifest.to_json()) == manifest
    assert [f.frame for f in manifest.frames] == [0, 1]
    assert variant.cameras() == ["cam"] and variant.lidars() == ["lidar"]
    cam = variant.camera("cam")
    assert cam.K.shape == (3, 3) and cam.K[0, 0] == pytest.approx(80.0)
    assert variant.lidar("lidar").scan.channels == 16


def test_arrays_decode_to_the_rendered_values(dataset):
    frame = open_dataset(dataset).variants[0].frame(1)
    rgb, depth = frame.rgb("cam"), frame.depth("cam")
    assert rgb.shape == (100, 160, 3) and rgb.dtype == np.uint8
    assert depth.dtype == np.float32
    # the 16-bit PNG holds millimetres of the exact float depth
    from_png = frame._png("cam", "depth").astype(np.float64) * 0.001
    near = depth < 60
    np.testing.assert_allclose(from_png[near], depth[near], atol=0.0006)
    instance, semantic = frame.instance("cam"), frame.semantic("cam")
    lead = frame.labels.object("lead")
    assert int(np.sum(instance == lead.id)) == lead.cameras["cam"].visible_pixels
    assert set(np.unique(semantic[instance == lead.id])) == {11}  # car
    points = frame.lidar("lidar")
    assert int(np.sum(points["instance"] == lead.id)) == lead.lidar_points["lidar"]


def test_missing_things_are_clear_errors(dataset, tmp_path):
    variant = open_dataset(dataset).variants[0]
    with pytest.raises(DatasetError, match="no frame 9"):
        variant.frame(9)
    with pytest.raises(DatasetError, match=r"no file nocam/rgb/000000\.png"):
        variant.frame(0).rgb("nocam")
    with pytest.raises(DatasetError, match="no variant 5 of read"):
        open_dataset(dataset).variant("read", 5)
    with pytest.raises(DatasetError, match="no complete variant"):
        open_dataset(tmp_path)
    broken = tmp_path / "x" / "0000"
    broken.mkdir(parents=True)
    (broken / "manifest.json").write_text('{"format_version": 2}')
    with pytest.raises(DatasetError, match="not a simgen manifest"):
        open_dataset(tmp_path)


def test_reading_a_dataset_imports_no_simulator_or_renderer(dataset):
    code = (
        "import sys\n"
        "from simgen.dataset.reader import open_dataset\n"
        f"ds = open_dataset({str(dataset)!r})\n"
        "f = ds.variants[0].frame(0)\n"
        "f.labels, f.rgb('cam'), f.depth('cam'), f.instance('cam'), f.lidar('lidar')\n"
        "heavy = ('open3d', 'pyrender', 'pybullet', 'trimesh', 'OpenGL')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
