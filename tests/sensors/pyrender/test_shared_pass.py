"""The one-pass colour, label and depth render gives, byte for byte, what the separate colour
pass and label pass give: the same rasterisation, read the same way."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import trimesh

from simgen.core.classes import BY_NAME
from simgen.scenario.models import Environment
from simgen.sensors.pyrender.compat import import_pyrender
from simgen.sensors.pyrender.patches import SHADER_EDITS, edit_shaders, render_color, use_shaders
from simgen.sensors.pyrender.shared_pass import LABEL_EDITS, render_color_and_labels
from simgen.sensors.rig import CameraCalibration, intrinsics
from simgen.sensors.scene import Part, Placed

OUTPUTS = ("rgb", "depth", "instance", "semantic")
# 1.2 m up, looking along +x and a little down at the road
OPTICAL = np.array([[0, 0, 1, 0], [-1, 0, 0, 0], [0, -1, 0, 1.2], [0, 0, 0, 1.0]])
SUN = Environment.model_validate({"sun": {"elevation": 35, "azimuth": 270}})


def _box(extents: tuple[float, float, float], centre: tuple[float, float, float]) -> Part:
    box = trimesh.creation.box(extents=extents)
    box.apply_translation(centre)
    return Part(f"box{extents}{centre}", np.asarray(box.vertices), box.faces.astype(np.int32))


def _scene() -> tuple[list[Placed], list[Placed]]:
    """A road and a pole (static), two cars (one partly hides the other, both cast contact
    shadows: the transparent nodes drawn after the opaque ones)."""
    road = Placed(
        _box((80.0, 40.0, 0.02), (20.0, 0.0, -0.01)), np.eye(4), 0, BY_NAME["road"].id,
        (0.5, 0.5, 0.5), 0.2,
    )  # fmt: skip
    pole = Placed(
        _box((0.3, 0.3, 6.0), (25.0, 4.0, 3.0)), np.eye(4), 0, BY_NAME["pole"].id,
        (0.6, 0.6, 0.6), 0.3,
    )  # fmt: skip
    body = _box((4.0, 1.8, 1.4), (0.0, 0.0, 0.7))
    cars = []
    for instance, (x, y) in ((3, (10.0, -0.8)), (4, (18.0, 0.6))):
        pose = np.eye(4)
        pose[:3, 3] = (x, y, 0.0)
        cars.append(Placed(body, pose, instance, BY_NAME["car"].id, (0.7, 0.1, 0.1), 0.5))
    return [road, pole], cars


def _count_renders(camera: object) -> list[int]:
    """The flags of every render the camera's renderer is asked for from now on."""
    calls: list[int] = []
    render = camera.renderer.render  # type: ignore[attr-defined]

    def counted(scene: object, flags: int = 0, seg_node_map: object = None) -> object:
        calls.append(flags)
        return render(scene, flags=flags, seg_node_map=seg_node_map)

    camera.renderer.render = counted  # type: ignore[attr-defined]
    return calls


def _calibration() -> CameraCalibration:
    return CameraCalibration("c", 160, 96, intrinsics(160, 96, 70), OPTICAL)


def test_label_edits_find_their_text_once_beside_the_shadow_edits():
    pyrender = import_pyrender()
    folder = Path(pyrender.__file__).parent / "shaders"
    texts = {p.name: p.read_text() for p in folder.iterdir()}
    edited = edit_shaders(texts, (*SHADER_EDITS, *LABEL_EDITS))
    assert "label_color = vec4(label_rgb, 1.0);" in edited["mesh.frag"]
    assert edited["segmentation.frag"] == texts["segmentation.frag"]


