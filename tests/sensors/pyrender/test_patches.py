"""Every patch of pyrender's internals fits the installed pyrender, and one that no longer fits
fails loudly, naming the versions and the patch."""

import re
from pathlib import Path

import pytest

from simgen.sensors.pyrender.compat import import_pyrender
from simgen.sensors.pyrender.patches import (
    PATCHES,
    SHADER_EDITS,
    Hook,
    Patch,
    PatchError,
    ShaderEdit,
    apply,
    check_hook,
    edit_shaders,
    installed_versions,
    is_applied,
    original,
    resolve,
)

VERSIONS = re.escape(installed_versions())


def test_every_patch_applies_on_the_installed_pyrender():
    import_pyrender()
    installed = [p for p in PATCHES if p.install is not None]
    assert {p.name for p in installed} == {
        "single_sample",
        "cached_uniforms",
        "draw_lists",
        "kept_meshes",
        "lights_once_per_pass",
        "lights_in_order",
        "precomputed_mipmaps",
        "quiet_opengl",
    }
    for patch in installed:
        assert is_applied(patch), patch.name
    for patch in PATCHES:  # pyrender's own attributes (kept aside when replaced) still fit
        for hook in patch.hooks:
            assert original(hook, patch.name) is not None


def test_a_replaced_attribute_holds_the_patch_and_the_original_is_kept():
    pyrender = import_pyrender()
    renderer = pyrender.renderer.Renderer
    hook = Hook("pyrender.renderer.Renderer", "_sorted_mesh_nodes", ("self", "scene"))
    assert renderer._sorted_mesh_nodes.__module__ == "simgen.sensors.pyrender.patches"
    assert original(hook, "draw_lists").__module__ == "pyrender.renderer"


def test_every_shader_edit_finds_its_text_once():
    pyrender = import_pyrender()
    folder = Path(pyrender.__file__).parent / "shaders"
    texts = {p.name: p.read_text() for p in folder.iterdir()}
    edited = edit_shaders(texts)
    for edit in SHADER_EDITS:
        assert texts[edit.file].count(edit.old) == 1
        assert edit.old not in edited[edit.file] and edit.new in edited[edit.file]
    unchanged = {name for name in texts if texts[name] == edited[name]}
    assert unchanged == set(texts) - {e.file for e in SHADER_EDITS}


def test_a_shader_edit_against_altered_text_raises():
    texts = {"mesh.frag": "float shadow = PCF_v2(shadow_map, light_coords.xy, compare);"}
    with pytest.raises(PatchError, match=rf"^{VERSIONS}: .*mesh.frag.*36-tap.* 0 times"):
        edit_shaders(texts)
    twice = ShaderEdit("a.frag", "x = 1;", "x = 2;", "why")
    with pytest.raises(PatchError, match="2 times, not once"):
        edit_shaders({"a.frag": "x = 1; x = 1;"}, (twice,))
    with pytest.raises(PatchError, match=r"no shader a\.frag"):
        edit_shaders({}, (twice,))


class _Renderer:
    """A stand-in for a changed pyrender: one method lost, one with another signature."""

    def _sorted_mesh_nodes(self, scene, camera):  # pyrender 0.1.45: (self, scene)
        return []


def test_a_hook_with_another_signature_raises():
    hook = Hook("pyrender.renderer.Renderer", "_sorted_mesh_nodes", ("self", "scene"))
    with pytest.raises(PatchError) as caught:
        check_hook(_Renderer, hook, "draw_lists")
    message = str(caught.value)
    assert re.match(VERSIONS, message)
    assert "'draw_lists'" in message
    assert "expects pyrender.renderer.Renderer._sorted_mesh_nodes(self, scene)" in message
    assert "found (self, scene, camera)" in message


def test_a_missing_hook_raises():
    hook = Hook("pyrender.renderer.Renderer", "_shadow_mapping_pass", ("self",))
    with pytest.raises(PatchError, match=r"'draw_lists': .*_shadow_mapping_pass is missing"):
        check_hook(_Renderer, hook, "draw_lists")
    with pytest.raises(PatchError, match=r"pyrender\.renderer\.NoSuchRenderer is missing"):
        resolve("pyrender.renderer.NoSuchRenderer", "draw_lists")
    with pytest.raises(PatchError, match="is a function, not a property"):
        check_hook(_Renderer, Hook("x.R", "_sorted_mesh_nodes", is_property=True), "p")


def test_a_patch_that_does_not_fit_is_not_installed():
    import_pyrender()
    target = "pyrender.renderer.Renderer"
    wrong = Patch(
        "wrong_forward_pass",
        (Hook(target, "_forward_pass", ("self", "scene")),),
        lambda originals: {"_forward_pass": None},
    )
    renderer = resolve(target, "test")
    before = renderer._forward_pass
    with pytest.raises(PatchError, match=r"'wrong_forward_pass': expects .*_forward_pass\("):
        apply(wrong)
    assert renderer._forward_pass is before
    assert not is_applied(wrong)
