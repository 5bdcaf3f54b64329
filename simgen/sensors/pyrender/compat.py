"""Every workaround for pyrender 0.1.45 (its last release) in one place.

- It pins ``PyOpenGL==3.1.0``. That version renders headless through EGL on Mesa llvmpipe, so the
  pin is kept (pyproject pins pyrender itself) rather than fought with ``--no-deps``.
- It uses ``np.infty``, which NumPy 2 removed; ``Mesh.bounds`` and shadow rendering fail on it.
- It allows at most 4 lights of each type; ``select_lights`` keeps the most relevant ones.
- It must know the OpenGL platform before its first import; headless EGL is the default here.
- It imports pyglet (for its viewer), which wants X libraries unless told it is headless.
"""

from __future__ import annotations

import hashlib
import importlib
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import numpy as np

MAX_LIGHTS_PER_TYPE = 4

LightKind = Literal["directional", "point", "spot"]


class RendererUnavailable(RuntimeError):
    """pyrender or its OpenGL platform cannot be loaded on this machine."""


def import_pyrender() -> ModuleType:
    """pyrender, imported after the NumPy 2 and headless-platform fixes are in place."""
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    # pyrender imports pyglet for its viewer; without this, pyglet looks for X libraries at
    # import and fails on servers that have none (seen on a GPU machine without libXrender)
    os.environ.setdefault("PYGLET_HEADLESS", "true")
    if not hasattr(np, "infty"):
        np.infty = np.inf  # type: ignore[attr-defined]
    try:
        pyrender = importlib.import_module("pyrender")
    except Exception as exc:  # pragma: no cover - depends on the machine's GL stack
        raise RendererUnavailable(
            f"cannot load pyrender (PYOPENGL_PLATFORM={os.environ['PYOPENGL_PLATFORM']}): {exc}. "
            "Headless rendering needs EGL and Mesa (Debian/Ubuntu: apt-get install libegl1 "
            "libegl-mesa0 libgl1-mesa-dri)."
        ) from exc
    _single_sample(pyrender)
    _cached_uniforms(pyrender)
    _draw_lists(pyrender)
    _lights_once_per_pass(pyrender)
    _lights_in_order(pyrender)
    _quiet_opengl()
    return pyrender


def _quiet_opengl() -> None:
    """PyOpenGL calls glGetError after every GL call: thousands of round trips a frame through
    llvmpipe. pyrender's calls are known good (and a broken frame shows in the tests' image
    comparisons), so the GL checker is switched to its no-op."""
    from OpenGL.raw.GL import _errors

    checker = _errors._error_checker
    checker._registeredChecker = checker._currentChecker = checker.nullGetError


def _cached_uniforms(pyrender: ModuleType) -> None:
    """pyrender sets every uniform of every primitive through PyOpenGL (about 2,000 calls a
    frame here, the lights' and cameras' again for each primitive) and asks the driver for its
    location each time. A linked program keeps both: each program object remembers its
    locations and the values it holds, and a set that would not change one is skipped (program
    ids are reused across contexts and after deletion: never key on them)."""
    program_class = pyrender.shader_program.ShaderProgram
    if getattr(program_class, "_simgen_cached", False):
        return
    module = pyrender.shader_program
    lookup = module.glGetUniformLocation
    bind = program_class._bind
    set_uniform = program_class.set_uniform
    current: list[object] = [None]

    def bind_and_remember(self: object) -> None:
        bind(self)
        current[0] = self

    def cached_location(program_id: int, name: str) -> int:
        program = current[0]
        if program is None or program._program_id != program_id:  # type: ignore[attr-defined]
            return lookup(program_id, name)
        locations = program.__dict__.setdefault("_simgen_locations", {})
        found = locations.get(name)
        if found is None:
            found = locations[name] = lookup(program_id, name)
        return found

    def set_if_changed(self: object, name: str, value: object, unsigned: bool = False) -> None:
        if isinstance(value, np.ndarray):
            key: object = (value.dtype.char, value.shape, value.tobytes(), unsigned)
        else:
            key = (type(value), value, unsigned)
        held = self.__dict__.setdefault("_simgen_values", {})
        if held.get(name) != key:
            set_uniform(self, name, value, unsigned)
            held[name] = key

    add = program_class._add_to_context

    def add_and_forget(self: object) -> None:  # a fresh link: fresh locations, default values
        self.__dict__.pop("_simgen_locations", None)
        self.__dict__.pop("_simgen_values", None)
        add(self)

    program_class._bind = bind_and_remember
    program_class._add_to_context = add_and_forget
    program_class.set_uniform = set_if_changed
    module.glGetUniformLocation = cached_location
    program_class._simgen_cached = True


