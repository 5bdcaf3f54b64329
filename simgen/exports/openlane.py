"""OpenLane (v1) 3D lane export, a pure function of a native dataset with lane labels.

    OUT/images/<segment>/<frame:06d>.png     the camera's RGB frame
    OUT/lane3d/<segment>/<frame:06d>.json    intrinsic, extrinsic, file_path, lane_lines
    OUT/list.txt                             every annotation's image, as ``file_path`` gives it

A segment is one (scenario, variant, camera): ``<scenario>_<variant:04d>_<camera>``.
Conventions follow OpenDriveLab/OpenLane (``anno_criterion/Lane/README.md``,
``data/Coordinate_Sys.md``):

- ``xyz`` (3 x N) are metres in OpenLane's camera frame: origin at the camera, x forward, y left,
  z up (Waymo's camera axes). To project: ``[-y, -z, x]`` is the OpenCV optical point, and
  ``uv = intrinsic @ that / depth``.
- ``extrinsic`` (4 x 4) maps that camera frame to the ego's vehicle frame (x forward, y left,
  z up; simgen's origin: the bottom centre of the ego's box).
- ``uv`` (2 x N) are pixels (through the lens model when the camera has distortion; the file
  then also carries ``distortion``, OpenCV k1 k2 p1 p2 k3). ``visibility`` is 1.0 for a point
  inside the image, else 0.0. Only points in front of the camera are written.
- ``category``: OpenLane's codes (1 white-dash ... 12 yellow-lsolid-rdash, 20 left-curbside,
  21 right-curbside); colours other than yellow count as white.
- ``attribute``: 1 left-left, 2 left, 3 right, 4 right-right for the painted lines nearest the
  ego on each side among those along its path; 0 for every other line.
- ``track_id``: one id per line for the whole segment.

One line per painted boundary or kerb of the lanes in the lane labels (sidewalks left out: the
kerb bounds the road); a boundary two lanes share is written once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simgen.core.atomic import write_bytes_atomic
from simgen.core.geometry import transform_points
from simgen.dataset.layout import json_bytes
from simgen.dataset.reader import Dataset, DatasetError, Frame, Variant
from simgen.exports.options import ExportOptions
from simgen.labels.lanes import FrameLanes, LaneBoundary
from simgen.sensors.lens import project
from simgen.sensors.rig import CameraCalibration

# OpenCV optical (x right, y down, z forward) -> OpenLane camera (x forward, y left, z up)
OPENLANE_FROM_OPTICAL = np.array([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])
CATEGORIES = {
    "white-dash": 1,
    "white-solid": 2,
    "double-white-dash": 3,
    "double-white-solid": 4,
    "white-ldash-rsolid": 5,
    "white-lsolid-rdash": 6,
    "yellow-dash": 7,
    "yellow-solid": 8,
    "double-yellow-dash": 9,
    "double-yellow-solid": 10,
    "yellow-ldash-rsolid": 11,
    "yellow-lsolid-rdash": 12,
    "left-curbside": 20,
    "right-curbside": 21,
}
# simgen mark type -> OpenLane's pattern name; the two-line marks read left then right, looking
# along the line
PATTERNS = {
    "broken": "dash",
    "solid": "solid",
    "broken_broken": "double-{}-dash",
    "solid_solid": "double-{}-solid",
    "broken_solid": "ldash-rsolid",
    "solid_broken": "lsolid-rdash",
}
SWAPPED = {"broken_solid": "solid_broken", "solid_broken": "broken_solid"}
SAME_LINE = 0.05  # m: two lanes' boundaries closer than this (median) are one line
MIN_DEPTH = 0.1  # m in front of the camera for a point to be written


@dataclass(frozen=True)
class Line:
    """One lane line in the ego frame, running away from the ego (ordered by x)."""

    key: tuple[str, int, str]  # the lane boundary it was first found as: road, lane, side
    points: np.ndarray  # (N, 3) ego frame
    mark: str
    color: str
    along: bool  # belongs to a lane along the ego's path (direction != 0)


def category(line: Line) -> int:
    """OpenLane's category code of a line, seen from an ego whose origin is y = 0."""
    if line.mark == "curb":
        left = float(line.points[_nearest(line.points), 1]) > 0
        return CATEGORIES["left-curbside" if left else "right-curbside"]
    colour = "yellow" if line.color == "yellow" else "white"
    pattern = PATTERNS[line.mark]
    name = pattern.format(colour) if "{}" in pattern else f"{colour}-{pattern}"
    return CATEGORIES[name]


def lane_lines(lanes: FrameLanes) -> list[Line]:
    """The distinct painted lines and kerbs of a frame's lanes (sidewalks left out)."""
    out: list[Line] = []
    for lane, side, boundary in lanes.boundaries():
        if lane.lane_type == "sidewalk" or boundary.mark == "none" or len(boundary.points) < 2:
            continue
        line = _oriented((lane.road, lane.lane, side), boundary, lane.direction != 0)
        if not any(_same(line.points, other.points) for other in out):
            out.append(line)
    return out


