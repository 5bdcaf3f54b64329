"""Lane labels: procedural roads as lane polylines, and their per-frame labels in the ego frame,
checked against the road's layout by hand arithmetic."""

import math

import numpy as np
import pytest

from simgen.labels.lanes import FrameLanes, LaneRegion, derive_lanes
from simgen.scenario.models import Road
from simgen.world.road import EDGE_INSET, MARKING_WIDTH, RoadGeometry

# 3 lanes + 2 oncoming of 3.5 m: edges at -10.5 and +7, sidewalks 2 m, kerb 0.15 m
STRAIGHT = RoadGeometry(Road(type="straight", length=200, lanes=3, oncoming_lanes=2))
CURVE = RoadGeometry(Road(type="curve", radius=-60, length=150, lanes=2, oncoming_lanes=1))
CROSS = RoadGeometry(Road(type="intersection", arm_length=50, lanes=2, oncoming_lanes=1))


def pose(x: float, y: float, yaw: float) -> np.ndarray:
    out = np.eye(4)
    out[:2, :2] = [[math.cos(yaw), -math.sin(yaw)], [math.sin(yaw), math.cos(yaw)]]
    out[:2, 3] = x, y
    return out


def lane(labels: FrameLanes, index: int, road: str = ""):
    (found,) = [a for a in labels.lanes if a.lane == index and a.road == road]
    return found


def test_straight_boundaries_sit_at_their_lateral_offsets_in_the_ego_frame():
    # the ego in lane 1 (centre at -5.25) at s = 50, heading along the road
    labels = derive_lanes(STRAIGHT.lane_polylines(), pose(50.0, -5.25, 0.0), 0, 0.0, LaneRegion())
    ego_lane = lane(labels, 1)
    assert ego_lane.direction == 1 and ego_lane.lane_type == "driving"
    left, right, centre = ego_lane.left.array(), ego_lane.right.array(), ego_lane.centre_array()
    assert np.allclose(left[:, 1], -3.5 + 5.25) and np.allclose(right[:, 1], -7.0 + 5.25)
    assert np.allclose(centre[:, 1], 0.0) and np.allclose(centre[:, 2], 0.0)
    assert (ego_lane.left.mark, ego_lane.right.mark) == ("broken", "broken")
    # clipped to 30 m behind and 80 m ahead; ordered the way traffic goes
    assert centre[0, 0] == -30.0 and centre[-1, 0] == 80.0 and np.all(np.diff(centre[:, 0]) > 0)
    # lane 0: its right boundary is the edge line, painted 0.15 m inside the kerb
    rightmost = lane(labels, 0)
    assert np.allclose(rightmost.right.array()[:, 1], -10.5 + EDGE_INSET + 5.25)
    assert (rightmost.right.mark, rightmost.right.width) == ("solid", MARKING_WIDTH)
    # the border between the edge line and the kerb, then the sidewalk on the kerb
    border, sidewalk = lane(labels, 1000), lane(labels, 1001)
    assert border.right.mark == "curb" and np.allclose(border.right.array()[:, 1], -10.5 + 5.25)
    assert sidewalk.left.mark == "curb" and np.allclose(sidewalk.centre_array()[:, 2], 0.15)
    assert np.allclose(sidewalk.right.array()[:, 1], -12.5 + 5.25)
    # the oncoming lane next to the centre line: runs towards the ego, the centre line on its left
    oncoming = lane(labels, -1)
    assert oncoming.direction == -1 and np.all(np.diff(oncoming.centre_array()[:, 0]) < 0)
    assert oncoming.left.mark == "solid" and np.allclose(oncoming.left.array()[:, 1], 5.25)
    assert oncoming.right.mark == "broken" and np.allclose(oncoming.right.array()[:, 1], 8.75)
    # every lane across the road, right to left
    assert [a.lane for a in labels.lanes] == [1001, 1000, 0, 1, 2, -1, -2, -1000, -1001]


def test_a_turned_ego_sees_the_road_turned_back():
    # the ego 0.3 rad off the road's heading: lane 1's boundaries are lines at -0.3 rad through
    # the points 1.75 m to either side of the road line under the ego
    labels = derive_lanes(STRAIGHT.lane_polylines(), pose(50.0, -5.25, 0.3), 0, 0.0, LaneRegion())
    left = lane(labels, 1).left.array()
    back = left[:, :2] @ np.array([[math.cos(0.3), math.sin(0.3)], [-math.sin(0.3), math.cos(0.3)]])
    assert np.allclose(back[:, 1], 1.75, atol=1e-4)


