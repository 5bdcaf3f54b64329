"""Storyboard positions on the town junction map, against hand geometry.

The map (tools/make_town_map.py): road 4 is the south arm, from (0, -10) heading south
(270 deg); lane 1 lies left of that heading (east, +x), carries traffic north, 3.5 m wide; lane
-1 lies west. Road 1 is the east arm from (10, 0) heading east.
"""

import math
from pathlib import Path

import pytest

from simgen.scenario.storyboard import (
    LanePosition,
    Orientation,
    RelativeLanePosition,
    RelativeObjectPosition,
    RelativeRoadPosition,
    RoadPosition,
    Route,
    RoutePosition,
    Waypoint,
    WorldPosition,
)
from simgen.world.map_road import MapGeometry, load_map
from simgen.world.storyboard.positions import Pose, PositionError, resolve

TOWN = Path(__file__).resolve().parents[3] / "scenarios" / "maps" / "town_junction.xodr"
GEOM = MapGeometry(load_map(TOWN))


def lane(road, lane_id, s, offset=0.0, orientation=None):
    return LanePosition(
        type="lane", road=road, lane=lane_id, s=s, offset=offset, orientation=orientation
    )


def test_a_lane_position_lies_on_the_lane_centre_heading_with_its_traffic():
    pose = resolve(lane("4", 1, 45.0), GEOM, {})
    assert (pose.x, pose.y) == pytest.approx((1.75, -55.0), abs=1e-4)
    assert math.degrees(pose.heading) == pytest.approx(90.0)  # lane 1 runs north
    assert (pose.road, pose.lane, pose.s, pose.t) == ("4", 1, 45.0, pytest.approx(1.75))
    west = resolve(lane("4", -1, 45.0, offset=0.5), GEOM, {})
    assert west.x == pytest.approx(-1.75 + 0.5)  # + left of the road's s: east
    turned = resolve(lane("4", 1, 45.0, orientation=Orientation(h=90, relative=True)), GEOM, {})
    assert math.cos(turned.heading) == pytest.approx(-1.0)  # west


def test_road_and_relative_positions():
    road = resolve(RoadPosition(type="road", road="1", s=20.0, t=-3.0), GEOM, {})
    assert (road.x, road.y, math.degrees(road.heading)) == pytest.approx((30, -3, 0), abs=1e-4)
    ego = resolve(lane("4", 1, 45.0), GEOM, {})
    entities = {"ego": ego}
    # one lane to the left of a northbound driver is the southbound lane -1 (west)
    left = resolve(RelativeLanePosition(type="relative_lane", entity="ego", d_lane=1, ds=-5.0),
                   GEOM, entities)  # fmt: skip
    assert (left.lane, left.x, left.y) == (-1, pytest.approx(-1.75, abs=1e-4), pytest.approx(-50))
    rr = resolve(RelativeRoadPosition(type="relative_road", entity="ego", ds=10.0, dt=-1.0),
                 GEOM, entities)  # fmt: skip
    assert (rr.x, rr.y) == pytest.approx((0.75, -65.0), abs=1e-4)
    obj = resolve(RelativeObjectPosition(type="relative_object", entity="ego", dx=10.0, dy=2.0),
                  GEOM, entities)  # fmt: skip
    assert (obj.x, obj.y) == pytest.approx((1.75 - 2.0, -45.0), abs=1e-4)  # 10 m north, 2 m west
    with pytest.raises(PositionError, match="no entity 'car'"):
        resolve(RelativeObjectPosition(type="relative_object", entity="car", dx=1, dy=0), GEOM, {})


def test_a_world_position_takes_its_height_from_the_road():
    pose = resolve(WorldPosition(type="world", x=3.0, y=-40.0, h=90.0), GEOM, {})
    assert (pose.x, pose.y, pose.z, math.degrees(pose.heading)) == pytest.approx((3, -40, 0, 90))


def test_a_route_position_runs_through_the_junction():
    route = Route(waypoints=[Waypoint(position=lane("4", 1, 20.0)),
                             Waypoint(position=lane("2", -1, 30.0))])  # fmt: skip
    # 20 m to the junction's edge, 20 m straight across it, then 5 m up the north arm
    pose = resolve(RoutePosition(type="route", route=route, s=45.0), GEOM, {})
    assert (pose.road, pose.lane) == ("2", -1)
    assert (pose.x, pose.y) == pytest.approx((1.75, 15.0), abs=1e-4)


def test_unknown_roads_and_lanes_are_errors():
    with pytest.raises(PositionError, match="no road '9'"):
        resolve(lane("9", 1, 1.0), GEOM, {})
    with pytest.raises(PositionError, match="has no lane 3"):
        resolve(lane("4", 3, 1.0), GEOM, {})
    assert Pose(0, 0, 0, 0).road is None
