import numpy as np

from simgen.scenario import parse_scenario, sample
from simgen.sensors.effects import FOG_COLOR, apply_fog
from simgen.sensors.suite import SensorSuite
from simgen.world.simulate import simulate


def test_fog_follows_beer_lambert():
    rgb = np.full((1, 3, 3), 20, np.uint8)
    depth = np.array([[10.0, 100.0, 0.0]], np.float32)  # near, far, sky
    out = apply_fog(rgb, depth, density=0.02)
    for i, d in enumerate((10.0, 100.0, 1000.0)):
        t = np.exp(-0.02 * d)
        np.testing.assert_allclose(out[0, i], np.round(20 * t + FOG_COLOR * 255 * (1 - t)), atol=1)
    assert apply_fog(rgb, depth, density=0.0).tolist() == rgb.tolist()


def _frame(fog: float):
    text = f"""
version: 1
name: fog
duration: 0.1
environment: {{fog: {fog}}}
ego:
  lane: 0
  s: 20
  sensors:
    - {{name: cam, type: camera, width: 160, height: 100, outputs: [rgb, depth]}}
actors:
  - {{name: car, model: sedan, lane: 0, s: 45, behavior: [{{action: parked}}]}}
"""
    instance = sample(parse_scenario(text).scenario, 0)
    state = next(iter(simulate(instance)))
    with SensorSuite(instance, state.static) as suite:
        return suite.capture(state)["cam"]


def test_camera_fog_is_the_clear_image_seen_through_the_fog():
    clear, foggy = _frame(0.0), _frame(0.015)  # under 0.02, where drivers switch lights on
    np.testing.assert_array_equal(foggy.depth, clear.depth)
    expected = apply_fog(clear.rgb, clear.depth, 0.015)
    assert np.abs(foggy.rgb.astype(int) - expected.astype(int)).max() <= 1
    assert not np.array_equal(foggy.rgb, clear.rgb)
