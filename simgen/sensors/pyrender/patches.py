"""Process-wide patches of pyrender 0.1.45's internals (and of PyOpenGL's error checker) that
make its frames cheaper and deterministic, each checked against what it was written for.

Every patch names the attributes it replaces or calls (``Hook``), with the parameters it expects
of a function; every shader edit names the exact text it replaces. When pyrender changes, a
missing attribute, another signature or shader text not found raises ``PatchError`` naming the
versions and the patch, at import (``apply_patches``), instead of a frame rendered wrongly.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

# a mesh node's number in the order it was added to the scene: the draw order of nodes at the same
# distance from the camera (set by the camera, read by ``_draw_lists``)
DRAW_ORDER = "simgen_order"
# set True on a mesh the camera takes out of the scene to put back later (a walker's earlier
# pose): its GL buffers are kept until the flag is cleared (``_kept_meshes``)
KEEP_IN_CONTEXT = "simgen_keep"
SHADOW_REACH = 70.0  # metres around the focus point that the sun's shadow map covers
WRITTEN_FOR = "pyrender 0.1.45, PyOpenGL 3.1.0 (and pyrender-maintained 1.0.1, PyOpenGL 3.1.10)"

_MISSING = object()


class PatchError(RuntimeError):
    """A patch does not fit the installed pyrender: it changed since the patch was written."""


@dataclass(frozen=True)
class Hook:
    """One attribute a patch replaces or calls, as the patch was written against it."""

    owner: str  # dotted path: a module, then attributes ("pyrender.renderer.Renderer")
    name: str
    params: tuple[str, ...] | None = None  # a function's parameter names; None: not checked
    is_property: bool = False

    def __str__(self) -> str:
        return f"{self.owner}.{self.name}"


# given each hook's original by name, the replacements by hook name
Install = Callable[[Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class Patch:
    name: str
    hooks: tuple[Hook, ...]
    install: Install | None  # None: applied to each renderer or call by its own function


@dataclass(frozen=True)
class ShaderEdit:
    """``old`` replaced by ``new`` in one of pyrender's shader files; ``old`` must occur once."""

    file: str
    old: str
    new: str
    why: str


def installed_versions() -> str:
    """The versions of the libraries the patches touch, for error messages."""
    found = []
    # pyrender itself on Python 3.11; its fork pyrender-maintained (same import name) on 3.12+
    for packages in (("pyrender", "pyrender-maintained"), ("PyOpenGL",)):
        for package in packages:
            try:
                found.append(f"{package} {version(package)}")
                break
            except PackageNotFoundError:
                continue
        else:
            found.append(f"{packages[0]} (not installed)")
    return ", ".join(found)


def patch_error(patch: str, what: str) -> PatchError:
    return PatchError(
        f"{installed_versions()}: pyrender patch {patch!r}: {what}. The patches in "
        f"simgen/sensors/pyrender/patches.py were written for {WRITTEN_FOR}."
    )


def resolve(path: str, patch: str) -> object:
    """The module or object at a dotted ``path``."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
            break
        except ImportError:
            continue
    else:
        raise patch_error(patch, f"cannot import {parts[0]}")
    for depth, part in enumerate(parts[split:], start=split):
        found = getattr(found, part, _MISSING)
        if found is _MISSING:
            raise patch_error(patch, f"{'.'.join(parts[: depth + 1])} is missing")
    return found


def check_hook(owner: object, hook: Hook, patch: str) -> Any:
    """``hook``'s attribute of ``owner``, if it is what the patch expects."""
    value = getattr(owner, hook.name, _MISSING)
    if value is _MISSING:
        raise patch_error(patch, f"{hook} is missing")
    return check_value(value, hook, patch)


def check_value(value: Any, hook: Hook, patch: str) -> Any:
    if hook.is_property and not isinstance(value, property):
        raise patch_error(patch, f"{hook} is a {type(value).__name__}, not a property")
    if hook.params is not None:
        try:
            found: tuple[str, ...] | None = tuple(inspect.signature(value).parameters)
        except (TypeError, ValueError):
            found = None
        if found != hook.params:
            shown = "no signature" if found is None else f"({', '.join(found)})"
            raise patch_error(patch, f"expects {hook}({', '.join(hook.params)}), found {shown}")
    return value