def attributes(lines: list[Line]) -> list[int]:
    """1 left-left, 2 left, 3 right, 4 right-right (painted lines along the ego's path), else 0."""
    out = [0] * len(lines)
    left: list[tuple[float, int]] = []
    right: list[tuple[float, int]] = []
    for i, line in enumerate(lines):
        if line.mark == "curb" or not line.along:
            continue
        y = float(line.points[_nearest(line.points), 1])
        (left if y > 0 else right).append((abs(y), i))
    for side, codes in ((left, (2, 1)), (right, (3, 4))):
        for (_, i), code in zip(sorted(side), codes, strict=False):
            out[i] = code
    return out


def openlane_frame(
    lanes: FrameLanes, calib: CameraCalibration, file_path: str, track_ids: dict[Any, int]
) -> dict[str, Any]:
    """One OpenLane annotation: the lines of ``lanes`` seen from camera ``calib``.
    ``track_ids`` maps a line's key to its id over the segment and grows with new lines."""
    camera_from_ego = np.linalg.inv(calib.ego_from_camera)
    extrinsic = np.eye(4)
    extrinsic[:3, :3] = calib.ego_from_camera[:3, :3] @ OPENLANE_FROM_OPTICAL.T
    extrinsic[:3, 3] = calib.ego_from_camera[:3, 3]
    lines = lane_lines(lanes)
    out_lines = []
    for line, attribute in zip(lines, attributes(lines), strict=True):
        optical = transform_points(camera_from_ego, line.points)
        optical = optical[optical[:, 2] > MIN_DEPTH]
        if len(optical) < 2:
            continue
        uv = project(calib, optical)
        inside = (uv[:, 0] >= 0) & (uv[:, 0] < calib.width)
        inside &= (uv[:, 1] >= 0) & (uv[:, 1] < calib.height)
        if not inside.any():
            continue
        xyz = optical @ OPENLANE_FROM_OPTICAL.T
        track = track_ids.setdefault(line.key, len(track_ids) + 1)
        out_lines.append(
            {
                "xyz": _rows(xyz.T),
                "uv": _rows(uv.T),
                "visibility": [float(v) for v in inside],
                "category": category(line),
                "attribute": attribute,
                "track_id": track,
            }
        )
    data: dict[str, Any] = {
        "file_path": file_path,
        "intrinsic": _rows(calib.K),
        "extrinsic": _rows(extrinsic),
        "lane_lines": out_lines,
    }
    if any(calib.distortion):
        data["distortion"] = list(calib.distortion)
    return data


def export_openlane(dataset: Dataset, out: Path, options: ExportOptions) -> int:
    """Write images and OpenLane annotations; returns the number of annotated images."""
    listed: list[str] = []
    for variant, camera, frames in _segments(dataset):
        segment = f"{variant.key}_{camera}"
        calib = variant.camera(camera)
        track_ids: dict[Any, int] = {}
        for frame in frames:
            file_path = f"{segment}/{frame.index:06d}.png"
            image = frame.image_file(camera, "rgb").read_bytes()
            write_bytes_atomic(out / "images" / file_path, image, durable=False)
            data = openlane_frame(frame.lanes, calib, file_path, track_ids)
            name = f"lane3d/{segment}/{frame.index:06d}.json"
            write_bytes_atomic(out / name, json_bytes(data), durable=False)
            listed.append(file_path)
    write_bytes_atomic(out / "list.txt", "".join(f"{p}\n" for p in listed).encode())
    return len(listed)


def _segments(dataset: Dataset) -> Iterator[tuple[Variant, str, list[Frame]]]:
    for variant in dataset:
        if not variant.has_lanes:
            raise DatasetError(
                f"{variant.root}: no lane labels; render with output.lanes: true "
                "(or output.formats: [openlane])"
            )
        for camera in variant.cameras("rgb"):
            yield variant, camera, list(variant.frames())


def _oriented(key: tuple[str, int, str], boundary: LaneBoundary, along: bool) -> Line:
    """The boundary as a line running away from the ego (first point nearest in x)."""
    points = boundary.array()
    mark = boundary.mark
    if points[0, 0] > points[-1, 0]:
        points, mark = points[::-1], SWAPPED.get(mark, mark)
    return Line(key, points, mark, boundary.color, along)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether polyline ``a`` lies on ``b``: the median distance of a's points to b's segments."""
    start, step = b[:-1], b[1:] - b[:-1]  # (M, 3) segments
    length2 = np.maximum((step**2).sum(axis=1), 1e-12)
    t = np.clip(((a[:, None, :] - start[None]) * step[None]).sum(axis=2) / length2, 0.0, 1.0)
    closest = start[None] + t[..., None] * step[None]
    distances = np.linalg.norm(a[:, None, :] - closest, axis=2).min(axis=1)
    return bool(np.median(distances) < SAME_LINE)


def _nearest(points: np.ndarray) -> int:
    return int(np.argmin(np.hypot(points[:, 0], points[:, 1])))


def _rows(matrix: np.ndarray) -> list[list[float]]:
    return [[float(v) for v in row] for row in np.asarray(matrix)]
