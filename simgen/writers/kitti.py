"""KITTI object export, a pure function of a native dataset.

    OUT/training/image_2/<idx:06d>.png   the first camera with RGB
    OUT/training/velodyne/<idx:06d>.bin  float32 x y z reflectance, lidar frame
    OUT/training/calib/<idx:06d>.txt     P0-P3, R0_rect, Tr_velo_to_cam, Tr_imu_to_velo
    OUT/training/label_2/<idx:06d>.txt   type truncated occluded alpha bbox(4) h w l x y z ry
    OUT/mapping.json                     idx -> scenario, variant, frame

The camera is KITTI's rectified camera (x right, y down, z forward): P2 = K [I | 0], R0 = I.
Locations are box bottom centres in that frame; rotation_y turns the object's x axis about the
camera's y axis. Objects follow KITTI's rules: a type for what KITTI labels, and DontCare for
what is in view but too small or too hidden to label (visible box under 25 px high, or under
10 % visible).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from simgen.dataset import DatasetError, Variant, find_variants
from simgen.geometry import quat_to_matrix, wrap_angle
from simgen.writers.atomic import write_bytes_atomic, write_text_atomic
from simgen.writers.native import json_bytes

KITTI_TYPES = {
    "car": "Car",
    "truck": "Truck",
    "bus": "Misc",
    "person": "Pedestrian",
    "bicycle": "Cyclist",
    "motorcycle": "Cyclist",
    "traffic_cone": "Misc",
    "barrier": "Misc",
    "debris": "Misc",
}
MIN_HEIGHT_PX = 25
MIN_VISIBILITY = 0.1


def calib_text(K: np.ndarray, ego_from_camera: np.ndarray, ego_from_lidar: np.ndarray) -> str:
    P = np.c_[K, np.zeros(3)]
    velo_to_cam = np.linalg.inv(ego_from_camera) @ ego_from_lidar
    imu_to_velo = np.linalg.inv(ego_from_lidar)  # the IMU is the ego frame

    def row(name: str, m: np.ndarray) -> str:
        return name + ": " + " ".join(f"{v:.12e}" for v in np.asarray(m).ravel())

    lines = [row(f"P{i}", P) for i in range(4)]
    lines += [
        row("R0_rect", np.eye(3)),
        row("Tr_velo_to_cam", velo_to_cam[:3]),
        row("Tr_imu_to_velo", imu_to_velo[:3]),
    ]
    return "\n".join(lines) + "\n"


def object_line(obj: dict[str, Any], camera: str) -> str | None:
    """The label_2 line of one object, a DontCare line, or None when the camera misses it."""
    view = obj["cameras"].get(camera)
    if view is None or view["amodal_box"] is None:
        return None
    kitti_type = KITTI_TYPES.get(obj["semantic_class"])
    if kitti_type is None:
        return None
    u0, v0, u1, v1 = view["amodal_box"]
    visible = view["visible_box"]
    too_small = visible is None or (visible[3] - visible[1] + 1) < MIN_HEIGHT_PX
    if too_small or view["visibility"] < MIN_VISIBILITY:
        box = visible if visible is not None else [u0, v0, u1, v1]
        corners = " ".join(f"{v:.2f}" for v in box)
        return f"DontCare -1 -1 -10 {corners} -1 -1 -1 -1000 -1000 -1000 -10"
    box3d = obj["boxes"][camera]
    rot = quat_to_matrix(box3d["rotation"])
    length, width, height = box3d["size"]
    center = np.array(box3d["center"])
    bottom = center - rot[:, 2] * height / 2
    forward = rot[:, 0]
    ry = math.atan2(-forward[2], forward[0])
    alpha = wrap_angle(ry - math.atan2(bottom[0], bottom[2]))
    return (
        f"{kitti_type} {view['truncation']:.4f} {view['kitti_occlusion']} {alpha:.4f} "
        f"{u0:.2f} {v0:.2f} {u1:.2f} {v1:.2f} {height:.4f} {width:.4f} {length:.4f} "
        f"{bottom[0]:.4f} {bottom[1]:.4f} {bottom[2]:.4f} {wrap_angle(ry):.4f}"
    )


def export_kitti(dataset: str | Path, out: str | Path) -> int:
    """Write a KITTI object dataset from a native one; returns the number of frames."""
    out = Path(out)
    training = out / "training"
    mapping = []
    index = 0
    for variant in find_variants(dataset):
        camera, lidar = _sensors(variant)
        calib = variant.calibration
        text = calib_text(
            np.array(calib[camera]["K"]),
            np.array(calib[camera]["ego_from_sensor"]),
            np.array(calib[lidar]["ego_from_sensor"]),
        )
        for entry in variant.frames:
            frame = entry["frame"]
            stem = f"{index:06d}"
            _copy(variant.image(camera, "rgb", frame), training / "image_2" / f"{stem}.png")
            _copy(variant.file(f"{lidar}/{frame:06d}.bin"), training / "velodyne" / f"{stem}.bin")
            write_text_atomic(training / "calib" / f"{stem}.txt", text)
            lines = [object_line(o, camera) for o in variant.labels(frame)["objects"]]
            write_text_atomic(
                training / "label_2" / f"{stem}.txt", "".join(line + "\n" for line in lines if line)
            )
            mapping.append(
                {
                    "index": index,
                    "scenario": variant.scenario,
                    "variant": variant.variant,
                    "frame": frame,
                }
            )
            index += 1
    write_bytes_atomic(out / "mapping.json", json_bytes(mapping))
    return index


def _sensors(variant: Variant) -> tuple[str, str]:
    files = variant.manifest["files"]
    cameras = [
        c
        for c in variant.cameras()
        if {f"{c}/rgb/000000.png", f"{c}/instance/000000.png"} <= set(files)
    ]
    lidars = variant.lidars()
    if not cameras or not lidars:
        raise DatasetError(
            f"{variant.root}: KITTI needs a camera with rgb and instance outputs (visibility and "
            "DontCare come from the instance mask) and a lidar"
        )
    return cameras[0], lidars[0]


def _copy(source: Path, target: Path) -> None:
    write_bytes_atomic(target, source.read_bytes(), durable=False)