@pytest.mark.parametrize("shadows", [True, False])
def test_one_pass_gives_the_separate_passes_bytes(shadows: bool):
    from simgen.sensors.pyrender.camera import PyrenderCamera

    pr = import_pyrender()
    static, cars = _scene()
    camera = PyrenderCamera(_calibration(), static, OUTPUTS, shadows=shadows)
    render = camera.renderer.render
    calls = _count_renders(camera)
    try:
        frame = camera.capture(np.eye(4), cars, SUN, []).frame
        assert len(calls) == 1 and not calls[0] & pr.RenderFlags.SEG  # one pass, no label pass
        flags = pr.RenderFlags.SHADOWS_DIRECTIONAL if shadows else pr.RenderFlags.NONE
        # the separate passes, on the same scene and renderer
        rgb = render_color(camera.renderer, camera.scene, flags)
        seg = pr.RenderFlags.SEG
        labels, depth = render(camera.scene, flags=seg, seg_node_map=camera.seg_colors)
    finally:
        camera.close()
    labels = labels.astype(np.uint16)
    np.testing.assert_array_equal(frame.rgb, rgb)
    assert frame.depth.tobytes() == depth.astype(np.float32).tobytes()
    np.testing.assert_array_equal(frame.instance, labels[..., 0] | (labels[..., 1] << 8))
    # the scene is in view: both cars, the pole, the road, the sky, and contact shadows drawn
    assert {0, 3, 4} <= set(np.unique(frame.instance))
    assert {BY_NAME[n].id for n in ("road", "pole", "car", "sky")} <= set(np.unique(frame.semantic))
    assert sum(entry.shadow is not None for entry in camera.shown()) == 2


def test_rgb_is_the_colour_pass_of_shaders_without_the_label_output():
    """The second output leaves the first's arithmetic alone: a camera whose shaders lack the
    label edits, rendering RGB alone, gives the same bytes."""
    from simgen.sensors.pyrender.camera import PyrenderCamera

    static, cars = _scene()
    frames = []
    for outputs in (OUTPUTS, ("rgb",)):
        camera = PyrenderCamera(_calibration(), static, outputs, shadows=True)
        if outputs == ("rgb",):
            use_shaders(camera.renderer, SHADER_EDITS)
        try:
            frames.append(camera.capture(np.eye(4), cars, SUN, []).frame.rgb)
        finally:
            camera.close()
    np.testing.assert_array_equal(frames[0], frames[1])


def test_a_labelled_transparent_node_leaves_the_labels_to_their_own_pass():
    from simgen.sensors.pyrender.camera import PyrenderCamera

    pr = import_pyrender()
    static, cars = _scene()
    camera = PyrenderCamera(_calibration(), static, OUTPUTS, shadows=False)
    try:
        reference = camera.capture(np.eye(4), cars, SUN, []).frame
        shadow = next(entry.shadow for entry in camera.shown() if entry.shadow is not None)
        labelled = {**camera.seg_colors, shadow: (9, 0, 9)}
        rgb, labels, depth, codes = render_color_and_labels(
            camera.renderer, camera.scene, pr.RenderFlags.NONE, labelled
        )
    finally:
        camera.close()
    assert labels is None and depth is None and codes is None
    np.testing.assert_array_equal(rgb, reference.rgb)


def test_caster_stand_ins_throw_the_shadows_their_nodes_threw():
    """One position-only draw per caster gives the shadow map (and so the RGB) that drawing
    each node's primitives gave; and the sun's shadows are in the picture."""
    from simgen.sensors.pyrender.camera import GROUND, PyrenderCamera

    static, cars = _scene()
    camera = PyrenderCamera(_calibration(), static, ("rgb",), shadows=True)
    try:
        camera.capture(np.eye(4), cars, SUN, [])  # adds the road users and their stand-ins
        stand_ins = [n for n in camera.scene.mesh_nodes if getattr(n.mesh, "shadow_only", False)]
        assert len(stand_ins) == 1 + len(cars)  # the static world's, and one per road user
        with_stand_ins = camera.capture(np.eye(4), cars, SUN, []).frame.rgb
        for node in stand_ins:
            camera.scene.remove_node(node)
        for key, shape in camera.actor_shapes.items():
            camera.actors[key][shape] = dataclasses.replace(camera.actors[key][shape], caster=None)
        for node, label in camera.seg_colors.items():  # each node casts its own shadow again
            node.mesh.casts_shadow = node not in camera.static_nodes or label[2] not in GROUND
        each_node = camera.capture(np.eye(4), cars, SUN, []).frame.rgb
        for node in camera.seg_colors:
            node.mesh.casts_shadow = False
        unshadowed = camera.capture(np.eye(4), cars, SUN, []).frame.rgb
    finally:
        camera.close()
    np.testing.assert_array_equal(with_stand_ins, each_node)
    darker = unshadowed.astype(int).sum(-1) - each_node.astype(int).sum(-1)
    assert (darker > 30).sum() > 100  # the cars' and the pole's shadows on the road


