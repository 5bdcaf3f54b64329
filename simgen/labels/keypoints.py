"""A person's COCO keypoints as one camera sees them: pixels and a visibility flag each.

Visibility is decided against the frame's own geometry pass, the images every other label
comes from. A keypoint is occluded when the camera sees something nearer than the keypoint at
its pixel: nearer by more than the body's radius there (a joint lies inside its limb, that far
behind the surface drawn over it), or nearer at all when that something is another object.
Without a depth image the instance image decides alone: visible where the pixel shows the
person.
"""

from __future__ import annotations

import numpy as np

from simgen.core.keypoints import OCCLUDED, OUTSIDE, VISIBLE
from simgen.labels.schema import Keypoint
from simgen.sensors.frames import CameraFrame
from simgen.sensors.joints import BodyJoints
from simgen.sensors.lens import project, render_calibration
from simgen.sensors.rig import CameraCalibration

NEAR = 0.05  # metres: keypoints nearer the camera than this are not in its image
TOLERANCE = 0.03  # metres: faceted limbs and depth-buffer precision on top of the body's radius
RADIUS_FACTOR = 1.5  # a ray may cross a limb off its axis, through more than one radius


def _inside(uv: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pixel-centre convention: pixel i spans [i - 0.5, i + 0.5)."""
    return (
        (uv[:, 0] >= -0.5)
        & (uv[:, 0] < width - 0.5)
        & (uv[:, 1] >= -0.5)
        & (uv[:, 1] < height - 0.5)
    )


def camera_keypoints(
    joints: BodyJoints,
    actor_id: int,
    camera_from_world: np.ndarray,
    calib: CameraCalibration,
    frame: CameraFrame,
) -> tuple[Keypoint, ...]:
    """The keypoints of one person (``joints`` in the world frame) in one camera's image.
    Keypoints outside the image are (0, 0) with visibility 0, COCO's unlabelled keypoint."""
    points = joints.points @ camera_from_world[:3, :3].T + camera_from_world[:3, 3]
    z = points[:, 2]
    front = z > NEAR
    safe = np.where(front[:, None], points, np.array([0.0, 0.0, 1.0]))
    # a distorted lens is defined on the rays of its pinhole canvas only
    render = render_calibration(calib)
    in_view = front & _inside(project(render, safe), render.width, render.height)
    uv = project(calib, safe)
    in_view &= _inside(uv, calib.width, calib.height)
    cols = np.clip(np.floor(uv[:, 0] + 0.5).astype(int), 0, calib.width - 1)
    rows = np.clip(np.floor(uv[:, 1] + 0.5).astype(int), 0, calib.height - 1)
    occluded = np.zeros(len(points), bool)
    if frame.instance is not None:
        shown = frame.instance[rows, cols].astype(np.int64)
        other = (shown != 0) & (shown != actor_id)
        if frame.depth is None:
            occluded = shown != actor_id
    if frame.depth is not None:
        depth = frame.depth[rows, cols].astype(np.float64)
        depth = np.where(depth > 0, depth, np.inf)  # 0: the sky, nothing there
        margin = RADIUS_FACTOR * joints.radii + TOLERANCE
        occluded = depth < z - margin
        if frame.instance is not None:
            occluded |= other & (depth < z)
    flags = np.where(in_view, np.where(occluded, OCCLUDED, VISIBLE), OUTSIDE)
    return tuple(
        Keypoint(float(u), float(v), int(f)) if f != OUTSIDE else Keypoint(0.0, 0.0, OUTSIDE)
        for (u, v), f in zip(uv, flags, strict=True)
    )
