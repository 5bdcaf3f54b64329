"""Write scenarios/maps/straight_3lane.xodr: a straight motorway in ASAM OpenDRIVE.

One road (id 1) from (0, 0) heading east (+x), 1000 m long: three 3.5 m driving lanes each way
(-1, -2, -3 to the right of the reference line carry traffic east; 1, 2, 3 to its left carry it
west), broken marks between lanes of one direction, a solid centre line, no junctions. Lane -1
lies next to the centre line, so its centre is at y = -1.75, lane -2's at -5.25, lane -3's at
-8.75. Storyboard tests and the storyboard example drive on it.

Run: python tools/make_straight_map.py [--length 1000] [--out scenarios/maps/straight_3lane.xodr]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from xml.etree import ElementTree as ET

LANE_WIDTH = 3.5
LANES = 3


def _sub(parent: ET.Element, tag: str, **attrs: object) -> ET.Element:
    return ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})


def _lane(side: ET.Element, lane_id: int, outermost: bool) -> None:
    lane = _sub(side, "lane", id=lane_id, type="driving", level="false")
    _sub(lane, "link")
    _sub(lane, "width", sOffset=0, a=LANE_WIDTH, b=0, c=0, d=0)
    mark = "solid" if outermost else "broken"
    _sub(lane, "roadMark", sOffset=0, type=mark, weight="standard", color="standard",
         width=0.12, laneChange="none" if outermost else "both")  # fmt: skip


def build(length: float) -> ET.ElementTree:
    root = ET.Element("OpenDRIVE")
    _sub(root, "header", revMajor=1, revMinor=6, name="straight_3lane", version="1.0",
         north=20, south=-20, east=length, west=0, vendor="simgen")  # fmt: skip
    road = _sub(root, "road", name="motorway", length=length, id=1, junction=-1)
    _sub(road, "link")
    _sub(road, "type", s=0, type="motorway")
    plan = _sub(road, "planView")
    geometry = _sub(plan, "geometry", s=0, x=0, y=0, hdg=0, length=length)
    _sub(geometry, "line")
    _sub(_sub(road, "elevationProfile"), "elevation", s=0, a=0, b=0, c=0, d=0)
    _sub(road, "lateralProfile")
    lanes = _sub(road, "lanes")
    _sub(lanes, "laneOffset", s=0, a=0, b=0, c=0, d=0)
    section = _sub(lanes, "laneSection", s=0)
    left = _sub(section, "left")
    for k in range(LANES, 0, -1):
        _lane(left, k, k == LANES)
    centre = _sub(_sub(section, "center"), "lane", id=0, type="none", level="false")
    _sub(centre, "roadMark", sOffset=0, type="solid", weight="standard", color="standard",
         width=0.12, laneChange="none")  # fmt: skip
    right = _sub(section, "right")
    for k in range(1, LANES + 1):
        _lane(right, -k, k == LANES)
    ET.indent(root)
    return ET.ElementTree(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=float, default=1000.0)
    parser.add_argument("--out", type=Path, default=Path("scenarios/maps/straight_3lane.xodr"))
    args = parser.parse_args()
    build(args.length).write(args.out, encoding="utf-8", xml_declaration=True)


if __name__ == "__main__":
    main()