@pytest.mark.parametrize("shadows", [True, False])
def test_the_colour_pass_gives_the_normal_passs_normals(shadows: bool):
    """With normals asked for, the one pass gives them too (no pass of their own), as the
    normal pass would, and every other image as without them."""
    from simgen.sensors.pyrender.camera import PyrenderCamera
    from simgen.sensors.pyrender.normals import render_normals

    static, cars = _scene()
    frames, separate = [], None
    for outputs in ((*OUTPUTS, "normals"), OUTPUTS):
        camera = PyrenderCamera(_calibration(), static, outputs, shadows=shadows)
        passes = _count_renders(camera)
        try:
            frames.append(camera.capture(np.eye(4), cars, SUN, []).frame)
            if "normals" in outputs:
                assert len(passes) == 1  # the colour pass alone (its shadow map inside)
                surface = frames[0].depth > 0
                separate = render_normals(camera.renderer, camera.scene, camera.seg_colors, surface)
        finally:
            camera.close()
    with_normals, without = frames
    for image in ("rgb", "depth", "instance", "semantic"):
        np.testing.assert_array_equal(getattr(with_normals, image), getattr(without, image))
    assert separate is not None and with_normals.normals is not None
    np.testing.assert_array_equal(with_normals.normals, separate)
    assert np.abs(with_normals.normals[frames[0].depth > 0]).sum(axis=1).min() > 0.9


def _walker(pose: int) -> list[Placed]:
    """A road user whose mesh changes with its pose (as a walker's does with its gait): a box
    leaning one way or the other, at the same place."""
    lean = 0.3 if pose else -0.3
    box = trimesh.creation.box(extents=(0.5, 0.4, 1.7))
    box.apply_transform(trimesh.transformations.rotation_matrix(lean, (0.0, 1.0, 0.0)))
    box.apply_translation((8.0, -1.0, 0.85))
    part = Part(f"walker/{pose}", np.asarray(box.vertices), box.faces.astype(np.int32))
    return [Placed(part, np.eye(4), 7, BY_NAME["person"].id, (0.2, 0.3, 0.6), 0.4)]


def test_a_road_user_back_in_an_earlier_pose_is_drawn_from_its_kept_buffers():
    """A pose shown before is not made or uploaded again, and gives the frame a fresh camera
    gives; a road user that leaves frees the buffers of all its poses."""
    from simgen.sensors.pyrender.camera import PyrenderCamera

    static, cars = _scene()
    camera = PyrenderCamera(_calibration(), static, OUTPUTS, shadows=True)
    try:
        camera.capture(np.eye(4), cars + _walker(0), SUN, [])
        first = camera.shown()[-1].node.mesh
        camera.capture(np.eye(4), cars + _walker(1), SUN, [])
        assert camera.shown()[-1].node.mesh is not first
        assert all(p._in_context() for p in first.primitives)  # kept while out of the scene
        again = camera.capture(np.eye(4), cars + _walker(0), SUN, []).frame
        assert camera.shown()[-1].node.mesh is first
        camera.capture(np.eye(4), cars, SUN, [])  # the walker has gone
        assert not any(p._in_context() for p in first.primitives)
        assert (7, BY_NAME["person"].id) not in camera.actors
    finally:
        camera.close()
    fresh = PyrenderCamera(_calibration(), static, OUTPUTS, shadows=True)
    try:
        expected = fresh.capture(np.eye(4), cars + _walker(0), SUN, []).frame
    finally:
        fresh.close()
    assert (again.instance == 7).sum() > 50  # the walker is in view
    np.testing.assert_array_equal(again.rgb, expected.rgb)
    np.testing.assert_array_equal(again.instance, expected.instance)
    assert again.depth.tobytes() == expected.depth.tobytes()