def require_fields(obj: object, names: tuple[str, ...], patch: str) -> None:
    """Instance fields a patch reads, which no class attribute shows."""
    for name in names:
        if not hasattr(obj, name):
            raise patch_error(patch, f"{type(obj).__qualname__} objects have no {name}")


_ORIGINALS: dict[tuple[str, str], Any] = {}  # what each replaced hook was before
_INSTALLED: dict[str, dict[Hook, Any]] = {}  # patch name -> its replacements


def original(hook: Hook, patch: str) -> Any:
    """The hook's attribute as pyrender has it (before a patch replaced it), checked."""
    key = (hook.owner, hook.name)
    if key in _ORIGINALS:
        return check_value(_ORIGINALS[key], hook, patch)
    return check_hook(resolve(hook.owner, patch), hook, patch)


def apply(patch: Patch) -> None:
    """Check the patch's hooks and install it, once per process."""
    if patch.name in _INSTALLED:
        return
    originals = {hook.name: original(hook, patch.name) for hook in patch.hooks}
    replacements = dict(patch.install(originals)) if patch.install is not None else {}
    by_name = {hook.name: hook for hook in patch.hooks}
    unknown = set(replacements) - set(by_name)
    if unknown:
        raise patch_error(patch.name, f"replaces {sorted(unknown)}, which it does not declare")
    for name, replacement in replacements.items():
        hook = by_name[name]
        _ORIGINALS.setdefault((hook.owner, hook.name), originals[name])
        setattr(resolve(hook.owner, patch.name), hook.name, replacement)
    _INSTALLED[patch.name] = {by_name[name]: value for name, value in replacements.items()}


def is_applied(patch: Patch) -> bool:
    """Whether the patch is installed and every attribute it replaces still holds its own."""
    installed = _INSTALLED.get(patch.name)
    if installed is None:
        return False
    return all(
        getattr(resolve(hook.owner, patch.name), hook.name, _MISSING) is value
        for hook, value in installed.items()
    )


def apply_patches() -> None:
    """Every patch, and a check that every shader edit finds its text: pyrender is imported."""
    for patch in PATCHES:
        apply(patch)
    _shader_texts()


# ---- the patches -------------------------------------------------------------------------------

RENDERER = "pyrender.renderer.Renderer"
PROGRAM = "pyrender.shader_program.ShaderProgram"


def _single_sample(originals: Mapping[str, Any]) -> dict[str, Any]:
    """Render into single-sampled buffers: 4x MSAA costs llvmpipe ~40 % of the colour pass, and
    the camera model's optics blur does the anti-aliasing a real lens does."""
    storage = originals["glRenderbufferStorage"]

    def plain(target: int, samples: int, *args: object) -> None:
        storage(target, *args)

    return {"glRenderbufferStorageMultisample": plain}


def _cached_uniforms(originals: Mapping[str, Any]) -> dict[str, Any]:
    """pyrender sets every uniform of every primitive through PyOpenGL (about 2,000 calls a
    frame here, the lights' and cameras' again for each primitive) and asks the driver for its
    location each time. A linked program keeps both: each program object remembers its
    locations and the values it holds, and a set that would not change one is skipped (program
    ids are reused across contexts and after deletion: never key on them)."""
    lookup = originals["glGetUniformLocation"]
    bind = originals["_bind"]
    set_uniform = originals["set_uniform"]
    add = originals["_add_to_context"]
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

    def add_and_forget(self: object) -> None:  # a fresh link: fresh locations, default values
        self.__dict__.pop("_simgen_locations", None)
        self.__dict__.pop("_simgen_values", None)
        add(self)

    return {
        "_bind": bind_and_remember,
        "_add_to_context": add_and_forget,
        "set_uniform": set_if_changed,
        "glGetUniformLocation": cached_location,
    }


