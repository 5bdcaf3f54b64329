"""nuScenes export, a pure function of a native dataset, loadable by nuscenes-devkit.

    OUT/v1.0-simgen/*.json            the 13 tables (scene, sample, sample_data, ...)
    OUT/samples/<CHANNEL>/...         every frame is a key frame: images and lidar .pcd.bin
    OUT/sweeps/<CHANNEL>/             (empty: there are no intermediate sweeps)
    OUT/maps/<token>.png              semantic prior: drivable surface and sidewalks, 0.1 m/px

Each variant becomes a scene with its own log and map. The global frame is the world frame
shifted so the map starts at (0, 0). Lidar points are x y z intensity (0-255) ring, in the
lidar frame; calibrated_sensor records map each sensor into the ego frame.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from simgen.dataset import Variant, find_variants
from simgen.geometry import quat_from_matrix
from simgen.scenario.models import Scenario
from simgen.world.road import RoadGeometry
from simgen.writers.atomic import write_bytes_atomic
from simgen.writers.native import json_bytes

VERSION = "v1.0-simgen"
MAP_RESOLUTION = 0.1
MAP_MARGIN = 60.0
BASE_TIME_US = 1_700_000_000_000_000

CATEGORIES = {
    "sedan": "vehicle.car",
    "suv": "vehicle.car",
    "truck": "vehicle.truck",
    "bus": "vehicle.bus.rigid",
    "motorcycle": "vehicle.motorcycle",
    "bicycle": "vehicle.bicycle",
    "pedestrian": "human.pedestrian.adult",
    "child": "human.pedestrian.child",
    "traffic_cone": "movable_object.trafficcone",
    "barrier": "movable_object.barrier",
    "debris": "movable_object.debris",
}
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


def _attribute(model: str, obj: dict[str, Any]) -> str:
    if model in ("pedestrian", "child"):
        return "pedestrian.moving" if obj["moving"] else "pedestrian.standing"
    if model in ("bicycle", "motorcycle"):
        return "cycle.with_rider"
    return "vehicle.moving" if obj["moving"] else "vehicle.parked"


def _visibility_token(obj: dict[str, Any]) -> str:
    best = max([v["visibility"] for v in obj["cameras"].values()], default=1.0)
    return next(t for t, _, low in reversed(VISIBILITY) if best >= low)


def _road_map(variant: Variant, path: Path) -> np.ndarray:
    """Rasterise asphalt and sidewalks; returns the world offset that puts the map at (0, 0)."""
    scenario = Scenario.model_validate(variant.instance)
    geom = RoadGeometry(scenario.road)
    meshes = [m.mesh for m in geom.surface_meshes() if m.semantic_class in ("road", "sidewalk")]
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


def export_nuscenes(dataset: str | Path, out: str | Path) -> int:
    """Write a nuScenes-format dataset; returns the number of samples (frames)."""
    out = Path(out)
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
    for name in sorted(set(CATEGORIES.values())):
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
    for variant in find_variants(dataset):
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
        for name, calib in variant.calibration.items():
            channel = name.upper()
            modality = calib["type"]
            if channel not in sensors:
                sensors[channel] = token("sensor", channel)
                tables["sensor"].append(
                    {"token": sensors[channel], "channel": channel, "modality": modality}
                )
            ego_from = np.array(calib["ego_from_sensor"])
            cs_token = token("calibrated_sensor", key, name)
            tables["calibrated_sensor"].append(
                {
                    "token": cs_token,
                    "sensor_token": sensors[channel],
                    "translation": ego_from[:3, 3].tolist(),
                    "rotation": wxyz(ego_from[:3, :3]),
                    "camera_intrinsic": calib["K"] if modality == "camera" else [],
                }
            )
            channels[name] = (channel, cs_token, modality)
        sample_tokens = [token("sample", key, e["frame"]) for e in variant.frames]
        annotations: dict[str, list[dict[str, Any]]] = {}
        for index, entry in enumerate(variant.frames):
            frame, stamp = entry["frame"], BASE_TIME_US + round(entry["time"] * 1e6)
            labels = variant.labels(frame)
            world_from_ego = np.array(labels["world_from_ego"])
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
                    variant,
                    name,
                    modality,
                    frame,
                    out / "samples" / channel,
                    f"{key}__{channel}__{stamp}",
                )
                if rel is None:
                    continue
                calib = variant.calibration[name]
                tables["sample_data"].append(
                    {
                        "token": token("sample_data", key, name, frame),
                        "sample_token": sample_tokens[index],
                        "ego_pose_token": pose_token,
                        "calibrated_sensor_token": cs_token,
                        "timestamp": stamp,
                        "fileformat": rel.rsplit(".", 1)[-1],
                        "is_key_frame": True,
                        "height": calib.get("height", 0),
                        "width": calib.get("width", 0),
                        "filename": rel,
                        "prev": token("sample_data", key, name, frame - 1) if index else "",
                        "next": token("sample_data", key, name, frame + 1)
                        if index + 1 < len(variant.frames)
                        else "",
                    }
                )
            for obj in labels["objects"]:
                if not obj["visible"]:
                    continue
                box = obj["boxes"]["world"]
                length, width, height = box["size"]
                x, y, z, w = box["rotation"]
                annotations.setdefault(obj["name"], []).append(
                    {
                        "token": token("sample_annotation", key, obj["id"], frame),
                        "sample_token": sample_tokens[index],
                        "instance_token": token("instance", key, obj["id"]),
                        "visibility_token": _visibility_token(obj),
                        "attribute_tokens": [token("attribute", _attribute(obj["model"], obj))],
                        "translation": (np.array(box["center"]) + shift).tolist(),
                        "size": [width, length, height],
                        "rotation": [w, x, y, z],
                        "num_lidar_pts": int(sum(obj["lidar_points"].values())),
                        "num_radar_pts": 0,
                        "_model": obj["model"],
                    }
                )
        for records in annotations.values():
            for i, record in enumerate(records):
                record["prev"] = records[i - 1]["token"] if i else ""
                record["next"] = records[i + 1]["token"] if i + 1 < len(records) else ""
            model = records[0].pop("_model")
            for record in records[1:]:
                record.pop("_model")
            tables["sample_annotation"] += records
            tables["instance"].append(
                {
                    "token": records[0]["instance_token"],
                    "category_token": token("category", CATEGORIES[model]),
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
                "description": variant.instance.get("description", ""),
            }
        )
        samples += len(sample_tokens)
    for channel in sensors:
        (out / "sweeps" / channel).mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        write_bytes_atomic(out / VERSION / f"{name}.json", json_bytes(rows))
    return samples


def _sample_file(
    variant: Variant, name: str, modality: str, frame: int, folder: Path, stem: str
) -> str | None:
    if modality == "camera":
        rel = f"{name}/rgb/{frame:06d}.png"
        if rel not in variant.manifest["files"]:
            return None
        write_bytes_atomic(folder / f"{stem}.png", variant.file(rel).read_bytes(), durable=False)
        return f"samples/{folder.name}/{stem}.png"
    points = variant.lidar_points(name, frame)
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
