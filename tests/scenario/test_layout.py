import math

import pytest

from simgen.scenario.layout import lane_bounds, lane_center_offset, road_point


def test_lane_centres():
    # three lanes of 3.5 m to the right of the centre line, lane 0 outermost
    assert lane_center_offset(0, 3, 3.5) == -8.75
    assert lane_center_offset(2, 3, 3.5) == -1.75
    assert lane_center_offset(-1, 3, 3.5) == 1.75
    assert lane_bounds(3, 2) == (-2, 2)


def test_straight_road_is_the_x_axis():
    assert road_point("straight", 12.0, -1.75) == (12.0, -1.75, 0.0)


@pytest.mark.parametrize("radius", [50.0, -80.0])
def test_curve_points_keep_their_distance_from_the_centre(radius):
    for s in (0.0, 10.0, 40.0):
        for lateral in (-3.5, 0.0, 2.0):
            x, y, heading = road_point("curve", s, lateral, radius=radius)
            # the arc's centre is (0, radius); `lateral` to the left is nearer a left turn's centre
            assert math.isclose(math.hypot(x, y - radius), abs(radius - lateral), abs_tol=1e-9)
            assert math.isclose(heading, s / radius)


def test_intersection_arms_point_at_the_centre():
    length = 60.0
    for arm in ("south", "north", "east", "west"):
        x, y, heading = road_point("intersection", length, 0.0, arm=arm, arm_length=length)
        assert math.isclose(x, 0.0, abs_tol=1e-9) and math.isclose(y, 0.0, abs_tol=1e-9)
        x0, y0, _ = road_point("intersection", 0.0, 0.0, arm=arm, arm_length=length)
        assert math.isclose(math.hypot(x0, y0), length)
        # the direction of travel points from the arm's end to the centre
        assert math.isclose(math.cos(math.atan2(-y0, -x0) - heading), 1.0)
    # the right-hand lane of the south arm lies at negative y
    assert road_point("intersection", 10.0, -1.75, arm="south", arm_length=length)[1] == -1.75