def _draw_lists(originals: Mapping[str, Any]) -> dict[str, Any]:
    """Which meshes each pass draws, and in which order.

    - Colour and label passes: only nodes whose bounding sphere reaches into the view frustum
      (pyrender draws every node; one behind the camera costs its draw calls for nothing),
      opaque ones nearest first. pyrender draws them farthest first, so every nearer surface
      shades its pixels again; nearest first lets the depth test reject hidden fragments before
      llvmpipe shades them (a quarter off the colour pass in the bench scene). Transparent
      meshes stay farthest first, after the opaque ones.
    - Shadow pass: every node that can cast a shadow, culled or not (one behind the camera can
      throw its shadow into view); the ground (``casts_shadow = False`` on its mesh) only
      receives them, and drawn from the sun it would cover the whole map. A mesh marked
      ``shadow_only`` (a caster's stand-in) is drawn in the shadow pass alone."""
    shadow_pass = originals["_shadow_mapping_pass"]

    def casters_pass(self: object, scene: object, light_node: object, flags: int) -> None:
        self._simgen_casting = True  # type: ignore[attr-defined]
        try:
            if any(n.mesh.is_visible for n in nodes_to_draw(self, scene)):
                shadow_pass(self, scene, light_node, flags)
            else:  # pyrender's pass fails on an empty list (it unbinds a program never bound)
                self._configure_shadow_mapping_viewport(light_node.light, flags)  # type: ignore[attr-defined]
        finally:
            self._simgen_casting = False  # type: ignore[attr-defined]

    def nodes_to_draw(self: object, scene: object) -> list[object]:
        nodes = list(scene.mesh_nodes)  # type: ignore[attr-defined]
        if getattr(self, "_simgen_casting", False):
            return [n for n in nodes if getattr(n.mesh, "casts_shadow", True)]
        nodes = [n for n in nodes if not getattr(n.mesh, "shadow_only", False)]
        spheres = {n: _sphere(scene, n) for n in nodes}
        eye = scene.get_pose(scene.main_camera_node)[:3, 3]  # type: ignore[attr-defined]

        def distance(node: object) -> tuple[float, int]:  # ties in the order the nodes were added
            return float(np.linalg.norm(spheres[node][0] - eye)), getattr(node, DRAW_ORDER, -1)

        seen = in_view(self, scene, nodes, spheres)
        solid = sorted((n for n in seen if not n.mesh.is_transparent), key=distance)
        clear = sorted((n for n in seen if n.mesh.is_transparent), key=distance, reverse=True)
        return solid + clear

    return {"_shadow_mapping_pass": casters_pass, "_sorted_mesh_nodes": nodes_to_draw}


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


PYRENDER_LIGHTS_PER_TYPE = 4  # pyrender's MAX_N_LIGHTS
# a night street has a lamp every 25-30 m: eight point lights light the road the camera sees
# to about 100 m (pyrender's four left every lamp past the second pair dark); unshadowed point
# lights use no texture units, so only the shader's loop grows, and only where lamps are lit
MAX_POINT_LIGHTS = 8


def _kept_meshes(originals: Mapping[str, Any]) -> dict[str, Any]:
    """pyrender frees a mesh's GL buffers the first frame it is not in the scene, and uploads
    them again when it comes back. An articulated road user changes its mesh with its pose a
    few times a second and comes back to each of its poses every gait cycle: a mesh marked
    ``KEEP_IN_CONTEXT`` keeps its buffers while it is out of the scene, and is drawn from them
    when it returns. Clearing the mark frees them at the next frame."""
    update = originals["_update_context"]
    bound = originals["_in_context"]

    def update_keeping(self: Any, scene: Any, flags: int) -> None:
        present = scene.meshes
        away = {m for m in self._meshes - present if getattr(m, KEEP_IN_CONTEXT, False)}
        back = {m for m in present - self._meshes if all(bound(p) for p in m.primitives)}
        self._meshes = (self._meshes - away) | back  # pyrender neither frees nor re-adds these
        try:
            update(self, scene, flags)
        finally:
            self._meshes |= away

    return {"_update_context": update_keeping}


