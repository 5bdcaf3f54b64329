"""The colour pass that also gives the label and depth images: the scene rasterised once.

The label and depth pass drew every opaque node a second time, with a flat shader whose colour
encodes the node's label. Here the colour shader writes that label colour to a second colour
attachment beside its own (``LABEL_EDITS``): the opaque nodes are drawn in the order the label
pass drew them, the label image and the depth buffer are read as that pass read them, and only
then are the transparent nodes (the contact shadows, which have no label) blended over the
colour. Depth and labels are byte-identical to the separate pass's; the RGB to the colour pass
alone (``tests/sensors/pyrender/test_shared_pass.py`` checks both).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simgen.sensors.pyrender.normals import NORMAL_OUTPUT_EDITS
from simgen.sensors.pyrender.patches import (
    PATCHES,
    RENDERER,
    Hook,
    Patch,
    ShaderEdit,
    apply,
    is_applied,
    lights_once,
    patch_error,
    read_color_only,
    require_fields,
)

_LAST = "frag_color = clamp(vec4(pow(color.xyz, vec3(1.0/2.2)), color.a * base_color.a), 0.0, 1.0);"
LABEL_EDITS: tuple[ShaderEdit, ...] = (
    ShaderEdit(
        "mesh.frag",
        "out vec4 frag_color;",
        "layout(location = 0) out vec4 frag_color;\n"
        "layout(location = 1) out vec4 label_color;\n"
        "uniform vec3 label_rgb;",
        "labels: a second output, the node's label colour",
    ),
    ShaderEdit(
        "mesh.frag",
        _LAST,
        _LAST + "\n    label_color = vec4(label_rgb, 1.0);",
        "labels: written as the label pass's shader writes it",
    ),
)

SHARED = Patch(
    "shared_pass",
    (
        Hook(RENDERER, "_configure_forward_pass_viewport", ("self", "flags")),
        Hook(RENDERER, "_get_camera_matrices", ("self", "scene")),
        Hook(RENDERER, "_sorted_mesh_nodes", ("self", "scene")),
        Hook(RENDERER, "_get_primitive_program", ("self", "primitive", "flags", "program_flags")),
        Hook(RENDERER, "_bind_lighting", ("self", "scene", "program", "node", "flags")),
        Hook(
            RENDERER, "_bind_and_draw_primitive", ("self", "primitive", "pose", "program", "flags")
        ),
        Hook(RENDERER, "_reset_active_textures", ("self",)),
        Hook(RENDERER, "_read_main_framebuffer", ("self", "scene", "flags")),
        Hook(RENDERER, "_forward_pass", ("self", "scene", "flags", "seg_node_map")),
        Hook("pyrender.constants.ProgramFlags", "USE_MATERIAL"),
    ),
    None,
)

_SINGLE_SAMPLE = next(p for p in PATCHES if p.name == "single_sample")


def shared_possible(nodes: list, seg_node_map: dict) -> bool:
    """Whether one pass can give all three images: the label pass would draw exactly the opaque
    ones of the colour pass's ``nodes`` (each in ``seg_node_map``, no transparent one in it)."""
    return all((node in seg_node_map) != node.mesh.is_transparent for node in nodes)


def _extra_buffer(renderer: Any, attachment: int) -> None:
    """Another colour renderbuffer on the (single-sampled) main framebuffer at ``attachment``
    (1: labels, 2: normal codes), made once per framebuffer, in the format of the first."""
    from OpenGL import GL

    framebuffer = renderer._main_fb_ms
    made = getattr(renderer, "_simgen_buffers", None)
    if made is None or made[0] != framebuffer:
        made = renderer._simgen_buffers = (framebuffer, set())
    if attachment in made[1]:
        return
    width, height = renderer._main_fb_dims
    buffer = GL.glGenRenderbuffers(1)
    GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, buffer)
    GL.glRenderbufferStorage(GL.GL_RENDERBUFFER, GL.GL_RGBA, width, height)
    GL.glFramebufferRenderbuffer(
        GL.GL_DRAW_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0 + attachment, GL.GL_RENDERBUFFER, buffer
    )
    made[1].add(attachment)


def _read_attachment(renderer: Any, attachment: int) -> np.ndarray:
    """(H, W, 3) uint8 of a colour attachment of the single-sampled main framebuffer, top row
    first."""
    from OpenGL import GL

    width, height = renderer._main_fb_dims
    GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, renderer._main_fb_ms)
    GL.glReadBuffer(GL.GL_COLOR_ATTACHMENT0 + attachment)
    buffer = GL.glReadPixels(0, 0, width, height, GL.GL_RGB, GL.GL_UNSIGNED_BYTE)
    return np.flip(np.frombuffer(buffer, np.uint8).reshape(height, width, 3), axis=0)


