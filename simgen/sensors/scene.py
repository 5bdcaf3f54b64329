"""What sensors see: a WorldState turned into placed meshes with ids, classes and materials.

Camera and lidar back ends both consume these ``Placed`` meshes, so a pixel and a lidar point on
the same surface always agree on its instance id, semantic class and material.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache, cached_property, lru_cache

import numpy as np
import trimesh

from simgen.core.classes import BY_NAME, class_id
from simgen.core.geometry import transform_points
from simgen.sensors.appearance import Appearance
from simgen.sensors.pose import PoseKey, bone_transforms, leg_length, pose_key, ride_key
from simgen.sensors.pyrender.compat import LightSource
from simgen.sensors.smooth_shading import BODY_CREASE_DEGREES, CREASE_DEGREES, corner_normals
from simgen.sensors.surfaces import (
    BY_CLASS,
    FACADE_GROUND,
    FACADE_UPPER,
    FOLIAGE,
    NIGHT_FACADES,
    Tiling,
    box_uv,
)
from simgen.world.assets import UNIT, Vec3, load_catalog
from simgen.world.state import ActorState, StaticWorld, WorldState

Color = tuple[float, float, float]

HEADLIGHT_ON = (1.0, 1.0, 0.92)
TAILLIGHT_ON = (1.0, 0.05, 0.03)
BRAKE_LIGHT_ON = (1.0, 0.12, 0.08)


@dataclass(frozen=True)
class Part:
    """Geometry that never changes, shared by every placement of it."""

    key: str
    vertices: np.ndarray  # (V, 3) float64, in the asset frame
    faces: np.ndarray  # (F, 3) int32
    uv: np.ndarray | None = None  # (V, 2) texture coordinates, for textured surfaces
    crease: float = CREASE_DEGREES  # folds sharper than this (degrees) stay sharp when shaded

    @cached_property
    def corner_normals(self) -> np.ndarray:
        """(3F, 3) float32 smooth-shading normals of the geometry as drawn (float32), one per
        triangle corner (``smooth_shading``): made once per part, so every road user of a model
        in a pose, in every camera, shares them."""
        drawn = self.vertices.astype(np.float32)
        return corner_normals(drawn, self.faces, self.crease).astype(np.float32)

    def moved_to(self, key: str, vertices: np.ndarray, rotation: np.ndarray) -> Part:
        """This part moved rigidly to ``vertices``, turned by ``rotation`` (3x3). A rigid move
        keeps every angle between faces, so its corner normals are this part's turned, not
        found again: finding them for every new pose of a walker or a rider cost the camera
        15-30 ms in each of the bench's first frames. They match those found again to 2e-5,
        with the same creases (``tests/sensors/test_pose.py``)."""
        part = Part(key, vertices, self.faces, self.uv, self.crease)
        turned = self.corner_normals.astype(np.float64) @ rotation.T
        # filled where ``cached_property`` keeps its value, so the property never computes it
        part.__dict__["corner_normals"] = turned.astype(np.float32)
        return part


@dataclass(frozen=True)
class Placed:
    part: Part
    transform: np.ndarray  # 4x4 asset frame -> world (may include scale)
    instance_id: int  # 0 for static geometry
    class_id: int
    color: Color
    reflectivity: float
    emissive: bool = False
    texture: str | None = None  # camera-only surface detail (simgen.sensors.surfaces)
    roughness: float = 0.6  # camera material
    metallic: float = 0.0
    smooth: bool = False  # camera: shaded with corner normals rounded off across soft folds


@cache
def asset_parts(model: str) -> dict[str, Part]:
    """An asset's rest-pose parts; a human's (a person's, a rider's) shade with the body's
    crease angle (``smooth_shading.BODY_CREASE_DEGREES``)."""
    catalog = load_catalog()
    entry = catalog[model]
    scene = trimesh.load(catalog.mesh_path(model), force="scene")
    out = {}
    for name, geometry in sorted(scene.geometry.items()):
        human = BY_NAME[entry.part_class(name)].coco == "human"
        out[name] = Part(
            f"{model}/{name}",
            np.asarray(geometry.vertices, dtype=np.float64),
            np.asarray(geometry.faces, dtype=np.int32),
            crease=BODY_CREASE_DEGREES if human else CREASE_DEGREES,
        )
    return out


def actor_pose(actor: ActorState) -> PoseKey | None:
    """The pose of an articulated actor in this frame; None for rigid ones. A body scaled by
    h (uniformly: ``body_scale``) moves as its model does at 1/h the speed and distance."""
    entry = load_catalog()[actor.model]
    if not entry.skeleton:
        return None
    if actor.scale != UNIT:
        h = actor.scale[2]
        velocity = (actor.velocity[0] / h, actor.velocity[1] / h, actor.velocity[2] / h)
        actor = replace(actor, travelled=actor.travelled / h, velocity=velocity)
    if entry.kind == "cyclist":
        return ride_key(actor, entry)
    return pose_key(actor, leg_length(entry))


def _bone(part: str) -> str:
    """The bone a part of an articulated asset moves with: the name after its first dot."""
    return part.split(".", 1)[1]


def _moved(model: str, bones: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every part's rest vertices moved by its bone (asset frame, before the lift)."""
    moved = {}
    for name, part in asset_parts(model).items():
        t = bones[_bone(name)]
        moved[name] = part.vertices @ t[:3, :3].T + t[:3, 3]
    return moved


