"""Write scenarios/maps/town_junction.xodr: a signalised 4-way town junction in ASAM OpenDRIVE.

Four straight arms leave the junction (s = 0 at the junction's edge, heading outwards), each with
one driving lane per direction and a raised sidewalk on both sides. Twelve connecting roads join
every incoming lane to every other arm (straight on, right and left turns as quarter circles).
Three-lamp traffic lights (type 1000001) stand at each approach's stop line, switched by two
controllers (north-south and east-west), and a stop sign and a speed limit stand on two arms.

Run: python tools/make_town_map.py [--arm-length 80] [--out scenarios/maps/town_junction.xodr]
The file is written deterministically; the committed one comes from the defaults.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from xml.etree import ElementTree as ET

LANE_WIDTH = 3.5
SIDEWALK_WIDTH = 3.0
JUNCTION_RADIUS = 10.0  # arms start this far from the junction's centre
ARMS = {"east": 0.0, "north": 90.0, "west": 180.0, "south": 270.0}  # outward headings (deg)
STOP_LINE_S = 2.0  # along each arm, from the junction's edge


def _f(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if value else "0"


def _sub(parent: ET.Element, tag: str, **attrs: object) -> ET.Element:
    return ET.SubElement(
        parent, tag, {k: _f(v) if isinstance(v, float) else str(v) for k, v in attrs.items()}
    )


def _lane(
    parent: ET.Element, lane_id: int, kind: str, width: float, mark: str | None
) -> ET.Element:
    lane = _sub(parent, "lane", id=lane_id, type=kind, level="false")
    _sub(lane, "link")
    _sub(lane, "width", sOffset=0.0, a=width, b=0.0, c=0.0, d=0.0)
    if mark is not None:
        _sub(lane, "roadMark", sOffset=0.0, type=mark, weight="standard", color="standard",
             width=0.12, laneChange="none" if mark == "solid" else "both")  # fmt: skip
    return lane


def _lanes(road: ET.Element, sidewalks: bool, centre_mark: str) -> None:
    lanes = _sub(road, "lanes")
    _sub(lanes, "laneOffset", s=0.0, a=0.0, b=0.0, c=0.0, d=0.0)
    section = _sub(lanes, "laneSection", s=0.0)
    if sidewalks:
        left = _sub(section, "left")
        _lane(left, 2, "sidewalk", SIDEWALK_WIDTH, None)
        _lane(left, 1, "driving", LANE_WIDTH, "solid")
    centre = _sub(section, "center")
    c = _sub(centre, "lane", id=0, type="none", level="false")
    if centre_mark != "none":
        _sub(c, "roadMark", sOffset=0.0, type=centre_mark, weight="standard", color="standard",
             width=0.12, laneChange="both" if centre_mark == "broken" else "none")  # fmt: skip
    right = _sub(section, "right")
    _lane(right, -1, "driving", LANE_WIDTH, "solid" if sidewalks else None)
    if sidewalks:
        _lane(right, -2, "sidewalk", SIDEWALK_WIDTH, None)


def _unit(deg: float) -> tuple[float, float]:
    return math.cos(math.radians(deg)), math.sin(math.radians(deg))


def build(arm_length: float) -> ET.ElementTree:
    root = ET.Element("OpenDRIVE")
    _sub(root, "header", revMajor=1, revMinor=6, name="town_junction", version="1.0",
         north=arm_length + JUNCTION_RADIUS, south=-(arm_length + JUNCTION_RADIUS),
         east=arm_length + JUNCTION_RADIUS, west=-(arm_length + JUNCTION_RADIUS),
         vendor="simgen")  # fmt: skip
    arm_ids = {name: str(i + 1) for i, name in enumerate(ARMS)}
    signal_ids: dict[str, str] = {}
    # --- the arms ---
    for name, heading in ARMS.items():
        ux, uy = _unit(heading)
        road = _sub(root, "road", name=f"{name}_arm", length=arm_length, id=arm_ids[name],
                    junction="-1", rule="RHT")  # fmt: skip
        link = _sub(road, "link")
        _sub(link, "predecessor", elementType="junction", elementId="100")
        _sub(_sub(road, "type", s=0.0, type="town"), "speed", max=50, unit="km/h")
        plan = _sub(road, "planView")
        geo = _sub(plan, "geometry", s=0.0, x=ux * JUNCTION_RADIUS, y=uy * JUNCTION_RADIUS,
                   hdg=math.radians(heading), length=arm_length)  # fmt: skip
        _sub(geo, "line")
        _sub(_sub(road, "elevationProfile"), "elevation", s=0.0, a=0.0, b=0.0, c=0.0, d=0.0)
        _sub(road, "lateralProfile")
        _lanes(road, sidewalks=True, centre_mark="broken")
        objects = _sub(road, "objects")
        # a zebra crossing just outside the stop line, across both lanes
        _sub(objects, "object", id=f"{arm_ids[name]}0", name="crosswalk", type="crosswalk",
             s=STOP_LINE_S + 3.5, t=0.0, zOffset=0.0, orientation="none", length=3.0,
             width=LANE_WIDTH * 2, hdg=0.0, pitch=0.0, roll=0.0)  # fmt: skip
        signals = _sub(road, "signals")
        sid = f"{arm_ids[name]}1"
        signal_ids[name] = sid
        # faces traffic coming in (travelling against s), on that traffic's right: t > 0
        _sub(signals, "signal", s=STOP_LINE_S, t=LANE_WIDTH + SIDEWALK_WIDTH / 2, id=sid,
             name=f"light_{name}", dynamic="yes", orientation="-", zOffset=2.4,
             country="OpenDRIVE", type="1000001", subtype="-1", value=-1.0, height=1.0,
             width=0.35, hOffset=0.0)  # fmt: skip
        if name == "east":
            _sub(signals, "signal", s=arm_length * 0.6, t=-(LANE_WIDTH + SIDEWALK_WIDTH / 2),
                 id=f"{arm_ids[name]}2", name="speed_limit_50", dynamic="no", orientation="+",
                 zOffset=2.0, country="DE", type="274", subtype="55", value=50.0, unit="km/h",
                 height=0.6, width=0.6, hOffset=0.0)  # fmt: skip
        if name == "west":
            _sub(signals, "signal", s=arm_length * 0.5, t=LANE_WIDTH + SIDEWALK_WIDTH / 2,
                 id=f"{arm_ids[name]}2", name="no_entry", dynamic="no", orientation="-",
                 zOffset=2.0, country="DE", type="267", subtype="-1", value=-1.0,
                 height=0.6, width=0.6, hOffset=0.0)  # fmt: skip
    # --- the connecting roads ---
    junction = ET.Element("junction", id="100", name="town_junction")
    next_id = 200
    connection = 0
    for src, src_heading in ARMS.items():
        for dst, dst_heading in ARMS.items():
            if dst == src:
                continue
            sx, sy = _unit(src_heading)
            start_hdg = math.radians(src_heading + 180.0)
            turn = (dst_heading - (src_heading + 180.0)) % 360.0  # 0 straight, 90 left, 270 right
            road_id = str(next_id)
            next_id += 1
            if turn == 0.0:
                length, curvature = 2 * JUNCTION_RADIUS, 0.0
            else:
                length = math.pi / 2 * JUNCTION_RADIUS
                curvature = (1.0 if turn == 90.0 else -1.0) / JUNCTION_RADIUS
            road = _sub(root, "road", name=f"{src}_to_{dst}", length=length, id=road_id,
                        junction="100", rule="RHT")  # fmt: skip
            link = _sub(road, "link")
            _sub(
                link,
                "predecessor",
                elementType="road",
                elementId=arm_ids[src],
                contactPoint="start",
            )
            _sub(
                link, "successor", elementType="road", elementId=arm_ids[dst], contactPoint="start"
            )
            plan = _sub(road, "planView")
            geo = _sub(plan, "geometry", s=0.0, x=sx * JUNCTION_RADIUS, y=sy * JUNCTION_RADIUS,
                       hdg=start_hdg, length=length)  # fmt: skip
            if curvature == 0.0:
                _sub(geo, "line")
            else:
                _sub(geo, "arc", curvature=curvature)
            _sub(_sub(road, "elevationProfile"), "elevation", s=0.0, a=0.0, b=0.0, c=0.0, d=0.0)
            _sub(road, "lateralProfile")
            lanes = _sub(road, "lanes")
            section = _sub(lanes, "laneSection", s=0.0)
            _sub(_sub(section, "center"), "lane", id=0, type="none", level="false")
            right = _sub(section, "right")
            lane = _lane(right, -1, "driving", LANE_WIDTH, None)
            lane_link = lane.find("link")
            assert lane_link is not None
            _sub(lane_link, "predecessor", id=1)
            _sub(lane_link, "successor", id=-1)
            conn = _sub(junction, "connection", id=connection, incomingRoad=arm_ids[src],
                        connectingRoad=road_id, contactPoint="start")  # fmt: skip
            _sub(conn, "laneLink", **{"from": 1, "to": -1})
            connection += 1
    # --- controllers: north-south and east-west, in that order ---
    for cid, (name, arms) in enumerate((("north_south", ("north", "south")),
                                        ("east_west", ("east", "west"))), start=1):  # fmt: skip
        controller = _sub(root, "controller", id=cid, name=name, sequence=cid)
        for arm in arms:
            _sub(controller, "control", signalId=signal_ids[arm], type="0")
        _sub(junction, "controller", id=cid, type="0", sequence=cid)
    root.append(junction)
    ET.indent(root)
    return ET.ElementTree(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arm-length", type=float, default=80.0)
    parser.add_argument("--out", type=Path, default=Path("scenarios/maps/town_junction.xodr"))
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    build(args.arm_length).write(args.out, encoding="utf-8", xml_declaration=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