def _draw_lists(pyrender: ModuleType) -> None:
    """Which meshes each pass draws, and in which order.

    - Colour and label passes: only nodes whose bounding sphere reaches into the view frustum
      (pyrender draws every node; one behind the camera costs its draw calls for nothing),
      opaque ones nearest first. pyrender draws them farthest first, so every nearer surface
      shades its pixels again; nearest first lets the depth test reject hidden fragments before
      llvmpipe shades them (a quarter off the colour pass in the bench scene). Transparent
      meshes stay farthest first, after the opaque ones.
    - Shadow pass: every node that can cast a shadow, culled or not (one behind the camera can
      throw its shadow into view); the ground (``casts_shadow = False`` on its mesh) only
      receives them, and drawn from the sun it would cover the whole map."""
    renderer = pyrender.renderer.Renderer
    if getattr(renderer, "_simgen_draw_lists", False):
        return
    shadow_pass = renderer._shadow_mapping_pass

    def casters_pass(self: object, scene: object, light_node: object, flags: int) -> None:
        self._simgen_casting = True  # type: ignore[attr-defined]
        try:
            shadow_pass(self, scene, light_node, flags)
        finally:
            self._simgen_casting = False  # type: ignore[attr-defined]

    def nodes_to_draw(self: object, scene: object) -> list[object]:
        nodes = list(scene.mesh_nodes)  # type: ignore[attr-defined]
        if getattr(self, "_simgen_casting", False):
            return [n for n in nodes if getattr(n.mesh, "casts_shadow", True)]
        spheres = {n: _sphere(scene, n) for n in nodes}
        eye = scene.get_pose(scene.main_camera_node)[:3, 3]  # type: ignore[attr-defined]

        def distance(node: object) -> float:
            return float(np.linalg.norm(spheres[node][0] - eye))

        seen = in_view(self, scene, nodes, spheres)
        solid = sorted((n for n in seen if not n.mesh.is_transparent), key=distance)
        clear = sorted((n for n in seen if n.mesh.is_transparent), key=distance, reverse=True)
        return solid + clear

    renderer._shadow_mapping_pass = casters_pass
    renderer._sorted_mesh_nodes = nodes_to_draw
    renderer._simgen_draw_lists = True


def _sphere(scene: object, node: object) -> tuple[np.ndarray, float]:
    """A mesh node's bounding sphere in the world: centre and radius."""
    mesh = node.mesh  # type: ignore[attr-defined]
    pose = scene.get_pose(node)  # type: ignore[attr-defined]
    centre = pose[:3, :3] @ mesh.centroid + pose[:3, 3]
    return centre, 0.5 * mesh.scale * float(np.abs(np.linalg.det(pose[:3, :3])) ** (1 / 3))


