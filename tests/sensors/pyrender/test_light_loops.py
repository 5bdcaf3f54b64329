"""The colour shader compiled for the pass's light counts draws the pixels of pyrender's loops
bounded by uniforms, for any mix of lights, and is compiled once per mix."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from simgen.sensors.pyrender.compat import import_pyrender
from simgen.sensors.pyrender.light_loops import FIXED_LIGHT_LOOPS, LIGHT_KINDS
from simgen.sensors.pyrender.patches import SHADER_EDITS, use_shaders

WIDTH, HEIGHT = 64, 48


def _scene(pr: object, directional: int, spot: int, point: int) -> object:
    """A grey ground and a red box seen from above and aside, with the lights asked for."""
    scene = pr.Scene(bg_color=[0.1, 0.2, 0.3, 1.0], ambient_light=[0.05, 0.05, 0.05])
    ground = trimesh.creation.box(extents=(20.0, 20.0, 0.1))
    ground.apply_translation((0.0, 0.0, -0.05))
    box = trimesh.creation.box(extents=(2.0, 2.0, 2.0))
    box.apply_translation((0.0, 0.0, 1.0))
    for mesh, colour in ((ground, (0.5, 0.5, 0.5, 1.0)), (box, (0.8, 0.1, 0.1, 1.0))):
        material = pr.MetallicRoughnessMaterial(
            baseColorFactor=colour, metallicFactor=0.3, roughnessFactor=0.5
        )
        scene.add(pr.Mesh.from_trimesh(mesh, material=material, smooth=False))
    eye = np.array([6.0, -6.0, 5.0])
    forward = -eye / np.linalg.norm(eye)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    pose = np.eye(4)
    pose[:3, :3] = np.stack([right, np.cross(right, forward), -forward], axis=1)
    pose[:3, 3] = eye
    scene.add(pr.PerspectiveCamera(yfov=0.9), pose=pose)
    for i in range(directional):
        scene.add(pr.DirectionalLight(intensity=2.0 + i), pose=pose)
    for i in range(spot):
        spot_pose = np.eye(4)
        spot_pose[:3, 3] = (3.0 - 2.0 * i, -3.0, 4.0)
        light = pr.SpotLight(intensity=30.0, innerConeAngle=0.3, outerConeAngle=0.7)
        scene.add(light, pose=spot_pose)
    for i in range(point):
        point_pose = np.eye(4)
        point_pose[:3, 3] = (-3.0 + 1.5 * i, 3.0, 2.0)
        scene.add(pr.PointLight(intensity=20.0), pose=point_pose)
    return scene


def _render(scene: object, fixed: bool, shadows: bool) -> tuple[np.ndarray, set]:
    """The colour image, and the defines the renderer's programs were compiled with."""
    pr = import_pyrender()
    renderer = pr.OffscreenRenderer(WIDTH, HEIGHT)
    try:
        use_shaders(renderer, (*SHADER_EDITS, *FIXED_LIGHT_LOOPS) if fixed else SHADER_EDITS)
        flags = pr.RenderFlags.SHADOWS_DIRECTIONAL if shadows else pr.RenderFlags.NONE
        colour, _ = renderer.render(scene, flags=flags)
        programs = renderer._renderer._program_cache  # type: ignore[attr-defined]
        return np.array(colour), {item for key in programs._program_cache for item in key[1:]}
    finally:
        renderer.delete()


@pytest.mark.parametrize(
    ("directional", "spot", "point", "shadows"),
    [(1, 0, 0, True), (0, 2, 3, False), (1, 1, 2, True), (0, 0, 0, False)],
)
def test_fixed_loops_draw_the_pixels_of_the_uniform_loops(
    directional: int, spot: int, point: int, shadows: bool
) -> None:
    pr = import_pyrender()
    scene = _scene(pr, directional, spot, point)
    looped, _ = _render(scene, fixed=False, shadows=shadows)
    fixed, defines = _render(scene, fixed=True, shadows=shadows)
    assert np.array_equal(fixed, looped)
    # the programs were compiled for these counts, not left to the uniforms
    for kind, n in zip(LIGHT_KINDS, (directional, spot, point), strict=True):
        assert (f"N_{kind}_LIGHTS", n) in defines
    if directional + spot + point:  # the lights light the scene: a test that could fail
        dark, _ = _render(_scene(pr, 0, 0, 0), fixed=True, shadows=False)
        assert fixed.astype(int).sum() > dark.astype(int).sum() + WIDTH * HEIGHT


def test_a_new_mix_of_lights_gets_its_own_programs_once() -> None:
    pr = import_pyrender()
    renderer = pr.OffscreenRenderer(WIDTH, HEIGHT)
    try:
        use_shaders(renderer, (*SHADER_EDITS, *FIXED_LIGHT_LOOPS))
        programs = renderer._renderer._program_cache  # type: ignore[attr-defined]
        day, night = _scene(pr, 1, 0, 0), _scene(pr, 0, 1, 2)
        renderer.render(day)
        after_day = len(programs._program_cache)
        renderer.render(night)
        after_night = len(programs._program_cache)
        renderer.render(day)
        renderer.render(night)
        assert after_night > after_day > 0
        assert len(programs._program_cache) == after_night
        assert programs.counts is None  # set only while a pass draws
    finally:
        renderer.delete()
