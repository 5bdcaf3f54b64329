"""The camera back end: pyrender through EGL, headless.

Two passes at most per frame:
- a shaded colour pass (multisampled) for RGB;
- one flat-colour pass, without multisampling, whose colour encodes the instance id (red, green)
  and the semantic class (blue) of every pixel; its depth buffer gives metric depth along the
  optical axis. Masks and depth come from the same rasterisation, so they agree pixel for pixel.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from simgen.core.classes import BY_NAME
from simgen.scenario.models import Environment
from simgen.sensors.appearance import PAINTED
from simgen.sensors.contact_shadow import SHADOWED, contact_shadow
from simgen.sensors.frames import CameraFrame, CameraRender, encode_label, ready
from simgen.sensors.pyrender.antialias import release, render_antialiased
from simgen.sensors.pyrender.compat import LightSource, import_pyrender, select_lights
from simgen.sensors.pyrender.light_loops import FIXED_LIGHT_LOOPS
from simgen.sensors.pyrender.normals import NORMAL_OUTPUT_EDITS, decode, render_normals
from simgen.sensors.pyrender.patches import (
    DRAW_ORDER,
    KEEP_IN_CONTEXT,
    SHADER_EDITS,
    SHADOW_REACH,
    SURFACE_NORMALS,
    focus_shadows,
    render_color,
    use_shaders,
)
from simgen.sensors.pyrender.shared_pass import LABEL_EDITS, render_color_and_labels
from simgen.sensors.rig import CameraCalibration
from simgen.sensors.scene import Placed
from simgen.sensors.sky import sky_color, sun_direction, sun_strength
from simgen.sensors.surfaces import glow_image, texture_image

SKY_ID = BY_NAME["sky"].id
# flat surfaces that receive shadows but cast none worth drawing into the shadow map
GROUND = frozenset(BY_NAME[n].id for n in ("road", "sidewalk", "lane_marking", "terrain"))
METAL = 0.2  # parts more metallic than this share the metal primitive of their node
# linear radiance of a lit window at full white: a room's light seen through the glass, well
# above the lamp-lit street (about 10x the road under a street lamp, as in night photographs)
WINDOW_GLOW = 0.2
Z_NEAR, Z_FAR = 0.1, 1000.0
GEOMETRY_OUTPUTS = frozenset({"depth", "instance", "semantic", "normals"})  # need the label pass
# OpenCV optical frame -> OpenGL camera frame (looking down -z, y up)
GL_FROM_OPTICAL = np.diag([1.0, -1.0, -1.0, 1.0])


def _is_lamp(placed: Placed) -> bool:
    return placed.part.key.endswith("lights")


def group_finish(group: list[Placed]) -> Placed:
    """The part whose finish a merged primitive wears: the painted one where the group has it
    (a vehicle's body merges with its chrome and rims, and must keep its paint's finish however
    many triangles the wheels have), else the biggest."""
    painted = [p for p in group if p.part.key.rsplit("/", 1)[-1] in PAINTED]
    return painted[0] if painted else max(group, key=lambda p: len(p.part.faces))


def _look_along(position: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """A pose whose -z axis points along ``direction`` (pyrender lights shine along -z)."""
    z = -direction / np.linalg.norm(direction)
    helper = np.array([0.0, 0.0, 1.0]) if abs(z[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    x = np.cross(helper, z)
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = x, y, z, position
    return pose


# an articulated road user's shapes kept at most: a gait cycle's poses (``pose.PHASES``) and more
KEPT_SHAPES = 64


@dataclasses.dataclass(frozen=True)
class ActorNodes:
    """A road user's nodes in one shape: its mesh (labelled), the material of its lamps (None:
    none), its contact shadow (colour pass only) and its shadow caster (shadow pass only)."""

    node: Any
    lamps: Any | None
    shadow: Any | None
    caster: Any | None

    @property
    def nodes(self) -> list[Any]:
        return [n for n in (self.node, self.shadow, self.caster) if n is not None]


class PyrenderCamera:
    """One camera's scene: static geometry uploaded once, road users re-posed every frame."""

    def __init__(
        self,
        calibration: CameraCalibration,
        static: list[Placed],
        outputs: tuple[str, ...],
        shadows: bool = False,
        antialias: bool = False,
    ) -> None:
        pyrender = import_pyrender()
        self.pr = pyrender
        self.calibration = calibration
        self.outputs = outputs
        self.shadows = shadows
        self.antialias = antialias  # a multisampled colour pass; labels from their own pass
        self.scene = pyrender.Scene(bg_color=[0, 0, 0, 1], ambient_light=[0.3, 0.3, 0.3])
        K = calibration.K
        camera = pyrender.IntrinsicsCamera(
            fx=K[0, 0], fy=K[1, 1], cx=K[0, 2] + 0.5, cy=K[1, 2] + 0.5, znear=Z_NEAR, zfar=Z_FAR
        )
        self.camera_node = self.scene.add(camera, pose=np.eye(4))
        self.seg_colors: dict = {}
        self._added = itertools.count()  # mesh nodes, numbered as added (``_add_mesh``)
        self._textures: dict[str, object | None] = {}
        self.static_nodes: list = []
        self._add_static(static)
        # per road user (instance, class): its nodes per shape (an articulated one's poses,
        # kept for its return), and the shape in the scene
        self.actors: dict[tuple[int, int], dict[tuple[str, ...], ActorNodes]] = {}
        self.actor_shapes: dict[tuple[int, int], tuple[str, ...]] = {}
        self.light_nodes: list = []  # street lamps and headlights, chosen per frame
        self.sun_node: object | None = None  # kept: a new sun would mean a new shadow map
        self.renderer = pyrender.OffscreenRenderer(calibration.width, calibration.height)
        lit = SHADER_EDITS if shadows else (SURFACE_NORMALS,)
        edits = (*lit, *FIXED_LIGHT_LOOPS, *LABEL_EDITS)
        # the colour pass gives the normals too, where it can (``render_color_and_labels``)
        self.shared_normals = "normals" in outputs and "rgb" in outputs
        use_shaders(self.renderer, (*edits, *NORMAL_OUTPUT_EDITS) if self.shared_normals else edits)

    def close(self) -> None:
        release(self.renderer)
        self.renderer.delete()

    def _primitive(self, parts: list[Placed], material: object) -> object:
        """One draw call for several parts: vertices in the node frame, colours per vertex.

        Smooth parts (all or none of a node's: one road user's) get a normal per triangle corner
        (``smooth_shading``); the others none: the shaders take each facet's own
        (``patches.SURFACE_NORMALS``)."""
        pr = self.pr
        positions, colors, indices, uvs, offset = [], [], [], [], 0
        for p in parts:
            positions.append(p.part.vertices)
            colors.append(np.tile([*p.color, 1.0], (len(p.part.vertices), 1)))
            indices.append(p.part.faces + offset)
            uvs.append(p.part.uv)
            offset += len(p.part.vertices)
        textured = all(uv is not None for uv in uvs)
        position = np.concatenate(positions).astype(np.float32)
        color = np.concatenate(colors).astype(np.float32)
        uv = np.concatenate(uvs).astype(np.float32) if textured else None
        faces = np.concatenate(indices)
        normals = None
        if all(p.smooth for p in parts):
            # each triangle its own three corners, in the same order: the same triangles drawn
            # (the parts share no vertex, so their normals are each part's own)
            normals = np.concatenate([p.part.corner_normals for p in parts])
            corners = faces.ravel()
            position, color = position[corners], color[corners]
            uv = None if uv is None else uv[corners]
            faces = np.arange(len(corners)).reshape(-1, 3)
        return pr.Primitive(
            positions=position,
            normals=normals,
            color_0=color,
            texcoord_0=uv,
            indices=faces,
            material=material,
            mode=pr.constants.GLTF.TRIANGLES,
        )

    def _material(
        self, roughness: float = 0.6, texture: str | None = None, metallic: float = 0.0
    ) -> object:
        base = glow = None
        if texture is not None:
            name = texture
            base = self._texture(name, lambda: texture_image(name))
            glow = self._texture(f"{name}/glow", lambda: glow_image(name))
        return self.pr.MetallicRoughnessMaterial(
            baseColorFactor=[1.0, 1.0, 1.0, 1.0],
            baseColorTexture=base,
            metallicFactor=metallic,
            roughnessFactor=roughness,
            emissiveTexture=glow,
            # pyrender's shader applies the factor twice: its square is the glow's radiance
            emissiveFactor=np.full(3, np.sqrt(WINDOW_GLOW) if glow is not None else 0.0),
        )

    def _texture(self, key: str, image: Callable[[], np.ndarray | None]) -> object | None:
        """One GL texture per key, made on first use; None where there is no image."""
        if key not in self._textures:
            source = image()
            self._textures[key] = (
                None if source is None else self.pr.Texture(source=source, source_channels="RGB")
            )
        return self._textures[key]

    def _add_group(
        self, parts: list[Placed], transform: np.ndarray, roughness: float | None = None
    ) -> tuple[object, object | None]:
        """A node for parts sharing a pose and a label: one primitive per texture, and lamps in
        their own so they can glow. Returns the node and the lamp material (None: no lamps)."""
        # draw calls cost llvmpipe little but pyrender much (Python per primitive and pass):
        # one primitive per texture and per metal or not, in one finish (``group_finish``)
        plain: dict[tuple[str, bool], list[Placed]] = {}
        for p in parts:
            if not _is_lamp(p):
                plain.setdefault((p.texture or "", p.metallic > METAL), []).append(p)
        lamps = [p for p in parts if _is_lamp(p)]
        primitives = []
        for (texture, _), group in sorted(plain.items()):
            finish = group_finish(group)
            rough = roughness if roughness is not None else finish.roughness
            material = self._material(rough, texture or None, finish.metallic)
            primitives.append(self._primitive(group, material))
        lamp_material = None
        if lamps:
            lamp_material = self._material()
            primitives.append(self._primitive(lamps, lamp_material))
        node = self._add_mesh(self.pr.Mesh(primitives), transform)
        self.seg_colors[node] = encode_label(parts[0].instance_id, parts[0].class_id)
        return node, lamp_material

    def _add_mesh(self, mesh: object, pose: np.ndarray) -> Any:
        """Add a mesh node, numbered in the order added: the passes draw nodes at the same
        distance in that order (``patches.DRAW_ORDER``), not in the order of the scene's set of
        nodes, which changes from run to run (their hashes are their addresses) and, where
        surfaces coincide, would change which one a pixel shows."""
        node = self.scene.add(mesh, pose=pose)
        setattr(node, DRAW_ORDER, next(self._added))
        return node

    def _add_static(self, static: list[Placed]) -> None:
        """Static geometry merged into one node per (class, glowing or not): few draw calls."""
        groups: dict[tuple[int, bool], list[Placed]] = {}
        for p in static:
            world = p.part.vertices @ p.transform[:3, :3].T + p.transform[:3, 3]
            moved = dataclasses.replace(
                p, part=dataclasses.replace(p.part, vertices=world), transform=np.eye(4)
            )
            groups.setdefault((p.class_id, p.emissive), []).append(moved)
        casting = []
        for (class_id, glowing), parts in sorted(groups.items()):
            node, lamps = self._add_group(parts, np.eye(4), roughness=0.95)  # asphalt, grass
            node.mesh.casts_shadow = class_id not in GROUND  # read by the shadow pass
            if glowing and lamps is not None:
                lamps.emissiveFactor = np.array(parts[0].color)
            self.static_nodes.append(node)
            if node.mesh.casts_shadow:
                casting.append(node)
        if self.shadows and casting:
            self.static_nodes.append(self._caster(casting, np.eye(4)))

    def _caster(self, nodes: list, pose: np.ndarray) -> object:
        """The shadow pass's stand-in for ``nodes`` (posed alike): their triangles in one
        position-only primitive, one draw call instead of one per primitive. The shadow map keeps
        the nearest depth of every triangle, whatever the draw calls and their order: the same
        map. The nodes stop casting; the colour and label passes skip the stand-in."""
        pr = self.pr
        positions, indices, offset = [], [], 0
        for node in nodes:
            node.mesh.casts_shadow = False  # type: ignore[attr-defined]
            for primitive in node.mesh.primitives:  # type: ignore[attr-defined]
                positions.append(primitive.positions)
                indices.append(primitive.indices + offset)
                offset += len(primitive.positions)
        primitive = pr.Primitive(
            positions=np.concatenate(positions),
            indices=np.concatenate(indices),
            mode=pr.constants.GLTF.TRIANGLES,
        )
        mesh = pr.Mesh([primitive])
        mesh.casts_shadow = True  # read by the shadow pass
        mesh.shadow_only = True  # read by the colour and label passes
        return self._add_mesh(mesh, pose)

    def _update_actors(self, dynamic: list[Placed]) -> None:
        """Re-pose road users; an articulated one whose pose changed shows its posed mesh, made
        once per pose and kept out of the scene while another pose is shown."""
        groups: dict[tuple[int, int], list[Placed]] = {}
        for p in dynamic:
            groups.setdefault((p.instance_id, p.class_id), []).append(p)
        for key, parts in groups.items():
            entry = self._show(key, tuple(p.part.key for p in parts), parts)
            for node in entry.nodes:
                self.scene.set_pose(node, parts[0].transform)
            if entry.lamps is not None:
                glow = next((p.color for p in parts if _is_lamp(p) and p.emissive), None)
                entry.lamps.emissiveFactor = np.array(glow if glow is not None else (0.0,) * 3)
        for key in [k for k in self.actors if k not in groups]:
            self._remove_actor(key)

    def _show(
        self, key: tuple[int, int], shape: tuple[str, ...], parts: list[Placed]
    ) -> ActorNodes:
        """The road user's nodes in ``shape``, in the scene: those shown already, those kept
        from before (put back), or made now; another shape's leave the scene, kept."""
        shapes = self.actors.setdefault(key, {})
        shown = self.actor_shapes.get(key)
        if shown == shape:
            return shapes[shape]
        if shown is not None:
            for node in shapes[shown].nodes:
                self.scene.remove_node(node)
        entry = shapes.get(shape)
        if entry is None:
            entry = shapes[shape] = self._add_actor(key, parts)
            self._forget_oldest(shapes)
        else:
            for node in entry.nodes:
                self.scene.add_node(node)
        self.actor_shapes[key] = shape
        return entry

    def shown(self) -> list[ActorNodes]:
        """The road users' nodes in the scene, one shape each."""
        return [self.actors[key][shape] for key, shape in self.actor_shapes.items()]

    def _add_actor(self, key: tuple[int, int], parts: list[Placed]) -> ActorNodes:
        """A road user's nodes in one shape, added to the scene; their meshes keep their GL
        buffers when taken out of it (``KEEP_IN_CONTEXT``), until the road user is gone."""
        node, lamps = self._add_group(parts, parts[0].transform)
        shadow = self._add_shadow(parts) if key[1] in SHADOWED else None
        caster = self._caster([node], parts[0].transform) if self.shadows else None
        entry = ActorNodes(node, lamps, shadow, caster)
        for made in entry.nodes:
            setattr(made.mesh, KEEP_IN_CONTEXT, True)
        return entry

    def _forget_oldest(self, shapes: dict[tuple[str, ...], ActorNodes]) -> None:
        """Free the shapes made longest ago beyond ``KEPT_SHAPES`` (never the one just added)."""
        while len(shapes) > KEPT_SHAPES:
            self._forget(shapes.pop(next(iter(shapes))))

    def _forget(self, entry: ActorNodes) -> None:
        """Let pyrender free a shape's buffers (at the next frame) and drop its label colour."""
        for node in entry.nodes:
            setattr(node.mesh, KEEP_IN_CONTEXT, False)
        self.seg_colors.pop(entry.node, None)

    def _add_shadow(self, parts: list[Placed]) -> object:
        """The vehicle's contact shadow, posed with it; not in ``seg_colors``, so the label and
        depth pass skip it, and it casts no shadow of its own."""
        pr = self.pr
        shadow = contact_shadow(np.concatenate([p.part.vertices for p in parts]))
        colors = np.zeros((len(shadow.vertices), 4), np.float32)
        colors[:, 3] = shadow.alpha
        material = pr.MetallicRoughnessMaterial(
            baseColorFactor=[0.0, 0.0, 0.0, 1.0],
            metallicFactor=0.0,
            roughnessFactor=1.0,
            alphaMode="BLEND",
        )
        primitive = pr.Primitive(
            positions=shadow.vertices,
            color_0=colors,
            indices=shadow.faces,
            material=material,
            mode=pr.constants.GLTF.TRIANGLES,
        )
        mesh = pr.Mesh([primitive])
        mesh.casts_shadow = False  # read by the shadow pass
        return self._add_mesh(mesh, parts[0].transform)

    def _remove_actor(self, key: tuple[int, int]) -> None:
        shapes = self.actors.pop(key)
        shown = self.actor_shapes.pop(key, None)
        if shown is not None:
            for node in shapes[shown].nodes:
                self.scene.remove_node(node)
        for entry in shapes.values():
            self._forget(entry)

    def _update_lights(
        self, environment: Environment, lights: list[LightSource], camera_position: np.ndarray
    ) -> None:
        pr = self.pr
        for node in self.light_nodes:
            self.scene.remove_node(node)
        self.light_nodes = []
        elevation = float(environment.sun.elevation)
        strength = sun_strength(elevation)
        sky = sky_color(elevation)
        self.scene.bg_color = [*sky, 1.0]
        # moonless night: almost nothing but the lamps; day: sky light fills the shadows
        self.scene.ambient_light = list(0.015 + 0.3 * strength * np.ones(3) + 0.1 * sky)
        if strength > 0:
            direction = -sun_direction(elevation, float(environment.sun.azimuth))
            pose = _look_along(np.zeros(3), direction)
            if self.sun_node is None:
                sun = pr.DirectionalLight(color=[1.0, 0.97, 0.9], intensity=3.5 * strength)
                self.sun_node = self.scene.add(sun, pose=pose)
            else:
                self.sun_node.light.intensity = 3.5 * strength  # type: ignore[attr-defined]
                self.scene.set_pose(self.sun_node, pose)
        elif self.sun_node is not None:
            self.scene.remove_node(self.sun_node)
            self.sun_node = None
        chosen = select_lights(lights, tuple(camera_position))
        for light in chosen:
            if light.kind == "point":
                pose = np.eye(4)
                pose[:3, 3] = light.position
                node = self.scene.add(
                    pr.PointLight(color=[1.0, 0.9, 0.7], intensity=light.intensity), pose=pose
                )
            elif light.kind == "spot":
                pose = _look_along(np.asarray(light.position), np.asarray(light.direction))
                spot = pr.SpotLight(
                    color=[1.0, 1.0, 0.9],
                    intensity=light.intensity,
                    innerConeAngle=0.2,
                    outerConeAngle=0.5,
                )
                node = self.scene.add(spot, pose=pose)
            else:
                continue
            self.light_nodes.append(node)

    def capture(
        self,
        world_from_ego: np.ndarray,
        dynamic: list[Placed],
        environment: Environment,
        lights: list[LightSource],
        geometry: bool = False,
        geometry_only: bool = False,
    ) -> CameraRender:
        """The raw frame: RGB as rendered, and depth and masks when the outputs ask for them or
        ``geometry`` does (image effects need them); effects are applied by the caller. With
        ``geometry_only``, depth and masks alone (a neighbouring state's, for the flow): the
        flat label pass, the bytes the colour pass would give them, without its shading."""
        pr = self.pr
        world_from_camera = world_from_ego @ self.calibration.ego_from_camera
        self.scene.set_pose(self.camera_node, world_from_camera @ GL_FROM_OPTICAL)
        self._update_actors(dynamic)
        rgb = depth = instance = semantic = labels = codes = None
        need_labels = geometry or geometry_only or bool(GEOMETRY_OUTPUTS & set(self.outputs))
        start = time.perf_counter()
        if "rgb" in self.outputs and not geometry_only:
            self._update_lights(environment, lights, world_from_camera[:3, 3])
            flags = pr.RenderFlags.NONE
            if self.shadows:
                forward = world_from_camera[:3, 2] * np.array([1.0, 1.0, 0.0])
                forward /= max(float(np.linalg.norm(forward)), 1e-9)
                focus = world_from_camera[:3, 3] + forward * 0.7 * SHADOW_REACH
                focus_shadows(self.renderer, focus * np.array([1.0, 1.0, 0.0]))
                flags = pr.RenderFlags.SHADOWS_DIRECTIONAL
            if self.antialias:  # labels and depth single-sampled, by the label pass below
                rgb = render_antialiased(self.renderer, self.scene, flags)
            elif need_labels:  # one rasterisation for the three images
                rgb, labels, depth, codes = render_color_and_labels(
                    self.renderer, self.scene, flags, self.seg_colors, self.shared_normals
                )
            else:
                rgb = render_color(self.renderer, self.scene, flags)
        shaded = time.perf_counter()
        if need_labels:
            if labels is None:
                labels, depth = self.renderer.render(
                    self.scene, flags=pr.RenderFlags.SEG, seg_node_map=self.seg_colors
                )
            labels = labels.astype(np.uint16)
            instance = labels[..., 0] | (labels[..., 1] << 8)
            semantic = labels[..., 2].astype(np.uint8)
            semantic[semantic == 0] = SKY_ID  # nothing drawn there: the sky
            depth = depth.astype(np.float32)
        labelled = time.perf_counter()
        normals = None
        if "normals" in self.outputs and not geometry_only:
            surface = None if depth is None else depth > 0
            if codes is None:  # no colour pass, or not one that could give them
                normals = render_normals(self.renderer, self.scene, self.seg_colors, surface)
            else:
                normals = decode(codes, surface)
        frame = CameraFrame(
            developed=None if rgb is None else ready(np.ascontiguousarray(rgb)),
            depth=depth,
            instance=instance,
            semantic=semantic,
            normals=normals,
        )
        seconds = {"rgb": shaded - start, "labels+depth": labelled - shaded}
        if normals is not None:
            seconds["normals"] = time.perf_counter() - labelled
        return CameraRender(frame, seconds)
