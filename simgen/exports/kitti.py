"""KITTI object export, a pure function of a native dataset.

    OUT/training/image_2/<idx:06d>.png   the first camera with rgb and instance outputs
    OUT/training/velodyne/<idx:06d>.bin  float32 x y z reflectance, lidar frame (rigs with a lidar)
    OUT/training/calib/<idx:06d>.txt     P0-P3, R0_rect, Tr_velo_to_cam, Tr_imu_to_velo
    OUT/training/label_2/<idx:06d>.txt   type truncated occluded alpha bbox(4) h w l x y z ry
    OUT/mapping.json                     idx -> scenario, variant, frame

The camera is KITTI's rectified camera (x right, y down, z forward): P2 = K [I | 0], R0 = I.
Locations are box bottom centres in that frame; rotation_y turns the object's x axis about the
camera's y axis. Every object the camera sees in at least one pixel is written with its type and
3D box, however small or hidden (``simgen.labels.policy``); KITTI's evaluation grades them by
difficulty. ``DontCare`` regions are written only when asked for.

Without a lidar, ``velodyne/`` is left out and the "velodyne" frame of the calibration is the
ego frame (x forward, y left, z up, origin at the centre of the ego box's bottom face), so
``Tr_velo_to_cam`` maps ego coordinates into the camera and ``Tr_imu_to_velo`` is the identity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from simgen.core.atomic import write_bytes_atomic, write_text_atomic
from simgen.core.geometry import wrap_angle
from simgen.dataset.mapping import MappedFrame, write_mapping
from simgen.dataset.reader import Dataset, DatasetError, Variant
from simgen.exports.options import ExportOptions
from simgen.labels.policy import DontCare, camera_view, kitti_type
from simgen.labels.schema import FrameLabels, ObjectLabel
from simgen.sensors.rig import CameraCalibration, LidarCalibration


@dataclass(frozen=True)
class KittiObject:
    """One object in KITTI's camera conventions (the fields shared by object and tracking)."""

    type: str  # a KITTI type, or DontCare for a region left unlabelled
    truncation: float  # fraction of the projected box outside the image
    occluded: int
    alpha: float
    bbox: tuple[float, float, float, float]
    dimensions: tuple[float, float, float]  # height, width, length
    location: tuple[float, float, float]  # bottom centre, camera frame
    rotation_y: float

    @property
    def dont_care(self) -> bool:
        return self.type == DONT_CARE

    def fields(self, truncated: str) -> str:
        """The label fields from ``type`` on, with ``truncated`` given as text."""
        u0, v0, u1, v1 = self.bbox
        box = f"{u0:.2f} {v0:.2f} {u1:.2f} {v1:.2f}"
        if self.dont_care:
            return f"{DONT_CARE} -1 -1 -10 {box} -1 -1 -1 -1000 -1000 -1000 -10"
        h, w, length = self.dimensions
        x, y, z = self.location
        return (
            f"{self.type} {truncated} {self.occluded} {self.alpha:.4f} {box} "
            f"{h:.4f} {w:.4f} {length:.4f} {x:.4f} {y:.4f} {z:.4f} {self.rotation_y:.4f}"
        )


DONT_CARE = "DontCare"


def kitti_object(obj: ObjectLabel, camera: str) -> KittiObject | None:
    """The object as KITTI labels it in ``camera``, or None when it is not the camera's truth."""
    view = camera_view(obj, camera)
    name = kitti_type(obj)
    if view is None or name is None or view.amodal_box is None:
        return None
    box = obj.boxes.sensors[camera]
    rot = box.matrix()
    length, width, height = box.size
    bottom = box.bottom_center()
    forward = rot[:, 0]
    ry = wrap_angle(math.atan2(-forward[2], forward[0]))
    alpha = wrap_angle(ry - math.atan2(bottom[0], bottom[2]))
    return KittiObject(
        type=name,
        truncation=view.truncation,
        occluded=view.kitti_occlusion,
        alpha=alpha,
        bbox=view.amodal_box,
        dimensions=(height, width, length),
        location=(float(bottom[0]), float(bottom[1]), float(bottom[2])),
        rotation_y=ry,
    )


