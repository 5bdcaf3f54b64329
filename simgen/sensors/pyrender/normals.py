"""A surface-normal pass: pyrender's flat segmentation pass, with shaders that write each
fragment's geometric normal instead of a label colour.

The normal is the cross product of the screen-space derivatives of the fragment's camera-frame
position: the plane of the triangle drawn there, exact up to float rounding, whatever normals
the mesh carries (ours carry none) and whichever way its triangles wind; it is turned to face
the camera. It leaves the shader octahedrally encoded in 2 x 12 bits across the three 8-bit
colour channels (about 0.02 degrees of quantisation), and is decoded here into unit vectors in
the OpenCV optical frame (x right, y down, z forward).
"""

from __future__ import annotations

import numpy as np

from simgen.core.jit import kernel
from simgen.sensors.pyrender.patches import (
    ShaderEdit,
    _shader_dir,
    render_color,
    require_fields,
)

NORMAL_BITS = 12
_STEPS = (1 << NORMAL_BITS) - 1

# the facing geometric normal of the fragment at camera-frame ``position``, octahedrally
# encoded in 12 + 12 bits across R, G and B (each 0-255, as a colour / 255)
_CODE_FUNCTION = f"""
vec3 simgen_normal_code(vec3 position) {{
    vec3 n = normalize(cross(dFdx(position), dFdy(position)));
    if (dot(n, position) > 0.0) n = -n;
    vec2 e = n.xy / (abs(n.x) + abs(n.y) + abs(n.z));
    if (n.z < 0.0) e = (1.0 - abs(e.yx)) * vec2(e.x >= 0.0 ? 1.0 : -1.0, e.y >= 0.0 ? 1.0 : -1.0);
    vec2 q = floor((e * 0.5 + 0.5) * {_STEPS}.0 + 0.5);
    float r = floor(q.x / 16.0);
    float g = (q.x - r * 16.0) * 16.0 + floor(q.y / 256.0);
    float b = q.y - floor(q.y / 256.0) * 256.0;
    return vec3(r, g, b) / 255.0;
}}
"""
_VIEW_POSITION = "vec4 seen = V * M * inst_m * vec4(position, 1.0);\n    view_position = seen.xyz;"

NORMAL_EDITS: tuple[ShaderEdit, ...] = (
    ShaderEdit(
        "segmentation.vert",
        "uniform mat4 M;",
        "uniform mat4 M;\nout vec3 view_position;",
        "normals: the vertex's camera-frame position goes to the fragment shader",
    ),
    ShaderEdit(
        "segmentation.vert",
        "gl_Position = light_matrix * M * inst_m * vec4(position, 1.0);",
        f"{_VIEW_POSITION}\n    gl_Position = P * V * M * inst_m * vec4(position, 1);",
        "normals: the colour pass's clip position (mesh.vert), so both rasterise alike",
    ),
    ShaderEdit(
        "segmentation.frag",
        "out vec4 frag_color;",
        "out vec4 frag_color;\nin vec3 view_position;\n" + _CODE_FUNCTION,
        "normals: the fragment's camera-frame position",
    ),
    ShaderEdit(
        "segmentation.frag",
        "frag_color = vec4(color, 1.0);",
        "frag_color = vec4(simgen_normal_code(view_position), 1.0 + 0.0 * color.r);",
        "normals: the octahedral code of the facing geometric normal, 12 + 12 bits in RGB",
    ),
)

# The colour pass's shaders, when a camera gives normals: a third output (after the label
# colour of ``shared_pass.LABEL_EDITS``) holds the normal code, so the shared pass gives the
# normal image too instead of a pass of its own.
NORMAL_OUTPUT_EDITS: tuple[ShaderEdit, ...] = (
    ShaderEdit(
        "mesh.vert",
        "out vec3 frag_position;",
        "out vec3 frag_position;\nout vec3 view_position;",
        "normals: the vertex's camera-frame position goes to the fragment shader",
    ),
    ShaderEdit(
        "mesh.vert",
        "frag_position = vec3(M * inst_m * vec4(position, 1.0));",
        "frag_position = vec3(M * inst_m * vec4(position, 1.0));\n    " + _VIEW_POSITION,
        "normals: computed as the normal pass computes it",
    ),
    ShaderEdit(
        "mesh.frag",
        "in vec3 frag_position;",
        "in vec3 frag_position;\nin vec3 view_position;\n"
        "layout(location = 2) out vec4 normal_code;\n" + _CODE_FUNCTION,
        "normals: a third output, the fragment's normal code",
    ),
    ShaderEdit(
        "mesh.frag",
        "label_color = vec4(label_rgb, 1.0);",
        "label_color = vec4(label_rgb, 1.0);\n"
        "    normal_code = vec4(simgen_normal_code(view_position), 1.0);",
        "normals: written beside the label colour (after LABEL_EDITS)",
    ),
)


