"""Road objects -> what the world shows: catalog assets (trees, lamps, buildings without an
outline, cones) and meshes (poles, barriers, hedges, outlined prisms, crosswalk and parking
marks), each with the semantic class and material of its kind."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import shapely
import trimesh

from simgen.world.furniture import StaticObject
from simgen.world.materials import (
    BARRIER,
    BUILDING,
    MARKING,
    POLE,
    VEGETATION,
    merge,
    ribbon,
)
from simgen.world.opendrive.marks import dash_intervals, stations
from simgen.world.opendrive.objects import Outline, RoadObject
from simgen.world.opendrive.road import Road
from simgen.world.road import SurfaceMesh

SurfaceZ = Callable[[float, float], float]  # ground height at a world point
MATERIALS = {"pole": POLE, "barrier": BARRIER, "building": BUILDING, "vegetation": VEGETATION}
TREE_HEIGHT = 5.7378  # the catalog tree's height
ZEBRA = 0.5  # m: stripe and gap of a crosswalk drawn without <markings>
OUTLINE_MARK = 0.12  # m: line width of a parking space drawn without <markings>


@dataclass
class Built:
    meshes: dict[str, list[trimesh.Trimesh]]
    assets: list[StaticObject]


def _instances(obj: RoadObject) -> list[RoadObject]:
    """The object itself, or, when it repeats, the copies its <repeat distance > 0> place (a
    continuous <repeat distance="0"> is swept instead)."""
    if not obj.repeats:
        return [obj]
    out = []
    for r in obj.repeats:
        if r.distance <= 0:
            continue
        n = math.floor(r.length / r.distance + 1e-9)
        for k in range(n + 1):
            f = k * r.distance / r.length if r.length > 0 else 0.0
            height = _lerp(r.height_start, r.height_end, f)
            out.append(
                replace(
                    obj,
                    s=r.s + k * r.distance,
                    t=r.t_start + f * (r.t_end - r.t_start),
                    z_offset=r.z_start + f * (r.z_end - r.z_start),
                    height=height if height is not None else obj.height,
                    repeats=(),
                )
            )
    return out


def _lerp(a: float | None, b: float | None, f: float) -> float | None:
    if a is None:
        return b
    return a + f * ((a if b is None else b) - a)


def _box(
    length: float, width: float, height: float, x: float, y: float, z: float, yaw: float
) -> trimesh.Trimesh:
    box = trimesh.creation.box((length, width, height))
    m = trimesh.transformations.rotation_matrix(yaw, (0, 0, 1))
    m[:3, 3] = (x, y, z + height / 2)
    box.apply_transform(m)
    return box


def _sweep(road: Road, obj: RoadObject, built: Built) -> None:
    """A continuous object (<repeat distance="0">) following the road: a box swept along s."""
    for r in obj.repeats:
        if r.distance > 0 or r.length <= 0:
            continue
        ss = stations(r.s, min(r.s + r.length, road.length))
        f = (ss - r.s) / r.length
        t = r.t_start + f * (r.t_end - r.t_start)
        w0 = r.width_start if r.width_start is not None else (obj.width or 0.2)
        w1 = r.width_end if r.width_end is not None else w0
        h0 = r.height_start if r.height_start is not None else (obj.height or 1.0)
        h1 = r.height_end if r.height_end is not None else h0
        half = (w0 + f * (w1 - w0)) / 2
        z0 = r.z_start + f * (r.z_end - r.z_start)
        top = z0 + h0 + f * (h1 - h0)
        left = road.to_world_many(ss, t + half)[:, :3]
        right = road.to_world_many(ss, t - half)[:, :3]

        def lift(p: np.ndarray, dz: np.ndarray) -> np.ndarray:
            return p + np.column_stack([np.zeros_like(dz), np.zeros_like(dz), dz])

        faces = [
            ribbon(lift(right, top), lift(left, top), up=True),  # roof
            ribbon(lift(left, z0), lift(left, top), up=False),  # +t face
            ribbon(lift(right, z0), lift(right, top), up=True),  # -t face
        ]
        for i in (0, -1):  # end caps
            quad = np.array(
                [lift(right, z0)[i], lift(left, z0)[i], lift(left, top)[i], lift(right, top)[i]]
            )
            faces.append(
                trimesh.Trimesh(
                    quad, [(0, 1, 2), (0, 2, 3)] if i else [(0, 2, 1), (0, 3, 2)], process=False
                )
            )
        built.meshes[obj.kind].append(merge(faces))


def _outline_xyz(road: Road, obj: RoadObject, outline: Outline) -> tuple[np.ndarray, np.ndarray]:
    """World (N, 3) base points and (N,) heights of an outline's corners."""
    ox, oy, oz, heading = road.to_world(obj.s, obj.t)
    yaw = heading + obj.hdg
    c, s = math.cos(yaw), math.sin(yaw)
    pts, heights = [], []
    for corner in outline.corners:
        if corner.local:
            x, y = ox + c * corner.a - s * corner.b, oy + s * corner.a + c * corner.b
            z = oz + obj.z_offset + corner.z
        else:
            x, y, z, _ = road.to_world(corner.a, corner.b)
            z += corner.z
        pts.append((x, y, z))
        heights.append(corner.height if corner.height > 0 else (obj.height or 0.0))
    return np.array(pts), np.array(heights)


