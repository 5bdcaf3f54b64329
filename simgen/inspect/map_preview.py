"""An OpenDRIVE map's contact sheet: the map from above and camera frames along its roads.

What a user looks at first after bringing a map: are the lanes, marks, sidewalks, objects and
signals where the file says? The frames come from the real pipeline: an ego with one camera is
placed on a driving lane of several roads, looking along the way traffic goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from simgen.core.atomic import write_bytes_atomic
from simgen.inspect.scenario_preview import draw_static
from simgen.pipeline.capture import capture
from simgen.scenario.models import Scenario
from simgen.scenario.sample import ScenarioInstance
from simgen.sensors.frames import CameraFrame
from simgen.world.map_road import load_map
from simgen.world.simulate import build_static_world

TOP_SIZE = 960  # pixels of the map's top view along its longer side
MARGIN = 20
CAMERA = "cam"
STATIONS = (0.25, 0.6, 0.05, 0.85, 0.4)  # along a road, in the direction of travel


@dataclass(frozen=True)
class Pose:
    road: str
    lane: int
    s: float


def map_poses(path: str | Path, count: int = 8) -> list[Pose]:
    """Where the cameras stand: on the longest roads outside junctions first (then junction
    roads), on the rightmost driving lane of the first direction that has one, looking down the
    road; a map with few roads gets several stations along each."""
    roads = load_map(path).roads.values()
    ordered = sorted(roads, key=lambda r: (r.junction is not None, -r.length, r.id))
    lanes = []
    for road in ordered:
        middle = road.length / 2
        driving = [i for i in road.lane_ids(middle) if road.lane(middle, i).type == "driving"]
        if driving:
            forward = [i for i in driving if road.lane_direction(i) > 0] or driving
            lanes.append((road, min(forward, key=lambda i: -abs(i))))  # next to the centre
    poses: list[Pose] = []
    for fraction in STATIONS:
        for road, lane in lanes:
            ahead = road.lane_direction(lane) > 0
            s = road.length * (fraction if ahead else 1.0 - fraction)
            if len(poses) < count and lane in road.lane_ids(s):
                poses.append(Pose(road.id, lane, s))
    return poses


def _instance(path: Path, pose: Pose, width: int) -> ScenarioInstance:
    scenario = Scenario.model_validate(
        {
            "version": 1,
            "name": "map-preview",
            "duration": 0.1,
            "frame_rate": 10,
            "road": {"type": "opendrive", "file": str(path)},
            "environment": {"sun": {"elevation": 40.0, "azimuth": 135.0}},
            "ego": {
                "road": pose.road,
                "lane": pose.lane,
                "s": pose.s,
                "speed": 0.0,
                "sensors": [
                    {
                        "name": CAMERA,
                        "type": "camera",
                        "mount": {"xyz": [1.5, 0.0, 1.6]},
                        "width": width,
                        "height": width * 9 // 16,
                        "fov": 90,
                        "outputs": ["rgb"],
                    }
                ],
            },
        }
    )
    return ScenarioInstance(variant=0, attempt=0, scenario=scenario)


def _top_view(path: Path, poses: list[Pose]) -> np.ndarray:
    first = _instance(path, poses[0], 64)
    static = build_static_world(first)
    x0, y0, x1, y1 = load_map(path).bounds()
    scale = (TOP_SIZE - 2 * MARGIN) / max(x1 - x0, y1 - y0, 1.0)
    width = max(round((x1 - x0) * scale) + 2 * MARGIN, 240)
    height = max(round((y1 - y0) * scale) + 2 * MARGIN, 120)
    image = np.full((height, width, 3), 235, np.uint8)

    def px(xy: np.ndarray) -> np.ndarray:
        p = (np.asarray(xy) - (x0, y0)) * scale + MARGIN
        return np.stack([p[..., 0], height - p[..., 1]], axis=-1).round().astype(np.int32)

    draw_static(image, static, px)
    geom = static.road
    for k, pose in enumerate(poses):
        lateral = geom.lane_offset(pose.lane, pose.s, pose.road)
        x, y, _ = geom.to_world(pose.s, lateral, pose.road)
        centre = tuple(int(v) for v in px(np.array([x, y])))
        cv2.circle(image, centre, 9, (0, 0, 220), 2, cv2.LINE_AA)
        cv2.putText(image, str(k + 1), (centre[0] + 10, centre[1] - 8), cv2.FONT_HERSHEY_SIMPLEX,
                    0.6, (0, 0, 180), 2, cv2.LINE_AA)  # fmt: skip
    cv2.putText(image, path.name, (12, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (20, 20, 20), 2,
                cv2.LINE_AA)  # fmt: skip
    return image


def preview_map(
    path: str | Path, out: str | Path, count: int = 8, width: int = 480, columns: int = 4
) -> Path:
    """Write a map's contact sheet (PNG); returns its path."""
    path = Path(path).resolve()
    poses = map_poses(path, count)
    if not poses:
        raise ValueError(f"{path}: no road of this map has a driving lane to place a camera on")
    tiles = []
    for k, pose in enumerate(poses):
        found = next(capture(_instance(path, pose, width)))
        frame = found.data[CAMERA]
        assert isinstance(frame, CameraFrame)
        tile = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR)
        text = f"{k + 1}: road {pose.road} lane {pose.lane} s {pose.s:.0f}"
        cv2.putText(tile, text, (8, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 2,
                    cv2.LINE_AA)  # fmt: skip
        tiles.append(tile)
    height = tiles[0].shape[0]
    blank = np.zeros_like(tiles[0])
    rows = [
        np.hstack([*tiles[i : i + columns], *[blank] * (columns - len(tiles[i : i + columns]))])
        for i in range(0, len(tiles), columns)
    ]
    grid = np.vstack(rows)
    top = _top_view(path, poses)
    if top.shape[1] > grid.shape[1]:
        top = cv2.resize(top, (grid.shape[1], top.shape[0] * grid.shape[1] // top.shape[1]))
    top = np.pad(top, ((0, 0), (0, grid.shape[1] - top.shape[1]), (0, 0)), constant_values=255)
    sheet = np.vstack([top, grid])
    ok, data = cv2.imencode(".png", sheet)
    if not ok:  # pragma: no cover
        raise ValueError("could not encode the contact sheet")
    write_bytes_atomic(out, data.tobytes())
    assert height > 0
    return Path(out)