def test_a_geometry_only_render_is_the_flat_pass_of_the_same_depth_and_masks():
    """A neighbouring state rendered for the flow: no shading, one flat pass, and the depth and
    masks the shaded frame gives, byte for byte."""
    from simgen.sensors.pyrender.camera import PyrenderCamera

    pr = import_pyrender()
    static, cars = _scene()
    camera = PyrenderCamera(_calibration(), static, (*OUTPUTS, "normals"), shadows=True)
    try:
        full = camera.capture(np.eye(4), cars, SUN, []).frame
        calls = _count_renders(camera)
        only = camera.capture(np.eye(4), cars, SUN, [], geometry_only=True).frame
    finally:
        camera.close()
    assert calls == [pr.RenderFlags.SEG]
    assert only.developed is None and only.normals is None
    assert only.depth.tobytes() == full.depth.tobytes()
    np.testing.assert_array_equal(only.instance, full.instance)
    np.testing.assert_array_equal(only.semantic, full.semantic)


def _column_frames(sections: int) -> dict[bool, Any]:
    """A faceted column 6 m ahead, drawn flat and smooth (``Placed.smooth``), sun at azimuth
    270 (world -y: the image's right)."""
    from simgen.sensors.pyrender.camera import PyrenderCamera

    static, _ = _scene()
    column = trimesh.creation.cylinder(radius=0.8, height=2.0, sections=sections)
    column.apply_translation((6.0, 0.0, 1.0))
    part = Part("column", np.asarray(column.vertices), column.faces.astype(np.int32))
    frames = {}
    for smooth in (False, True):
        body = Placed(part, np.eye(4), 5, BY_NAME["person"].id, (0.8, 0.8, 0.8), 0.4, smooth=smooth)
        camera = PyrenderCamera(_calibration(), static, OUTPUTS, shadows=False)
        try:
            frames[smooth] = camera.capture(np.eye(4), [body], SUN, []).frame
        finally:
            camera.close()
    return frames


def _sunlit_minus_shaded(frame: Any) -> float:
    """Mean grey of the column's right third (turned to the sun) minus its left third's."""
    rows, cols = np.nonzero(frame.instance == 5)
    third = (cols.max() - cols.min()) / 3
    grey = frame.rgb.astype(float).mean(axis=2)
    right, left = cols > cols.max() - third, cols < cols.min() + third
    return float(grey[rows[right], cols[right]].mean() - grey[rows[left], cols[left]].mean())


def test_surfaces_are_lit_by_the_sun_whichever_way_they_face_the_camera():
    """A surface without vertex normals is shaded by its facet's normal (``SURFACE_NORMALS``):
    the column's side turned to the sun is the brighter one. (pyrender's own shading, as if
    every surface faced the camera, left a 24-sided column's sunlit side 13 grey levels the
    darker.)"""
    for smooth, frame in _column_frames(12).items():
        assert _sunlit_minus_shaded(frame) > 40.0, smooth


def test_a_smooth_body_is_shaded_round_over_the_same_geometry():
    """A road user marked smooth draws the same triangles, so depth and masks are the flat
    one's byte for byte; across its side the flat facets step in brightness (30 degrees
    apart), the smooth ones ramp."""
    frames = _column_frames(12)
    flat, smooth = frames[False], frames[True]
    assert flat.depth.tobytes() == smooth.depth.tobytes()
    np.testing.assert_array_equal(flat.instance, smooth.instance)
    np.testing.assert_array_equal(flat.semantic, smooth.semantic)
    rows = np.flatnonzero((flat.instance == 5).sum(axis=1) > 20)
    row = rows[len(rows) // 2]
    cols = np.flatnonzero(flat.instance[row] == 5)[2:-2]
    steps = [np.abs(np.diff(f.rgb[row, cols].astype(int).sum(axis=1))) for f in (flat, smooth)]
    assert steps[0].max() > 2 * steps[1].max()
