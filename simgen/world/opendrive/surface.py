"""Road surface meshes from the evaluated lanes: asphalt, verges, raised sidewalks with kerbs,
marks, junction surfaces and the terrain plane under everything."""

from __future__ import annotations

import numpy as np
import shapely
import trimesh
from scipy.spatial import cKDTree

from simgen.world.materials import (
    ASPHALT,
    KERB,
    MARKING,
    SIDEWALK,
    TERRAIN,
    YELLOW_MARKING,
    merge,
    ribbon,
)
from simgen.world.opendrive.junctions import Junction
from simgen.world.opendrive.lanes import ASPHALT_TYPES, WALK_TYPES
from simgen.world.opendrive.marks import mark_strips, stations, wall
from simgen.world.opendrive.road import Road
from simgen.world.road import GROUND_DEPTH, GROUND_EXTENT, SurfaceMesh

JUNCTION_DROP = 0.01  # the junction fill sits under the connecting roads' lanes


class _Parts:
    def __init__(self) -> None:
        self.asphalt: list[trimesh.Trimesh] = []
        self.verge: list[trimesh.Trimesh] = []
        self.sidewalk: list[trimesh.Trimesh] = []
        self.kerb: list[trimesh.Trimesh] = []
        self.white: list[trimesh.Trimesh] = []
        self.yellow: list[trimesh.Trimesh] = []


def _section_parts(road: Road, index: int, parts: _Parts) -> None:
    section = road.sections[index]
    s0 = section.s
    s1 = road.sections[index + 1].s if index + 1 < len(road.sections) else road.length
    if s1 - s0 < 1e-6:
        return
    ss = stations(s0, s1)
    bounds = road.section_bounds(index, ss)
    for sign in (1, -1):
        lanes = section.side(sign)
        for k, lane in enumerate(lanes):
            inner, outer = bounds[lane.id]
            if np.all(np.abs(outer - inner) < 1e-4):
                continue
            lift = np.array([0.0, 0.0, lane.raise_height])
            a = road.to_world_many(ss, inner)[:, :3] + lift
            b = road.to_world_many(ss, outer)[:, :3] + lift
            strip = ribbon(a, b, up=True) if sign > 0 else ribbon(b, a, up=True)
            if lane.type in ASPHALT_TYPES:
                parts.asphalt.append(strip)
            elif lane.type in WALK_TYPES:
                parts.sidewalk.append(strip)
                h = lane.raise_height
                inner_walk = k > 0 and lanes[k - 1].type in WALK_TYPES
                outer_walk = k + 1 < len(lanes) and lanes[k + 1].type in WALK_TYPES
                if not inner_walk:
                    parts.kerb.append(wall(road, ss, inner, 0.0, h, -sign))
                if not outer_walk:
                    parts.kerb.append(wall(road, ss, outer, 0.0, h, sign))
            else:
                parts.verge.append(strip)
    for lane in section.lanes.values():
        raise_z = lane.raise_height if lane.id else 0.0
        marks = lane.road_marks
        for m, mark in enumerate(marks):
            a = s0 + mark.s_offset
            b = s0 + marks[m + 1].s_offset if m + 1 < len(marks) else s1
            a, b = max(a, s0), min(b, s1)
            if b - a < 1e-6:
                continue
            if mark.type == "curb":
                ms = stations(a, b)
                edge = road.section_bounds(index, ms)[lane.id][1]
                facing = -1 if lane.id > 0 else 1
                parts.kerb.append(wall(road, ms, edge, 0.0, 0.15, facing))
                continue
            target = parts.yellow if mark.color == "yellow" else parts.white
            target += mark_strips(road, index, lane.id, mark, a, b, raise_z)


def _junction_fill(junction: Junction, roads: dict[str, Road]) -> trimesh.Trimesh | None:
    """The area the connecting roads' lanes cover, holes filled, a centimetre under them."""
    polys, points = [], []
    for c in junction.connections:
        road = roads[c.connecting_road]
        for index, section in enumerate(road.sections):
            s1 = road.sections[index + 1].s if index + 1 < len(road.sections) else road.length
            ss = stations(section.s, s1)
            bounds = road.section_bounds(index, ss)
            for lane in section.lanes.values():
                if lane.id == 0 or lane.type not in ASPHALT_TYPES:
                    continue
                a = road.to_world_many(ss, bounds[lane.id][0])[:, :3]
                b = road.to_world_many(ss, bounds[lane.id][1])[:, :3]
                poly = shapely.make_valid(shapely.Polygon(np.vstack([a[:, :2], b[::-1, :2]])))
                if not poly.is_empty and poly.area > 0.01:
                    polys.append(poly.buffer(0.05))
                points += [a, b]
    if not polys:
        return None
    area = shapely.union_all(polys)
    pieces = [p for p in getattr(area, "geoms", [area]) if isinstance(p, shapely.Polygon)]
    filled = shapely.union_all([shapely.Polygon(p.exterior) for p in pieces if p.area > 0.01])
    tris = shapely.constrained_delaunay_triangles(filled)
    corners = [np.asarray(t.exterior.coords)[:3] for t in tris.geoms]
    if not corners:
        return None
    xy = np.concatenate(corners)
    known = np.concatenate(points)
    _, nearest = cKDTree(known[:, :2]).query(xy)
    verts = np.column_stack([xy, known[nearest, 2] - JUNCTION_DROP])
    faces = np.arange(len(verts)).reshape(-1, 3)
    # orient every triangle upwards
    e1, e2 = verts[faces[:, 1]] - verts[faces[:, 0]], verts[faces[:, 2]] - verts[faces[:, 0]]
    down = np.cross(e1, e2)[:, 2] < 0
    faces[down] = faces[down][:, [0, 2, 1]]
    return trimesh.Trimesh(verts, faces, process=False)


def terrain(bounds: tuple[float, float, float, float], z: float) -> trimesh.Trimesh:
    lo_x, lo_y, hi_x, hi_y = bounds
    e = GROUND_EXTENT
    return trimesh.Trimesh(
        np.array([(lo_x - e, lo_y - e, z), (hi_x + e, lo_y - e, z),
                  (hi_x + e, hi_y + e, z), (lo_x - e, hi_y + e, z)]),
        np.array([(0, 1, 2), (0, 2, 3)]),
        process=False,
    )  # fmt: skip


def build_surfaces(
    roads: dict[str, Road],
    junctions: dict[str, Junction],
    bounds: tuple[float, float, float, float],
    ground_z: float,
) -> list[SurfaceMesh]:
    parts = _Parts()
    for road in roads.values():
        for index in range(len(road.sections)):
            _section_parts(road, index, parts)
    for junction in junctions.values():
        if junction.type != "direct":
            fill = _junction_fill(junction, roads)
            if fill is not None:
                parts.asphalt.append(fill)
    out = [
        SurfaceMesh.of("terrain", TERRAIN, terrain(bounds, ground_z - GROUND_DEPTH)),
        SurfaceMesh.of("asphalt", ASPHALT, merge(parts.asphalt)),
        SurfaceMesh.of("markings", MARKING, merge(parts.white)),
    ]
    if parts.yellow:
        out.append(SurfaceMesh.of("markings_yellow", YELLOW_MARKING, merge(parts.yellow)))
    if parts.sidewalk:
        out.append(SurfaceMesh.of("sidewalks", SIDEWALK, merge(parts.sidewalk)))
    if parts.kerb:
        out.append(SurfaceMesh.of("kerbs", KERB, merge(parts.kerb)))
    if parts.verge:
        out.append(SurfaceMesh.of("verges", TERRAIN, merge(parts.verge)))
    return out
