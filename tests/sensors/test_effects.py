"""Weather, light and the camera model, measured on rendered frames against their physics."""

import math

import numpy as np
import pytest

from simgen.core.classes import BY_NAME
from simgen.injectors import apply_injectors
from simgen.pipeline.capture import capture
from simgen.scenario import parse_scenario, sample
from simgen.sensors.effects import (
    FOG_COLOR,
    SensorNoise,
    expose,
    glare,
    koschmieder,
    ray_lengths,
    to_linear,
    to_srgb,
)

SCENE = """
version: 1
name: fx
seed: 3
duration: 0.5
frame_rate: 10
road: {{length: 200, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5,
        furniture: {{buildings: 3, trees: 3}}}}
environment: {{sun: {{elevation: 40, azimuth: 160}}{env}}}
ego:
  lane: 0
  s: 20
  speed: 8
  sensors:
    - {{name: cam, type: camera, width: 200, height: 120, fov: 80, mount: {{xyz: [1.5, 0, 1.6]}},
       look: ideal,
       outputs: [rgb, depth, semantic, instance]}}
    - {{name: lidar, type: lidar, preset: vlp16, horizontal_resolution: 1.0,
       mount: {{xyz: [0, 0, 1.9]}}}}
actors:
  - {{name: lead, model: sedan, lane: 0, s: 35, speed: 8}}
  - {{name: van, model: truck, lane: 1, s: 60, speed: 6}}
  - {{name: walker, model: pedestrian, offset: -8.5, s: 45}}
injectors: [{inject}]
"""
SCATTER = BY_NAME["scatter"].id


def frame(env: str = "", inject: str = "", index: int = 0):
    instance = apply_injectors(
        sample(parse_scenario(SCENE.format(env=env, inject=inject)).scenario, 0)
    )
    found = list(capture(instance, limit=index + 1))[-1]
    return found


def luminance(rgb: np.ndarray) -> np.ndarray:
    return to_linear(rgb) @ np.array([0.2126, 0.7152, 0.0722], np.float32)


def test_srgb_round_trips():
    values = np.arange(256, dtype=np.uint8)[None, :, None].repeat(3, axis=2)
    assert np.array_equal(to_srgb(to_linear(values)), values)


def test_camera_fog_follows_koschmieder_on_the_ray_length():
    alpha = 0.02
    clear, foggy = frame().data["cam"], frame(env=f", fog: {alpha}").data["cam"]
    np.testing.assert_array_equal(foggy.depth, clear.depth)
    J, seen = to_linear(clear.rgb), to_linear(foggy.rgb)
    A = to_linear(np.asarray(FOG_COLOR) * 255.0) * (0.04 + 0.96 * 1.0)  # full daylight
    d = ray_lengths(clear.depth, np.array([[119.17, 0, 99.5], [0, 119.17, 59.5], [0, 0, 1]]))
    contrast = (J - A).max(axis=2)
    usable = (clear.depth > 0) & (np.abs(contrast) > 0.15)
    measured = ((seen - A).max(axis=2) / contrast)[usable]
    expected = np.exp(-alpha * d[usable])
    assert usable.sum() > 500
    ratio = measured / expected
    assert np.median(np.abs(ratio - 1)) < 0.05 and np.mean(np.abs(ratio - 1) < 0.10) > 0.9


def test_fog_zero_is_byte_identical_to_no_fog_on_both_sensors():
    plain, zero = frame(), frame(env=", fog: 0.0")
    for name in ("cam", "lidar"):
        a, b = plain.data[name], zero.data[name]
        if name == "cam":
            assert np.array_equal(a.rgb, b.rgb)
        else:
            assert a.tobytes() == b.tobytes()


def test_lidar_in_fog_loses_far_returns_and_sees_the_fog_up_close():
    alpha = 0.03  # visibility (MOR) 100 m
    mor = math.log(20) / alpha
    clear, foggy = frame().data["lidar"], frame(env=f", fog: {alpha}").data["lidar"]
    r_clear = np.sqrt(clear["x"] ** 2 + clear["y"] ** 2 + clear["z"] ** 2)
    r_fog = np.sqrt(foggy["x"] ** 2 + foggy["y"] ** 2 + foggy["z"] ** 2)
    surfaces = foggy["semantic"] != SCATTER
    assert (r_clear > mor / 3).sum() > 50
    assert (r_fog[surfaces] > mor / 3).sum() < 0.2 * (r_clear > mor / 3).sum()
    scatter = r_fog[~surfaces]
    assert len(scatter) > 100 and scatter.max() < 8.0  # the fog's own return, metres away
    assert np.all(foggy["instance"][~surfaces] == 0)  # and it belongs to no object


@pytest.mark.parametrize("ev", [-2, -4])
def test_low_light_lowers_mean_linear_luminance_by_two_to_the_ev(ev):
    clear = frame().data["cam"].rgb
    dark = frame(inject=f"{{type: low_light, ev: {ev}}}").data["cam"].rgb
    ratio = luminance(dark).mean() / luminance(clear).mean()
    assert ratio == pytest.approx(2.0**ev, rel=0.10)