def _lights_once_per_pass(originals: Mapping[str, Any]) -> dict[str, Any]:
    """pyrender binds every light for every primitive (light poses, shadow matrices, a query of
    the driver's texture units) although a program keeps its uniforms: here a program's lights
    are set once per pass; later primitives drawn with it only bind the shadow maps again, on
    the texture units they had (pyrender hands units out afresh for each primitive)."""
    compute = originals["_compute_max_n_lights"]
    forward = originals["_forward_pass"]
    bind_lighting = originals["_bind_lighting"]
    bind_texture = originals["_bind_texture"]
    activate = originals["glActiveTexture"]
    unit_zero = originals["GL_TEXTURE0"]

    def max_lights(self: object, flags: int) -> list[int]:
        known = self.__dict__.setdefault("_simgen_max_lights", {})
        if flags not in known:
            caps = list(compute(self, flags))
            if caps[2] == PYRENDER_LIGHTS_PER_TYPE:  # no shadow maps to share texture units
                caps[2] = MAX_POINT_LIGHTS
            known[flags] = caps
        return list(known[flags])

    def forward_pass(self: object, scene: object, flags: int, seg_node_map: object = None) -> Any:
        with lights_once(self, scene, flags):
            return forward(self, scene, flags, seg_node_map=seg_node_map)

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

    return {
        "_compute_max_n_lights": max_lights,
        "_forward_pass": forward_pass,
        "_bind_lighting": bind_once,
    }


@contextmanager
def lights_once(renderer: object, scene: object, flags: int) -> Iterator[None]:
    """A forward pass in which each program's lights are bound once (``lights_once_per_pass``),
    drawn with programs compiled for the counts of lights it binds (``light_loops``)."""
    from simgen.sensors.pyrender.light_loops import light_counts

    renderer._simgen_lit = {}  # type: ignore[attr-defined]  # program -> its shadow maps
    programs = renderer._program_cache  # type: ignore[attr-defined]
    counted = hasattr(programs, "counts")
    if counted:
        programs.counts = light_counts(scene, renderer._compute_max_n_lights(flags))  # type: ignore[attr-defined]
    try:
        yield
    finally:
        renderer._simgen_lit = None  # type: ignore[attr-defined]
        if counted:
            programs.counts = None


def _lights_in_order(originals: Mapping[str, Any]) -> dict[str, Any]:
    """pyrender keeps lights in sets, ordered by object address, and fills the shader's light
    slots in that order; the shader sums their light in slot order, so the same lights in
    another order can round a pixel differently. Addresses change from run to run (threads
    allocate meanwhile): the lights are put in an order of their own content instead."""

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

    return {"light_nodes": property(ordered)}


def _quiet_opengl(originals: Mapping[str, Any]) -> dict[str, Any]:
    """PyOpenGL calls glGetError after every GL call: thousands of round trips a frame through
    llvmpipe. pyrender's calls are known good (and a broken frame shows in the tests' image
    comparisons), so the GL checker is switched to its no-op."""
    null = originals["nullGetError"]
    return {"_registeredChecker": null, "_currentChecker": null}


def _precomputed_mipmaps(originals: Mapping[str, Any]) -> dict[str, Any]:
    """A texture's mip levels uploaded from ``mipmaps.box_levels`` instead of made by
    ``glGenerateMipmap``: the same texels as llvmpipe's, without its first-use shader compile
    (70 ms a rendering process), and the same on every driver. Other textures (not square,
    not 8-bit) are left to the driver."""
    from simgen.sensors.pyrender.mipmaps import box_levels

    add, generate = originals["_add_to_context"], originals["glGenerateMipmap"]
    upload, fmt = originals["glTexImage2D"], originals["GL_RGB"]
    adding: list[Any] = []  # the texture pyrender is putting into the context

    def add_with_levels(self: Any) -> None:
        adding.append(self)
        try:
            add(self)
        finally:
            adding.pop()

    def generate_levels(target: int) -> None:
        texture: Any = adding[-1] if adding else None
        levels = None
        if texture is not None and texture.source is not None and texture.source_channels == "RGB":
            uploaded = np.ascontiguousarray(np.flip(texture.source, axis=0))  # pyrender's rows
            levels = box_levels(uploaded)
        if levels is None:
            generate(target)
            return
        store, alignment = originals["glPixelStorei"], originals["GL_UNPACK_ALIGNMENT"]
        was = int(originals["glGetIntegerv"](alignment))
        store(alignment, 1)  # rows of 2 RGB texels are 6 bytes, not a multiple of 4
        try:
            for index, level in enumerate(levels, start=1):
                size = level.shape[0]
                upload(target, index, fmt, size, size, 0, fmt, texture.data_format, level)
        finally:
            store(alignment, was)

    return {"_add_to_context": add_with_levels, "glGenerateMipmap": generate_levels}


