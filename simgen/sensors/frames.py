"""What a sensor hands on for one frame: typed arrays, no renderer behind them, so writers,
labels and the read side can use them without importing pyrender."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CameraFrame:
    """One camera's images. The RGB may still be developing on a thread when the frame is
    handed on (labels never need it, the writer encodes it on a thread): reading ``rgb`` waits
    for it, ``has_rgb`` does not."""

    developed: Future[np.ndarray] | None  # resolves to (H, W, 3) uint8
    depth: np.ndarray | None  # (H, W) float32 metres along the optical axis, 0 = sky
    instance: np.ndarray | None  # (H, W) uint16 actor ids, 0 = background
    semantic: np.ndarray | None  # (H, W) uint8 class ids
    # a distorted camera's instance mask as rendered (pinhole), for visibility fractions
    pinhole_instance: np.ndarray | None = None
    # (H, W, 3) float32 unit surface normals, optical frame (x right, y down, z forward); 0: sky
    normals: np.ndarray | None = None
    # (H, W, 3) float32 optical flow to the next / from the previous frame: u, v, valid
    flow_forward: np.ndarray | None = None
    flow_backward: np.ndarray | None = None
    # (H, W, 3) float32 each pixel's 3D motion to the next frame, metres, in this frame's
    # camera axes; NaN where it has none (sky, an object gone)
    scene_flow: np.ndarray | None = None

    @property
    def rgb(self) -> np.ndarray | None:
        return None if self.developed is None else self.developed.result()

    @property
    def has_rgb(self) -> bool:
        return self.developed is not None


@dataclass(frozen=True)
class RadarFrame:
    """One radar scan: its targets (``simgen.dataset.layout.RADAR_DTYPE``) in the radar frame."""

    targets: np.ndarray


@dataclass(frozen=True)
class CameraRender:
    """A camera back end's raw frame (RGB as rendered, before effects and the lens) and the
    seconds each of its passes took."""

    frame: CameraFrame
    seconds: dict[str, float]  # pass name ("rgb", "labels+depth") -> seconds


def ready(value: np.ndarray) -> Future[np.ndarray]:
    """A value as a future that is already done."""
    future: Future[np.ndarray] = Future()
    future.set_result(value)
    return future


def encode_label(instance_id: int, class_id: int) -> tuple[int, int, int]:
    return instance_id & 0xFF, (instance_id >> 8) & 0xFF, class_id
