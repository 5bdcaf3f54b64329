"""Lane labels seen through a camera: overlays on the RGB image, and how well they fit the paint.

``marking_distances`` measures the label against the exact geometry pass: every painted
boundary point in view (near enough, in front of the camera, not hidden) against the nearest
``lane_marking`` pixel of the semantic mask. It works for any road source, so a new one (an
OpenDRIVE map) is checked the same way as the procedural roads.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from simgen.core.classes import class_id
from simgen.core.geometry import transform_points
from simgen.labels.lanes import FrameLanes, LaneBoundary, LaneLabel
from simgen.labels.visibility import NEAR
from simgen.sensors.lens import project
from simgen.sensors.rig import CameraCalibration

SPACING = 0.25  # m between the points a boundary is resampled to before projecting
OCCLUSION_MARGIN = 0.3  # m: a surface nearer than the point by more than this hides it
# BGR per mark: yellow-green for paint, orange for kerbs, grey for unmarked edges
MARK_COLORS = {"curb": (0, 140, 255), "none": (150, 150, 150)}
PAINT_COLOR = (60, 255, 180)
CENTRE_COLOR = (255, 160, 60)


@dataclass(frozen=True)
class ProjectedBoundary:
    lane: LaneLabel
    side: str  # "left" or "right"
    boundary: LaneBoundary
    uv: np.ndarray  # (N, 2) pixels, pixel-centre convention
    depth: np.ndarray  # (N,) metres along the optical axis
    distance: np.ndarray  # (N,) metres from the camera


def resample(points: np.ndarray, spacing: float = SPACING) -> np.ndarray:
    """A polyline with points about ``spacing`` apart along it (its own points kept)."""
    if len(points) < 2:
        return points
    out = [points[:1]]
    for a, b in itertools.pairwise(points):
        steps = max(1, int(np.ceil(np.linalg.norm(b - a) / spacing)))
        t = np.arange(1, steps + 1)[:, None] / steps
        out.append(a + t * (b - a))
    return np.concatenate(out)


def to_camera(points_ego: np.ndarray, calib: CameraCalibration) -> np.ndarray:
    """Ego-frame points (N, 3) in the camera's optical frame."""
    return transform_points(np.linalg.inv(calib.ego_from_camera), points_ego)


def projected_boundaries(
    lanes: FrameLanes, calib: CameraCalibration, spacing: float = SPACING
) -> Iterator[ProjectedBoundary]:
    """Every lane boundary's points in front of the camera, projected into its image (each line
    of paint of a double line on its own)."""
    for lane, side, boundary in lanes.boundaries():
        for line in boundary.painted_lines():
            optical = to_camera(resample(line, spacing), calib)
            optical = optical[optical[:, 2] > NEAR]
            if len(optical) == 0:
                continue
            yield ProjectedBoundary(
                lane,
                side,
                boundary,
                project(calib, optical),
                optical[:, 2],
                np.linalg.norm(optical, axis=1),
            )


def marking_distances(
    lanes: FrameLanes,
    calib: CameraCalibration,
    semantic: np.ndarray,
    depth: np.ndarray,
    max_distance: float = 40.0,
) -> np.ndarray:
    """Pixel distance from each painted boundary point (each line once, inside the image, within
    ``max_distance`` metres of the camera, not hidden by a nearer surface) to the nearest
    ``lane_marking`` pixel of the semantic mask."""
    not_marking = (semantic != class_id("lane_marking")).astype(np.uint8)
    to_marking = cv2.distanceTransform(not_marking, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    height, width = semantic.shape
    out = []
    measured: set[bytes] = set()
    for seen in projected_boundaries(lanes, calib):
        if not seen.boundary.painted:
            continue
        line = np.round(seen.uv, 1).tobytes()  # two lanes share a boundary: measure it once
        if line in measured:
            continue
        measured.add(line)
        px = np.round(seen.uv).astype(int)
        keep = (px[:, 0] >= 0) & (px[:, 0] < width) & (px[:, 1] >= 0) & (px[:, 1] < height)
        keep &= seen.distance <= max_distance
        px, z = px[keep], seen.depth[keep]
        surface = depth[px[:, 1], px[:, 0]]
        shown = (surface == 0) | (surface > z - OCCLUSION_MARGIN)
        out.append(to_marking[px[shown, 1], px[shown, 0]])
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def draw_lanes(image: np.ndarray, lanes: FrameLanes, calib: CameraCalibration) -> np.ndarray:
    """Lane boundaries (paint, kerbs, unmarked edges) and dotted centre lines of driving lanes
    drawn on a BGR image (in place, and returned)."""
    height, width = image.shape[:2]
    for seen in projected_boundaries(lanes, calib):
        if seen.boundary.mark == "none" and seen.lane.lane_type == "sidewalk":
            continue  # the sidewalks' backs: clutter
        color = MARK_COLORS.get(seen.boundary.mark, PAINT_COLOR)
        thickness = 2 if seen.boundary.painted else 1
        _polyline(image, seen.uv, color, thickness, (width, height))
    for lane in lanes.lanes:
        if lane.lane_type != "driving":
            continue
        optical = to_camera(resample(lane.centre_array(), 2.0), calib)
        for point in project(calib, optical[optical[:, 2] > NEAR]):
            u, v = (round(float(c)) for c in point)
            if 0 <= u < width and 0 <= v < height:
                cv2.circle(image, (u, v), 2, CENTRE_COLOR, -1, cv2.LINE_AA)
    return image


def _polyline(
    image: np.ndarray,
    uv: np.ndarray,
    color: tuple[int, int, int],
    thickness: int,
    size: tuple[int, int],
) -> None:
    """Draw a projected polyline, leaving out points far outside the image (cv2 draws in
    integer pixels; a point behind the horizon can project millions of pixels away)."""
    limit = 4 * max(size)
    keep = np.all(np.abs(uv) < limit, axis=1)
    if keep.sum() >= 2:
        points = np.round(uv[keep]).astype(np.int32)
        cv2.polylines(image, [points], False, color, thickness, cv2.LINE_AA)