def test_curve_points_lie_on_their_arcs():
    # a right-hand curve: centre at (0, -60); a line at offset o has radius 60 + o
    world_from_ego = pose(*CURVE.lane_pose(0, 40.0))
    labels = derive_lanes(CURVE.lane_polylines(), world_from_ego, 0, 0.0, LaneRegion())
    sag = 1.0**2 / (8 * 53.0)  # a clipped end is interpolated on a 1 m chord
    # each lane's boundaries on the road's right and left; an oncoming lane runs the other way,
    # so its label's left boundary is the road's right one
    offsets = {0: (-7.0 + EDGE_INSET, -3.5), 1: (-3.5, 0.0), -1: (0.0, 3.5 - EDGE_INSET)}
    for index, (road_right, road_left) in offsets.items():
        found = lane(labels, index)
        sides = (found.right, found.left) if index >= 0 else (found.left, found.right)
        for boundary, offset in zip(sides, (road_right, road_left), strict=True):
            points = boundary.array() @ world_from_ego[:3, :3].T + world_from_ego[:3, 3]
            radius = np.hypot(points[:, 0], points[:, 1] + 60.0)
            assert np.allclose(radius, 60.0 + offset, atol=sag + 1e-4), (index, offset)
            inner = radius[1:-1]  # the road's own stations: exact to the written 0.1 mm
            assert np.allclose(inner, 60.0 + offset, atol=1e-4)


def test_the_labels_mark_what_the_road_paints():
    """One description: every painted boundary runs down the middle of a marking strip, and
    every marking strip is a painted boundary."""
    marks = {m.semantic_class: m.mesh for m in STRAIGHT.surface_meshes()}["lane_marking"]
    strip_centres = set(np.round(marks.vertices[:, 1] + MARKING_WIDTH / 2, 6)) & set(
        np.round(marks.vertices[:, 1] - MARKING_WIDTH / 2, 6)
    )
    painted = {}
    for polyline in STRAIGHT.lane_polylines():
        sides = ((polyline.left_mark, polyline.left), (polyline.right_mark, polyline.right))
        for mark, points in sides:
            if mark.type in ("solid", "broken"):
                painted[round(float(points[0, 1]), 6)] = mark.type
    assert set(painted) == strip_centres
    assert painted == {-10.35: "solid", -7.0: "broken", -3.5: "broken", 0.0: "solid",
                       3.5: "broken", 6.85: "solid"}  # fmt: skip


def test_intersection_arms_stop_their_paint_before_the_junction():
    polylines = [p for p in CROSS.lane_polylines() if p.road == "north" and p.lane == 0]
    painted, bare = polylines  # two stretches: painted to 1 m before the junction square
    end = CROSS.arm_extent
    assert (painted.left_mark.type, painted.right_mark.type) == ("broken", "solid")
    assert (bare.left_mark.type, bare.right_mark.type) == ("none", "none")
    s_painted = [CROSS.to_road(x, y, "north")[0] for x, y, _ in painted.centre[[0, -1]]]
    s_bare = [CROSS.to_road(x, y, "north")[0] for x, y, _ in bare.centre[[0, -1]]]
    assert np.allclose(s_painted, [0.0, end - 1.0]) and np.allclose(s_bare, [end - 1.0, end])


def test_a_lane_that_leaves_the_box_and_returns_is_two_labels():
    # 334 degrees of a right-hand circle (radius 60, centre (0, -60)) seen from its centre: the
    # box (|y| <= 40) holds the arc where |sin| <= 2/3, once ahead and once behind the ego
    loop = RoadGeometry(Road(type="curve", radius=-60, length=350, lanes=1, oncoming_lanes=0))
    region = LaneRegion(ahead=80.0, behind=70.0, side=40.0)
    labels = derive_lanes(loop.lane_polylines(), pose(0.0, -60.0, 0.0), 0, 0.0, region)
    pieces = [a for a in labels.lanes if a.lane == 0]
    assert len(pieces) == 2
    ahead, behind = sorted(pieces, key=lambda a: -a.centre_array()[0, 0])
    for piece in pieces:
        centre = piece.centre_array()
        assert np.allclose(np.abs(centre[[0, -1], 1]), 40.0)  # cut where it leaves the box
        assert np.all(np.abs(centre[:, 1]) <= 40.0)
    # clockwise seen from above: ahead of the ego from +y to -y, behind it back again
    assert ahead.centre[0][1] > 0 > ahead.centre[-1][1]
    assert behind.centre[0][1] < 0 < behind.centre[-1][1]


def test_lane_labels_round_trip_through_json():
    world_from_ego = pose(*CURVE.lane_pose(0, 40.0))
    labels = derive_lanes(CURVE.lane_polylines(), world_from_ego, 3, 0.3, LaneRegion())
    again = FrameLanes.from_json(labels.to_bytes())
    assert again == labels and again.to_bytes() == labels.to_bytes()


def test_step_must_be_positive():
    with pytest.raises(ValueError, match="step"):
        STRAIGHT.lane_polylines(0.0)
