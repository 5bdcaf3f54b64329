"""Driving on OpenDRIVE maps: lane following, routes through junctions, scenario checks."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from simgen.scenario.errors import ScenarioError
from simgen.scenario.load import load_scenario, parse_scenario
from simgen.scenario.sample import sample
from simgen.world.assets import load_catalog
from simgen.world.behaviour import advance, make_plan
from simgen.world.map_road import MapGeometry, load_map
from simgen.world.simulate import simulate

ROOT = Path(__file__).resolve().parents[2]
XODR = ROOT.parent / "shared" / "standards" / "esmini" / "xodr"
TOWN = ROOT / "scenarios" / "maps" / "town_junction.xodr"
needs_corpus = pytest.mark.skipif(not XODR.is_dir(), reason="the esmini corpus is not here")


def _drive(geom: MapGeometry, road: str, lane: int, s: float, route: list, seconds: float):
    entry = load_catalog()["sedan"]
    plan = make_plan(
        1, "car", "sedan", entry, geom, lane=lane, offset=None, s=s, speed=8.0, arm=road,
        steps=[], route=route,
    )  # fmt: skip
    visited = [(plan.arm, plan.lane)]
    dt = 0.05
    for k in range(round(seconds / dt)):
        advance(plan, k * dt, dt, {}, geom)
        if (plan.arm, plan.lane) != visited[-1]:
            visited.append((plan.arm, plan.lane))
    return plan, visited


def _expected_exit(geom: MapGeometry, connecting: str, contact: str, lane: int) -> tuple[str, int]:
    """The outgoing road and lane of a junction connection, read from the file's links."""
    road = geom.map.roads[connecting]
    if contact == "start":  # entered at s = 0: it leaves at its end, through its successor
        link, s_end = road.successor, road.length
        next_lane = road.lane(s_end, lane).successor
    else:
        link, s_end = road.predecessor, 0.0
        next_lane = road.lane(s_end, lane).predecessor
    assert link is not None and link.element_type == "road" and next_lane is not None
    return link.element_id, next_lane


@needs_corpus
def test_every_fabriksgatan_connection_arrives_on_its_outgoing_road_and_lane():
    geom = MapGeometry(load_map(XODR / "fabriksgatan.xodr"))
    (junction,) = geom.map.junctions.values()
    checked = 0
    for conn in junction.connections:
        incoming = geom.map.roads[conn.incoming_road]
        for from_lane, to_lane in conn.lane_links:
            # start 8 m before the incoming road's end at the junction, on the linking lane
            at_end = incoming.successor is not None and incoming.successor.element_id == junction.id
            s = incoming.length - 8.0 if at_end else 8.0
            assert geom.lane_direction(from_lane, incoming.id) == (1 if at_end else -1)
            out_road, out_lane = _expected_exit(
                geom, conn.connecting_road, conn.contact_point, to_lane
            )
            plan, visited = _drive(
                geom, incoming.id, from_lane, s, [conn.connecting_road, out_road], 6.0
            )
            assert (conn.connecting_road, to_lane) in visited, (conn, visited)
            assert (plan.arm, plan.lane) == (out_road, out_lane), (conn, visited)
            # and it is on that lane's centre line, not just labelled so
            road = geom.map.roads[out_road]
            x, y, _ = geom.to_world(plan.s, road.lane_center(plan.s, out_lane), out_road)
            assert math.hypot(plan.x - x, plan.y - y) < 1e-6
            checked += 1
    assert checked == 20  # the junction's 12 connections have 20 lane links


def test_town_junction_routes_turn_where_asked():
    geom = MapGeometry(load_map(TOWN))
    # from the south arm (road 4, lane 1 runs towards the junction) ...
    cases = {"2": 90.0, "3": 180.0, "1": 0.0}  # ... straight on, left, right: heading after
    for target, heading in cases.items():
        plan, visited = _drive(geom, "4", 1, 20.0, [target], 6.0)
        assert plan.arm == target and plan.lane == -1, visited
        assert len(visited) == 3  # arm, one connecting road, the target arm
        assert math.degrees(plan.yaw) % 360 == pytest.approx(heading, abs=0.5)
    # without a route: the straightest way
    plan, _ = _drive(geom, "4", 1, 20.0, [], 6.0)
    assert plan.arm == "2"