def in_view(
    renderer: object,
    scene: object,
    nodes: list[object],
    spheres: dict[object, tuple[np.ndarray, float]] | None = None,
) -> list[object]:
    """The nodes whose bounding sphere (``spheres``, or found here) reaches into the camera's
    view frustum."""
    camera_node = scene.main_camera_node  # type: ignore[attr-defined]
    width, height = renderer.viewport_width, renderer.viewport_height  # type: ignore[attr-defined]
    projection = camera_node.camera.get_projection_matrix(width, height)
    clip = projection @ np.linalg.inv(scene.get_pose(camera_node))  # type: ignore[attr-defined]
    # the six planes (Gribb and Hartmann), inward normals, normalised: a signed distance each
    planes = np.array([clip[3] + clip[i // 2] * (1 if i % 2 == 0 else -1) for i in range(6)])
    norms = np.linalg.norm(planes[:, :3], axis=1)
    planes = planes[norms > 1e-9] / norms[norms > 1e-9, None]  # an infinite far plane has none
    kept = []
    for node in nodes:
        centre, radius = spheres[node] if spheres is not None else _sphere(scene, node)
        if np.all(planes[:, :3] @ centre + planes[:, 3] >= -radius):
            kept.append(node)
    return kept


def _lights_once_per_pass(pyrender: ModuleType) -> None:
    """pyrender binds every light for every primitive (light poses, shadow matrices, a query of
    the driver's texture units) although a program keeps its uniforms: here a program's lights
    are set once per pass; later primitives drawn with it only bind the shadow maps again, on
    the texture units they had (pyrender hands units out afresh for each primitive)."""
    renderer = pyrender.renderer.Renderer
    if getattr(renderer, "_simgen_lights_once", False):
        return
    compute = renderer._compute_max_n_lights
    forward = renderer._forward_pass
    bind_lighting = renderer._bind_lighting
    bind_texture = renderer._bind_texture
    activate = pyrender.renderer.glActiveTexture
    unit_zero = pyrender.renderer.GL_TEXTURE0

    def max_lights(self: object, flags: int) -> list[int]:
        known = self.__dict__.setdefault("_simgen_max_lights", {})
        if flags not in known:
            known[flags] = compute(self, flags)
        return list(known[flags])

    def forward_pass(self: object, scene: object, flags: int, seg_node_map: object = None) -> Any:
        self._simgen_lit = {}  # type: ignore[attr-defined]  # program -> its shadow maps
        try:
            return forward(self, scene, flags, seg_node_map=seg_node_map)
        finally:
            self._simgen_lit = None  # type: ignore[attr-defined]

    def bind_once(self: object, scene: object, program: object, node: object, flags: int) -> None:
        lit = getattr(self, "_simgen_lit", None)
        caps = max_lights(self, flags)
        counts = (
            len(scene.directional_light_nodes),  # type: ignore[attr-defined]
            len(scene.spot_light_nodes),  # type: ignore[attr-defined]
            len(scene.point_light_nodes),  # type: ignore[attr-defined]
        )
        if lit is None or any(n > cap for n, cap in zip(counts, caps, strict=True)):
            bind_lighting(self, scene, program, node, flags)  # lights chosen per node
            return
        maps = lit.get(program)
        if maps is None:
            maps = lit[program] = []

            def remember(texture: object, name: str, prog: object) -> None:
                maps.append(texture)
                bind_texture(self, texture, name, prog)

            self._bind_texture = remember  # type: ignore[attr-defined]
            try:
                bind_lighting(self, scene, program, node, flags)
            finally:
                del self._bind_texture  # type: ignore[attr-defined]
            return
        for texture in maps:
            activate(unit_zero + self._get_next_active_texture())  # type: ignore[attr-defined]
            texture._bind()  # type: ignore[attr-defined]

    renderer._compute_max_n_lights = max_lights
    renderer._forward_pass = forward_pass
    renderer._bind_lighting = bind_once
    renderer._simgen_lights_once = True


def _lights_in_order(pyrender: ModuleType) -> None:
    """pyrender keeps lights in sets, ordered by object address, and fills the shader's light
    slots in that order; the shader sums their light in slot order, so the same lights in
    another order can round a pixel differently. Addresses change from run to run (threads
    allocate meanwhile): the lights are put in an order of their own content instead."""
    scene_class = pyrender.scene.Scene
    if getattr(scene_class, "_simgen_ordered_lights", False):
        return

    def ordered(self: object) -> list[object]:
        nodes = (
            self.point_light_nodes  # type: ignore[attr-defined]
            | self.spot_light_nodes  # type: ignore[attr-defined]
            | self.directional_light_nodes  # type: ignore[attr-defined]
        )

        def key(node: object) -> tuple:
            light = node.light  # type: ignore[attr-defined]
            pose = self.get_pose(node)  # type: ignore[attr-defined]
            return (
                type(light).__name__,
                tuple(np.round(pose[:3, 3], 6)),
                tuple(np.round(pose[:3, 2], 6)),
                float(light.intensity),
            )

        return sorted(nodes, key=key)

    scene_class.light_nodes = property(ordered)
    scene_class._simgen_ordered_lights = True


def _single_sample(pyrender: ModuleType) -> None:
    """Render into single-sampled buffers: 4x MSAA costs llvmpipe ~40 % of the colour pass, and
    the camera model's optics blur does the anti-aliasing a real lens does."""
    module = pyrender.renderer
    if getattr(module, "_simgen_single_sample", False):
        return
    storage = module.glRenderbufferStorage

    def plain(target: int, samples: int, *args: object) -> None:
        storage(target, *args)

    module.glRenderbufferStorageMultisample = plain
    module._simgen_single_sample = True


SHADOW_REACH = 70.0  # metres around the focus point that the sun's shadow map covers


@cache
def _shader_dir() -> str:
    """pyrender's shaders with its 36-tap shadow filter cut to one bilinear 4-tap lookup and a
    shadow bias for a focused map. Written once per content into the temporary folder (named by
    its digest, moved into place whole), so workers share it and nothing piles up."""
    import pyrender

    source = Path(pyrender.__file__).parent / "shaders"
    texts = {}
    for path in sorted(source.iterdir()):
        text = path.read_text()
        if path.name == "mesh.frag":
            text = text.replace(
                "float shadow = PCF(shadow_map, textureSize(shadow_map, 0), light_coords.xy, "
                "compare);",
                "float shadow = texture2DShadowLerp(shadow_map, vec2(textureSize(shadow_map, 0)), "
                "light_coords.xy, compare);",
            )
            # a focused map (7 cm texels) needs a larger slope-scaled bias against acne
            text = text.replace(
                "float bias = max(0.001 * (1.0 - nl), 0.0001) / proj_coords.w;",
                "float bias = max(0.003 * (1.0 - nl), 0.00025) / proj_coords.w;",
            )
        texts[path.name] = text
    digest = hashlib.sha256(repr(sorted(texts.items())).encode()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"simgen-shaders-{digest}"
    if not target.is_dir():
        staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.partial-"))
        for name, text in texts.items():
            (staging / name).write_text(text)
        try:
            staging.rename(target)
        except OSError:  # another process put it in place first
            shutil.rmtree(staging, ignore_errors=True)
    return str(target)


def focus_shadows(offscreen: object, focus: np.ndarray) -> None:
    """Aim the sun's shadow map at the ``SHADOW_REACH`` metres around ``focus`` (ahead of the
    camera) instead of the whole scene: 2048 texels over 140 m are 7 cm each, sharp at 10 m."""
    import pyrender
    from pyrender.shader_program import ShaderProgramCache

    inner = offscreen._renderer  # type: ignore[attr-defined]
    if not isinstance(getattr(inner, "_simgen_shaders", None), str):
        inner._program_cache = ShaderProgramCache(shader_dir=_shader_dir())
        inner._simgen_shaders = _shader_dir()

    def matrices(scene: object, light_node: object, flags: int) -> tuple[np.ndarray, np.ndarray]:
        pose = scene.get_pose(light_node).copy()  # type: ignore[attr-defined]
        reach = SHADOW_REACH
        camera = pyrender.OrthographicCamera(xmag=reach, ymag=reach, znear=1.0, zfar=6 * reach)
        pose[:3, 3] = focus + pose[:3, 2] * 3 * reach  # back along the light's +z
        return np.linalg.inv(pose), camera.get_projection_matrix()

    inner._get_light_cam_matrices = matrices


@dataclass(frozen=True)
class LightSource:
    kind: LightKind
    intensity: float
    position: tuple[float, float, float] = (0.0, 0.0, 0.0)
    direction: tuple[float, float, float] = (1.0, 0.0, 0.0)  # where a spot light points

    def relevance(self, viewpoint: tuple[float, float, float]) -> float:
        """Light reaching the viewpoint: directional lights are everywhere, others fall off."""
        if self.kind == "directional":
            return math.inf if self.intensity > 0 else 0.0
        return self.intensity / (1.0 + math.dist(self.position, viewpoint) ** 2)


def select_lights(
    lights: list[LightSource],
    viewpoint: tuple[float, float, float],
    max_per_type: int = MAX_LIGHTS_PER_TYPE,
) -> list[LightSource]:
    """The ``max_per_type`` most relevant lights of each kind, in a stable order."""
    chosen: list[LightSource] = []
    for kind in ("directional", "point", "spot"):
        of_kind = [(i, light) for i, light in enumerate(lights) if light.kind == kind]
        of_kind.sort(key=lambda item: (-item[1].relevance(viewpoint), item[0]))
        chosen += [light for _, light in of_kind[:max_per_type]]
    return chosen


def _read_color_only(renderer: object, scene: object, flags: int) -> tuple[np.ndarray, None]:
    """pyrender's framebuffer read without the depth blit and readback a colour pass never uses."""
    from OpenGL import GL

    width, height = renderer._main_fb_dims  # type: ignore[attr-defined]
    GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, renderer._main_fb_ms)  # type: ignore[attr-defined]
    GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, renderer._main_fb)  # type: ignore[attr-defined]
    GL.glBlitFramebuffer(
        0, 0, width, height, 0, 0, width, height, GL.GL_COLOR_BUFFER_BIT, GL.GL_LINEAR
    )
    GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, renderer._main_fb)  # type: ignore[attr-defined]
    buffer = GL.glReadPixels(0, 0, width, height, GL.GL_RGB, GL.GL_UNSIGNED_BYTE)
    color = np.frombuffer(buffer, dtype=np.uint8).reshape((height, width, 3))
    return np.flip(color, axis=0), None


def render_color(offscreen: object, scene: object, flags: int) -> np.ndarray:
    """A colour-only render: about 10 ms less than ``OffscreenRenderer.render`` at 1280x720."""
    inner = offscreen._renderer  # type: ignore[attr-defined]
    inner._read_main_framebuffer = lambda s, f: _read_color_only(inner, s, f)
    try:
        color, _ = offscreen.render(scene, flags=flags)  # type: ignore[attr-defined]
    finally:
        del inner._read_main_framebuffer
    return color
