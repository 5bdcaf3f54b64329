"""XML -> the map's parts: roads (with lanes), junctions, controllers, objects and signals."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simgen.world.opendrive.junctions import Connection, Controller, Junction
from simgen.world.opendrive.lanes import Lane, LaneSection, MarkLine, RoadMark, default_lines
from simgen.world.opendrive.objects import (
    Corner,
    ObjectMarking,
    Outline,
    Repeat,
    RoadObject,
)
from simgen.world.opendrive.planview import Piece, ReferenceLine
from simgen.world.opendrive.profiles import Poly3Profile
from simgen.world.opendrive.road import Link, Road
from simgen.world.opendrive.signals import Signal, SignalReference
from simgen.world.opendrive.xml import Element, Source

_GEOMETRY = ("line", "arc", "spiral", "poly3", "paramPoly3")


@dataclass(frozen=True, eq=False)
class Parsed:
    """Everything a file holds, as read; the map (``network.OpenDriveMap``) builds on it."""

    path: Path
    roads: dict[str, Road]
    junctions: dict[str, Junction]
    controllers: dict[str, Controller]
    objects: tuple[RoadObject, ...]
    signals: tuple[Signal, ...]
    references: tuple[SignalReference, ...]
    left_hand: bool
    unsupported: tuple[str, ...]


def parse_file(path: Path) -> Parsed:
    src = Source(Path(path))
    root = src.parse()
    header = root.find("header")
    left_hand = False
    roads: dict[str, Road] = {}
    objects: list[RoadObject] = []
    signals: list[Signal] = []
    refs: list[SignalReference] = []
    for el in root.findall("road"):
        road = _road(src, el)
        if road.id in roads:
            raise src.error(el, f"road id '{road.id}' is used twice")
        roads[road.id] = road
        left_hand = left_hand or road.left_hand
        objects += _objects(src, el, road.id)
        s_sig, s_ref = _signals(src, el, road.id)
        signals += s_sig
        refs += s_ref
    if not roads:
        raise src.error(root, "the file has no <road>")
    junctions = {}
    for el in root.findall("junction"):
        j = _junction(src, el, roads)
        junctions[j.id] = j
    _check_links(src, root, roads, junctions)
    controllers = {}
    for el in root.findall("controller"):
        c = _controller(src, el)
        controllers[c.id] = c
    if header is not None and header.get("rule", "").upper() == "LHT":
        left_hand = True
    return Parsed(
        path=Path(path),
        roads=roads,
        junctions=junctions,
        controllers=controllers,
        objects=tuple(objects),
        signals=tuple(signals),
        references=tuple(refs),
        left_hand=left_hand,
        unsupported=tuple(src.unsupported.values()),
    )


def _link(src: Source, el: Element | None) -> Link | None:
    if el is None:
        return None
    kind = src.text(el, "elementType", "road")
    if kind not in ("road", "junction"):
        src.skip(el, f"{el.tag} elementType={kind}")
        return None
    cp = el.get("contactPoint")
    if cp is not None and cp not in ("start", "end"):
        raise src.error(el, f"contactPoint='{cp}' must be start or end")
    if kind == "road" and cp is None:
        raise src.error(el, f"<{el.tag}> to a road needs a contactPoint")
    return Link(kind, src.text(el, "elementId"), cp, el.sourceline or 0)  # type: ignore[arg-type]


def _poly(src: Source, els: list[Element], start: str = "s") -> Poly3Profile:
    return Poly3Profile.of(
        [
            (src.num(e, start), src.num(e, "a"), src.num(e, "b"), src.num(e, "c"), src.num(e, "d"))
            for e in els
        ]
    )


def _road(src: Source, el: Element) -> Road:
    rid = src.text(el, "id")
    length = src.num(el, "length")
    plan = el.find("planView")
    pieces = []
    for g in plan.findall("geometry") if plan is not None else []:
        pieces += _piece(src, g)
    if not pieces:
        raise src.error(el, f"road '{rid}' has no <planView> <geometry>")
    if length <= 0:
        raise src.error(el, f"road '{rid}' has length {length} (must be > 0)")
    link = el.find("link")
    pred = _link(src, link.find("predecessor")) if link is not None else None
    succ = _link(src, link.find("successor")) if link is not None else None
    junction = src.text(el, "junction", "-1")
    lanes = el.find("lanes")
    if lanes is None:
        raise src.error(el, f"road '{rid}' has no <lanes>")
    sections = tuple(
        sorted((_section(src, s) for s in lanes.findall("laneSection")), key=lambda x: x.s)
    )
    if not sections:
        raise src.error(lanes, f"road '{rid}' has no <laneSection>")
    lateral = el.find("lateralProfile")
    return Road(
        id=rid,
        name=src.text(el, "name", ""),
        length=length,
        junction=None if junction in ("-1", "") else junction,
        predecessor=pred,
        successor=succ,
        plan=ReferenceLine(tuple(sorted(pieces, key=lambda p: p.s))),
        elevation=_poly(src, el.findall("elevationProfile/elevation")),
        superelevation=_poly(src, lateral.findall("superelevation") if lateral is not None else []),
        lane_offset=_poly(src, lanes.findall("laneOffset")),
        sections=sections,
        left_hand=src.text(el, "rule", "RHT").upper() == "LHT",
        line=el.sourceline or 0,
    )


def _piece(src: Source, g: Element) -> list[Piece]:
    base = dict(
        s=src.num(g, "s"),
        x=src.num(g, "x"),
        y=src.num(g, "y"),
        hdg=src.num(g, "hdg"),
        length=src.num(g, "length"),
    )
    kids = [k for k in g if isinstance(k.tag, str) and k.tag in _GEOMETRY]
    if not kids:
        raise src.error(g, "<geometry> has no line, arc, spiral, poly3 or paramPoly3")
    k = kids[0]
    if base["length"] < 0:
        raise src.error(g, f"<geometry> length {base['length']} is negative")
    if k.tag == "line":
        return [Piece(**base, kind="line")]  # type: ignore[arg-type]
    if k.tag == "arc":
        return [Piece(**base, kind="arc", params=(src.num(k, "curvature"),))]  # type: ignore[arg-type]
    if k.tag == "spiral":
        params = (src.num(k, "curvStart"), src.num(k, "curvEnd"))
        return [Piece(**base, kind="spiral", params=params)]  # type: ignore[arg-type]
    if k.tag == "poly3":
        params = tuple(src.num(k, n) for n in "abcd")
        return [Piece(**base, kind="poly3", params=params)]  # type: ignore[arg-type]
    p_range = src.text(k, "pRange", "normalized")
    if p_range not in ("normalized", "arcLength"):
        raise src.error(k, f"pRange='{p_range}' must be arcLength or normalized")
    params = tuple(src.num(k, n) for n in ("aU", "bU", "cU", "dU", "aV", "bV", "cV", "dV"))
    normalized = 1.0 if p_range == "normalized" else 0.0
    return [Piece(**base, kind="paramPoly3", params=(*params, normalized))]  # type: ignore[arg-type]


def _section(src: Source, el: Element) -> LaneSection:
    lanes: dict[int, Lane] = {}
    for side in ("left", "center", "right"):
        for lane_el in el.findall(f"{side}/lane"):
            lane = _lane(src, lane_el)
            sign = {"left": 1, "center": 0, "right": -1}[side]
            if (lane.id > 0) - (lane.id < 0) != sign:
                raise src.error(lane_el, f"lane id {lane.id} does not belong in <{side}>")
            if lane.id in lanes:
                raise src.error(lane_el, f"lane id {lane.id} appears twice in this laneSection")
            lanes[lane.id] = lane
    single = src.text(el, "singleSide", "false").lower() == "true"
    return LaneSection(src.num(el, "s"), lanes, single)


def _lane(src: Source, el: Element) -> Lane:
    lid = src.integer(el, "id")
    link = el.find("link")

    def linked(tag: str) -> int | None:
        found = link.find(tag) if link is not None else None
        return None if found is None else src.integer(found, "id")

    if el.find("border") is not None:
        src.skip(el.find("border"))
    heights = el.findall("height")
    height = (
        (src.num(heights[0], "inner", 0.0), src.num(heights[0], "outer", 0.0))
        if heights
        else (0.0, 0.0)
    )
    return Lane(
        id=lid,
        type=src.text(el, "type", "none"),
        level=src.text(el, "level", "false").lower() in ("true", "1"),
        predecessor=linked("predecessor"),
        successor=linked("successor"),
        width=_poly(src, el.findall("width"), "sOffset") if lid else Poly3Profile.of([]),
        height=height,
        road_marks=tuple(
            sorted((_mark(src, m) for m in el.findall("roadMark")), key=lambda m: m.s_offset)
        ),
        line=el.sourceline or 0,
    )


def _mark(src: Source, el: Element) -> RoadMark:
    type_ = src.text(el, "type", "none")
    width = src.num(el, "width", 0.12)
    known = ("none", "solid", "broken", "solid solid", "solid broken", "broken solid",
             "broken broken", "botts dots", "curb")  # fmt: skip
    if type_ not in known:
        src.skip(el, f"roadMark type={type_}")
    t = el.find("type")
    lines: tuple[MarkLine, ...] = ()
    if t is not None:
        lines = tuple(
            MarkLine(
                length=src.num(ln, "length", 0.0),
                space=src.num(ln, "space", 0.0),
                t_offset=src.num(ln, "tOffset", 0.0),
                s_offset=src.num(ln, "sOffset", 0.0),
                width=src.num(ln, "width", width),
            )
            for ln in t.findall("line")
        )
    if not lines and type_ != "curb":
        lines = default_lines(type_, width)
    return RoadMark(
        s_offset=src.num(el, "sOffset", 0.0),
        type=type_,
        color=src.text(el, "color", "standard"),
        width=width,
        lines=lines,
        lane_change=src.text(el, "laneChange", "both"),
    )


def _validity(src: Source, el: Element) -> tuple[tuple[int, int], ...]:
    return tuple(
        (src.integer(v, "fromLane"), src.integer(v, "toLane")) for v in el.findall("validity")
    )


def _opt(src: Source, el: Element, name: str) -> float | None:
    return None if el.get(name) in (None, "") else src.num(el, name)


def _objects(src: Source, road_el: Element, road: str) -> list[RoadObject]:
    out = []
    for el in road_el.findall("objects/object"):
        # OpenDRIVE 1.4 puts one <outline> straight under <object>; 1.5+ wraps them in <outlines>
        outlines = el.findall("outlines/outline") + el.findall("outline")
        out.append(
            RoadObject(
                road=road,
                id=src.text(el, "id", ""),
                type=src.text(el, "type", "none"),
                name=src.text(el, "name", ""),
                s=src.num(el, "s"),
                t=src.num(el, "t"),
                z_offset=src.num(el, "zOffset", 0.0),
                hdg=src.num(el, "hdg", 0.0),
                length=_opt(src, el, "length"),
                width=_opt(src, el, "width"),
                height=_opt(src, el, "height"),
                radius=_opt(src, el, "radius"),
                orientation=src.text(el, "orientation", "none"),
                outlines=tuple(_outline(src, o) for o in outlines),
                repeats=tuple(_repeat(src, r) for r in el.findall("repeat")),
                markings=tuple(_marking(src, m) for m in el.findall("markings/marking")),
                line=el.sourceline or 0,
            )
        )
        if not out[-1].kind:
            src.skip(el, f"object type={out[-1].type}")
            out.pop()
    return out


def _outline(src: Source, el: Element) -> Outline:
    corners = []
    for c in el:
        if c.tag == "cornerRoad":
            corners.append(
                Corner(False, src.num(c, "s"), src.num(c, "t"), src.num(c, "dz", 0.0),
                       src.num(c, "height", 0.0), src.text(c, "id", str(len(corners))))
            )  # fmt: skip
        elif c.tag == "cornerLocal":
            corners.append(
                Corner(True, src.num(c, "u"), src.num(c, "v"), src.num(c, "z", 0.0),
                       src.num(c, "height", 0.0), src.text(c, "id", str(len(corners))))
            )  # fmt: skip
    return Outline(tuple(corners), src.text(el, "closed", "true").lower() == "true")


def _repeat(src: Source, el: Element) -> Repeat:
    return Repeat(
        s=src.num(el, "s"),
        length=src.num(el, "length"),
        distance=src.num(el, "distance", 0.0),
        t_start=src.num(el, "tStart", 0.0),
        t_end=src.num(el, "tEnd", 0.0),
        width_start=_opt(src, el, "widthStart"),
        width_end=_opt(src, el, "widthEnd"),
        height_start=_opt(src, el, "heightStart"),
        height_end=_opt(src, el, "heightEnd"),
        z_start=src.num(el, "zOffsetStart", 0.0),
        z_end=src.num(el, "zOffsetEnd", 0.0),
    )


def _marking(src: Source, el: Element) -> ObjectMarking:
    return ObjectMarking(
        width=src.num(el, "width", 0.1),
        color=src.text(el, "color", "white"),
        z_offset=src.num(el, "zOffset", 0.005),
        space=src.num(el, "spaceLength", 0.0),
        line_length=src.num(el, "lineLength", 0.0),
        start_offset=src.num(el, "startOffset", 0.0),
        stop_offset=src.num(el, "stopOffset", 0.0),
        corners=tuple(src.text(c, "id") for c in el.findall("cornerReference")),
    )


def _signals(
    src: Source, road_el: Element, road: str
) -> tuple[list[Signal], list[SignalReference]]:
    signals, refs = [], []
    for el in road_el.findall("signals/signal"):
        orientation = src.text(el, "orientation", "none")
        signals.append(
            Signal(
                road=road,
                id=src.text(el, "id"),
                name=src.text(el, "name", ""),
                s=src.num(el, "s"),
                t=src.num(el, "t"),
                dynamic=src.text(el, "dynamic", "no").lower() == "yes",
                orientation=orientation,
                z_offset=src.num(el, "zOffset", 0.0),
                h_offset=src.num(el, "hOffset", 0.0),
                country=src.text(el, "country", ""),
                type=src.text(el, "type", ""),
                subtype=src.text(el, "subtype", "-1"),
                value=_opt(src, el, "value"),
                width=src.num(el, "width", 0.6),
                height=src.num(el, "height", 0.6),
                validity=_validity(src, el),
                line=el.sourceline or 0,
            )
        )
    for el in road_el.findall("signals/signalReference"):
        refs.append(
            SignalReference(
                road=road,
                id=src.text(el, "id"),
                s=src.num(el, "s"),
                t=src.num(el, "t", 0.0),
                orientation=src.text(el, "orientation", "none"),
                validity=_validity(src, el),
                line=el.sourceline or 0,
            )
        )
    return signals, refs


def _end_section(road: Road, contact: str) -> LaneSection:
    return road.sections[0] if contact == "start" else road.sections[-1]


def _check_links(
    src: Source, root: Element, roads: dict[str, Road], junctions: dict[str, Junction]
) -> None:
    """Every road link names an existing road or junction, and every lane link a lane there."""
    by_id = {el.get("id"): el for el in root.findall("road")}
    for road in roads.values():
        for link, own_end in ((road.predecessor, "start"), (road.successor, "end")):
            if link is None:
                continue
            where = next(
                (e for e in by_id[road.id].iter() if e.sourceline == link.line), by_id[road.id]
            )
            if link.element_type == "junction":
                if link.element_id not in junctions:
                    raise src.error(where, f"road '{road.id}' links to missing junction "
                                    f"'{link.element_id}'")  # fmt: skip
                continue
            target = roads.get(link.element_id)
            if target is None:
                raise src.error(
                    where, f"road '{road.id}' links to missing road '{link.element_id}'"
                )
            there = _end_section(target, link.contact_point or "start")
            for lane in _end_section(road, own_end).lanes.values():
                other = lane.predecessor if own_end == "start" else lane.successor
                if other is not None and other not in there.lanes:
                    raise src.error(
                        next((e for e in by_id[road.id].iter() if e.sourceline == lane.line), None),
                        f"lane {lane.id} of road '{road.id}' links to lane {other}, which road "
                        f"'{target.id}' does not have at its {link.contact_point}",
                    )


def _junction(src: Source, el: Element, roads: dict[str, Road]) -> Junction:
    connections = []
    for c in el.findall("connection"):
        cp = src.text(c, "contactPoint", "start")
        if cp not in ("start", "end"):
            raise src.error(c, f"contactPoint='{cp}' must be start or end")
        # a direct junction (OpenDRIVE 1.7) links the incoming road straight to linkedRoad
        via = "connectingRoad" if c.get("connectingRoad") is not None else "linkedRoad"
        incoming, connecting = src.text(c, "incomingRoad"), src.text(c, via)
        for rid in (incoming, connecting):
            if rid not in roads:
                raise src.error(c, f"junction connection refers to missing road '{rid}'")
        links = []
        for ll in c.findall("laneLink"):
            a, b = src.integer(ll, "from"), src.integer(ll, "to")
            into = _end_section(roads[connecting], cp)
            if b not in into.lanes:
                raise src.error(ll, f"laneLink to lane {b}, which connecting road "
                                f"'{connecting}' does not have at its {cp}")  # fmt: skip
            inc = roads[incoming]
            if not any(a in sec.lanes for sec in (inc.sections[0], inc.sections[-1])):
                raise src.error(ll, f"laneLink from lane {a}, which incoming road "
                                f"'{incoming}' does not have at its ends")  # fmt: skip
            links.append((a, b))
        connections.append(
            Connection(
                id=src.text(c, "id"),
                incoming_road=incoming,
                connecting_road=connecting,
                contact_point=cp,  # type: ignore[arg-type]
                lane_links=tuple(links),
            )
        )
    controllers = tuple(
        (src.text(c, "id"), src.integer(c, "sequence", 0)) for c in el.findall("controller")
    )
    return Junction(
        src.text(el, "id"),
        src.text(el, "name", ""),
        tuple(connections),
        controllers,
        src.text(el, "type", "default"),
    )


def _controller(src: Source, el: Element) -> Controller:
    return Controller(
        id=src.text(el, "id"),
        name=src.text(el, "name", ""),
        sequence=src.integer(el, "sequence", 0),
        signals=tuple(src.text(c, "signalId") for c in el.findall("control")),
    )