_ERRORS = "OpenGL.raw.GL._errors._error_checker"
_SCENE = "pyrender.scene.Scene"

PATCHES: tuple[Patch, ...] = (
    Patch(
        "single_sample",
        (
            Hook("pyrender.renderer", "glRenderbufferStorage"),
            Hook("pyrender.renderer", "glRenderbufferStorageMultisample"),
        ),
        _single_sample,
    ),
    Patch(
        "cached_uniforms",
        (
            Hook(PROGRAM, "_bind", ("self",)),
            Hook(PROGRAM, "_add_to_context", ("self",)),
            Hook(PROGRAM, "set_uniform", ("self", "name", "value", "unsigned")),
            Hook("pyrender.shader_program", "glGetUniformLocation"),
        ),
        _cached_uniforms,
    ),
    Patch(
        "draw_lists",
        (
            Hook(RENDERER, "_shadow_mapping_pass", ("self", "scene", "light_node", "flags")),
            Hook(RENDERER, "_sorted_mesh_nodes", ("self", "scene")),
        ),
        _draw_lists,
    ),
    Patch(
        "kept_meshes",
        (
            Hook(RENDERER, "_update_context", ("self", "scene", "flags")),
            Hook("pyrender.primitive.Primitive", "_in_context", ("self",)),
        ),
        _kept_meshes,
    ),
    Patch(
        "lights_once_per_pass",
        (
            Hook(RENDERER, "_compute_max_n_lights", ("self", "flags")),
            Hook(RENDERER, "_forward_pass", ("self", "scene", "flags", "seg_node_map")),
            Hook(RENDERER, "_bind_lighting", ("self", "scene", "program", "node", "flags")),
            Hook(RENDERER, "_bind_texture", ("self", "texture", "uniform_name", "program")),
            Hook(RENDERER, "_get_next_active_texture", ("self",)),
            Hook(  # light_loops' program cache adds the light counts to its defines
                "pyrender.shader_program.ShaderProgramCache",
                "get_program",
                ("self", "vertex_shader", "fragment_shader", "geometry_shader", "defines"),
            ),
            Hook("pyrender.renderer", "glActiveTexture"),
            Hook("pyrender.renderer", "GL_TEXTURE0"),
        ),
        _lights_once_per_pass,
    ),
    Patch(
        "lights_in_order",
        (
            Hook(_SCENE, "light_nodes", is_property=True),
            Hook(_SCENE, "point_light_nodes", is_property=True),
            Hook(_SCENE, "spot_light_nodes", is_property=True),
            Hook(_SCENE, "directional_light_nodes", is_property=True),
            Hook(_SCENE, "get_pose", ("self", "node")),
        ),
        _lights_in_order,
    ),
    Patch(
        "precomputed_mipmaps",
        (
            Hook("pyrender.texture.Texture", "_add_to_context", ("self",)),
            Hook("pyrender.texture", "glGenerateMipmap"),
            Hook("pyrender.texture", "glTexImage2D"),
            Hook("pyrender.texture", "GL_RGB"),
            Hook("pyrender.texture", "glPixelStorei"),
            Hook("pyrender.texture", "GL_UNPACK_ALIGNMENT"),
            Hook("pyrender.texture", "glGetIntegerv"),
        ),
        _precomputed_mipmaps,
    ),
    Patch(
        "quiet_opengl",
        (
            Hook(_ERRORS, "_registeredChecker"),
            Hook(_ERRORS, "_currentChecker"),
            Hook(_ERRORS, "nullGetError"),
        ),
        _quiet_opengl,
    ),
    # applied to a renderer by ``focus_shadows``
    Patch(
        "focused_shadows",
        (
            Hook(RENDERER, "_get_light_cam_matrices", ("self", "scene", "light_node", "flags")),
            Hook("pyrender.shader_program.ShaderProgramCache", "__init__", ("self", "shader_dir")),
        ),
        None,
    ),
    # applied to one render by ``render_color``
    Patch(
        "color_only",
        (
            Hook(
                "pyrender.offscreen.OffscreenRenderer",
                "render",
                ("self", "scene", "flags", "seg_node_map"),
            ),
            Hook(RENDERER, "_read_main_framebuffer", ("self", "scene", "flags")),
        ),
        None,
    ),
)