def test_noise_variance_follows_shot_and_read_noise():
    noise = SensorNoise()
    rng = np.random.default_rng(0)
    variances = {}
    for signal_e in (0.0, 100.0, 400.0, 1600.0):
        flat = np.full((200, 200, 3), signal_e / noise.full_well, np.float32)
        out = expose(flat, 0.0, rng, 0.0, noise) * (2**noise.bits - 1)  # digital numbers
        gain = (2**noise.bits - 1) / noise.full_well
        # per-row offsets are banding; remove them to see the per-pixel terms
        variances[signal_e] = float((out - out.mean(axis=1, keepdims=True)).var()) / gain**2
    floor = noise.read_noise**2 + 1 / (12 * ((2**noise.bits - 1) / noise.full_well) ** 2)
    assert variances[0.0] < floor * 1.2  # the read-noise floor in the dark (clipped at zero)
    for signal in (100.0, 400.0, 1600.0):  # shot noise: Poisson variance = mean (electrons)
        assert variances[signal] == pytest.approx(signal + floor, rel=0.1)


def test_rain_lowers_lidar_returns_and_camera_contrast_monotonically():
    counts, contrasts = [], []
    for rate in (0, 5, 25, 100):
        inject = f"{{type: rain, rate: {rate}}}" if rate else ""
        found = frame(inject=inject)
        lidar, cam = found.data["lidar"], found.data["cam"]
        counts.append(int((lidar["semantic"] != SCATTER).sum()))
        dry = ~np.isin(cam.semantic, [BY_NAME[n].id for n in ("road", "sidewalk", "kerb",
                                                              "lane_marking")])  # fmt: skip
        lum = luminance(cam.rgb)[dry]
        contrasts.append(float(lum.std() / lum.mean()))
    assert counts == sorted(counts, reverse=True) and len(set(counts)) == 4, counts
    assert contrasts == sorted(contrasts, reverse=True) and len(set(contrasts)) == 4, contrasts


CAMERA_EFFECTS = [
    "{type: camera_noise, gain_ev: 5}",
    "{type: motion_blur, exposure: 0.05}",
    "{type: fog, density: 0.03}",
    "{type: rain, rate: 40}",
    "{type: glare, elevation: 6}",
    "{type: camera_occlusion, kind: dirt, coverage: 0.2}",
    "{type: camera_occlusion, kind: drops, coverage: 0.2}",
    "{type: low_light, ev: -3}",
]


@pytest.mark.parametrize("inject", CAMERA_EFFECTS)
def test_labels_stay_exact_under_every_camera_effect(inject):
    clean, changed = frame(index=2), frame(inject=inject, index=2)
    a, b = clean.data["cam"], changed.data["cam"]
    assert not np.array_equal(a.rgb, b.rgb)  # the effect shows ...
    for field in ("depth", "instance", "semantic"):  # ... and touches RGB only
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    for x, y in zip(clean.labels.objects, changed.labels.objects, strict=True):
        assert x.boxes == y.boxes and x.cameras == y.cameras


def test_koschmieder_is_the_formula():
    J = np.array([[[0.5, 0.2, 0.1]]], np.float32)
    out = koschmieder(J, np.array([[50.0]], np.float32), 0.01, np.array([0.8, 0.8, 0.8]))
    t = math.exp(-0.5)
    np.testing.assert_allclose(out[0, 0], J[0, 0] * t + 0.8 * (1 - t), rtol=1e-6)


def test_glare_veil_follows_the_stiles_holladay_fall_off_and_the_disk_sits_on_the_sun():
    """The veil is summed on a coarse grid and resized: away from the disk and the ghosts it
    is still strength / (theta^2 + 0.8), theta in degrees off the sun."""
    h, w, fx, strength = 360, 640, 500.0, 0.3
    sun = (420.0, 90.0)
    out = glare(np.zeros((h, w, 3), np.float32), sun, strength, fx, sun_visible=True)
    assert np.unravel_index(out[..., 0].argmax(), (h, w)) == (90, 420)
    r0 = math.tan(math.radians(0.53)) * fx  # the disk as drawn
    sigma = 0.02 * w  # the bloom: the disk's light spread by a Gaussian
    for dx, dy in ((40, 0), (120, 0), (0, 200), (-350, 0), (150, 250)):  # clear of the ghosts
        x, y = int(sun[0] + dx), int(sun[1] + dy)
        d = math.hypot(x - sun[0], y - sun[1])
        theta = math.degrees(math.atan(d / fx))
        bloom = strength * 8 * r0**2 / (2 * sigma**2) * math.exp(-(d**2) / (2 * sigma**2))
        expected = strength / (theta**2 + 0.8) + bloom
        assert out[y, x, 0] == pytest.approx(expected, rel=0.05, abs=2e-4), (dx, dy)
