"""The overview image a person opens first: RGB with instance boxes, depth, semantic, lidar BEV."""

from __future__ import annotations

import cv2
import numpy as np

from simgen.core.classes import BY_NAME, CLASSES
from simgen.labels.schema import FrameLabels
from simgen.sensors.frames import CameraFrame

PALETTE = np.array([c.color for c in CLASSES], dtype=np.uint8)
BEV_RANGE = 40.0  # metres shown on each side of the lidar


def colorize_depth(depth: np.ndarray, near: float = 2.0, far: float = 150.0) -> np.ndarray:
    """Log depth: near = red, far = blue (turbo colormap); no surface = black. BGR."""
    logs = np.log(np.clip(depth, near, far) / near) / np.log(far / near)
    scaled = 1.0 - logs
    image = cv2.applyColorMap((scaled * 255).astype(np.uint8), cv2.COLORMAP_TURBO)
    image[depth <= 0] = 0
    return image


def colorize_semantic(semantic: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(PALETTE[semantic], cv2.COLOR_RGB2BGR)


def lidar_bev(points: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bird's-eye view, x forward = up, coloured by semantic class."""
    h, w = size
    image = np.zeros((h, w, 3), np.uint8)
    scale = min(h, w) / (2 * BEV_RANGE)
    u = (w / 2 - points["y"] * scale).astype(int)
    v = (h / 2 - points["x"] * scale).astype(int)
    keep = (u >= 0) & (u < w) & (v >= 0) & (v < h)
    colors = PALETTE[points["semantic"][keep]][:, ::-1]
    for du in (0, 1):  # 2 x 2 dots, so sparse rings stay visible
        for dv in (0, 1):
            image[np.minimum(v[keep] + dv, h - 1), np.minimum(u[keep] + du, w - 1)] = colors
    cv2.circle(image, (w // 2, h // 2), 3, (255, 255, 255), -1)
    for r in (10, 20, 30, 40):
        cv2.circle(image, (w // 2, h // 2), int(r * scale), (60, 60, 60), 1)
    return image


def overview(
    camera: CameraFrame | None, lidar: np.ndarray | None, labels: FrameLabels, camera_name: str
) -> np.ndarray:
    """A 2 x 2 sheet (BGR) of the first camera and lidar of one frame."""
    tiles = []
    if camera is not None and camera.has_rgb:
        h, w = camera.rgb.shape[:2]
        rgb = cv2.cvtColor(camera.rgb, cv2.COLOR_RGB2BGR)
        for obj in labels.objects:
            view = obj.cameras.get(camera_name)
            box = view.visible_box if view is not None else None
            if box is None:
                continue
            color = tuple(int(c) for c in PALETTE[BY_NAME[obj.semantic_class].id][::-1])
            cv2.rectangle(rgb, (box[0], box[1]), (box[2], box[3]), color, 2)
            cv2.putText(rgb, f"{obj.name}", (box[0], max(box[1] - 4, 10)),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.45, color, 1, cv2.LINE_AA)  # fmt: skip
        tiles.append(rgb)
        blank = np.zeros_like(rgb)
        tiles.append(colorize_depth(camera.depth) if camera.depth is not None else blank)
        tiles.append(colorize_semantic(camera.semantic) if camera.semantic is not None else blank)
    else:
        h, w = 480, 640
        tiles += [np.zeros((h, w, 3), np.uint8)] * 3
    tiles.append(lidar_bev(lidar, (h, w)) if lidar is not None else np.zeros((h, w, 3), np.uint8))
    return np.vstack([np.hstack(tiles[:2]), np.hstack(tiles[2:])])
