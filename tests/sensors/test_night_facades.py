"""Lit windows at night: camera-only light on the facades' glass, one state per window."""

import numpy as np

from simgen.scenario.load import load_scenario
from simgen.scenario.sample import sample
from simgen.sensors.scene import static_placements
from simgen.sensors.surfaces import (
    BAYS_PER_TILE,
    NIGHT_FACADES,
    glow_image,
    texture_image,
)
from simgen.world.simulate import simulate

GALLERY = "scenarios/appearance/gallery_street.yaml"


def test_each_window_is_lit_or_dark_as_a_whole_and_only_its_glass_glows():
    for day, night in NIGHT_FACADES.items():
        name = night.tiling.texture
        base, glow = texture_image(name), glow_image(name)
        assert glow is not None and glow.shape == base.shape
        tile_h, tile_w = texture_image(day).shape[:2]
        assert base.shape[:2] == (tile_h * night.storeys, tile_w * night.repeats)
        glass = (base[..., 2].astype(int) - base[..., 0] > 6) & (base.max(axis=2) < 180)
        assert not glow[~glass].any()  # walls, frames, doors and sills stay dark
        cell_w = tile_w // BAYS_PER_TILE
        states = []
        for row in range(night.storeys):
            for bay in range(night.repeats * BAYS_PER_TILE):
                cell = (
                    slice(row * tile_h, (row + 1) * tile_h),
                    slice(bay * cell_w, (bay + 1) * cell_w),
                )
                lit = glow[cell][glass[cell]]
                if not len(lit):  # a door's bay
                    continue
                assert (lit == lit[0]).all()  # one light per window, all its panes
                states.append(bool(lit[0].any()))
        assert len(states) >= 0.75 * night.storeys * night.repeats * BAYS_PER_TILE
        share = np.mean(states)
        assert 0.0 < share < 1.0 and abs(share - night.lit) < 0.25
    assert glow_image("facade_upper") is None and glow_image("asphalt") is None


def test_night_facades_change_the_texture_not_the_geometry():
    instance = sample(load_scenario(GALLERY).scenario, 0)
    static = next(simulate(instance)).static
    day = static_placements(static, street_lights_on=False)
    night = static_placements(static, street_lights_on=False, night=True)
    assert len(day) == len(night)
    swapped = 0
    for a, b in zip(day, night, strict=True):
        np.testing.assert_array_equal(a.part.vertices, b.part.vertices)
        np.testing.assert_array_equal(a.part.faces, b.part.faces)
        if a.texture in NIGHT_FACADES:
            assert b.texture == NIGHT_FACADES[a.texture].tiling.texture
            # the night tile spans storeys x repeats day tiles: coordinates shrink to match
            night_tiling = NIGHT_FACADES[a.texture]
            scale = np.array([night_tiling.repeats, night_tiling.storeys])
            np.testing.assert_allclose(b.part.uv * scale, a.part.uv, atol=1e-9)
            swapped += 1
        else:
            assert b.texture == a.texture
    assert swapped > 0


NIGHT_STREET = """
version: 1
name: night_street
seed: 4
duration: 0.1
frame_rate: 10
road: {length: 200, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5,
       furniture: {buildings: 10, trees: 0, street_lamps: 0}}
environment: {sun: {elevation: ELEVATION, azimuth: 30}}
ego:
  lane: 0
  s: 40
  behavior: [{action: parked}]
  sensors:
    - {name: cam, type: camera, width: 320, height: 180, fov: 90, mount: {xyz: [1.5, 0, 1.6]},
       outputs: [rgb, semantic]}
"""


def _facade_pixels(elevation: float) -> np.ndarray:
    from simgen.core.classes import class_id
    from simgen.scenario import parse_scenario
    from simgen.sensors.suite import SensorSuite

    scene = NIGHT_STREET.replace("ELEVATION", str(elevation))
    instance = sample(parse_scenario(scene).scenario, 0)
    state = next(iter(simulate(instance)))
    with SensorSuite(instance, state.static) as suite:
        frame = suite.capture(state).frames["cam"]
    return frame.rgb[frame.semantic == class_id("building")].astype(int)


def _bright(pixels: np.ndarray) -> np.ndarray:
    """Pixels far brighter than the facade's median: a window's light, not the wall's."""
    brightness = pixels.sum(axis=1)
    return pixels[brightness > 3 * np.median(brightness) + 20]


def test_at_night_some_windows_shine_warm_above_a_dark_wall():
    night = _facade_pixels(-15.0)
    assert len(night) > 2000
    lit = _bright(night)
    assert len(lit) > 0.005 * len(night)  # lit windows: about a percent of the facade here
    assert np.mean(lit[:, 0] > lit[:, 2]) > 0.6  # mostly warm light
    dusk = _facade_pixels(5.0)  # the sun just up: no lights on behind the windows
    assert len(_bright(dusk)) < 0.001 * len(dusk)