def _draw(renderer: Any, scene: Any, nodes: list, flags: int, labels: dict | None) -> object:
    """pyrender's forward-pass loop over ``nodes`` (``labels``: each node's label colour)."""
    from pyrender.constants import ProgramFlags

    V, P = renderer._get_camera_matrices(scene)
    eye = scene.get_pose(scene.main_camera_node)[:3, 3]
    program = None
    for node in nodes:
        label = None if labels is None else np.asanyarray(labels[node]) / 255.0
        for primitive in node.mesh.primitives:
            program = renderer._get_primitive_program(primitive, flags, ProgramFlags.USE_MATERIAL)
            program._bind()  # type: ignore[attr-defined]
            program.set_uniform("V", V)  # type: ignore[attr-defined]
            program.set_uniform("P", P)  # type: ignore[attr-defined]
            program.set_uniform("cam_pos", eye)  # type: ignore[attr-defined]
            if label is not None:
                program.set_uniform("label_rgb", label)  # type: ignore[attr-defined]
            renderer._bind_lighting(scene, program, node, flags)
            renderer._bind_and_draw_primitive(
                primitive=primitive, pose=scene.get_pose(node), program=program, flags=flags
            )
            renderer._reset_active_textures()
    return program


Images = tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]


def _forward(renderer: Any, scene: Any, flags: int, seg_node_map: dict, normals: bool) -> Images:
    """Opaque nodes into colour, labels, depth and (with ``normals``) normal codes; those read;
    then the transparent nodes blended into the colour, which is read last. All but the colour
    are None where the passes would differ (``shared_possible``): then this is the colour pass
    alone."""
    from OpenGL import GL

    nodes = [n for n in renderer._sorted_mesh_nodes(scene) if n.mesh.is_visible]
    if not shared_possible(nodes, seg_node_map):
        renderer._read_main_framebuffer = lambda s, f: read_color_only(renderer, s, f)
        try:
            color, _ = type(renderer)._forward_pass(renderer, scene, flags)
        finally:
            del renderer._read_main_framebuffer
        return color, None, None, None
    solid = [n for n in nodes if not n.mesh.is_transparent]
    clear = [n for n in nodes if n.mesh.is_transparent]
    renderer._configure_forward_pass_viewport(flags)
    outputs = 3 if normals else 2
    for attachment in range(1, outputs):
        _extra_buffer(renderer, attachment)
    GL.glDrawBuffers(outputs, [GL.GL_COLOR_ATTACHMENT0 + i for i in range(outputs)])
    GL.glClearBufferfv(GL.GL_COLOR, 0, np.asarray(scene.bg_color, np.float32))
    for attachment in range(1, outputs):  # no label, no normal (0 0 0: no code)
        GL.glClearBufferfv(GL.GL_COLOR, attachment, np.array([0.0, 0.0, 0.0, 1.0], np.float32))
    GL.glClear(GL.GL_DEPTH_BUFFER_BIT)
    GL.glEnable(GL.GL_MULTISAMPLE)
    with lights_once(renderer, scene, flags):
        program = _draw(renderer, scene, solid, flags, seg_node_map)
        # read as pyrender's label pass reads: its blit and depth conversion, attachment 1
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, renderer._main_fb_ms)
        GL.glReadBuffer(GL.GL_COLOR_ATTACHMENT1)
        labels, depth = renderer._read_main_framebuffer(scene, flags)
        codes = _read_attachment(renderer, 2) if normals else None
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, renderer._main_fb_ms)
        GL.glReadBuffer(GL.GL_COLOR_ATTACHMENT0)
        GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, renderer._main_fb_ms)
        GL.glDrawBuffers(outputs, [GL.GL_COLOR_ATTACHMENT0] + [GL.GL_NONE] * (outputs - 1))
        program = _draw(renderer, scene, clear, flags, None) or program
    GL.glDrawBuffers(1, [GL.GL_COLOR_ATTACHMENT0])  # other passes draw one colour
    if program is not None:
        program._unbind()  # type: ignore[attr-defined]
    GL.glFlush()
    color, _ = read_color_only(renderer, scene, flags)
    return color, labels, depth, codes


def render_color_and_labels(
    offscreen: object, scene: object, flags: int, seg_node_map: dict, normals: bool = False
) -> Images:
    """RGB, the label image (pyrender's segmentation colours), metric depth and, with
    ``normals``, the normal codes (``normals.decode``) from one pass; all but RGB are None when
    ``shared_possible`` says the label pass would draw other nodes (render them then). The
    renderer draws with ``LABEL_EDITS`` (``patches.use_shaders``), and with
    ``normals.NORMAL_OUTPUT_EDITS`` after them for ``normals``."""
    apply(SHARED)
    if not is_applied(_SINGLE_SAMPLE):
        raise patch_error(SHARED.name, "needs single-sampled framebuffers (single_sample)")
    require_fields(offscreen, ("_renderer",), SHARED.name)
    inner: Any = offscreen._renderer  # type: ignore[attr-defined]
    require_fields(inner, ("_main_fb_ms", "_main_fb_dims", "_program_cache"), SHARED.name)
    if not set(LABEL_EDITS) <= set(getattr(inner, "_simgen_edits", ())):
        raise patch_error(SHARED.name, "the renderer's shaders lack LABEL_EDITS")
    if normals and not set(NORMAL_OUTPUT_EDITS) <= set(getattr(inner, "_simgen_edits", ())):
        raise patch_error(SHARED.name, "the renderer's shaders lack NORMAL_OUTPUT_EDITS")
    inner._forward_pass = lambda s, f, seg_node_map=None: _forward(inner, s, f, labels_of, normals)
    labels_of = seg_node_map
    try:
        return offscreen.render(scene, flags=flags)  # type: ignore[attr-defined]
    finally:
        del inner._forward_pass
