"""Meshes, objects and lane polylines built from the corpus maps."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from simgen.core.classes import BY_NAME
from simgen.world.opendrive import load_opendrive

NAMES = sorted(p.name for p in Path("/work/shared/standards/esmini/xodr").glob("*.xodr")) or [
    "straight_500m.xodr"
]


@pytest.mark.parametrize("name", NAMES)
def test_every_corpus_map_builds(corpus: Path, name: str) -> None:
    m = load_opendrive(corpus / name)
    meshes = m.surface_meshes()
    by_name = {s.name: s for s in meshes}
    assert {"terrain", "asphalt", "markings"} <= set(by_name)
    for s in meshes:
        assert s.semantic_class in BY_NAME
        assert np.isfinite(s.mesh.vertices).all() and len(s.mesh.faces) > 0, s.name
    # the terrain lies under every road surface
    ground = by_name["terrain"].mesh.vertices[:, 2].max()
    assert ground <= by_name["asphalt"].mesh.vertices[:, 2].min() + 1e-9
    polylines = m.lane_polylines()
    assert polylines and all(len(p.centre) >= 2 for p in polylines)
    assert all(p.left.shape == p.right.shape == p.centre.shape for p in polylines)
    m.static_objects()
    m.signal_layout()
    for line in m.unsupported:
        path, lineno, element = line.split(":", 2)
        assert path == str(corpus / name) and int(lineno) > 0 and element.strip()


def test_asphalt_top_follows_the_elevation_profile(corpus: Path) -> None:
    # crest-curve has elevation records and no superelevation: every asphalt vertex sits at
    # z = a + b ds + c ds^2 + d ds^3 of the record in force at its s
    path = corpus / "crest-curve.xodr"
    m = load_opendrive(path)
    road = next(iter(m.roads.values()))
    records = [{k: float(v) for k, v in e.attrib.items()} for e in ET.parse(path).iter("elevation")]
    asphalt = next(s for s in m.surface_meshes() if s.name == "asphalt").mesh.vertices
    assert np.ptp(asphalt[:, 2]) > 1.0  # it really climbs
    for x, y, z in asphalt[:: max(1, len(asphalt) // 200)]:
        s, _ = road.to_road(x, y)
        e = [r for r in records if r["s"] <= s + 1e-9][-1]
        ds = s - e["s"]
        assert z == pytest.approx(e["a"] + e["b"] * ds + e["c"] * ds**2 + e["d"] * ds**3, abs=0.01)


def test_marks_sit_on_their_lane_edges(corpus: Path) -> None:
    # straight_500m: marks on lanes 1 and -1 (outer edges t = +-3.07) and the centre lane (t = 0),
    # 0.12 m wide, MARKING_HEIGHT above the flat asphalt; the centre line is broken 4 m on, 8 off
    m = load_opendrive(corpus / "straight_500m.xodr")
    marks = next(s for s in m.surface_meshes() if s.name == "markings").mesh.vertices
    edges = np.array([-3.07, 0.0, 3.07])
    nearest = np.min(np.abs(marks[:, 1, None] - edges[None, :]), axis=1)
    assert nearest.max() == pytest.approx(0.06, abs=1e-9)
    assert np.allclose(marks[:, 2], 0.005)
    centre = marks[np.abs(marks[:, 1]) < 0.1]
    assert np.all(np.mod(centre[:, 0] + 1e-9, 12.0) <= 4.0 + 1e-6)
    stations = {round(x) for x in centre[:, 0] if x < 30}  # dashes 0-4, 12-16, 24-28
    assert stations == {0, 1, 2, 3, 4, 12, 13, 14, 15, 16, 24, 25, 26, 27, 28}


def test_sidewalks_are_raised_behind_kerbs(corpus: Path) -> None:
    # fabriksgatan's sidewalks carry <height inner="0.12" outer="0.12">; its roads are flat (z 0)
    m = load_opendrive(corpus / "fabriksgatan.xodr")
    meshes = {s.name: s for s in m.surface_meshes()}
    assert meshes["sidewalks"].semantic_class == "sidewalk"
    assert np.allclose(meshes["sidewalks"].mesh.vertices[:, 2], 0.12, atol=1e-6)
    kerb_z = meshes["kerbs"].mesh.vertices[:, 2]
    assert set(np.round(kerb_z, 6)) == {0.0, 0.12}
    road = m.roads["2"]
    sidewalk = next(i for i in road.lane_ids(50.0) if road.lane(50.0, i).type == "sidewalk")
    x, y, _, _ = road.to_world(50.0, road.lane_center(50.0, sidewalk))
    assert m.surface_height(x, y) == pytest.approx(0.12)
    x, y, _, _ = road.to_world(50.0, road.lane_center(50.0, -1))
    assert m.surface_height(x, y) == pytest.approx(0.0)


def test_objects(corpus: Path) -> None:
    # curve_r100: two guide posts repeated every 50 m over 757.08 m: 16 each, 1.25 m tall
    m = load_opendrive(corpus / "curve_r100.xodr")
    poles = next(s for s in m.surface_meshes() if s.name == "objects_pole")
    assert poles.semantic_class == "pole"
    posts = poles.mesh.split(only_watertight=False)
    assert len(posts) == 32
    # each 1.25 m tall, standing from zOffset -0.2 on the flat road
    for post in posts:
        assert (post.vertices[:, 2].min(), np.ptp(post.vertices[:, 2])) == pytest.approx(
            (-0.2, 1.25)
        )
    # crest-curve: Building1 is outlined (a prism), the cone an asset, the fence swept
    m = load_opendrive(corpus / "crest-curve.xodr")
    meshes = {s.name: s for s in m.surface_meshes()}
    assert meshes["objects_building"].semantic_class == "building"
    assert meshes["objects_barrier"].semantic_class == "barrier"
    assert meshes["objects_vegetation"].semantic_class == "vegetation"
    assert [o.model for o in m.static_objects()] == ["traffic_cone"]
    # parking_demo: the zebra at s = 79 (marking width 5 across the edge s = 79, stripes 0.5 on,
    # 0.5 off along t from -3 + 0.25) and parking-space outlines are lane_marking paint
    m = load_opendrive(corpus / "parking_demo.xodr")
    paint = next(s for s in m.surface_meshes() if s.name == "objects_markings")
    assert paint.semantic_class == "lane_marking"
    road = m.roads[next(iter(m.roads))]
    st = np.array([road.to_road(x, y) for x, y, _ in paint.mesh.vertices])
    zebra = st[(st[:, 0] > 76.0) & (st[:, 0] < 82.0) & (np.abs(st[:, 1]) < 3.01)]
    assert zebra[:, 0].min() == pytest.approx(76.5, abs=0.01)
    assert zebra[:, 0].max() == pytest.approx(81.5, abs=0.01)
    assert len(m.static_objects()) == 6  # its trees


def test_lane_polylines_split_where_marks_change(corpus: Path) -> None:
    # straight_500m_roadmarks: the centre lane's roadMark changes at sOffset 50, 100, 200, 300,
    # 350 and 400 (broken, solid, solid solid, solid broken, solid, broken, broken solid)
    m = load_opendrive(corpus / "straight_500m_roadmarks.xodr")
    lane1 = sorted((p for p in m.lane_polylines() if p.lane == -1), key=lambda p: p.centre[0, 0])
    spans = [(round(float(p.centre[0, 0])), round(float(p.centre[-1, 0]))) for p in lane1]
    assert spans == [(0, 50), (50, 100), (100, 200), (200, 300), (300, 350), (350, 400), (400, 500)]
    assert [p.left_mark.type for p in lane1] == [
        "broken", "solid", "solid_solid", "solid_broken", "solid", "broken", "broken_solid"
    ]  # fmt: skip
    for p in lane1:
        assert np.allclose(p.left[:, 1], 0.0) and p.direction == 1
        assert np.allclose(p.centre[:, 1], 0.5 * (p.left[:, 1] + p.right[:, 1]))
