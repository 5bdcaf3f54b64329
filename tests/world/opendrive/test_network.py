"""Lanes, junction routing, signals and malformed files."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from simgen.world.opendrive import OpenDriveError, load_opendrive


def _xml_road(path: Path, road_id: str) -> ET.Element:
    return next(r for r in ET.parse(path).getroot().iter("road") if r.get("id") == road_id)


def test_widths_offsets_and_lane_counts_match_the_file(corpus: Path) -> None:
    # soderleden road 0: laneOffset 3.5 m; lanes -1, -2 are 3.5 m; lane -3 narrows from
    # ds = 75 with w = 3.5 - 0.0168 ds^2 + 0.000448 ds^3 (ds = s - 75), reaching 0 at s = 100.
    path = corpus / "soderleden.xodr"
    m = load_opendrive(path)
    road = m.roads["0"]
    s = 90.0
    ds = s - 75.0
    w3 = 3.5 - 0.0168 * ds**2 + 0.000448 * ds**3  # = 1.232
    assert road.lane_bounds(s, -1) == pytest.approx((3.5, 0.0))
    assert road.lane_bounds(s, -2) == pytest.approx((0.0, -3.5))
    assert road.lane_bounds(s, -3) == pytest.approx((-3.5, -3.5 - w3))
    assert road.lane_bounds(s, -4) == pytest.approx((-3.5 - w3, -3.8 - w3))  # 0.3 m border
    assert road.lane_bounds(s, 1) == pytest.approx((3.5, 3.8))
    assert road.lane(s, 2).type == "sidewalk"
    assert road.lane_bounds(99.999, -3)[1] - road.lane_bounds(99.999, -3)[0] == pytest.approx(
        0, abs=1e-3
    )
    # lane counts of every section equal the <lane> elements in the file (centre lane excluded)
    for name in ("soderleden.xodr", "fabriksgatan.xodr", "two_plus_one.xodr"):
        m = load_opendrive(corpus / name)
        for road_el in ET.parse(corpus / name).getroot().iter("road"):
            road = m.roads[road_el.get("id")]
            for sec_el, sec in zip(road_el.iter("laneSection"), road.sections, strict=True):
                ids = [int(ln.get("id")) for ln in sec_el.iter("lane") if ln.get("id") != "0"]
                assert sec.ids() == tuple(sorted(ids, reverse=True))
                assert road.section_range(sec.s + 1e-3)[0] == pytest.approx(float(sec_el.get("s")))
    # fabriksgatan's connecting road 8: laneOffset 1.75, so lane -1 spans 1.75 -> 1.75 - w
    path = corpus / "fabriksgatan.xodr"
    road = load_opendrive(path).roads["8"]
    w = float(
        next(ln for ln in _xml_road(path, "8").iter("lane") if ln.get("id") == "-1")
        .find("width")
        .get("a")
    )
    inner, outer = road.lane_bounds(2.0, -1)
    assert (inner, outer) == pytest.approx((1.75, 1.75 - w))
    assert road.lane_center(2.0, -1) == pytest.approx(1.75 - w / 2)


def test_lane_direction_and_left_hand_traffic(corpus: Path) -> None:
    rht = load_opendrive(corpus / "e6mini.xodr")
    lht = load_opendrive(corpus / "e6mini-lht.xodr")
    assert not rht.left_hand and lht.left_hand
    r, left = next(iter(rht.roads.values())), next(iter(lht.roads.values()))
    assert (r.lane_direction(-1), r.lane_direction(1)) == (1, -1)
    assert (left.lane_direction(-1), left.lane_direction(1)) == (-1, 1)


def test_fabriksgatan_junction_routes_every_connection(corpus: Path) -> None:
    path = corpus / "fabriksgatan.xodr"
    m = load_opendrive(path)
    junction = m.junctions["4"]
    xml_connections = list(ET.parse(path).getroot().find("junction").iter("connection"))
    assert len(junction.connections) == len(xml_connections) == 12
    for c, el in zip(junction.connections, xml_connections, strict=True):
        assert (c.incoming_road, c.connecting_road, c.contact_point) == (
            el.get("incomingRoad"), el.get("connectingRoad"), el.get("contactPoint"))  # fmt: skip
        assert c.lane_links == tuple(
            (int(ln.get("from")), int(ln.get("to"))) for ln in el.iter("laneLink")
        )
    routed = 0
    for c in junction.connections:
        incoming = m.roads[c.incoming_road]
        for a, b in c.lane_links:
            # a vehicle on the incoming lane drives towards the junction: along +s when the
            # junction is the road's successor, else against s
            forward = incoming.successor is not None and incoming.successor.element_id == "4"
            assert incoming.lane_direction(a) == (1 if forward else -1)
            into = [
                r for r in m.successors(c.incoming_road, a, forward) if r.road == c.connecting_road
            ]
            assert len(into) == 1 and into[0].lane == b
            conn = m.roads[c.connecting_road]
            assert into[0].s_entry == (0.0 if c.contact_point == "start" else conn.length)
            # through the connecting road to the outgoing road named by its own link
            out_link = conn.successor if into[0].forward else conn.predecessor
            (out,) = m.successors(conn.id, b, into[0].forward)
            assert out.road == out_link.element_id and out.road != c.incoming_road
            outgoing = m.roads[out.road]
            # it arrives on a lane whose traffic goes the way it now travels ...
            assert outgoing.lane_direction(out.lane) == (1 if out.forward else -1)
            # ... and the connecting lane's end meets that lane's start (within 2 cm)
            s_end = conn.length if into[0].forward else 0.0
            p_end = conn.to_world(s_end, conn.lane_center(s_end, b))
            p_out = outgoing.to_world(out.s_entry, outgoing.lane_center(out.s_entry, out.lane))
            assert math.dist(p_end[:2], p_out[:2]) < 0.02
            routed += 1
    assert routed == sum(len(c.lane_links) for c in junction.connections) == 20


def test_signs_on_straight_500m(corpus: Path) -> None:
    m = load_opendrive(corpus / "straight_500m_signs.xodr")
    signs, controllers = m.signal_layout()
    assert len(signs) == 19 and controllers == []
    assert len({s.id for s in signs}) == 19  # two repeated ids in the file get their line
    by_id = {s.id: s for s in signs}
    # id 6: type 274 (speed limit 50, de) at s = 200, t = 3.57, zOffset 1.7, orientation "+":
    # on the straight road (heading 0) it stands at (200, 3.57, 1.7) and faces -s (yaw pi)
    six = by_id["6"]
    assert (six.kind, six.code, six.country, six.value) == ("traffic_sign", "274", "de", 50.0)
    assert six.position == pytest.approx((200.0, 3.57, 1.7))
    assert abs(math.cos(six.yaw) + 1) < 1e-9 and six.direction == 1 and six.s == 200.0
    assert (six.width, six.height, six.road) == (0.61, 0.61, "1")
    # id 8: orientation "-": faces +s (yaw 0), governs traffic against s
    assert by_id["8"].yaw == pytest.approx(0.0) and by_id["8"].direction == -1
    # validity fromLane -3..-2, 1..2, 3..3 -> lanes 3, 2, 1, -2, -3
    assert by_id["9"].lanes == (3, 2, 1, -2, -3)
    # a sign with no type, named "de_274-50": code from its name
    named = next(s for s in signs if s.code == "274" and s.country == "DE")
    assert named.value == 50.0 and named.position[0] == pytest.approx(350.0)
    assert {s.code for s in signs} >= {"c", "274", "a", "123", "shi", "jin"}


def test_traffic_lights_on_fabriksgatan(corpus: Path) -> None:
    path = corpus / "fabriksgatan_traffic_lights.xodr"
    m = load_opendrive(path)
    lights, controllers = m.signal_layout()
    assert [(s.id, s.kind, s.code) for s in lights] == [
        ("1", "traffic_light", "1000001"),
        ("2", "traffic_light", "1000002"),
        ("3", "traffic_light", "1000002"),
    ]
    # the file has no <controller>: each light gets its own, so each can cycle
    assert [(c.id, c.signals) for c in controllers] == [(f"signal_{i}", (i,)) for i in "123"]
    one = lights[0]
    road = m.roads[one.road]
    x, y, z, heading = road.to_world(109.0, -4.0)
    assert one.position == pytest.approx((x, y, z + 3.4))
    assert math.cos(one.yaw - (heading + math.pi)) == pytest.approx(1.0)
    assert (one.s, one.direction, one.width, one.height) == (109.0, 1, 0.4, 0.8)
    # light 2: hOffset 1.57 turns the face a quarter turn from facing -s
    assert math.cos(
        lights[1].yaw - (road.to_world(114.0, 4.0)[3] + math.pi + 1.57)
    ) == pytest.approx(1.0)
    assert lights[1].lanes == (1, -1)
    # the kerb: the ground under a light on the sidewalk is the sidewalk's raised surface
    assert one.ground_z == pytest.approx(m.surface_height(x, y))


CONTROLLED = """<?xml version="1.0"?>
<OpenDRIVE>
  <header revMajor="1" revMinor="6"/>
  <road id="1" length="100" junction="-1">
    <planView><geometry s="0" x="0" y="0" hdg="0" length="100"><line/></geometry></planView>
    <lanes><laneSection s="0">
      <center><lane id="0" type="none"/></center>
      <right><lane id="-1" type="driving">
        <width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></right>
    </laneSection></lanes>
    <signals>
      <signal id="10" s="90" t="-5" zOffset="3" orientation="+" dynamic="yes" type="1000001"
        country="DE" subtype="-1" width="0.3" height="0.9"/>
      <signalReference id="10" s="40" t="-4" orientation="+">
        <validity fromLane="-1" toLane="-1"/></signalReference>
    </signals>
  </road>
  <controller id="c1" name="main" sequence="2"><control signalId="10" type="0"/></controller>
