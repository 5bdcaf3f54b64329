"""The camera model: exact in its parts, and never touching depth or masks."""

import numpy as np
import pytest

from simgen.dataset import open_dataset
from simgen.sensors.camera_model import filmic, kelvin_rgb, metered_gain, vignette, white_balance
from tests.conftest import render_text

K = np.array([[50.0, 0, 39.5], [0, 50.0, 29.5], [0, 0, 1]])


def test_white_balance_casts_only_when_light_and_camera_differ():
    image = np.full((2, 2, 3), 0.5, np.float32)
    assert white_balance(image, 5500, 5500) is image
    warm = white_balance(image, 3000, 6500)[0, 0]
    cool = white_balance(image, 9000, 5000)[0, 0]
    assert warm[0] > warm[1] > warm[2] and cool[2] > cool[0]
    assert kelvin_rgb(6500)[1] == 1.0


def test_vignetting_loses_the_given_fraction_at_the_corner():
    out = vignette(np.ones((60, 80, 3), np.float32), K, 0.3)
    assert out[0, 0, 0] == pytest.approx(0.7, abs=0.01)
    assert out[29:31, 39:41].min() > 0.999


def test_tone_curve_is_monotonic_and_metering_aims_at_mid_grey():
    x = np.linspace(0, 4, 200, dtype=np.float32)
    y = filmic(x)
    assert y[0] == 0 and np.all(np.diff(y) > 0) and y[-1] < 1.0
    assert metered_gain(np.full((64, 64, 3), 0.09, np.float32)) == pytest.approx(2.0, rel=0.01)
    assert metered_gain(np.full((64, 64, 3), 0.18, np.float32)) == pytest.approx(1.0, rel=0.01)


SCENE = """
version: 1
name: look
seed: 4
duration: 0.2
frame_rate: 10
road: {{type: straight, length: 80, lanes: 2, furniture: {{trees: 2}}}}
environment: {{sun: {{elevation: 35, azimuth: 60}}, color_temperature: 4000}}
ego:
  model: sedan
  lane: 0
  speed: 5
  sensors:
    - {{name: cam, type: camera, width: 96, height: 54, fov: 70, look: {look},
       mount: {{xyz: [1.5, 0, 1.5]}}, outputs: [rgb, depth, semantic, instance]}}
actors:
  - {{name: walker, model: pedestrian, offset: -3, s: 15,
     behavior: [{{action: cross, speed: 1.4}}]}}
  - {{name: car, model: hatchback, lane: 0, s: 25, speed: 5}}
"""


def _frame(tmp_path, look):
    (tmp_path / look).mkdir(parents=True)
    root = render_text(tmp_path / look, SCENE.format(look=look))
    return open_dataset(root).variant("look", 0).frame(1)


def test_the_look_changes_rgb_only_and_is_deterministic(tmp_path):
    real, ideal = _frame(tmp_path, "real"), _frame(tmp_path, "ideal")
    for output in ("depth", "semantic", "instance"):
        assert np.array_equal(getattr(real, output)("cam"), getattr(ideal, output)("cam"))
    assert not np.array_equal(real.rgb("cam"), ideal.rgb("cam"))
    assert real.labels == ideal.labels
    again = _frame(tmp_path / "again", "real")
    assert again.image_file("cam", "rgb").read_bytes() == real.image_file("cam", "rgb").read_bytes()
