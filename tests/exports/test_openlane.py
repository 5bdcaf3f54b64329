"""The OpenLane export: OpenLane's own projection (camera frame x forward, y left, z up, then the
intrinsic) gives back its uv, its extrinsic takes xyz to the ego frame's lane labels, and the
categories, attributes and track ids are those of the road's painted lines."""

import json

import numpy as np
import pytest

from simgen.dataset.reader import DatasetError, open_dataset
from simgen.exports.registry import export
from simgen.scenario import ScenarioError, parse_scenario
from simgen.scenario.models import LaneLabels
from tests.conftest import render_text

SCENE = """
version: 1
name: ol
seed: 2
duration: 0.2
frame_rate: 10
road: {{type: straight, length: 200, lanes: 3, oncoming_lanes: 2}}
ego:
  lane: 1
  s: 20
  speed: 0
  behavior: [{{action: parked}}]
  sensors:
    - {{name: cam, type: camera, width: 320, height: 180, fov: 90, mount: {{xyz: [1.5, 0.3, 1.6],
       rpy: [0, 5, 3]}}, outputs: [rgb, semantic]}}
output: {output}
"""
# OpenLane's camera frame -> OpenCV's optical frame (x right, y down, z forward)
OPTICAL_FROM_OPENLANE = np.array([[0.0, -1.0, 0.0], [0.0, 0.0, -1.0], [1.0, 0.0, 0.0]])


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("openlane")
    native = render_text(root, SCENE.format(output="{formats: [openlane]}"), exports=True)
    return native, native / "ol" / "export_openlane"


def annotations(out):
    files = sorted((out / "lane3d").rglob("*.json"))
    return [json.loads(f.read_text()) for f in files]


def test_uv_is_xyz_through_openlane_s_projection(exported):
    _, out = exported
    listed = (out / "list.txt").read_text().split()
    assert listed == ["ol_0000_cam/000000.png", "ol_0000_cam/000001.png"]
    for data in annotations(out):
        assert (out / "images" / data["file_path"]).is_file()
        K = np.array(data["intrinsic"])
        assert data["lane_lines"]
        for line in data["lane_lines"]:
            xyz, uv = np.array(line["xyz"]), np.array(line["uv"])
            assert xyz.shape[0] == 3 and uv.shape == (2, xyz.shape[1])
            homogeneous = K @ (OPTICAL_FROM_OPENLANE @ xyz)
            assert np.allclose(homogeneous[:2] / homogeneous[2], uv, atol=1e-6)
            assert np.all(xyz[0] > 0)  # in front of the camera
            inside = (uv[0] >= 0) & (uv[0] < 320) & (uv[1] >= 0) & (uv[1] < 180)
            assert line["visibility"] == [float(v) for v in inside]


def test_lines_are_the_painted_lines_with_openlane_codes(exported):
    native, out = exported
    variant = open_dataset(native).variant()
    for data in annotations(out):
        extrinsic = np.array(data["extrinsic"])
        by_attribute = {}
        for line in data["lane_lines"]:
            ego = extrinsic[:3, :3] @ np.array(line["xyz"]) + extrinsic[:3, 3:4]
            assert np.allclose(ego[2], 0.0, atol=0.02)  # on the road, below the ego's origin
            lateral = float(np.median(ego[1]))
            by_attribute.setdefault(line["attribute"], []).append((line["category"], lateral))
        # the ego in lane 1 of 3 (centre 5.25 m right of the centre line): dashed dividers
        # 1.75 m either side, the centre line 5.25 m left, the edge line 5.1 m right
        assert by_attribute[2] == [(1, pytest.approx(1.75, abs=0.02))]
        assert by_attribute[3] == [(1, pytest.approx(-1.75, abs=0.02))]
        assert by_attribute[1] == [(2, pytest.approx(5.25, abs=0.02))]
        assert by_attribute[4] == [(2, pytest.approx(-5.1, abs=0.02))]
        others = sorted(by_attribute[0])
        # the oncoming divider and edge line; the kerbs: left 7 m, right 10.5 m - 5.25 m
        assert [c for c, _ in others] == [1, 2, 20, 21]
        assert others[2][1] == pytest.approx(12.25, abs=0.02)
        assert others[3][1] == pytest.approx(-5.25, abs=0.02)
    # each line keeps its track id from frame to frame
    first, second = ({line["attribute"]: line["track_id"] for line in d["lane_lines"]}
                     for d in annotations(out))  # fmt: skip
    assert first == second and len(set(first.values())) == len(first)
    assert variant.has_lanes


def test_datasets_without_lane_labels_say_so(tmp_path):
    native = render_text(tmp_path, SCENE.format(output="{}"))
    variant = open_dataset(native).variant()
    assert not variant.has_lanes and not (variant.root / "lanes").exists()
    with pytest.raises(DatasetError, match=r"output\.lanes"):
        _ = next(variant.frames()).lanes
    with pytest.raises(DatasetError, match="no lane labels"):
        export(native, "openlane", tmp_path / "out")
    from typer.testing import CliRunner

    from simgen.cli import app

    cli = CliRunner().invoke(
        app, ["export", str(native), "--format", "openlane", "--out", str(tmp_path / "o")]
    )
    assert cli.exit_code == 1 and "no lane labels" in cli.output
    assert "Traceback" not in cli.output  # a user's mistake, said in one line


def test_openlane_without_lane_labels_is_refused_with_its_line():
    text = SCENE.format(output="{formats: [openlane], lanes: false}")
    with pytest.raises(ScenarioError, match=r":16:\d+: output\.lanes: the openlane export"):
        parse_scenario(text)
    output = parse_scenario(SCENE.format(output="{formats: [openlane]}")).scenario.output
    assert output.lanes is None and output.lane_labels() == LaneLabels()