# per 12-bit code q: e = q / STEPS * 2 - 1, its magnitude, its sign, and 1 - |e| (float64, the
# values the per-pixel arithmetic gave)
_E = np.arange(_STEPS + 1) / _STEPS * 2.0 - 1.0
_ABS_E = np.abs(_E)
_SIGN_E = np.where(_E >= 0, 1.0, -1.0)
_FOLD = 1.0 - _ABS_E


def decode(rgb: np.ndarray, surface: np.ndarray | None = None) -> np.ndarray:
    """(H, W, 3) uint8 codes -> (H, W, 3) float32 unit normals in the optical frame; zero
    where ``surface`` (H, W) is False, and where the code is 0 0 0 (nothing drawn).

    An image holds few distinct normals (flat triangles), in long runs along its rows (about
    one pixel in a hundred starts a run on the bench's frames): one compiled pass decodes a
    pixel only where its code differs from its left neighbour's, and copies the normal
    otherwise."""
    h, w, _ = rgb.shape
    codes = np.ascontiguousarray(rgb, np.uint8)
    mask = np.ones((1, 1), bool) if surface is None else np.ascontiguousarray(surface, bool)
    out = np.empty((h, w, 3), np.float32)
    _decode_image(codes, mask, surface is not None, _E, _ABS_E, _SIGN_E, _FOLD, out)
    return out


@kernel
def _decode_image(
    rgb: np.ndarray,
    surface: np.ndarray,
    masked: bool,
    e: np.ndarray,
    abs_e: np.ndarray,
    sign_e: np.ndarray,
    fold: np.ndarray,
    out: np.ndarray,
) -> None:
    h, w, _ = rgb.shape
    last = -1
    x = y = z = np.float32(0.0)
    for r in range(h):
        for c in range(w):
            red, green, blue = int(rgb[r, c, 0]), int(rgb[r, c, 1]), int(rgb[r, c, 2])
            word = 0 if masked and not surface[r, c] else (red << 16) | (green << 8) | blue
            if word != last:
                last = word
                if word == 0:
                    x = y = z = np.float32(0.0)
                else:
                    qx, qy = (red << 4) | (green >> 4), ((green & 15) << 8) | blue
                    fx, fy = e[qx], e[qy]
                    fz = 1.0 - abs_e[qx] - abs_e[qy]
                    if fz < 0:  # the back half of the octahedron folds over
                        fx, fy = fold[qy] * sign_e[qx], fold[qx] * sign_e[qy]
                    # |n| as numpy.linalg.norm sums it: (x^2 + y^2) + z^2
                    length = np.sqrt(fx * fx + fy * fy + fz * fz)
                    # OpenGL camera axes (x right, y up, z backward) -> optical (y down, z ahead)
                    x, y, z = (
                        np.float32(fx / length),
                        -np.float32(fy / length),
                        -np.float32(fz / length),
                    )
            out[r, c, 0], out[r, c, 1], out[r, c, 2] = x, y, z


def render_normals(
    offscreen: object, scene: object, seg_node_map: dict, surface: np.ndarray | None = None
) -> np.ndarray:
    """(H, W, 3) float32 unit normals of the surfaces drawn (those in ``seg_node_map``) in the
    optical frame, zero where ``surface`` (H, W) is False; without it, where nothing is drawn
    the values are meaningless (mask them by depth)."""
    import pyrender
    from pyrender.shader_program import ShaderProgramCache

    require_fields(offscreen, ("_renderer",), "normals")
    inner = offscreen._renderer  # type: ignore[attr-defined]
    require_fields(inner, ("_program_cache",), "normals")
    own = getattr(inner, "_simgen_normal_programs", None)
    if own is None:
        own = inner._simgen_normal_programs = ShaderProgramCache(
            shader_dir=_shader_dir(NORMAL_EDITS)
        )
    kept = inner._program_cache
    inner._program_cache = own
    try:
        rgb = render_color(offscreen, scene, pyrender.RenderFlags.SEG, seg_node_map)
    finally:
        inner._program_cache = kept
    return decode(rgb, surface)