# ---- shaders -----------------------------------------------------------------------------------

# The sky as an environment (``ambient_light`` carries the sky's strength; world z is up): sky
# light falls more on faces turned up than on those turned to the road, and glossy surfaces
# mirror the sky, the bright horizon and the dark road with Fresnel's weight. Paint (metallic
# above the camera's metal threshold) has a clear coat: a sharp, untinted reflection over it.
ENVIRONMENT = """
    vec3 env_v = normalize(cam_pos - frag_position);
    float env_fresnel = pow(1.0 - clamp(abs(dot(n, env_v)), 0.0, 1.0), 5.0);
    color.xyz += base_color.xyz * ambient_light * mix(0.6, 1.1, 0.5 + 0.5 * n.z);
    vec3 env_r = reflect(-env_v, n);
    vec3 env_col = env_r.z >= 0.0
        ? ambient_light * mix(vec3(1.9), vec3(0.9, 1.25, 1.8), sqrt(clamp(env_r.z, 0.0, 1.0)))
        : ambient_light * mix(vec3(0.9), vec3(0.2), clamp(-5.0 * env_r.z, 0.0, 1.0));
    float env_gloss = (1.0 - roughness) * (1.0 - roughness);
    color.xyz += (f0 + (1.0 - f0) * env_fresnel) * env_col * env_gloss;
    if (metallic > 0.2) {
        color.xyz += (0.04 + 0.96 * env_fresnel) * env_col * 0.8;
    }
"""
ENV_WHY = "sky light by facing, and the sky mirrored in paint (clear coat), glass and chrome"

# pyrender shades a surface drawn without vertex normals as if it faced the camera (its normal
# is the direction to the eye): the sun would light every face alike, whichever way it turns,
# and the sky's light by facing and its reflections in paint and glass would see no surface.
# Such a surface is shaded by its facet's own normal instead, turned to the eye, as the normal
# output computes it (``normals.simgen_normal_code``).
SURFACE_NORMALS = ShaderEdit(
    "mesh.frag",
    "return normalize(cam_pos - frag_position);",
    "vec3 facet = normalize(cross(dFdx(frag_position), dFdy(frag_position)));\n"
    "    return dot(facet, cam_pos - frag_position) < 0.0 ? -facet : facet;",
    "a surface without vertex normals shaded by its facet's normal, not as facing the camera",
)

SHADER_EDITS: tuple[ShaderEdit, ...] = (
    ShaderEdit(
        "mesh.frag",
        "float shadow = PCF(shadow_map, textureSize(shadow_map, 0), light_coords.xy, compare);",
        "float shadow = texture2DShadowLerp(shadow_map, vec2(textureSize(shadow_map, 0)), "
        "light_coords.xy, compare);",
        "the 36-tap shadow filter cut to one bilinear 4-tap lookup",
    ),
    ShaderEdit(
        "mesh.frag",
        "float bias = max(0.001 * (1.0 - nl), 0.0001) / proj_coords.w;",
        "float bias = max(0.003 * (1.0 - nl), 0.00025) / proj_coords.w;",
        "a focused map (7 cm texels) needs a larger slope-scaled bias against acne",
    ),
    ShaderEdit("mesh.frag", "color.xyz += base_color.xyz * ambient_light;", ENVIRONMENT, ENV_WHY),
    SURFACE_NORMALS,
)


def edit_shaders(
    texts: Mapping[str, str], edits: tuple[ShaderEdit, ...] = SHADER_EDITS
) -> dict[str, str]:
    """The shader files' texts with ``edits`` made; an edit whose text is not found exactly
    once raises."""
    out = dict(texts)
    for edit in edits:
        patch = f"shader {edit.file}: {edit.why}"
        if edit.file not in out:
            raise patch_error(patch, f"pyrender has no shader {edit.file}")
        found = out[edit.file].count(edit.old)
        if found != 1:
            raise patch_error(patch, f"{edit.file} holds {edit.old!r} {found} times, not once")
        out[edit.file] = out[edit.file].replace(edit.old, edit.new)
    return out