</OpenDRIVE>
"""


def test_controllers_and_signal_references(tmp_path: Path) -> None:
    path = tmp_path / "controlled.xodr"
    path.write_text(CONTROLLED)
    signals, controllers = load_opendrive(path).signal_layout()
    assert [(c.id, c.signals, c.sequence) for c in controllers] == [("c1", ("10",), 2)]
    head, ref = signals
    assert (head.controller, head.physical, head.s) == ("c1", True, 90.0)
    assert (ref.physical, ref.s, ref.lanes, ref.position) == (False, 40.0, (-1,), head.position)


def _broken(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(OpenDriveError) as err:
        load_opendrive(path)
    return str(err.value)


def test_malformed_files_name_file_and_line(tmp_path: Path) -> None:
    lines = CONTROLLED.splitlines()
    # 1. broken XML: the </lanes> closing tag is missing; the parser notices at </road>,
    # which closes a tag that <lanes> left open
    text = "\n".join(ln for ln in lines if "</lanes>" not in ln)
    msg = _broken(tmp_path, "broken.xodr", text)
    at = text.splitlines().index("  </road>") + 1
    assert msg.startswith(f"{tmp_path / 'broken.xodr'}:{at}: broken XML")
    # 2. a road with no planView geometry: the error names the <road> line (4)
    text = CONTROLLED.replace(
        '<geometry s="0" x="0" y="0" hdg="0" length="100"><line/></geometry>', ""
    )
    msg = _broken(tmp_path, "nogeom.xodr", text)
    assert msg == f"{tmp_path / 'nogeom.xodr'}:4: road '1' has no <planView> <geometry>"
    # 3. a lane link (junction connection) to a missing road: the <connection> line
    junction = """  <junction id="7">
    <connection id="0" incomingRoad="1" connectingRoad="99" contactPoint="start">
    <laneLink from="-1" to="-1"/></connection></junction>
