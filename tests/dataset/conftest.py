"""A small rendered dataset (2 variants of 2 frames, a camera and a lidar) the tests here read;
tests that change files copy it first."""

import pytest

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


@pytest.fixture(scope="package")
def dataset(tmp_path_factory):
    return render_text(tmp_path_factory.mktemp("read"), SCENE)