@cache
def _shader_texts(edits: tuple[ShaderEdit, ...] = SHADER_EDITS) -> dict[str, str]:
    """pyrender's shaders, edited (``SHADER_EDITS`` by default)."""
    import pyrender

    source = Path(pyrender.__file__).parent / "shaders"
    texts = {path.name: path.read_text() for path in sorted(source.iterdir())}
    return edit_shaders(texts, edits)


@cache
def _shader_dir(edits: tuple[ShaderEdit, ...] = SHADER_EDITS) -> str:
    """The edited shaders, written once per content into the temporary folder (named by its
    digest, moved into place whole), so workers share it and nothing piles up."""
    texts = _shader_texts(edits)
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


# ---- per renderer and per call -----------------------------------------------------------------


def use_shaders(offscreen: object, edits: tuple[ShaderEdit, ...]) -> None:
    """Draw with pyrender's shaders edited by ``edits`` (``SHADER_EDITS`` and others'), the
    colour shader compiled per light counts where ``edits`` fix its loops (``light_loops``)."""
    from pyrender.shader_program import ShaderProgramCache

    from simgen.sensors.pyrender.light_loops import FIXED_LIGHT_LOOPS, counted_programs

    require_fields(offscreen, ("_renderer",), "edited_shaders")
    inner = offscreen._renderer  # type: ignore[attr-defined]
    require_fields(inner, ("_program_cache",), "edited_shaders")
    if getattr(inner, "_simgen_edits", None) != edits:
        fixed = set(FIXED_LIGHT_LOOPS) <= set(edits)
        programs = counted_programs if fixed else ShaderProgramCache
        inner._program_cache = programs(shader_dir=_shader_dir(edits))
        inner._simgen_edits = edits


def focus_shadows(offscreen: object, focus: np.ndarray) -> None:
    """Aim the sun's shadow map at the ``SHADOW_REACH`` metres around ``focus`` (ahead of the
    camera) instead of the whole scene: 2048 texels over 140 m are 7 cm each, sharp at 10 m.
    The renderer draws with the edited shaders (``SHADER_EDITS``)."""
    import pyrender

    inner = offscreen._renderer  # type: ignore[attr-defined]
    if not set(SHADER_EDITS) <= set(getattr(inner, "_simgen_edits", ())):
        use_shaders(offscreen, SHADER_EDITS)

    def matrices(scene: object, light_node: object, flags: int) -> tuple[np.ndarray, np.ndarray]:
        pose = scene.get_pose(light_node).copy()  # type: ignore[attr-defined]
        reach = SHADOW_REACH
        camera = pyrender.OrthographicCamera(xmag=reach, ymag=reach, znear=1.0, zfar=6 * reach)
        pose[:3, 3] = focus + pose[:3, 2] * 3 * reach  # back along the light's +z
        return np.linalg.inv(pose), camera.get_projection_matrix()

    inner._get_light_cam_matrices = matrices


_FRAMEBUFFERS = ("_main_fb_dims", "_main_fb_ms", "_main_fb")


def read_color_only(renderer: object, scene: object, flags: int) -> tuple[np.ndarray, None]:
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


def render_color(
    offscreen: object, scene: object, flags: int, seg_node_map: dict | None = None
) -> np.ndarray:
    """A colour-only render: about 10 ms less than ``OffscreenRenderer.render`` at 1280x720."""
    require_fields(offscreen, ("_renderer",), "color_only")
    inner = offscreen._renderer  # type: ignore[attr-defined]
    require_fields(inner, _FRAMEBUFFERS, "color_only")
    inner._read_main_framebuffer = lambda s, f: read_color_only(inner, s, f)
    try:
        color, _ = offscreen.render(  # type: ignore[attr-defined]
            scene, flags=flags, seg_node_map=seg_node_map
        )
    finally:
        del inner._read_main_framebuffer
    return color