def test_lane_change_moves_to_the_neighbouring_opendrive_lane():
    from simgen.scenario.models import LaneChange

    geom = MapGeometry(load_map(TOWN))
    entry = load_catalog()["sedan"]
    step = LaneChange(action="lane_change", lane=1, duration=2.0, at=0.0)
    plan = make_plan(
        1, "car", "sedan", entry, geom, lane=-1, offset=None, s=10.0, speed=8.0, arm="1",
        steps=[step],
    )  # fmt: skip
    from simgen.world.behaviour import fire_triggers

    fire_triggers(plan, 0.0, {}, geom)
    for k in range(60):
        advance(plan, k * 0.05, 0.05, {}, geom)
    assert plan.lane == 1
    assert plan.lateral == pytest.approx(geom.map.roads["1"].lane_center(plan.s, 1), abs=1e-9)


def _town_scenario(tmp_path: Path, ego_extra: str = "", actor: str = "") -> Path:
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "town.xodr").write_bytes(TOWN.read_bytes())
    text = f"""version: 1
name: town
duration: 7.0
frame_rate: 5
road: {{type: opendrive, file: maps/town.xodr}}
ego:
  road: "4"
  lane: 1
  s: 30
  speed: 8
  route: ["2"]
{ego_extra}
actors:
{actor or "  []"}
"""
    path = tmp_path / "town.yaml"
    path.write_text(text)
    return path


def test_a_scenario_on_a_map_drives_its_route_through_the_junction(tmp_path):
    path = _town_scenario(tmp_path)
    instance = sample(load_scenario(path).scenario, 0)
    states = list(simulate(instance))
    ego = states[-1].ego
    # the last frame at 6.8 s, at 8 m/s from 30 m before the junction's edge: past the 20 m
    # straight connecting road, 4.4 m into the north arm (which starts at y = 10)
    assert ego.position[0] == pytest.approx(1.75, abs=0.05)  # lane -1: right of x = 0
    assert ego.position[1] == pytest.approx(14.4, abs=0.3)
    assert math.degrees(ego.yaw) == pytest.approx(90.0, abs=1.0)


def test_unknown_road_and_lane_are_errors_at_their_lines(tmp_path):
    path = _town_scenario(tmp_path)
    bad = path.read_text().replace('road: "4"', 'road: "44"')
    with pytest.raises(ScenarioError) as err:
        parse_scenario(bad, str(path))
    message = str(err.value)
    assert f"{path}:7:" in message and "ego.road" in message and "no road '44'" in message
    bad = path.read_text().replace("lane: 1", "lane: 3")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(bad, str(path))
    assert f"{path}:8:" in str(err.value) and "has no lane 3" in str(err.value)


def test_a_broken_map_is_an_error_naming_the_map_and_its_line(tmp_path):
    path = _town_scenario(tmp_path)
    xodr = tmp_path / "maps" / "town.xodr"
    lines = xodr.read_text().splitlines()
    lines[5] = lines[5].replace("<", "<<", 1)  # broken XML on line 6
    xodr.write_text("\n".join(lines))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{xodr.resolve()}:6:")


@needs_corpus
def test_a_map_contact_sheet_renders_even_with_nothing_to_cast_a_shadow(tmp_path):
    """straight_500m_roadmarks has no objects: pyrender's shadow pass failed on an empty list."""
    import cv2

    from simgen.inspect.map_preview import map_poses, preview_map

    path = XODR / "straight_500m_roadmarks.xodr"
    poses = map_poses(path, 2)
    # one road: two stations along its first driving lane, a quarter and 60 % of the way
    assert [(p.road, p.lane, p.s) for p in poses] == [("1", -1, 125.0), ("1", -1, 300.0)]
    out = preview_map(path, tmp_path / "sheet.png", count=2, width=160)
    sheet = cv2.imread(str(out))
    tile = sheet[-90:, 160:320]  # the second camera frame, under the map
    assert tile.std() > 10  # road, sky and marks, not a blank tile


@needs_corpus
def test_what_a_map_has_but_simgen_skips_is_noted_once_with_its_line(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "version: 1\nname: t\nduration: 1\n"
        f"road: {{type: opendrive, file: '{XODR}/tunnels.xodr'}}\n"
        'ego: {road: "1", lane: -1, s: 10}\n'
    )
    loaded = load_scenario(path)
    assert loaded.notes == (f"{XODR / 'tunnels.xodr'}:123: tunnel (not supported: skipped)",)