</OpenDRIVE>"""
    text = CONTROLLED.replace("</OpenDRIVE>", junction)
    msg = _broken(tmp_path, "link.xodr", text)
    line = text.splitlines().index(next(ln for ln in text.splitlines() if "<connection" in ln)) + 1
    assert (
        msg == f"{tmp_path / 'link.xodr'}:{line}: junction connection refers to missing road '99'"
    )
    # 4. a road link to a missing road, and a bad number
    text = CONTROLLED.replace(
        'junction="-1">',
        'junction="-1"><link><successor elementType="road" elementId="5" contactPoint="start"/></link>',  # noqa: E501
    )
    assert _broken(tmp_path, "road.xodr", text).endswith(":4: road '1' links to missing road '5'")
    text = CONTROLLED.replace('length="100" junction', 'length="1o0" junction')
    assert _broken(tmp_path, "num.xodr", text).endswith(":4: <road> length='1o0' is not a number")


def test_unsupported_elements_reported_once(tmp_path: Path) -> None:
    text = CONTROLLED.replace(
        "<signals>",
        '<objects><tunnel s="0" length="5" id="1"/></objects><bridge s="1"/><bridge s="2"/><signals>',  # noqa: E501
    )
    path = tmp_path / "extra.xodr"
    path.write_text(text)
    m = load_opendrive(path)
    # <signals> is on line 11 of CONTROLLED: both kinds there, each reported once
    assert m.unsupported == (f"{path}:11: tunnel", f"{path}:11: bridge")
