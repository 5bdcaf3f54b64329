"""The colour shader's light loops, run a number of times fixed when the shader is compiled.

pyrender's fragment shader loops over each kind of light up to a count it reads from a uniform.
llvmpipe cannot unroll such a loop or keep the lights' fields in registers, and shades every
fragment through it even when the count is zero: on the bench scene (one sun, no lamps) the
three loops cost 60 of the colour pass's 150 CPU-ms. Each program is therefore compiled for
the number of lights of each kind the pass binds (``N_*_LIGHTS``); a frame with other counts
gets its own programs, compiled once and kept. The same operations run on the same values, so
the pixels are those of the uniform-bounded loops. A program compiled without the counts (a
pass that does not set them) loops as pyrender's does.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from simgen.sensors.pyrender.patches import ShaderEdit

LIGHT_KINDS = ("DIRECTIONAL", "SPOT", "POINT")  # pyrender's order of the light-count caps
COLOUR_SHADER = "mesh.frag"

_WHY = "light loops run a count fixed at compile time (light_loops)"
_FALLBACK = "".join(
    f"\n#ifndef N_{kind}_LIGHTS\n#define N_{kind}_LIGHTS n_{kind.lower()}_lights\n#endif"
    for kind in LIGHT_KINDS
)
FIXED_LIGHT_LOOPS: tuple[ShaderEdit, ...] = (
    ShaderEdit(
        COLOUR_SHADER, "uniform int n_spot_lights;", "uniform int n_spot_lights;" + _FALLBACK, _WHY
    ),
    *(
        ShaderEdit(
            COLOUR_SHADER,
            f"for (int i = 0; i < n_{kind.lower()}_lights; i++) {{",
            f"for (int i = 0; i < N_{kind}_LIGHTS; i++) {{",
            _WHY,
        )
        for kind in LIGHT_KINDS
    ),
)


def light_counts(scene: Any, caps: list[int]) -> tuple[int, int, int]:
    """The lights of each kind a pass binds (pyrender's ``n_*_lights``): the scene's, at most
    the caps (directional, spot, point)."""
    held = (
        len(scene.directional_light_nodes),
        len(scene.spot_light_nodes),
        len(scene.point_light_nodes),
    )
    return tuple(min(n, cap) for n, cap in zip(held, caps, strict=True))  # type: ignore[return-value]


@cache
def _counted_cache_class() -> type:
    from pyrender.shader_program import ShaderProgramCache

    class CountedPrograms(ShaderProgramCache):  # type: ignore[misc, valid-type]
        """pyrender's program cache; the colour shader's programs are compiled for
        ``counts``, the light counts of the pass being drawn (None: outside one)."""

        counts: tuple[int, int, int] | None = None

        def get_program(
            self,
            vertex_shader: str,
            fragment_shader: str,
            geometry_shader: str | None = None,
            defines: dict | None = None,
        ) -> Any:
            if fragment_shader == COLOUR_SHADER and self.counts is not None:
                fixed = {f"N_{k}_LIGHTS": n for k, n in zip(LIGHT_KINDS, self.counts, strict=True)}
                defines = {**(defines or {}), **fixed}
            return super().get_program(vertex_shader, fragment_shader, geometry_shader, defines)

    return CountedPrograms


def counted_programs(shader_dir: str) -> Any:
    """A program cache over ``shader_dir`` that compiles the colour shader per light counts."""
    return _counted_cache_class()(shader_dir=shader_dir)
