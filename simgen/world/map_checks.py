"""Checks of a scenario's positions and routes against its OpenDRIVE map, positioned in the file.

They run when the scenario loads, so a road id, lane or route that the map does not have is a
``file:line:col`` error before anything is simulated or written.
"""

from __future__ import annotations

from simgen.scenario.checks import Problem, candidates
from simgen.scenario.errors import suggest
from simgen.scenario.models import Actor, Ego, RelativeS, Scenario
from simgen.world.map_road import MapGeometry, RouteError


def check_map_placements(sc: Scenario, geom: MapGeometry) -> list[Problem]:
    out: list[Problem] = []
    roads = geom.map.roads
    users: list[tuple[tuple[str | int, ...], Ego | Actor]] = [(("ego",), sc.ego)]
    users += [(("actors", i), a) for i, a in enumerate(sc.actors)]
    for path, user in users:
        if user.road is None:
            continue  # reported by the scenario's own checks
        if user.road not in roads:
            known = ", ".join(sorted(roads, key=_road_order)[:30])
            message = (
                f"the map has no road '{user.road}'{suggest(user.road, roads)}; roads: {known}"
            )
            out.append(Problem((*path, "road"), message))
            continue
        road = roads[user.road]
        s_values = [] if isinstance(user.s, RelativeS) else (candidates(user.s) or [])
        for s in s_values:
            if not 0.0 <= float(s) <= road.length:
                out.append(
                    Problem(
                        (*path, "s"),
                        f"s = {float(s):g} m lies off road {road.id} (0..{road.length:g} m)",
                    )
                )
        lanes = [] if user.lane is None else (candidates(user.lane) or [])
        for lane in lanes:
            for s in s_values or [0.0]:
                ids = road.lane_ids(min(max(float(s), 0.0), road.length))
                if int(lane) not in ids:
                    out.append(
                        Problem(
                            (*path, "lane"),
                            f"road {road.id} has no lane {lane} at s = {float(s):g} m "
                            f"(lanes there: {', '.join(str(i) for i in ids)})",
                        )
                    )
        for j, point in enumerate(user.route or []):
            if isinstance(point, str) and point not in roads:
                message = f"the map has no road '{point}'{suggest(point, roads)}"
                out.append(Problem((*path, "route", j), message))
        if out or not user.route or len(lanes) != 1 or len(s_values) != 1:
            continue
        lane = int(lanes[0])
        try:
            geom.resolve_route(road.id, lane, road.lane_direction(lane), list(user.route))
        except RouteError as exc:
            out.append(Problem((*path, "route"), str(exc)))
    return out


def _road_order(road_id: str) -> tuple[int, str]:
    return (int(road_id), road_id) if road_id.lstrip("-").isdigit() else (1 << 30, road_id)
