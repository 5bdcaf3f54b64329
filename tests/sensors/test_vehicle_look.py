"""Contact shadows, lamp bloom and per-car dirt and trim: values against hand arithmetic and the
rendered geometry (the shadow must darken the road in RGB and leave depth and masks alone)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import trimesh

from simgen.core.classes import BY_NAME
from simgen.sensors.appearance import ROAD_DUST, TRIM_LEVELS, draw_appearance
from simgen.sensors.camera_effects import lamp_points
from simgen.sensors.contact_shadow import CORE, LIFT, MARGIN, contact_shadow
from simgen.sensors.effects import lamp_bloom
from simgen.sensors.pyrender.camera import METAL, group_finish
from simgen.sensors.rig import CameraCalibration, intrinsics
from simgen.sensors.scene import Lamp, asset_placements

OPTICAL = np.eye(4)  # the camera's optical frame is the world's: looking along +z


def test_contact_shadow_covers_the_footprint_and_fades_beyond_it():
    car = trimesh.creation.box(extents=(4.0, 2.0, 1.5))
    car.apply_translation((0.3, 0.0, 0.75))  # bottom at z = 0, centred at x = 0.3
    shadow = contact_shadow(np.asarray(car.vertices))
    v = shadow.vertices
    assert v[:, 2] == pytest.approx(LIFT)
    opaque, clear = shadow.alpha == CORE, shadow.alpha == 0
    assert opaque.sum() + clear.sum() == len(v)
    # the clear rim reaches MARGIN beyond the footprint on every side, the core stays inside
    assert v[clear, 0].min() == pytest.approx(0.3 - 2.0 - MARGIN)
    assert v[clear, 0].max() == pytest.approx(0.3 + 2.0 + MARGIN)
    assert v[clear, 1].max() == pytest.approx(1.0 + MARGIN)
    assert np.abs(v[opaque, 1]).max() < 1.0 and np.abs(v[opaque, 0] - 0.3).max() < 2.0
    # every triangle faces up (seen from above: drawn with back faces culled)
    a, b, c = (v[shadow.faces[:, i]] for i in range(3))
    assert (np.cross(b - a, c - a)[:, 2] > 0).all()


def test_the_contact_shadow_darkens_the_road_in_rgb_only(monkeypatch: pytest.MonkeyPatch):
    from simgen.scenario.models import Environment
    from simgen.sensors.pyrender import camera as camera_module
    from simgen.sensors.scene import Part, Placed

    road = trimesh.creation.box(extents=(40.0, 40.0, 0.02))
    road.apply_translation((0.0, 0.0, -0.01))
    car = trimesh.creation.box(extents=(4.0, 1.8, 1.0))
    car.apply_translation((0.0, 0.0, 0.8))  # floats 0.3 m up: the road shows under it
    car_part = Part(
        "car", np.vstack([car.vertices, [[0.0, 0.0, 0.0]]]), car.faces.astype(np.int32)
    )  # a point on the ground: the car's lowest point, as its tyres are
    road_part = Part("road", np.asarray(road.vertices), road.faces.astype(np.int32))
    static = [Placed(road_part, np.eye(4), 0, BY_NAME["road"].id, (0.5, 0.5, 0.5), 0.2)]
    pose = np.eye(4)
    pose[:3, 3] = (12.0, 0.0, 0.0)
    dynamic = [Placed(car_part, pose, 7, BY_NAME["car"].id, (0.8, 0.1, 0.1), 0.5)]
    # a camera 1.2 m up looking along +x, a little down
    optical = np.array([[0, 0, 1, 0], [-1, 0, 0, 0], [0, -1, 0, 1.2], [0, 0, 0, 1.0]])
    calib = CameraCalibration("c", 160, 120, intrinsics(160, 120, 60), optical)
    frames = {}
    for shadowed in (True, False):
        if not shadowed:
            monkeypatch.setattr(camera_module, "SHADOWED", frozenset())
        camera = camera_module.PyrenderCamera(calib, static, ("rgb", "depth", "instance"))
        try:
            frames[shadowed] = camera.capture(np.eye(4), dynamic, Environment(), []).frame
        finally:
            camera.close()
    on, off = frames[True], frames[False]
    np.testing.assert_array_equal(on.depth, off.depth)
    np.testing.assert_array_equal(on.instance, off.instance)
    # road pixels just under the car body are darker with the shadow; far ones are not
    under = (on.instance == 0) & (on.depth > 0)
    rows = np.flatnonzero((on.instance == 7).any(axis=1))
    below = np.zeros_like(under)
    below[rows[-1] + 1 : rows[-1] + 4] = True
    near = under & below & ((on.instance == 7).any(axis=0))[None, :]
    assert near.sum() > 20
    dark_on = on.rgb[near].astype(float).mean()
    dark_off = off.rgb[near].astype(float).mean()
    assert dark_on < 0.6 * dark_off
    far = under.copy()
    far[: rows[-1] + 25] = False
    assert np.abs(on.rgb[far].astype(float) - off.rgb[far].astype(float)).max() <= 1


def test_lamp_points_project_hide_and_fall_off_with_distance():
    calib = CameraCalibration("c", 200, 100, intrinsics(200, 100, 90), OPTICAL)
    depth = np.zeros((100, 200), np.float32)  # sky: nothing hides a lamp
    head_on = Lamp((1.0, 0.0, 10.0), (0.0, 0.0, -1.0), (1.0, 1.0, 1.0), 1000.0)
    away = Lamp((0.0, 0.0, 10.0), (0.0, 0.0, 1.0), (1.0, 0.0, 0.0), 1000.0)
    behind = Lamp((0.0, 0.0, -5.0), None, (1.0, 1.0, 1.0), 1000.0)
    points = lamp_points((head_on, away, behind), calib, np.eye(4), depth, 0.5)
    assert len(points) == 1
    u, v, flux, color = points[0]
    assert color == (1.0, 1.0, 1.0)
    fx = calib.K[0, 0]
    assert (u, v) == pytest.approx((calib.K[0, 2] + fx * 0.1, calib.K[1, 2]))
    distance2 = 101.0
    toward = 10.0 / np.sqrt(distance2)  # the cosine off the lamp's axis
    assert flux == pytest.approx(0.5 * 1000.0 * toward / distance2)
    # a wall 5 m away in front of the lamp hides it; one just behind the lens does not
    iu, iv = round(u), round(v)
    depth[iv, iu] = 5.0
    assert lamp_points((head_on,), calib, np.eye(4), depth, 0.5) == []
    depth[iv, iu] = 9.9
    assert len(lamp_points((head_on,), calib, np.eye(4), depth, 0.5)) == 1


def test_lamp_bloom_spreads_the_flux_without_adding_or_losing_any():
    linear = np.zeros((120, 160, 3), np.float32)
    out = lamp_bloom(linear, [(80.0, 60.0, 50.0, (1.0, 0.1, 0.0))], 400.0)
    added = (out - linear).sum(axis=(0, 1))
    assert added == pytest.approx([50.0, 5.0, 0.0], rel=0.02)
    assert out[60, 80, 0] > out[60, 90, 0] > out[60, 110, 0] > 0  # brightest at the lamp
    assert lamp_bloom(linear, [], 100.0) is linear


def test_cars_get_dirt_and_a_trim_level_from_the_seed():
    actors = [(f"car{i}", "vehicle") for i in range(60)] + [("truck", "vehicle")]
    cars = frozenset(f"car{i}" for i in range(60))
    one = draw_appearance(7, 0, actors, cars)
    assert one == draw_appearance(7, 0, actors, cars)
    assert one != draw_appearance(7, 1, actors, cars)
    wheels = {one.color(f"car{i}", "metal", (9.0, 9.0, 9.0)) for i in range(60)}
    assert wheels == {level[1] for level in TRIM_LEVELS}  # all three levels occur in 60 cars
    assert one.color("truck", "metal", (9.0, 9.0, 9.0)) == (9.0, 9.0, 9.0)  # a tank stays steel
    # dirt pulls paint towards road dust: no body is brighter than the whitest clean paint, and
    # the dirtiest bodies lie between their paint and the dust
    bodies = np.array([one.color(f"car{i}", "body", (0.0, 0.0, 0.0)) for i in range(60)])
    assert bodies.max() <= 0.85 * 1.1 + 1e-9
    roughness = np.array([one.finish(f"car{i}", "body", (0.0, 0.0))[0] for i in range(60)])
    assert roughness.max() <= 0.6 and roughness.min() >= 0.2
    assert ROAD_DUST.max() < 0.25


@pytest.mark.parametrize("model", ["sedan", "bus", "truck", "truck_tanker"])
def test_a_painted_body_keeps_its_finish_in_the_merged_metal_primitive(model):
    """The body merges with the rims and chrome into one primitive of one finish: the paint's,
    however many triangles the wheels have (a truck's rims outnumber its cab's faces)."""
    parts = [
        dataclasses.replace(p, metallic=0.85, roughness=0.33) if p.part.key.endswith("/body") else p
        for p in asset_placements(model)
    ]
    metal = [p for p in parts if p.metallic > METAL and not p.part.key.endswith("lights")]
    body = next(p for p in metal if p.part.key.endswith("/body"))
    assert len(metal) > 1
    assert group_finish(metal) is body
    assert group_finish([p for p in metal if p is not body]).part.key.endswith("/metal")
