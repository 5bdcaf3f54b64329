import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simgen.core.geometry import footprint, polygon_distance
from simgen.core.rng import derive_rng
from simgen.scenario.models import Furniture, Road
from simgen.world.assets import load_catalog
from simgen.world.furniture import place_furniture
from simgen.world.road import DASH_OFF, DASH_ON, RoadGeometry

STRAIGHT = RoadGeometry(Road(type="straight", length=100, lanes=3, oncoming_lanes=2))
CURVE = RoadGeometry(Road(type="curve", radius=-60, length=120, lanes=2, oncoming_lanes=1))
CROSS = RoadGeometry(Road(type="intersection", arm_length=50, lanes=2, oncoming_lanes=2))


@given(
    s=st.floats(0, 120),
    offset=st.floats(-12, 12),
    geom=st.sampled_from([STRAIGHT, CURVE, CROSS]),
    arm=st.sampled_from(["south", "north", "east", "west"]),
)
def test_to_road_inverts_to_world(s, offset, geom, arm):
    x, y, _ = geom.to_world(s, offset, arm)
    s2, offset2 = geom.to_road(x, y, arm)
    assert math.isclose(s2, s, abs_tol=1e-6) and math.isclose(offset2, offset, abs_tol=1e-6)


def test_lane_api():
    assert STRAIGHT.lane_pose(0, 10.0) == (10.0, -8.75, 0.0)
    x, y, heading = STRAIGHT.lane_pose(-1, 10.0)
    assert (x, y) == (10.0, 1.75) and math.isclose(abs(heading), math.pi)
    for lane in range(-2, 3):
        assert STRAIGHT.lane_at(STRAIGHT.lane_offset(lane)) == lane
    assert STRAIGHT.lane_at(-11.0) is None
    # on a right-hand curve the heading turns clockwise
    _, _, heading = CURVE.lane_pose(0, 30.0)
    assert math.isclose(heading, 30.0 / -60.0)


def test_surface_height_is_the_kerb_on_sidewalks_only():
    h = STRAIGHT.kerb_height
    assert STRAIGHT.surface_height(50, -5) == 0.0
    assert STRAIGHT.surface_height(50, STRAIGHT.right_edge - 1.0) == h
    assert STRAIGHT.surface_height(50, STRAIGHT.left_edge + 1.0) == h
    assert STRAIGHT.surface_height(50, 30.0) == 0.0
    assert CROSS.surface_height(0.0, 0.0) == 0.0  # the junction is road


@pytest.mark.parametrize("geom", [STRAIGHT, CURVE, CROSS], ids=["straight", "curve", "cross"])
def test_surfaces_face_up_and_markings_lie_on_the_lines(geom):
    surfaces = {m.semantic_class: m for m in geom.surface_meshes()}
    for cls in ("road", "lane_marking", "sidewalk"):
        normals = surfaces[cls].mesh.face_normals
        assert np.all(normals[:, 2] > 0.99), cls
    kerbs = surfaces["kerb"].mesh
    assert np.allclose(kerbs.face_normals[:, 2], 0.0, atol=1e-9)  # vertical faces
    assert math.isclose(kerbs.bounds[1][2], geom.kerb_height)


def test_dashed_lane_lines_follow_the_dash_pattern():
    marks = {m.semantic_class: m for m in STRAIGHT.surface_meshes()}["lane_marking"].mesh
    # the divider between lanes 0 and 1 sits at -2 * lane_width
    on_line = marks.vertices[np.isclose(marks.vertices[:, 1], -7.0 + 0.075)]
    starts = np.unique(np.round(on_line[:, 0], 6))
    period = DASH_ON + DASH_OFF
    assert np.allclose(starts[::2][:5], np.arange(5) * period)
    assert np.allclose(starts[1::2][:5], np.arange(5) * period + DASH_ON)


def test_furniture_is_deterministic_off_road_and_clear_of_itself():
    furniture = Furniture(street_lamps=4, poles=2, trees=8, buildings=8)
    catalog = load_catalog()
    for geom in (STRAIGHT, CURVE, CROSS):
        a = place_furniture(geom, furniture, derive_rng(1, 0, "f"))
        b = place_furniture(geom, furniture, derive_rng(1, 0, "f"))
        assert a == b and len(a) > 10
        assert a != place_furniture(geom, furniture, derive_rng(1, 1, "f"))
        blocks = []
        for obj in a:
            if obj.model in ("street_lamp", "pole"):
                # on the sidewalk, never on the carriageway
                assert geom.surface_height(*obj.position[:2]) == geom.kerb_height
                continue
            size = catalog[obj.model].collision.size
            corners = footprint(
                *obj.position[:2], obj.yaw, size[0] * obj.scale[0], size[1] * obj.scale[1]
            )
            assert not any(geom.on_road_area(x, y) for x, y in corners)
            blocks.append(corners)
        for i, p in enumerate(blocks):
            for q in blocks[i + 1 :]:
                assert polygon_distance(p, q) >= 1.0 - 1e-9


def test_trees_differ_in_size_and_turn_with_their_crowns_above_a_truck():
    """Each tree its own size and turn (a row of identical copies is no street), and even the
    smallest pruned as a street tree over a road is: no leaf below 5.2 m."""
    from simgen.sensors.scene import asset_parts
    from simgen.world.furniture import TREE_SIZES

    furniture = Furniture(street_lamps=4, trees=12, buildings=4)
    placed = place_furniture(STRAIGHT, furniture, derive_rng(3, 0, "f"))
    trees = [obj for obj in placed if obj.model == "tree"]
    assert len(trees) > 5
    sizes = [obj.scale[0] for obj in trees]
    assert all(obj.scale == (s, s, s) for obj, s in zip(trees, sizes, strict=True))
    assert all(TREE_SIZES[0] <= s <= TREE_SIZES[1] for s in sizes)
    assert len(set(sizes)) == len(sizes) and len({obj.yaw for obj in trees}) == len(trees)
    lowest_leaf = float(asset_parts("tree")["leaves"].vertices[:, 2].min())
    assert TREE_SIZES[0] * lowest_leaf >= 5.2
    assert TREE_SIZES[0] * load_catalog()["tree"].dimensions[2] > 10.0  # mature, not a sapling
