"""A scenario's contact sheet, fast: what an author needs to see after an edit, in seconds.

Top: the road from above with every road user's track (dots every second, a ring at the start),
the ego's camera footprint and lidar range, behaviour triggers (green diamonds, with the action
and time), collisions (red X) and the injectors applied. Below, for a
few frames: the first camera's RGB with 2D and projected 3D boxes, its depth and semantic images,
and the first lidar's bird's-eye view with every box, coloured by class. Sensors render at a
reduced resolution; everything else is the real pipeline.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from simgen.core.atomic import write_bytes_atomic
from simgen.core.classes import BY_NAME
from simgen.core.geometry import footprint
from simgen.injectors import apply_injectors
from simgen.injectors.cli_spec import with_injectors
from simgen.inspect.overview import BEV_RANGE, colorize_depth, colorize_semantic, lidar_bev
from simgen.inspect.preview import draw_labels
from simgen.labels.schema import FrameLabels
from simgen.pipeline.capture import capture
from simgen.scenario.load import load_scenario
from simgen.scenario.models import Camera, Lidar, Scenario
from simgen.scenario.sample import ScenarioInstance, sample
from simgen.sensors.frames import CameraFrame
from simgen.world.assets import load_catalog
from simgen.world.state import StaticWorld, WorldState

TILE_WIDTH = 400
MAP_SIZE = (1600, 420)  # width, height of the map strip


def _bgr(name: str) -> tuple[int, int, int]:
    r, g, b = BY_NAME[name].color
    return int(b), int(g), int(r)


def reduced(scenario: Scenario, width: int = TILE_WIDTH) -> Scenario:
    """The same scenario seen by smaller sensors (cameras ``width`` wide, lidar >= 0.8 deg)."""
    sensors = []
    for s in scenario.ego.sensors:
        if isinstance(s, Camera) and s.width > width:
            s = s.model_copy(
                update={"width": width, "height": max(16, s.height * width // s.width)}
            )
        elif isinstance(s, Lidar):
            s = s.model_copy(
                update={"horizontal_resolution": max(0.8, s.horizontal_resolution or 0)}
            )
        sensors.append(s)
    return scenario.model_copy(update={"ego": scenario.ego.model_copy(update={"sensors": sensors})})


def draw_static(
    image: np.ndarray, static: StaticWorld, px: Callable[[np.ndarray], np.ndarray]
) -> None:
    """The road's surfaces and the footprints of buildings, trees and lamps, seen from above;
    ``px`` maps world x, y to pixels."""
    for surface in static.surfaces:
        color = (95, 90, 90) if surface.semantic_class == "road" else _bgr(surface.semantic_class)
        for tri in surface.mesh.triangles:
            cv2.fillConvexPoly(image, px(tri[:, :2]), color)
    catalog = load_catalog()
    for obj in static.objects:
        entry = catalog[obj.model]
        corners = footprint(*obj.position[:2], obj.yaw, entry.dimensions[0] * obj.scale[0],
                            entry.dimensions[1] * obj.scale[1])  # fmt: skip
        cv2.fillConvexPoly(image, px(corners), _bgr(entry.semantic_class))


def topdown(states: list[WorldState], instance: ScenarioInstance) -> np.ndarray:
    width, height = MAP_SIZE
    image = np.full((height, width, 3), 235, np.uint8)
    positions = np.array([[a.position[:2] for a in s.actors] for s in states])  # (T, N, 2)
    low = positions.reshape(-1, 2).min(axis=0) - 15
    high = positions.reshape(-1, 2).max(axis=0) + 15
    scale = min((width - 20) / (high[0] - low[0]), (height - 20) / (high[1] - low[1]))

    def px(xy: np.ndarray) -> np.ndarray:
        p = (np.asarray(xy) - low) * scale + 10
        return np.stack([p[..., 0], height - p[..., 1]], axis=-1).round().astype(np.int32)

    draw_static(image, states[0].static, px)
    ego = states[0].ego
    for sensor in instance.scenario.ego.sensors:  # footprints at the start
        if isinstance(sensor, Lidar):
            cv2.circle(image, tuple(px(ego.position[:2])), int(30 * scale), (120, 120, 255), 1)
        elif isinstance(sensor, Camera):
            half = math.radians(sensor.fov) / 2
            yaw = ego.yaw + math.radians(sensor.mount.rpy[2])
            reach = 40.0
            tip = [np.array(ego.position[:2]) + reach * np.array([math.cos(a), math.sin(a)])
                   for a in (yaw - half, yaw + half)]  # fmt: skip
            cv2.polylines(image, [px(np.array([ego.position[:2], *tip]))], True, (0, 160, 255), 1)
    frame_rate = instance.scenario.frame_rate
    for index, actor in enumerate(states[0].actors):
        color = (0, 0, 200) if index == 0 else _bgr(actor.semantic_class)
        track = px(positions[:, index])
        cv2.polylines(image, [track], False, color, 2, cv2.LINE_AA)
        for k in range(0, len(track), max(1, round(frame_rate))):
            cv2.circle(image, tuple(track[k]), 2, color, -1)
        last = states[-1].actors[index]
        corners = footprint(*last.position[:2], last.yaw, *last.dimensions[:2])
        cv2.polylines(image, [px(corners)], True, color, 1)
        cv2.circle(image, tuple(track[0]), 5, color, 1)
        cv2.putText(image, actor.name, tuple(track[0] + (6, -6)), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                    color, 1, cv2.LINE_AA)  # fmt: skip
    for state in states:
        for trigger in state.triggers:
            if trigger.time == 0.0 and trigger.action in ("lane_follow", "parked"):
                continue  # how a road user starts, not an event
            x, y = px(trigger.position[:2])
            cv2.drawMarker(image, (int(x), int(y)), (0, 110, 0), cv2.MARKER_DIAMOND, 12, 2)
            cv2.putText(image, f"{trigger.action} {trigger.time:.1f}s", (int(x) + 6, int(y) + 14),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.35, (0, 90, 0), 1, cv2.LINE_AA)  # fmt: skip
        for event in state.events:
            x, y = px(event.position[:2])
            cv2.drawMarker(image, (int(x), int(y)), (0, 0, 255), cv2.MARKER_TILTED_CROSS, 18, 3)
    applied = ", ".join(i.type for i in instance.applied) or "none"
    title = f"{instance.scenario.name} variant {instance.variant}: injectors {applied}"
    cv2.putText(
        image, title, (10, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (20, 20, 20), 1, cv2.LINE_AA
    )
    return image


def bev_with_boxes(points: np.ndarray, labels: FrameLabels, lidar: str, size: int) -> np.ndarray:
    image = lidar_bev(points, (size, size))
    scale = size / (2 * BEV_RANGE)
    for obj in labels.objects:
        box = obj.boxes.sensors[lidar]
        corners = footprint(box.center[0], box.center[1], box.yaw, box.size[0], box.size[1])
        pts = np.stack([size / 2 - corners[:, 1] * scale, size / 2 - corners[:, 0] * scale], 1)
        cv2.polylines(image, [pts.round().astype(np.int32)], True, _bgr(obj.semantic_class), 1)
    return image


def _row(
    data: dict, labels: FrameLabels, camera: str | None, lidar: str | None, calib
) -> np.ndarray:
    tiles = []
    if camera is not None:
        frame = data[camera]
        assert isinstance(frame, CameraFrame)
        rgb = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR)
        tiles.append(draw_labels(rgb, labels, calib, camera))
        tiles.append(colorize_depth(frame.depth))
        tiles.append(colorize_semantic(frame.semantic))
    h = tiles[0].shape[0] if tiles else 300
    if lidar is not None:
        tiles.append(bev_with_boxes(data[lidar], labels, lidar, h))
    return np.hstack(tiles)


def preview_scenario(
    path: str | Path, out: str | Path, variant: int = 0, inject: list[str] | None = None,
    frames: int = 3,
) -> Path:  # fmt: skip
    """Write the contact sheet of one variant of a scenario file; returns its path."""
    loaded = with_injectors(load_scenario(path), inject or [])
    scenario = reduced(loaded.scenario)
    outputs = ["rgb", "depth", "semantic", "instance"]
    sensors = [s.model_copy(update={"outputs": outputs}) if isinstance(s, Camera) else s
               for s in scenario.ego.sensors]  # fmt: skip
    scenario = scenario.model_copy(
        update={"ego": scenario.ego.model_copy(update={"sensors": sensors})}
    )
    instance = apply_injectors(sample(scenario, variant))
    last = instance.scenario.frames - 1
    chosen = sorted({0, last // 2, last} if frames >= 3 else {0, last})
    states: list[WorldState] = []  # every state, for the map: one simulation feeds both
    camera = next((s.name for s in sensors if isinstance(s, Camera)), None)
    lidar = next((s.name for s in sensors if isinstance(s, Lidar)), None)
    rows = []
    for found in capture(instance, only=frozenset(chosen), on_state=states.append):
        calib = found.calibrations.cameras[camera] if camera else None
        row = _row(found.data, found.labels, camera, lidar, calib)
        cv2.putText(row, f"t = {found.state.time:.1f} s", (8, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                    (255, 255, 255), 1, cv2.LINE_AA)  # fmt: skip
        rows.append(row)
    width = max(r.shape[1] for r in rows) if rows else MAP_SIZE[0]
    strip = topdown(states, instance)
    strip = cv2.resize(strip, (width, strip.shape[0] * width // strip.shape[1]))
    rows = [np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0))) for r in rows]
    sheet = np.vstack([strip, *rows])
    ok, data = cv2.imencode(".png", sheet)
    if not ok:  # pragma: no cover
        raise ValueError("could not encode the preview")
    write_bytes_atomic(out, data.tobytes())
    return Path(out)
