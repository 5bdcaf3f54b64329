"""The procedural roads' signals: lights at the 4-way intersection and signs along any road.

They come out as ``SignalPlacement``/``ControllerPlacement`` lists, exactly what an OpenDRIVE map
gives, plus the static geometry that carries and marks them (poles, mast arms, stop lines,
crosswalks). Per approach of the intersection, in the direction of travel: the stop line, a pole
at the right corner with a three-lamp head facing the approaching traffic and a second head on a
mast arm over the lanes, then a crosswalk with a pedestrian light on each side. Controller ``ns``
switches the south and north approaches, ``ew`` the east and west ones; a crosswalk's pedestrian
lights follow the parallel approaches' controller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import trimesh

from simgen.scenario.models import Road, Sign
from simgen.world.road import MARKING_HEIGHT, RoadGeometry, SurfaceMesh
from simgen.world.signal_layout import LIGHT_DEPTH, ControllerPlacement, SignalPlacement
from simgen.world.signals import PEDESTRIAN, SIGN_CODES, THREE_LAMP

SIGN_SIZES = {"206": (0.75, 0.75), "205": (0.9, 0.78), "274": (0.6, 0.6), "267": (0.6, 0.6)}
GENERIC_SIGN = (0.6, 0.6)
SIGN_HEIGHT = 2.0  # m from the ground to a plate's lower edge
SIGN_INSET = 0.6  # m from the kerb onto the sidewalk

LIGHT_SIZE = (0.34, 0.95)  # width, height of a three-lamp head (m): 200 mm lenses
PEDESTRIAN_SIZE = (0.26, 0.6)
POLE_RADIUS = 0.07
POLE_COLOR = (0.33, 0.34, 0.35)
POLE_REFLECTIVITY = 0.5
STOP_LINE_WIDTH = 0.4
CROSSWALK = 3.0  # m: width of a crosswalk along the road
STRIPE = 0.5  # m: zebra stripes and the gaps between them
KERB_GAP = 0.5  # m between the crosswalk and the junction square
SIDE_HEAD_Z = 2.4  # m: bottom of a pole-mounted head above its ground
MAST_HEAD_Z = 5.3  # m: bottom of a head on a mast arm above the road
PEDESTRIAN_HEAD_Z = 2.1
MARKING_COLOR = (0.9, 0.9, 0.85)
MARKING_REFLECTIVITY = 0.8


@dataclass(frozen=True)
class SignalLayout:
    signals: tuple[SignalPlacement, ...]
    controllers: tuple[ControllerPlacement, ...]
    surfaces: tuple[SurfaceMesh, ...]  # poles, mast arms, stop lines, crosswalks


def stop_line_s(geom: RoadGeometry) -> float:
    """Where approaching traffic stops on every arm of the intersection (the line's near edge)."""
    return geom.arm_extent - KERB_GAP - CROSSWALK - 1.0


def _unit(heading: float) -> np.ndarray:
    return np.array([math.cos(heading), math.sin(heading), 0.0])


def _pole(base: np.ndarray, top: float, radius: float = POLE_RADIUS) -> trimesh.Trimesh:
    height = top - base[2]
    pole = trimesh.creation.cylinder(radius=radius, height=height, sections=12)
    pole.apply_translation(base + np.array([0.0, 0.0, height / 2]))
    return pole


def _arm(a: np.ndarray, b: np.ndarray) -> trimesh.Trimesh:
    return trimesh.creation.cylinder(radius=0.06, segment=np.array([a, b]), sections=10)


def _paint(geom: RoadGeometry, arm: str, corners: list[tuple[float, float]]) -> trimesh.Trimesh:
    """A painted quad given by (s, lateral) corners on an arm, counter-clockwise from above."""
    vertices = np.array(
        [(*geom.to_world(s, lateral, arm)[:2], MARKING_HEIGHT) for s, lateral in corners]
    )
    return trimesh.Trimesh(vertices, np.array([(0, 1, 2), (0, 2, 3)]), process=False)


def _at(geom: RoadGeometry, arm: str, s: float, lateral: float, z: float) -> np.ndarray:
    x, y, _ = geom.to_world(s, lateral, arm)
    return np.array([x, y, z])


def _light(
    arm: str, name: str, code: str, point: np.ndarray, yaw: float, size: tuple[float, float],
    ground: float, controller: str, s: float, lanes: tuple[int, ...],
) -> SignalPlacement:  # fmt: skip
    return SignalPlacement(
        id=f"{arm}_{name}", kind="traffic_light", code=code, subtype="-1", value=None,
        country="DE", position=(float(point[0]), float(point[1]), float(point[2])),
        yaw=_wrap(yaw), width=size[0], height=size[1], ground_z=float(ground),
        controller=controller,
        road=arm, s=s, direction=1, lanes=lanes,
    )  # fmt: skip


def _wrap(yaw: float) -> float:
    return float(math.atan2(math.sin(yaw), math.cos(yaw)))


def intersection_layout(geom: RoadGeometry, road: Road) -> SignalLayout:
    """Lights, stop lines and crosswalks of the 4-way intersection (``road.signals`` set)."""
    signals = road.signals
    assert signals is not None and geom.type == "intersection"
    placements: list[SignalPlacement] = []
    poles: list[trimesh.Trimesh] = []
    paint: list[trimesh.Trimesh] = []
    stop = stop_line_s(geom)
    sidewalk = geom.kerb_height if geom.sidewalk_width > 0 else 0.0
    inset = min(0.5, max(geom.sidewalk_width - 0.2, 0.2))
    lanes = tuple(range(geom.lanes))
    for arm in geom.arms:
        assert arm is not None
        controller = "ns" if arm in ("south", "north") else "ew"
        crossing = "ew" if controller == "ns" else "ns"  # pedestrians go with the parallel flow
        heading = geom.to_world(stop, 0.0, arm)[2]
        forward, left = _unit(heading), _unit(heading + math.pi / 2)
        facing = heading + math.pi  # towards the approaching traffic

        if signals.stop_lines:
            paint.append(
                _paint(geom, arm, [(stop - STOP_LINE_WIDTH, geom.right_edge),
                       (stop, geom.right_edge), (stop, 0.0), (stop - STOP_LINE_WIDTH, 0.0)])
            )  # fmt: skip
        # the corner pole just past the stop line, with its side head and the mast arm's head
        base = _at(geom, arm, stop + 0.5, geom.right_edge - inset, sidewalk)
        pole_top = base[2] + (MAST_HEAD_Z + LIGHT_SIZE[1] + 0.6 if signals.mast_arm else 3.6)
        poles.append(_pole(base, pole_top))
        side = base - forward * (POLE_RADIUS + 0.16)
        side[2] = base[2] + SIDE_HEAD_Z
        placements.append(
            _light(arm, "main", THREE_LAMP, side, facing, LIGHT_SIZE, base[2], controller, stop,
                   lanes)
        )  # fmt: skip
        if signals.mast_arm:
            reach = geom.right_edge / 2 + 0.5 * geom.lane_width  # over the lanes' middle
            arm_z = MAST_HEAD_Z + LIGHT_SIZE[1] + 0.25
            tip = _at(geom, arm, stop + 0.5, reach, arm_z)
            poles.append(_arm(np.array([base[0], base[1], arm_z]), tip + left * 0.3))
            head = tip - forward * 0.16
            head[2] = MAST_HEAD_Z
            hanger = head.copy()
            hanger[2] = MAST_HEAD_Z + LIGHT_SIZE[1]
            poles.append(_arm(hanger, np.array([hanger[0], hanger[1], arm_z])))
            placements.append(
                _light(arm, "mast", THREE_LAMP, head, facing, LIGHT_SIZE, 0.0, controller, stop,
                       lanes)
            )  # fmt: skip
        # the crosswalk: zebra stripes across the whole carriageway
        c0, c1 = geom.arm_extent - KERB_GAP - CROSSWALK, geom.arm_extent - KERB_GAP
        lateral = geom.right_edge + 0.2
        while lateral + STRIPE <= geom.left_edge - 0.1:
            stripe = [(c0, lateral), (c1, lateral), (c1, lateral + STRIPE), (c0, lateral + STRIPE)]
            paint.append(_paint(geom, arm, stripe))
            lateral += 2 * STRIPE
        if signals.pedestrian_lights:
            middle = (c0 + c1) / 2
            for name, edge, turn in (
                ("ped_right", geom.right_edge - inset, math.pi / 2),
                ("ped_left", geom.left_edge + inset, -math.pi / 2),
            ):
                pbase = _at(geom, arm, c0 - 0.3, edge, sidewalk)
                poles.append(_pole(pbase, pbase[2] + PEDESTRIAN_HEAD_Z + PEDESTRIAN_SIZE[1] + 0.2))
                head = pbase + _unit(heading + turn) * (POLE_RADIUS + 0.12)
                head[2] = pbase[2] + PEDESTRIAN_HEAD_Z
                placements.append(
                    _light(arm, name, PEDESTRIAN, head, heading + turn, PEDESTRIAN_SIZE, pbase[2],
                           crossing, middle, ())
                )  # fmt: skip
    surfaces = [
        SurfaceMesh("signal_poles", "pole", trimesh.util.concatenate(poles), POLE_COLOR,
                    POLE_REFLECTIVITY),
    ]  # fmt: skip
    if paint:
        surfaces.append(
            SurfaceMesh("signal_markings", "lane_marking", trimesh.util.concatenate(paint),
                        MARKING_COLOR, MARKING_REFLECTIVITY)
        )  # fmt: skip
    controllers = (
        ControllerPlacement("ns", tuple(p.id for p in placements if p.controller == "ns"), 0),
        ControllerPlacement("ew", tuple(p.id for p in placements if p.controller == "ew"), 1),
    )
    return SignalLayout(tuple(placements), controllers, tuple(surfaces))


def sign_code(kind: str) -> tuple[str, str]:
    """(code, subtype) of a sign's ``type``: a named kind, or a code such as '101-11'."""
    code = SIGN_CODES.get(kind, kind)
    base, _, subtype = code.partition("-")
    return base, subtype or "-1"


def sign_size(code: str) -> tuple[float, float]:
    return SIGN_SIZES.get(code, GENERIC_SIGN)


def sign_layout(geom: RoadGeometry, signs: list[Sign]) -> SignalLayout:
    """Signs on posts at the kerb; a right-hand sign faces the traffic along increasing s."""
    placements = []
    for index, sign in enumerate(signs):
        arm = (sign.arm or "south") if geom.type == "intersection" else None
        right = sign.side == "right"
        edge = geom.right_edge - SIGN_INSET if right else geom.left_edge + SIGN_INSET
        x, y, heading = geom.to_world(float(sign.s), edge, arm)  # type: ignore[arg-type]
        ground = float(geom.surface_height(x, y))
        yaw = heading + math.pi if right else heading
        code, subtype = sign_code(str(sign.type))
        width, height = sign_size(code)
        value = None if sign.value is None else float(sign.value)  # type: ignore[arg-type]
        if code == "274" and value is None:
            value = 50.0
        placements.append(
            SignalPlacement(
                id=f"sign_{index}",
                kind="traffic_sign",
                code=code,
                subtype=subtype,
                value=value,
                country="DE",
                position=(x, y, ground + SIGN_HEIGHT),
                yaw=_wrap(yaw),
                width=width,
                height=height,
                ground_z=ground,
                controller=None,
                road=arm or "",
                s=float(sign.s),  # type: ignore[arg-type]
                direction=1 if right else -1,
                lanes=(),
            )
        )
    return SignalLayout(tuple(placements), (), tuple(signal_posts(placements)))


def _post(p: SignalPlacement) -> trimesh.Trimesh:
    """The pole a signal head stands on, behind its head, from the ground to the head's top."""
    base = np.array([p.position[0], p.position[1], p.ground_z])
    if p.kind == "traffic_sign":
        return _pole(base - _unit(p.yaw) * 0.05, p.position[2] + p.height * 0.9, 0.04)
    behind = LIGHT_DEPTH / 2 + POLE_RADIUS
    return _pole(base - _unit(p.yaw) * behind, p.position[2] + p.height + 0.2)


def signal_posts(
    placements: list[SignalPlacement] | tuple[SignalPlacement, ...],
) -> list[SurfaceMesh]:
    """The poles of signals that stand on their own (signs, and the lights of a map), as one
    static mesh of class ``pole``."""
    posts = [_post(p) for p in placements if p.position[2] > p.ground_z + 0.3]
    if not posts:
        return []
    merged = trimesh.util.concatenate(posts)
    return [SurfaceMesh("signal_posts", "pole", merged, POLE_COLOR, POLE_REFLECTIVITY)]


def road_signals(geom: RoadGeometry, road: Road) -> SignalLayout:
    """Every signal of a procedural road: the intersection's lights (when asked for) and signs."""
    parts = []
    if road.signals is not None and geom.type == "intersection":
        parts.append(intersection_layout(geom, road))
    if road.signs:
        parts.append(sign_layout(geom, road.signs))
    return SignalLayout(
        tuple(p for part in parts for p in part.signals),
        tuple(c for part in parts for c in part.controllers),
        tuple(s for part in parts for s in part.surfaces),
    )
