"""The typed read API: labels round-trip exactly, arrays decode to what was rendered, and
reading a dataset loads no simulator or renderer."""

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

from simgen.dataset.layout import MANIFEST, Manifest, json_bytes
from simgen.dataset.reader import DatasetError, open_dataset
from simgen.labels.schema import FrameLabels
from simgen.scenario.models import Fog, LidarBeamDropout, Scenario
from simgen.scenario.sample import ScenarioInstance


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


def test_the_instance_and_injectors_are_the_scenario_models(dataset):
    variant = open_dataset(dataset).variant("read", 1)
    instance = variant.instance
    assert isinstance(instance, ScenarioInstance) and isinstance(instance.scenario, Scenario)
    assert (instance.variant, instance.applied) == (1, ())
    scenario = instance.scenario
    assert scenario.name == "read" and scenario.seed == 2
    assert [a.name for a in scenario.actors] == ["lead", "walker"]
    assert scenario.actors[0].s == 32.0  # every value concrete
    assert scenario.environment.rain_mmh() == 0.0


def test_a_manifest_read_and_written_again_is_the_same_bytes(dataset):
    """Joining chunks reads manifests and writes them back: the typed fields must not move a
    byte, injectors included."""
    for variant in open_dataset(dataset):
        on_disk = (variant.root / MANIFEST).read_bytes()
        assert json_bytes(Manifest.from_json(on_disk).to_json()) == on_disk
    manifest = open_dataset(dataset).variants[0].manifest
    applied = (
        Fog(type="fog", density=0.05),
        LidarBeamDropout(type="lidar_beam_dropout", rings=[3]),
    )
    with_injectors = dataclasses.replace(manifest, injectors=applied)
    text = json_bytes(with_injectors.to_json())
    stored = json.loads(text)["injectors"]
    assert [i["type"] for i in stored] == ["fog", "lidar_beam_dropout"]
    assert all(None not in i.values() for i in stored)  # unset options are left out
    again = Manifest.from_json(text)
    assert again.injectors == applied and json_bytes(again.to_json()) == text


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