@lru_cache(maxsize=4096)
def posed_lift(model: str, key: PoseKey) -> float:
    """How far a pose is raised so that its lowest point touches the ground (z = 0): bone
    transforms plus this lift place joints where the posed meshes are."""
    return _lift(_moved(model, bone_transforms(load_catalog()[model], key)))


def _lift(moved: dict[str, np.ndarray]) -> float:
    return -min(float(v[:, 2].min()) for v in moved.values())


@lru_cache(maxsize=4096)
def posed_parts(model: str, key: PoseKey | None) -> dict[str, Part]:
    """An asset's parts in a pose (rest geometry when ``key`` is None), feet on the ground."""
    parts = asset_parts(model)
    if key is None:
        return parts
    bones = bone_transforms(load_catalog()[model], key)
    moved = _moved(model, bones)
    lift = np.array([0.0, 0.0, _lift(moved)])
    return {
        name: parts[name].moved_to(
            f"{parts[name].key}@{key.tag()}", v + lift, bones[_bone(name)][:3, :3]
        )
        for name, v in moved.items()
    }


@lru_cache(maxsize=4096)
def posed_extent(model: str, key: PoseKey | None) -> tuple[tuple[float, float], Vec3]:
    """The 3D box of an actor in a pose: (x, y) offset of its bottom centre from the actor's
    origin, and its (length, width, height). Rigid assets keep the catalog's box."""
    if key is None:
        return (0.0, 0.0), load_catalog()[model].dimensions
    vertices = np.concatenate([p.vertices for p in posed_parts(model, key).values()])
    lo, hi = vertices.min(axis=0), vertices.max(axis=0)
    center = (lo + hi) / 2
    size = tuple(round(float(v), 4) for v in hi - lo)
    return (round(float(center[0]), 4), round(float(center[1]), 4)), size  # type: ignore[return-value]


def body_extent(actor: ActorState) -> tuple[tuple[float, float], Vec3]:
    """``posed_extent`` of the actor's body as sized: the scenario's size for a rigid body
    (``ActorState.dimensions``), the scaled posed extent for an articulated one."""
    key = actor_pose(actor)
    (dx, dy), size = posed_extent(actor.model, key)
    if actor.scale == UNIT:
        return (dx, dy), size
    sx, sy, sz = actor.scale
    if key is None:
        return (dx * sx, dy * sy), actor.dimensions
    return (dx * sx, dy * sy), (size[0] * sx, size[1] * sy, size[2] * sz)


def _yaw_transform(
    position: tuple[float, float, float], yaw: float, scale=(1.0, 1.0, 1.0)
) -> np.ndarray:
    c, s = math.cos(yaw), math.sin(yaw)
    out = np.eye(4)
    out[:3, :3] = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]) @ np.diag(scale)
    out[:3, 3] = position
    return out


def static_placements(
    static: StaticWorld, street_lights_on: bool, night: bool = False
) -> list[Placed]:
    """Road surfaces and furniture: built once per simulation. At ``night`` the facades'
    windows are lit, some of them."""
    out = []
    for surface in static.surfaces:
        vertices = np.asarray(surface.mesh.vertices, dtype=np.float64)
        faces = np.asarray(surface.mesh.faces, dtype=np.int32)
        tiling = BY_CLASS.get(surface.semantic_class)
        uv = None
        if tiling is not None:
            vertices, faces, uv = box_uv(vertices, faces, tiling)
        out.append(
            Placed(
                Part(f"static/{surface.name}", vertices, faces, uv),
                np.eye(4),
                0,
                class_id(surface.semantic_class),
                surface.color,
                surface.reflectivity,
                texture=tiling.texture if tiling else None,
            )
        )
    catalog = load_catalog()
    for index, obj in enumerate(static.objects):
        entry = catalog[obj.model]
        transform = _yaw_transform(obj.position, obj.yaw, obj.scale)
        for name, part in asset_parts(obj.model).items():
            material = entry.parts[name]
            cls = entry.part_class(name)
            lit = street_lights_on and name == "lights"
            color = (1.0, 0.95, 0.75) if lit else material.color
            if obj.model == "building" and name == "wall":
                out += facade(
                    f"static/{index}",
                    part,
                    transform,
                    class_id(cls),
                    color,
                    material.reflectivity,
                    night,
                )
                continue
            if name == "leaves":
                world = transform_points(transform, part.vertices)
                key = f"static/{index}/{FOLIAGE.texture}"
                crown = textured(
                    key, world, part.faces, FOLIAGE, class_id(cls), color, material.reflectivity
                )
                out.append(crown)
                continue
            out.append(Placed(part, transform, 0, class_id(cls), color, material.reflectivity, lit))
    return out


