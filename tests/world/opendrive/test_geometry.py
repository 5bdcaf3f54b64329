"""Reference lines and lane centres against geometry computed by hand from the files' numbers.

The hand computations read the numbers with the standard library's ElementTree (not the
importer) and evaluate them independently: arcs from their centre, clothoids by a fine numerical
integration of the curvature, paramPoly3 by the polynomials directly.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from simgen.world.opendrive import load_opendrive

TOL = 0.02  # m: the acceptance bound


def _geometries(path: Path, road_id: str) -> list[dict]:
    road = next(r for r in ET.parse(path).getroot().iter("road") if r.get("id") == road_id)
    out = []
    for g in road.find("planView"):
        kind = next(iter(g))
        numbers = {k: float(v) for k, v in g.attrib.items()}
        params = {k: float(v) if k != "pRange" else v for k, v in kind.attrib.items()}
        out.append({"kind": kind.tag, **numbers, **params})
    return out


def _integrate(g: dict, ds: float, steps: int = 20000) -> tuple[float, float, float]:
    """x, y, heading at ds along a line/arc/spiral: midpoint rule over the curvature."""
    k0 = {"line": 0.0, "arc": g.get("curvature", 0.0)}.get(g["kind"], g.get("curvStart", 0.0))
    k1 = {"line": 0.0, "arc": g.get("curvature", 0.0)}.get(g["kind"], g.get("curvEnd", 0.0))
    h = ds / steps
    u = (np.arange(steps) + 0.5) * h  # midpoints
    heading = g["hdg"] + k0 * u + 0.5 * (k1 - k0) / g["length"] * u * u
    x = g["x"] + np.sum(np.cos(heading)) * h
    y = g["y"] + np.sum(np.sin(heading)) * h
    return x, y, g["hdg"] + k0 * ds + 0.5 * (k1 - k0) / g["length"] * ds * ds


def _hand_reference(geoms: list[dict], s: float) -> tuple[float, float, float]:
    g = [g for g in geoms if g["s"] <= s + 1e-9][-1]
    ds = s - g["s"]
    if g["kind"] == "paramPoly3":
        p = ds / g["length"] if g.get("pRange", "normalized") == "normalized" else ds
        u = g["aU"] + g["bU"] * p + g["cU"] * p**2 + g["dU"] * p**3
        v = g["aV"] + g["bV"] * p + g["cV"] * p**2 + g["dV"] * p**3
        du = g["bU"] + 2 * g["cU"] * p + 3 * g["dU"] * p**2
        dv = g["bV"] + 2 * g["cV"] * p + 3 * g["dV"] * p**2
        c, sn = math.cos(g["hdg"]), math.sin(g["hdg"])
        return g["x"] + c * u - sn * v, g["y"] + sn * u + c * v, g["hdg"] + math.atan2(dv, du)
    return _integrate(g, ds)


def _offset(x: float, y: float, heading: float, t: float) -> tuple[float, float]:
    return x - math.sin(heading) * t, y + math.cos(heading) * t


def test_straight_lane_centres(corpus: Path) -> None:
    # straight_500m: one line from (0, 0) heading 0; lanes -1 and 1 are 3.07 m wide, so their
    # centres are 3.07 / 2 = 1.535 m either side of the reference line: (s, -+1.535).
    m = load_opendrive(corpus / "straight_500m.xodr")
    road = m.roads["1"]
    for s in (0.0, 100.0, 200.0):
        for lane, t in ((-1, -1.535), (1, 1.535)):
            assert road.lane_center(s, lane) == pytest.approx(t, abs=1e-9)
            x, y, z, _ = road.to_world(s, road.lane_center(s, lane))
            assert (x, y, z) == pytest.approx((s, t, 0.0), abs=TOL)


def test_arc_lane_centres_from_the_circle_centre(corpus: Path) -> None:
    # circle_300m: an arc from (0, 63) heading 0 with curvature k = 0.020943951 (r = 47.746 m).
    # Its centre is (x - sin(hdg)/k, y + cos(hdg)/k) = (0, 63 + 1/k). A point s along it is at
    # angle -pi/2 + k*s around the centre; lane -1's centre (t = -1.535) is 1/k + 1.535 out.
    m = load_opendrive(corpus / "circle_300m.xodr")
    road = m.roads["0"] if "0" in m.roads else next(iter(m.roads.values()))
    k = 20.9439510000000001e-03
    cx, cy = 0.0, 63.0 + 1.0 / k
    for s in (0.0, 100.0, 200.0):
        a = -math.pi / 2 + k * s
        for lane, radius in ((-1, 1 / k + 1.535), (1, 1 / k - 1.535)):
            x, y, _, heading = road.to_world(s, road.lane_center(s, lane))
            assert (x, y) == pytest.approx(
                (cx + radius * math.cos(a), cy + radius * math.sin(a)), abs=TOL
            )
            assert math.cos(heading - k * s) == pytest.approx(1.0, abs=1e-9)
    # curve_r100: a 500 m line, then an arc of r = 100 (k = 0.01) from (500, 0) heading 0, so its
    # centre is (500, 100); s = 600 is 100 m (1 rad) into the arc.
    r100 = load_opendrive(corpus / "curve_r100.xodr")
    road = next(iter(r100.roads.values()))
    for s in (0.0, 100.0, 200.0):
        assert road.to_world(s, road.lane_center(s, -1))[:2] == pytest.approx((s, -1.535), abs=TOL)
    for s in (550.0, 600.0, 650.0):
        a = -math.pi / 2 + 0.01 * (s - 500.0)
        x, y, _, _ = road.to_world(s, road.lane_center(s, -1))
        radius = 100.0 + 1.535
        assert (x, y) == pytest.approx(
            (500 + radius * math.cos(a), 100 + radius * math.sin(a)), abs=TOL
        )


def test_spiral_lane_centres_by_numerical_integration(corpus: Path) -> None:
    # curves.xodr: line 0-50, spiral 50-100 (curvature 0 -> 0.007), arc, spiral 324.4-357.3
    # (0.007 -> 0), spiral 357.3-404.4 (0 -> -0.01), ... Each station is integrated by hand from
    # its piece's start: heading(u) = hdg + k0 u + (k1 - k0) u^2 / (2 L), 20000 midpoint steps.
    path = corpus / "curves.xodr"
    m = load_opendrive(path)
    road = m.roads["0"] if "0" in m.roads else next(iter(m.roads.values()))
    geoms = _geometries(path, road.id)
    assert [g["kind"] for g in geoms].count("spiral") >= 4
    for s in (0.0, 75.0, 100.0, 200.0, 340.0, 380.0, 700.0, 740.0):
        x, y, h = _hand_reference(geoms, s)
        for lane in (-1, 1):
            t = road.lane_center(s, lane)
            assert t == pytest.approx(1.535 * (1 if lane > 0 else -1))
            got = road.to_world(s, t)
            assert got[:2] == pytest.approx(_offset(x, y, h, t), abs=TOL), (s, lane)
    # and every piece ends where the file says the next one starts
    for nxt in geoms[1:]:
        end = road.reference(nxt["s"] - 1e-9)
        assert end[:2] == pytest.approx((nxt["x"], nxt["y"]), abs=TOL)


def test_parampoly3_lane_centres(corpus: Path) -> None:
    # jolengatan (pRange arcLength: p = ds) and e6mini: u(p), v(p) cubic in the piece's frame,
    # rotated by hdg and moved to (x, y); heading = hdg + atan2(v'(p), u'(p)).
    for name in ("jolengatan.xodr", "e6mini.xodr"):
        path = corpus / name
        m = load_opendrive(path)
        road = max(m.roads.values(), key=lambda r: r.length)
        geoms = _geometries(path, road.id)
        assert any(g["kind"] == "paramPoly3" for g in geoms)
        for s in (0.0, 100.0, 200.0):
            if _piece_kind(geoms, s) != "paramPoly3":
                continue
            x, y, h = _hand_reference(geoms, s)
            for lane in road.lane_ids(s):
                if road.lane(s, lane).type != "driving":
                    continue
                t = road.lane_center(s, lane)
                assert road.to_world(s, t)[:2] == pytest.approx(_offset(x, y, h, t), abs=TOL)


def _piece_kind(geoms: list[dict], s: float) -> str:
    return [g for g in geoms if g["s"] <= s + 1e-9][-1]["kind"]


def test_elevation_and_to_road_round_trip(corpus: Path) -> None:
    # crest-curve: z(s) = a + b ds + c ds^2 + d ds^3 of the elevation record in force at s.
    path = corpus / "crest-curve.xodr"
    m = load_opendrive(path)
    road = next(iter(m.roads.values()))
    records = [{k: float(v) for k, v in e.attrib.items()} for e in ET.parse(path).iter("elevation")]
    for s in (10.0, 150.0, 260.0):
        e = [r for r in records if r["s"] <= s][-1]
        ds = s - e["s"]
        z = e["a"] + e["b"] * ds + e["c"] * ds**2 + e["d"] * ds**3
        assert road.reference(s)[2] == pytest.approx(z, abs=1e-6)
        for t in (-3.0, 2.0):
            x, y, _, _ = road.to_world(s, t)
            assert road.to_road(x, y) == pytest.approx((s, t), abs=1e-4)


def test_spiral_with_constant_curvature_is_an_arc(tmp_path: Path) -> None:
    # curvStart == curvEnd must not divide by zero: a spiral of k = 0.02 over 50 m is an arc whose
    # centre is (0, 1/k) = (0, 50); its end is at angle -pi/2 + 0.02 * 50 = -pi/2 + 1 rad.
    path = tmp_path / "flat_spiral.xodr"
    path.write_text(_one_road('<spiral curvStart="0.02" curvEnd="0.02"/>', 50.0))
    road = load_opendrive(path).roads["1"]
    a = -math.pi / 2 + 1.0
    assert road.reference(50.0)[:2] == pytest.approx(
        (50 * math.cos(a), 50 + 50 * math.sin(a)), abs=1e-9
    )
    path.write_text(_one_road('<spiral curvStart="0" curvEnd="0"/>', 50.0))
    assert load_opendrive(path).roads["1"].reference(50.0)[:2] == pytest.approx((50.0, 0.0))


def test_superelevation_rolls_the_cross_section(tmp_path: Path) -> None:
    # superelevation 0.1 rad (falling to the right): a point t = -3 along the surface sits at
    # horizontal offset -3 cos(0.1) and height -3 sin(0.1) below the reference line.
    path = tmp_path / "roll.xodr"
    path.write_text(
        _one_road("<line/>", 100.0, lateral='<superelevation s="0" a="0.1" b="0" c="0" d="0"/>')
    )
    road = load_opendrive(path).roads["1"]
    x, y, z, _ = road.to_world(20.0, -3.0)
    assert (x, y, z) == pytest.approx((20.0, -3 * math.cos(0.1), -3 * math.sin(0.1)), abs=1e-9)


def _one_road(geometry: str, length: float, lateral: str = "") -> str:
    return f"""<?xml version="1.0"?>
<OpenDRIVE>
  <header revMajor="1" revMinor="6"/>
  <road id="1" length="{length}" junction="-1">
    <planView><geometry s="0" x="0" y="0" hdg="0" length="{length}">{geometry}</geometry></planView>
    <lateralProfile>{lateral}</lateralProfile>
    <lanes><laneSection s="0">
      <center><lane id="0" type="none"/></center>
      <right><lane id="-1" type="driving">
        <width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></right>
    </laneSection></lanes>
  </road>
</OpenDRIVE>
"""
