"""The ground-truth policy: which labelled objects count, for which use, at which difficulty.

A simulator labels every object exactly, so exports keep them all; what a benchmark ignores is
decided here, once, and shared by the exports and the evaluation:

- an object is *in a camera's ground truth* when its class has a name in the format and the camera
  sees at least one of its pixels, however small or occluded it is;
- KITTI's difficulty levels (Geiger et al., CVPR 2012) grade it by box height, occlusion level and
  truncation; an object that meets none is kept in the labels and ignored by KITTI's metrics;
- ``DontCare`` regions are optional (KITTI uses them for what its annotators did not label).
"""

from __future__ import annotations

from dataclasses import dataclass

from simgen.core.classes import BY_NAME
from simgen.labels.schema import CameraView, ObjectLabel


@dataclass(frozen=True)
class DifficultyLevel:
    name: str
    min_height_px: float  # of the 2D box
    max_occlusion: int  # KITTI occlusion level (0 fully visible, 1 partly, 2 largely)
    max_truncation: float


KITTI_DIFFICULTIES: tuple[DifficultyLevel, ...] = (
    DifficultyLevel("easy", 40.0, 0, 0.15),
    DifficultyLevel("moderate", 25.0, 1, 0.30),
    DifficultyLevel("hard", 25.0, 2, 0.50),
)


def box_height(box: tuple[float, ...] | None) -> float:
    """Height in pixels of a [u0, v0, u1, v1] box whose corners are pixel centres."""
    return 0.0 if box is None else float(box[3] - box[1] + 1)


def difficulty(view: CameraView) -> int | None:
    """Index of the easiest KITTI level the object meets (0 easy), or None when it meets none."""
    for index, level in enumerate(KITTI_DIFFICULTIES):
        if (
            box_height(view.amodal_box) >= level.min_height_px
            and view.kitti_occlusion <= level.max_occlusion
            and view.truncation <= level.max_truncation
        ):
            return index
    return None


def kitti_type(obj: ObjectLabel) -> str | None:
    return BY_NAME[obj.semantic_class].kitti


def camera_view(obj: ObjectLabel, camera: str) -> CameraView | None:
    """How the camera sees the object when it belongs to the camera's ground truth, else None."""
    view = obj.cameras.get(camera)
    return view if view is not None and view.in_view else None


@dataclass(frozen=True)
class DontCare:
    """Write objects this small or this hidden as KITTI ``DontCare`` regions instead."""

    min_height_px: float = 25.0  # of the visible box
    min_visibility: float = 0.1

    def applies(self, view: CameraView) -> bool:
        return (
            box_height(view.visible_box) < self.min_height_px
            or view.visibility < self.min_visibility
        )


def nuscenes_attribute(obj: ObjectLabel, category: str) -> str:
    """The nuScenes attribute of an object of a nuScenes ``category`` (exports and evaluation)."""
    if category.startswith("human.pedestrian"):
        return "pedestrian.moving" if obj.moving else "pedestrian.standing"
    if category in ("vehicle.bicycle", "vehicle.motorcycle"):
        return "cycle.with_rider"
    return "vehicle.moving" if obj.moving else "vehicle.parked"