def facade(
    key: str,
    wall: Part,
    transform: np.ndarray,
    cls: int,
    color: Color,
    reflectivity: float,
    night: bool = False,
) -> list[Placed]:
    """A building's wall as storeys with facade textures: a ground storey of doors and shop
    windows, then repeating storeys of windows (at ``night``, their night textures with lit
    windows). Geometry is the wall's, cut at the storeys."""
    lo, hi = wall.vertices.min(axis=0), wall.vertices.max(axis=0)  # the asset's frame
    z_scale = float(np.linalg.norm(transform[:3, 2]))
    ground = lo[2] + min(hi[2] - lo[2], FACADE_GROUND.metres_v / z_scale)
    out = []
    for tiling, z0, z1 in ((FACADE_GROUND, lo[2], ground), (FACADE_UPPER, ground, hi[2])):
        if z1 - z0 < 1e-9:
            continue
        band = trimesh.creation.box(bounds=[[lo[0], lo[1], z0], [hi[0], hi[1], z1]])
        band.apply_transform(transform)
        if night:
            tiling = NIGHT_FACADES[tiling.texture].tiling
        key_t = f"{key}/{tiling.texture}"
        out.append(textured(key_t, band.vertices, band.faces, tiling, cls, color, reflectivity))
    return out


def textured(
    key: str,
    vertices: np.ndarray,
    faces: np.ndarray,
    tiling: Tiling,
    cls: int,
    color: Color,
    reflectivity: float,
) -> Placed:
    """World-frame triangles wearing ``tiling``'s texture, box-projected at its real size."""
    flat, tris, uv = box_uv(np.asarray(vertices, np.float64), np.asarray(faces), tiling)
    part = Part(key, flat, tris.astype(np.int32), uv)
    return Placed(part, np.eye(4), 0, cls, color, reflectivity, texture=tiling.texture)


def asset_placements(model: str, key: PoseKey | None = None) -> list[Placed]:
    """An asset's parts in its own frame (posed by ``key``), with classes and catalog materials."""
    entry = load_catalog()[model]
    out = []
    for name, part in posed_parts(model, key).items():
        material = entry.parts[name]
        cls = entry.part_class(name)
        out.append(
            Placed(
                part,
                np.eye(4),
                0,
                class_id(cls),
                material.color,
                material.reflectivity,
                roughness=material.roughness,
                metallic=material.metallic,
                smooth=True,
            )
        )
    return out


def actor_placements(actor: ActorState, appearance: Appearance) -> list[Placed]:
    entry = load_catalog()[actor.model]
    transform = actor.body_transform()
    out = []
    for name, part in posed_parts(actor.model, actor_pose(actor)).items():
        material = entry.parts[name]
        cls = entry.part_class(name)
        color = appearance.color(actor.name, name.split(".")[0], material.color)
        roughness, metallic = appearance.finish(
            actor.name, name.split(".")[0], (material.roughness, material.metallic)
        )
        emissive = False
        if name == "headlights" and actor.lights.headlights:
            color, emissive = HEADLIGHT_ON, True
        elif name == "taillights" and (actor.lights.headlights or actor.lights.brake_lights):
            color, emissive = (BRAKE_LIGHT_ON if actor.lights.brake_lights else TAILLIGHT_ON), True
        out.append(
            Placed(
                part,
                transform,
                actor.id,
                class_id(cls),
                color,
                material.reflectivity,
                emissive,
                roughness=roughness,
                metallic=metallic,
                smooth=True,  # road users: rounded bodies and panels, creases kept
            )
        )
    return out


def extrapolate_pose(
    transform: np.ndarray, velocity: np.ndarray, yaw_rate: float, dt: float
) -> np.ndarray:
    """A pose ``dt`` seconds later at constant linear velocity and yaw rate."""
    if dt == 0.0:
        return transform
    c, s = math.cos(yaw_rate * dt), math.sin(yaw_rate * dt)
    out = transform.copy()
    out[:3, :3] = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]) @ transform[:3, :3]
    out[:3, 3] = transform[:3, 3] + np.asarray(velocity) * dt
    return out