def kitti_objects(
    labels: FrameLabels, camera: str, dont_care: DontCare | None
) -> list[tuple[ObjectLabel, KittiObject]]:
    """Every object of one frame in ``camera``'s truth; DontCare regions when asked for."""
    out = []
    for obj in labels.objects:
        found = kitti_object(obj, camera)
        if found is None:
            continue
        view = obj.cameras[camera]
        if dont_care is not None and dont_care.applies(view):
            region = view.visible_box if view.visible_box is not None else found.bbox
            found = replace(found, type=DONT_CARE, bbox=tuple(float(v) for v in region))
        out.append((obj, found))
    return out


TRACKING_CALIB_NAMES = {
    "R0_rect": "R_rect",
    "Tr_velo_to_cam": "Tr_velo_cam",
    "Tr_imu_to_velo": "Tr_imu_velo",
}


def calib_text(
    camera: CameraCalibration, lidar: LidarCalibration | None, tracking: bool = False
) -> str:
    """KITTI's calibration file: P0-P3, R0_rect, Tr_velo_to_cam, Tr_imu_to_velo, and for a
    distorted camera ``D2``: OpenCV's k1 k2 p1 p2 k3 (not in KITTI, whose images are rectified).

    The IMU is the ego frame; without a lidar, the velodyne frame is the ego frame too. The
    tracking benchmark spells the last three ``R_rect``, ``Tr_velo_cam``, ``Tr_imu_velo``
    without a colon."""
    P = np.c_[camera.K, np.zeros(3)]
    ego_from_velo = lidar.ego_from_lidar if lidar is not None else np.eye(4)
    velo_to_cam = np.linalg.inv(camera.ego_from_camera) @ ego_from_velo
    rows = [(f"P{i}", P) for i in range(4)] + [
        ("R0_rect", np.eye(3)),
        ("Tr_velo_to_cam", velo_to_cam[:3]),
        ("Tr_imu_to_velo", np.linalg.inv(ego_from_velo)[:3]),
    ]
    lines = []
    for name, matrix in rows:
        key = (
            f"{TRACKING_CALIB_NAMES[name]} "
            if tracking and name in TRACKING_CALIB_NAMES
            else f"{name}: "
        )
        lines.append(key + " ".join(f"{v:.12e}" for v in matrix.ravel()) + "\n")
    if any(camera.distortion):  # KITTI's images are undistorted; ours are not: say how
        key = "D2 " if tracking else "D2: "
        lines.append(key + " ".join(f"{v:.12e}" for v in camera.distortion) + "\n")
    return "".join(lines)


def sensors(variant: Variant) -> tuple[str, str | None]:
    """The camera KITTI exports (the first with rgb and instance) and the first lidar, if any."""
    cameras = variant.cameras("rgb", "instance")
    if not cameras:
        raise DatasetError(
            f"{variant.root}: KITTI needs a camera with rgb and instance outputs (which objects "
            "the camera sees comes from the instance mask)"
        )
    lidars = variant.lidars()
    return cameras[0], (lidars[0] if lidars else None)


def export_kitti(dataset: Dataset, out: Path, options: ExportOptions) -> int:
    """Write a KITTI object dataset from a native one; returns the number of frames."""
    training = out / "training"
    mapping = []
    for variant in dataset:
        camera, lidar = sensors(variant)
        calib = calib_text(variant.camera(camera), variant.lidar(lidar) if lidar else None)
        for frame in variant.frames():
            stem = f"{len(mapping):06d}"
            copy(frame.image_file(camera, "rgb"), training / "image_2" / f"{stem}.png")
            if lidar is not None:
                copy(frame.lidar_file(lidar), training / "velodyne" / f"{stem}.bin")
            write_text_atomic(training / "calib" / f"{stem}.txt", calib)
            found = kitti_objects(frame.labels, camera, options.kitti_dontcare)
            rows = "".join(k.fields(f"{k.truncation:.4f}") + "\n" for _, k in found)
            write_text_atomic(training / "label_2" / f"{stem}.txt", rows)
            mapping.append(
                MappedFrame(len(mapping), variant.scenario, variant.variant, frame.index)
            )
    write_mapping(out, mapping)
    return len(mapping)


def copy(source: Path, target: Path) -> None:
    write_bytes_atomic(target, source.read_bytes(), durable=False)
