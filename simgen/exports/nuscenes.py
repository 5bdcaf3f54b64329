"""nuScenes export, a pure function of a native dataset, loadable by nuscenes-devkit.

    OUT/v1.0-simgen/*.json            the 13 tables (scene, sample, sample_data, ...)
    OUT/samples/<CHANNEL>/...         every frame is a key frame: images, lidar .pcd.bin and
                                      radar .pcd (binary PCD v0.7, the devkit's 18 fields)
    OUT/sweeps/<CHANNEL>/             (empty: there are no intermediate sweeps)
    OUT/maps/<token>.png              semantic prior: drivable surface and sidewalks, 0.1 m/px

Each variant becomes a scene with its own log and map. The global frame is the world frame
shifted so the map starts at (0, 0). Lidar points are x y z intensity (0-255) ring, in the
lidar frame; calibrated_sensor records map each sensor into the ego frame. Radars become the
nuScenes radar channels by their mount's yaw (``radar_channel``); each target is one PCD point.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from simgen.core.atomic import write_bytes_atomic
from simgen.core.classes import nuscenes_categories, nuscenes_category
from simgen.core.geometry import quat_from_matrix
from simgen.dataset.layout import json_bytes
from simgen.dataset.reader import Dataset, Frame, Variant
from simgen.exports.nuscenes_radar import radar_channel, radar_pcd
from simgen.exports.options import ExportOptions
from simgen.labels.policy import nuscenes_attribute
from simgen.labels.schema import ObjectLabel
from simgen.world.simulate import road_surfaces

VERSION = "v1.0-simgen"
MAP_RESOLUTION = 0.1
MAP_MARGIN = 60.0
BASE_TIME_US = 1_700_000_000_000_000

ATTRIBUTES = (
    "vehicle.moving",
    "vehicle.stopped",
    "vehicle.parked",
    "cycle.with_rider",
    "pedestrian.moving",
    "pedestrian.standing",
)
VISIBILITY = (
    ("1", "v0-40", 0.0),
    ("2", "v40-60", 0.4),
    ("3", "v60-80", 0.6),
    ("4", "v80-100", 0.8),
)


def token(*parts: object) -> str:
    return hashlib.md5("/".join(map(str, parts)).encode()).hexdigest()


def wxyz(rotation: np.ndarray) -> list[float]:
    x, y, z, w = quat_from_matrix(rotation)
    return [w, x, y, z]


def _visibility_token(obj: ObjectLabel) -> str:
    best = max([v.visibility for v in obj.cameras.values()], default=1.0)
    return next(t for t, _, low in reversed(VISIBILITY) if best >= low)


def _road_map(variant: Variant, path: Path) -> np.ndarray:
    """Rasterise asphalt and sidewalks; returns the world offset that puts the map at (0, 0)."""
    scenario = variant.instance.scenario
    surfaces = road_surfaces(scenario.road)
    meshes = [m.mesh for m in surfaces if m.semantic_class in ("road", "sidewalk")]
    vertices = np.concatenate([m.vertices for m in meshes])
    low = vertices[:, :2].min(axis=0) - MAP_MARGIN
    high = vertices[:, :2].max(axis=0) + MAP_MARGIN
    cols, rows = np.ceil((high - low) / MAP_RESOLUTION).astype(int)
    image = np.zeros((rows, cols), np.uint8)
    for mesh in meshes:
        for tri in mesh.triangles:
            px = (tri[:, :2] - low) / MAP_RESOLUTION
            px[:, 1] = rows - px[:, 1]  # image rows grow downwards, y grows upwards
            cv2.fillConvexPoly(image, np.round(px * 16).astype(np.int32), 255, shift=4)
    _, data = cv2.imencode(".png", image)
    write_bytes_atomic(path, data.tobytes(), durable=False)
    return -low


def export_nuscenes(dataset: Dataset, out: Path, options: ExportOptions) -> int:
    """Write a nuScenes-format dataset; returns the number of samples (frames)."""
    tables: dict[str, list[dict[str, Any]]] = {
        name: []
        for name in (
            "category",
            "attribute",
            "visibility",
            "instance",
            "sensor",
            "calibrated_sensor",
            "ego_pose",
            "log",
            "scene",
            "sample",
            "sample_data",
            "sample_annotation",
            "map",
        )
    }
    for name in nuscenes_categories():
        tables["category"].append(
            {"token": token("category", name), "name": name, "description": name}
        )
    for name in ATTRIBUTES:
        tables["attribute"].append(
            {"token": token("attribute", name), "name": name, "description": name}
        )
    for tok, level, _ in VISIBILITY:
        tables["visibility"].append(
            {"token": tok, "level": level, "description": f"visibility {level}"}
        )
    sensors: dict[str, str] = {}
    samples = 0
    for variant in dataset:
        key = variant.key
        scene_token, log_token, map_token = (
            token("scene", key),
            token("log", key),
            token("map", key),
        )
        shift = np.r_[_road_map(variant, out / "maps" / f"{map_token}.png"), 0.0]  # world -> global
        tables["log"].append(
            {
                "token": log_token,
                "logfile": key,
                "vehicle": "simgen-ego",
                "date_captured": "2026-01-01",
                "location": key,
            }
        )
        tables["map"].append(
            {
                "token": map_token,
                "log_tokens": [log_token],
                "category": "semantic_prior",
                "filename": f"maps/{map_token}.png",
            }
        )
        channels = {}
        rig = variant.calibration
        mounts = {n: (c.ego_from_camera, "camera", c.K.tolist()) for n, c in rig.cameras.items()}
        mounts |= {n: (c.ego_from_lidar, "lidar", []) for n, c in rig.lidars.items()}
        mounts |= {n: (c.ego_from_radar, "radar", []) for n, c in rig.radars.items()}
        taken: set[str] = set()
        for name, (ego_from, modality, intrinsic) in mounts.items():
            channel = radar_channel(ego_from, name, taken) if modality == "radar" else name.upper()
            taken.add(channel)
            if channel not in sensors:
                sensors[channel] = token("sensor", channel)
                tables["sensor"].append(
                    {"token": sensors[channel], "channel": channel, "modality": modality}
                )
            cs_token = token("calibrated_sensor", key, name)
            tables["calibrated_sensor"].append(
                {
                    "token": cs_token,
                    "sensor_token": sensors[channel],
                    "translation": ego_from[:3, 3].tolist(),
                    "rotation": wxyz(ego_from[:3, :3]),
                    "camera_intrinsic": intrinsic,
                    # not in nuScenes (its images are undistorted): OpenCV's k1 k2 p1 p2 k3
                    **(
                        {"camera_distortion": list(rig.cameras[name].distortion)}
                        if name in rig.cameras and any(rig.cameras[name].distortion)
                        else {}
                    ),
                }
            )
            channels[name] = (channel, cs_token, modality)
        frames = list(variant.frames())
        sample_tokens = [token("sample", key, f.index) for f in frames]
        annotations: dict[int, list[dict[str, Any]]] = {}
        categories: dict[int, str] = {}
        for index, entry in enumerate(frames):
            frame, stamp = entry.index, BASE_TIME_US + round(entry.time * 1e6)
            labels = entry.labels
            world_from_ego = labels.pose()
            pose_token = token("ego_pose", key, frame)
            tables["ego_pose"].append(
                {
                    "token": pose_token,
                    "timestamp": stamp,
                    "translation": (world_from_ego[:3, 3] + shift).tolist(),
                    "rotation": wxyz(world_from_ego[:3, :3]),
                }
            )
            tables["sample"].append(
                {
                    "token": sample_tokens[index],
                    "timestamp": stamp,
                    "scene_token": scene_token,
                    "prev": sample_tokens[index - 1] if index else "",
                    "next": sample_tokens[index + 1] if index + 1 < len(sample_tokens) else "",
                }
            )
            for name, (channel, cs_token, modality) in channels.items():
                rel = _sample_file(
                    entry, name, modality, out / "samples" / channel, f"{key}__{channel}__{stamp}"
                )
                if rel is None:
                    continue
                size = (
                    (rig.cameras[name].height, rig.cameras[name].width)
                    if name in rig.cameras
                    else (0, 0)
                )
                tables["sample_data"].append(
                    {
                        "token": token("sample_data", key, name, frame),
                        "sample_token": sample_tokens[index],
                        "ego_pose_token": pose_token,
                        "calibrated_sensor_token": cs_token,
                        "timestamp": stamp,
                        "fileformat": rel.rsplit(".", 1)[-1],
                        "is_key_frame": True,
                        "height": size[0],
                        "width": size[1],
                        "filename": rel,
                        "prev": token("sample_data", key, name, frame - 1) if index else "",
                        "next": token("sample_data", key, name, frame + 1)
                        if index + 1 < len(frames)
                        else "",
                    }
                )
            radar_hits: dict[int, int] = {}
            for name in rig.radars:
                targets = entry.radar(name)
                real = targets["instance"][targets["kind"] == 0]
                for i, c in zip(*np.unique(real[real > 0], return_counts=True), strict=True):
                    radar_hits[int(i)] = radar_hits.get(int(i), 0) + int(c)
            for obj in labels.objects:
                category = nuscenes_category(obj.semantic_class, obj.model)
                if not obj.visible or category is None:
                    continue
                box = obj.boxes.world
                length, width, height = box.size
                x, y, z, w = box.rotation
                categories[obj.id] = category
                annotations.setdefault(obj.id, []).append(
                    {
                        "token": token("sample_annotation", key, obj.id, frame),
                        "sample_token": sample_tokens[index],
                        "instance_token": token("instance", key, obj.id),
                        "visibility_token": _visibility_token(obj),
                        "attribute_tokens": [token("attribute", nuscenes_attribute(obj, category))],
                        "translation": (np.array(box.center) + shift).tolist(),
                        "size": [width, length, height],
                        "rotation": [w, x, y, z],
                        "num_lidar_pts": int(sum(obj.lidar_points.values())),
                        "num_radar_pts": radar_hits.get(obj.id, 0),
                    }
                )
        for object_id, records in annotations.items():
            for i, record in enumerate(records):
                record["prev"] = records[i - 1]["token"] if i else ""
                record["next"] = records[i + 1]["token"] if i + 1 < len(records) else ""
            tables["sample_annotation"] += records
            tables["instance"].append(
                {
                    "token": records[0]["instance_token"],
                    "category_token": token("category", categories[object_id]),
                    "nbr_annotations": len(records),
                    "first_annotation_token": records[0]["token"],
                    "last_annotation_token": records[-1]["token"],
                }
            )
        tables["scene"].append(
            {
                "token": scene_token,
                "log_token": log_token,
                "nbr_samples": len(sample_tokens),
                "first_sample_token": sample_tokens[0],
                "last_sample_token": sample_tokens[-1],
                "name": key,
                "description": variant.instance.scenario.description,
            }
        )
        samples += len(sample_tokens)
    for channel in sensors:
        (out / "sweeps" / channel).mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        write_bytes_atomic(out / VERSION / f"{name}.json", json_bytes(rows))
    return samples


def _sample_file(frame: Frame, name: str, modality: str, folder: Path, stem: str) -> str | None:
    if modality == "camera":
        if not frame.variant.has_output(name, "rgb"):
            return None
        data = frame.image_file(name, "rgb").read_bytes()
        write_bytes_atomic(folder / f"{stem}.png", data, durable=False)
        return f"samples/{folder.name}/{stem}.png"
    if modality == "radar":
        pattern = frame.variant.radar(name).pattern
        write_bytes_atomic(
            folder / f"{stem}.pcd", radar_pcd(frame.radar(name), pattern), durable=False
        )
        return f"samples/{folder.name}/{stem}.pcd"
    points = frame.lidar(name)
    five = np.stack(
        [
            points["x"],
            points["y"],
            points["z"],
            points["intensity"] * 255.0,
            points["ring"].astype(np.float32),
        ],
        axis=1,
    ).astype("<f4")
    write_bytes_atomic(folder / f"{stem}.pcd.bin", five.tobytes(), durable=False)
    return f"samples/{folder.name}/{stem}.pcd.bin"
