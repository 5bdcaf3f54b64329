"""The camera model: exact in its parts, and never touching depth or masks."""

import numpy as np
import pytest

from simgen.dataset.reader import open_dataset
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
environment: {{sun: {{elevation: 35, azimuth: 60}}, color_temperature: 4000, randomize: true}}
ego:
  model: sedan
  lane: 0
  speed: 5
  sensors:
    - {{name: cam, type: camera, width: 96, height: 54, fov: 70, look: {look},
       mount: {{xyz: [1.5, 0, 1.5]}}, outputs: [rgb, depth, semantic, instance]}}
actors:
  - {{name: walker, model: pedestrian, offset: -4, s: 29,
     behavior: [{{action: cross, speed: 1.4}}]}}
  - {{name: car, model: hatchback, lane: 0, s: 45, speed: 5}}
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


def test_a_walkers_boxes_fit_its_pose():
    """The mask's box is the posed mesh projected (to a pixel and a half), and the amodal box
    (the posed 3D box projected) holds it snugly."""
    from simgen.labels.derive import mask_boxes
    from simgen.pipeline.capture import capture
    from simgen.scenario import parse_scenario, sample
    from simgen.sensors.scene import actor_pose, posed_parts

    instance = sample(parse_scenario(SCENE.format(look="real")).scenario, 0)
    found = list(capture(instance, limit=2))[-1]
    walker = next(a for a in found.state.actors if a.name == "walker")
    assert actor_pose(walker).mode == "walk"
    calib = found.calibrations.cameras["cam"]
    camera_from_world = np.linalg.inv(found.state.ego.transform() @ calib.ego_from_camera)
    to_cam = camera_from_world @ walker.transform()
    vertices = np.concatenate(
        [p.vertices for p in posed_parts(walker.model, actor_pose(walker)).values()]
    )
    cam = vertices @ to_cam[:3, :3].T + to_cam[:3, 3]
    uv = cam[:, :2] / cam[:, 2:] * np.diag(calib.K)[:2] + calib.K[:2, 2]
    (x0, y0, x1, y1), _ = mask_boxes(found.data["cam"].instance)[walker.id]
    # a pixel is the walker's when its centre is inside: thin tips (fingers, toes) may miss one
    assert (x0, y0) == pytest.approx(tuple(uv.min(axis=0)), abs=1.5)
    assert (x1, y1) == pytest.approx(tuple(uv.max(axis=0)), abs=1.5)
    view = next(o for o in found.labels.objects if o.name == "walker").cameras["cam"]
    a0, b0, a1, b1 = view.amodal_box
    assert a0 <= x0 + 0.5 and b0 <= y0 + 0.5 and a1 >= x1 - 0.5 and b1 >= y1 - 0.5
    assert (y1 - y0 + 1) >= 0.85 * (b1 - b0)  # tight in height: the box is the pose's extent


def test_randomize_draws_the_documented_ranges_per_variant():
    from simgen.scenario import parse_scenario, sample

    scenario = parse_scenario(SCENE.format(look="real")).scenario
    scenario = scenario.model_copy(update={"variants": 8})
    drawn = [sample(scenario, v).scenario.environment for v in range(8)]
    assert all(e.color_temperature == 4000 for e in drawn)  # set keys stay
    assert all(2 <= e.turbidity <= 7 and -0.7 <= e.exposure_ev <= 0.7 for e in drawn)
    assert len({e.turbidity for e in drawn}) == 8  # unset keys are drawn per variant
    assert all(e.sun.elevation == 35 for e in drawn)
    assert sample(scenario, 3).scenario.environment == drawn[3]


def test_randomize_jitters_camera_mounts_a_little_and_the_calibration_follows():
    from simgen.scenario import parse_scenario, sample
    from simgen.sensors.rig import calibrations

    scenario = parse_scenario(SCENE.format(look="real")).scenario
    scenario = scenario.model_copy(update={"variants": 6})
    mounts = [sample(scenario, v).scenario.ego.sensors[0].mount for v in range(6)]
    offsets = np.array([np.subtract(m.xyz, (1.5, 0, 1.5)) for m in mounts])
    assert 0 < np.abs(offsets).max() <= 0.03 and len({m.xyz for m in mounts}) == 6
    assert np.abs([m.rpy for m in mounts]).max() <= 0.9
    instance = sample(scenario, 2)
    assert not instance.scenario.environment.randomize  # the instance is concrete
    camera = calibrations(instance).cameras["cam"]
    assert camera.ego_from_camera[:3, 3] == pytest.approx(mounts[2].xyz)


@pytest.mark.parametrize("elevation", [-15.0, 30.0])
def test_no_glare_without_the_sun_in_view(monkeypatch, elevation):
    """A real-look camera whose view holds no sun gets no glare, veil or ghosts: the sun's
    direction used to paint the sky was once taken for its pixel position, which put ghost
    discs into every frame, by day and at night."""
    from simgen.sensors import camera_effects
    from simgen.sensors.camera_model import CameraLook
    from simgen.sensors.rig import CameraCalibration

    def no_glare(*args, **kwargs):
        raise AssertionError("glare drawn without the sun in view")

    monkeypatch.setattr(camera_effects, "glare", no_glare)
    h, w = 36, 64
    K = np.array([[40.0, 0, 31.5], [0, 40.0, 17.5], [0, 0, 1]])
    optical = np.array([[0, 0, 1, 0], [-1, 0, 0, 0], [0, -1, 0, 1.5], [0, 0, 0, 1]], float)
    calib = CameraCalibration("cam", w, h, K, optical)
    cond = camera_effects.CameraConditions(
        sun_elevation=elevation, sun_azimuth=180.0, look=CameraLook()
    )  # the sun behind a camera looking along +x
    assert camera_effects.sun_in_camera(cond, calib, optical) is None
    rgb = np.full((h, w, 3), 90, np.uint8)
    depth = np.full((h, w), 20.0, np.float32)
    semantic = np.zeros((h, w), np.uint8)
    rng, lens = np.random.default_rng(1), np.random.default_rng(2)
    out = camera_effects.develop(rgb, depth, semantic, cond, calib, None, rng, lens, None, optical)
    assert out.shape == (h, w, 3) and out.dtype == np.uint8