def _polygon_mesh(poly: shapely.Polygon | shapely.MultiPolygon, z: float) -> trimesh.Trimesh:
    tris = shapely.constrained_delaunay_triangles(poly)
    corners = [np.asarray(t.exterior.coords)[:3] for t in tris.geoms]
    if not corners:
        return trimesh.Trimesh()
    xy = np.concatenate(corners)
    verts = np.column_stack([xy, np.full(len(xy), z)])
    faces = np.arange(len(verts)).reshape(-1, 3)
    e1, e2 = verts[faces[:, 1]] - verts[faces[:, 0]], verts[faces[:, 2]] - verts[faces[:, 0]]
    down = np.cross(e1, e2)[:, 2] < 0
    faces[down] = faces[down][:, [0, 2, 1]]
    return trimesh.Trimesh(verts, faces, process=False)


def _prism(pts: np.ndarray, heights: np.ndarray) -> trimesh.Trimesh:
    """An outline extruded upwards by its corners' heights: walls and a flat roof."""
    poly = shapely.make_valid(shapely.Polygon(pts[:, :2]))
    if poly.area < 1e-6:
        return trimesh.Trimesh()
    if shapely.Polygon(pts[:, :2]).exterior.is_ccw is False:
        pts, heights = pts[::-1], heights[::-1]
    ring = np.vstack([pts, pts[:1]])
    hs = np.concatenate([heights, heights[:1]])
    walls = ribbon(ring, ring + np.column_stack([np.zeros((len(hs), 2)), hs]), up=True)
    roof = _polygon_mesh(poly, float(np.max(pts[:, 2] + heights)))
    return merge([walls, roof])


def _flat_marks(
    road: Road, obj: RoadObject, outline: Outline, ground: SurfaceZ
) -> list[trimesh.Trimesh]:
    """Crosswalk and parking-space paint: the file's <markings>, or zebra stripes / an outline."""
    pts, _ = _outline_xyz(road, obj, outline)
    ids = {c.id: i for i, c in enumerate(outline.corners)}
    z = float(np.mean([ground(x, y) for x, y, _ in pts]))
    shapes: list[shapely.Geometry] = []
    for m in obj.markings:
        chain = [ids[c] for c in m.corners if c in ids]
        for i0, i1 in itertools.pairwise(chain):
            a, b = pts[i0, :2], pts[i1, :2]
            length = float(np.linalg.norm(b - a))
            if length < 1e-6:
                continue
            u = (b - a) / length
            for lo, hi in dash_intervals(
                m.start_offset, length - m.stop_offset, m.line_length, m.space, 0.0
            ):
                seg = shapely.LineString([a + u * lo, a + u * hi])
                shapes.append(seg.buffer(m.width / 2, cap_style="flat"))
    poly = shapely.make_valid(shapely.Polygon(pts[:, :2])) if len(pts) >= 3 else None
    if not obj.markings and poly is not None and poly.area > 0:
        if obj.kind == "parking":
            shapes.append(poly.difference(poly.buffer(-OUTLINE_MARK)))
        else:  # zebra: stripes along the road, side by side across it
            heading = road.to_world(obj.s, obj.t)[3]
            along = np.array([math.cos(heading), math.sin(heading)])
            across = np.array([-along[1], along[0]])
            rel = pts[:, :2] @ across
            for k in np.arange(rel.min(), rel.max(), 2 * ZEBRA):
                band = shapely.Polygon([
                    across * k - along * 1e4, across * k + along * 1e4,
                    across * (k + ZEBRA) + along * 1e4, across * (k + ZEBRA) - along * 1e4,
                ])  # fmt: skip
                shapes.append(band.intersection(poly))
    paint = shapely.union_all([s for s in shapes if not s.is_empty]) if shapes else None
    if paint is None or paint.is_empty:
        return []
    lift = obj.markings[0].z_offset if obj.markings else 0.005
    return [_polygon_mesh(paint, z + lift)]


