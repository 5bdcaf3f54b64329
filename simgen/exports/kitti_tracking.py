"""KITTI tracking export: one sequence per variant, with stable track ids and the ego's pose.

    OUT/training/image_02/<seq:04d>/<frame:06d>.png
    OUT/training/velodyne/<seq:04d>/<frame:06d>.bin    (rigs with a lidar)
    OUT/training/label_02/<seq:04d>.txt   frame track_id type truncated occluded alpha bbox(4)
                                          h w l x y z ry
    OUT/training/calib/<seq:04d>.txt      P0-P3, R_rect, Tr_velo_cam, Tr_imu_velo
    OUT/training/oxts/<seq:04d>.txt       one OXTS packet per frame: the ego (= IMU) pose
    OUT/mapping.json                      seq -> scenario, variant

Objects, cameras and calibration follow the KITTI object export (``simgen.exports.kitti``); the
track id is the object's id, the same in every frame, masks and lidar points, through crashes.
As in KITTI tracking, ``truncated`` is a level: 0 in the image, 1 partly outside it.

OXTS packets place the world frame (x east, y north, z up) on a Mercator projection whose origin
is the ego's first position, at ``ORIGIN`` (Karlsruhe, where KITTI was recorded). The KITTI
devkit's ``convertOxtsToPose`` (and pykitti) then give back the ego trajectory relative to its
first position. Accelerations are specific force, as the RT3003 measures it: gravity is in
``az``/``au``; velocities and accelerations are finite differences and rates from the labels.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from simgen.core.atomic import write_text_atomic
from simgen.dataset.mapping import MappedSequence, write_mapping
from simgen.dataset.reader import Dataset, Variant
from simgen.exports.kitti import calib_text, copy, kitti_objects, sensors
from simgen.exports.options import ExportOptions
from simgen.labels.schema import FrameLabels

EARTH_RADIUS = 6378137.0  # m, as in the KITTI devkit
ORIGIN = (49.011, 8.4235, 115.0)  # lat, lon (degrees), altitude (m) of the first ego position
GRAVITY = 9.81
STATUS = "0.01 0.01 4 12 5 5 6"  # pos/vel accuracy (m, m/s), navstat, numsats, pos/vel/ori mode
TRUNCATED = 1e-3  # fraction outside the image from which an object counts as truncated


def label_lines(labels: FrameLabels, camera: str, options: ExportOptions) -> list[str]:
    lines = []
    for obj, found in kitti_objects(labels, camera, options.kitti_dontcare):
        track = -1 if found.dont_care else obj.id
        level = "-1" if found.dont_care else str(int(found.truncation >= TRUNCATED))
        lines.append(f"{labels.frame} {track} {found.fields(level)}")
    return lines


def roll_pitch_yaw(rotation: np.ndarray) -> tuple[float, float, float]:
    """Angles of R = Rz(yaw) Ry(pitch) Rx(roll), the order OXTS and the devkit use."""
    pitch = -math.asin(max(-1.0, min(1.0, rotation[2, 0])))
    return (
        math.atan2(rotation[2, 1], rotation[2, 2]),
        pitch,
        math.atan2(rotation[1, 0], rotation[0, 0]),
    )


def lat_lon(east: float, north: float) -> tuple[float, float]:
    """Latitude and longitude of a point ``east``/``north`` metres from ``ORIGIN`` (Mercator)."""
    lat0, lon0, _ = ORIGIN
    scale = math.cos(math.radians(lat0))
    mx = scale * lon0 * math.pi * EARTH_RADIUS / 180 + east
    my = scale * EARTH_RADIUS * math.log(math.tan(math.radians(90 + lat0) / 2)) + north
    lon = mx * 180 / (math.pi * EARTH_RADIUS * scale)
    lat = 360 / math.pi * math.atan(math.exp(my / (EARTH_RADIUS * scale))) - 90
    return lat, lon


def oxts_lines(frames: list[FrameLabels], rate: float) -> list[str]:
    """One 30-value OXTS packet per frame, from the ego poses and velocities in the labels."""
    poses = [f.pose() for f in frames]
    velocities = np.array([f.ego_velocity for f in frames], dtype=float)
    accelerations = (
        np.gradient(velocities, 1.0 / rate, axis=0) if len(frames) > 1 else 0 * velocities
    )
    start = poses[0][:3, 3]
    lines = []
    for pose, frame, velocity, acceleration in zip(
        poses, frames, velocities, accelerations, strict=True
    ):
        rotation = pose[:3, :3]
        east, north, up = pose[:3, 3] - start
        lat, lon = lat_lon(east, north)
        body_velocity = rotation.T @ velocity
        specific_force = rotation.T @ (acceleration + np.array([0.0, 0.0, GRAVITY]))
        rates = rotation.T @ np.asarray(frame.ego_angular_velocity, dtype=float)
        values = [
            lat,
            lon,
            ORIGIN[2] + up,
            *roll_pitch_yaw(rotation),
            velocity[1],  # vn
            velocity[0],  # ve
            *body_velocity,  # vf vl vu
            *specific_force,  # ax ay az
            *specific_force,  # af al au: the body is level with the road here
            *rates,  # wx wy wz
            *rates,  # wf wl wu
        ]
        lines.append(" ".join(f"{v:.12g}" for v in values) + " " + STATUS)
    return lines


def export_kitti_tracking(dataset: Dataset, out: Path, options: ExportOptions) -> int:
    """Write KITTI tracking sequences; returns the number of frames."""
    training = out / "training"
    mapping = []
    count = 0
    for seq, variant in enumerate(dataset):
        count += _sequence(variant, f"{seq:04d}", training, options)
        mapping.append(MappedSequence(seq, variant.scenario, variant.variant))
    write_mapping(out, mapping)
    return count


def _sequence(variant: Variant, seq: str, training: Path, options: ExportOptions) -> int:
    camera, lidar = sensors(variant)
    calib = calib_text(variant.camera(camera), variant.lidar(lidar) if lidar else None, True)
    write_text_atomic(training / "calib" / f"{seq}.txt", calib)
    labels, lines = [], []
    for frame in variant.frames():
        copy(
            frame.image_file(camera, "rgb"), training / "image_02" / seq / f"{frame.index:06d}.png"
        )
        if lidar is not None:
            copy(frame.lidar_file(lidar), training / "velodyne" / seq / f"{frame.index:06d}.bin")
        labels.append(frame.labels)
        lines += label_lines(frame.labels, camera, options)
    write_text_atomic(training / "label_02" / f"{seq}.txt", "".join(f"{x}\n" for x in lines))
    oxts = oxts_lines(labels, variant.manifest.frame_rate)
    write_text_atomic(training / "oxts" / f"{seq}.txt", "".join(f"{x}\n" for x in oxts))
    return len(labels)