def extrapolate(actor: ActorState, dt: float) -> np.ndarray:
    """The actor's pose ``dt`` seconds later at constant linear and angular velocity."""
    return extrapolate_pose(
        actor.transform(), np.asarray(actor.velocity), actor.angular_velocity[2], dt
    )


LAMP_INTENSITY = 14.0  # pyrender point light (cd-like): a pool of light under each lamp
# headlights: the road, lit at a grazing angle, shows a pool ahead (the near road's grey between
# the two BDD100K night photos'); the cars ahead, facing them, stay below the clip
HEADLIGHT_INTENSITY = 60.0


DAYLIGHT_ELEVATION = 10.0  # degrees: above it, lamps and headlights light nothing visibly


def light_sources(state: WorldState, street_lights_on: bool) -> list[LightSource]:
    """Street lamps (when lit) as point lights and headlights (when on) as spot lights, in the
    dark only: in daylight their lamps still glow but cast no visible light."""
    if float(state.environment.sun.elevation) > DAYLIGHT_ELEVATION:
        return []
    catalog = load_catalog()
    out: list[LightSource] = []
    if street_lights_on:
        for obj in state.static.objects:
            for local in catalog[obj.model].lights.get("lamp", []):
                world = _yaw_transform(obj.position, obj.yaw) @ np.array([*local, 1.0])
                out.append(LightSource("point", LAMP_INTENSITY, tuple(float(v) for v in world[:3])))
    for actor in state.actors:
        if not actor.lights.headlights:
            continue
        forward = actor.transform()[:3, :3] @ np.array([1.0, 0.0, -0.08])
        body = actor.body_transform()
        for local in catalog[actor.model].lights.get("head", []):
            world = body @ np.array([*local, 1.0])
            out.append(
                LightSource(
                    "spot",
                    HEADLIGHT_INTENSITY,
                    tuple(float(v) for v in world[:3]),
                    tuple(float(v) for v in forward),
                )
            )
    return out


@dataclass(frozen=True)
class Lamp:
    """A lamp that is lit, for the camera's bloom: where it is, which way it shines (None: all
    round), its colour and its brightness (display-white pixels of glow at 1 m, head on)."""

    position: tuple[float, float, float]
    facing: tuple[float, float, float] | None
    color: tuple[float, float, float]
    intensity: float


HEAD_GLOW = 1.5e5  # a dipped headlight seen head on: the brightest thing on a night street
# (at 4e5 the glow of a car 12 m away swallowed its whole front: BDD100K night frames show
# headlights as blobs a fraction of the car's width)
TAIL_GLOW = 3.0e4
BRAKE_GLOW = 8.0e4
STREET_GLOW = 3.0e5
STREET_LAMP_COLOR = (1.0, 0.78, 0.5)  # high-pressure sodium to warm LED


def glowing_lamps(state: WorldState, street_lights_on: bool) -> list[Lamp]:
    """Every lit lamp: headlights and tail lights (brake lights brighter) of the road users,
    and the street lamps when lit. Whether they glow visibly is the camera's business."""
    catalog = load_catalog()
    out: list[Lamp] = []
    if street_lights_on:
        for obj in state.static.objects:
            for local in catalog[obj.model].lights.get("lamp", []):
                world = _yaw_transform(obj.position, obj.yaw) @ np.array([*local, 1.0])
                position = tuple(float(v) for v in world[:3])
                out.append(Lamp(position, None, STREET_LAMP_COLOR, STREET_GLOW))  # type: ignore[arg-type]
    for actor in state.actors:
        lights = actor.lights
        if not (lights.headlights or lights.brake_lights):
            continue
        transform = actor.transform()
        forward = tuple(float(v) for v in transform[:3, 0])
        backward = tuple(-v for v in forward)
        entry = catalog[actor.model].lights
        tail = (BRAKE_LIGHT_ON, BRAKE_GLOW) if lights.brake_lights else (TAILLIGHT_ON, TAIL_GLOW)
        groups = [("tail", backward, *tail)]
        if lights.headlights:
            groups.append(("head", forward, HEADLIGHT_ON, HEAD_GLOW))
        for name, facing, color, glow in groups:
            for local in entry.get(name, []):
                world = transform @ np.array([*local, 1.0])
                position = tuple(float(v) for v in world[:3])
                out.append(Lamp(position, facing, color, glow))  # type: ignore[arg-type]
    return out