def build_objects(
    roads: dict[str, Road], objects: tuple[RoadObject, ...], ground: SurfaceZ
) -> tuple[list[SurfaceMesh], list[StaticObject]]:
    built = Built({k: [] for k in (*MATERIALS, "marks")}, [])
    for obj in objects:
        road = roads[obj.road]
        _sweep(road, obj, built)
        for inst in _instances(obj):
            _place(road, inst, built, ground)
    meshes = [
        SurfaceMesh.of(f"objects_{kind}", MATERIALS[kind], merge(parts))
        for kind, parts in built.meshes.items()
        if parts and kind in MATERIALS
    ]
    if built.meshes["marks"]:
        meshes.append(SurfaceMesh.of("objects_markings", MARKING, merge(built.meshes["marks"])))
    return meshes, built.assets


def _place(road: Road, obj: RoadObject, built: Built, ground: SurfaceZ) -> None:
    if obj.kind in ("crosswalk", "parking"):
        for outline in obj.outlines:
            built.meshes["marks"] += _flat_marks(road, obj, outline, ground)
        return
    if obj.outlines:
        for outline in obj.outlines:
            pts, heights = _outline_xyz(road, obj, outline)
            if len(pts) >= 3 and obj.kind in MATERIALS:
                built.meshes[obj.kind].append(_prism(pts, np.maximum(heights, 0.1)))
        return
    x, y, _z, heading = road.to_world(obj.s, obj.t)
    yaw = heading + obj.hdg
    base = ground(x, y) + obj.z_offset
    if obj.kind == "pole":
        radius = obj.radius or (0.5 * obj.width if obj.width else 0.05)
        height = obj.height or 1.0
        pole = trimesh.creation.cylinder(radius=radius, height=height, sections=8)
        pole.apply_translation((x, y, base + height / 2))
        built.meshes["pole"].append(pole)
    elif obj.kind == "lamp":
        built.assets.append(StaticObject("street_lamp", (x, y, base), yaw))
    elif obj.kind == "cone":
        built.assets.append(StaticObject("traffic_cone", (x, y, base), yaw))
    elif obj.kind == "building":
        scale = (obj.length or 10.0, obj.width or 10.0, obj.height or 10.0)
        built.assets.append(StaticObject("building", (x, y, base), yaw, scale))
    elif obj.kind == "vegetation" and obj.length and obj.width:
        built.meshes["vegetation"].append(
            _box(obj.length, obj.width, obj.height or 1.5, x, y, base, yaw)
        )
    elif obj.kind == "vegetation":
        k = (obj.height or TREE_HEIGHT) / TREE_HEIGHT
        built.assets.append(StaticObject("tree", (x, y, base), yaw, (k, k, k)))
    elif obj.kind == "barrier" and not obj.repeats:
        built.meshes["barrier"].append(
            _box(obj.length or 1.0, obj.width or 0.3, obj.height or 1.0, x, y, base, yaw)
        )
