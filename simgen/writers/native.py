"""The native dataset: one folder per (scenario, variant), every file atomic and hashed.

OUT/<scenario>/<variant:04d>/
  manifest.json                      written last: a variant with one is complete
  calibration.json                   K and ego_from_sensor of every sensor, lidar scan
  classes.json                       id, name, RGB palette colour, nearest Cityscapes label
  labels/<frame:06d>.json            ego pose, objects (3D box, visibility...), collisions
  <camera>/rgb/<frame:06d>.png       8-bit RGB
  <camera>/depth/<frame:06d>.png     16-bit depth in millimetres along the optical axis
  <camera>/depth/<frame:06d>.npy     float32 metres (when the camera asks for depth_npy)
  <camera>/semantic/<frame:06d>.png  8-bit class ids
  <camera>/instance/<frame:06d>.png  16-bit instance ids (= object ids in the labels)
  <lidar>/<frame:06d>.npy            structured points: x y z intensity ring time semantic instance
  <lidar>/<frame:06d>.bin            float32 x y z intensity (KITTI velodyne layout)
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from simgen.classes import CLASSES
from simgen.sensors.camera import CameraFrame
from simgen.writers.atomic import write_bytes_atomic

DEPTH_SCALE = 0.001  # metres per unit of the 16-bit depth PNG
MANIFEST = "manifest.json"
FORMAT_VERSION = 1


def png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:  # pragma: no cover - cv2 only fails on unsupported dtypes
        raise ValueError(f"cannot encode a {image.dtype} image as PNG")
    return data.tobytes()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def depth_png(depth: np.ndarray) -> bytes:
    """Millimetres in uint16; 0 = no surface, 65535 = at least 65.535 m away."""
    mm = np.clip(np.round(depth / DEPTH_SCALE), 0, 65535).astype(np.uint16)
    return png(mm)


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8")


def camera_files(name: str, frame: int, data: CameraFrame, depth_npy: bool) -> dict[str, Any]:
    """Relative path -> a callable producing the bytes (encoded off the render thread)."""
    stem = f"{frame:06d}"
    out: dict[str, Any] = {}
    if data.rgb is not None:
        out[f"{name}/rgb/{stem}.png"] = lambda: png(cv2.cvtColor(data.rgb, cv2.COLOR_RGB2BGR))
    if data.depth is not None:
        out[f"{name}/depth/{stem}.png"] = lambda: depth_png(data.depth)
        if depth_npy:
            out[f"{name}/depth/{stem}.npy"] = lambda: npy(data.depth)
    if data.semantic is not None:
        out[f"{name}/semantic/{stem}.png"] = lambda: png(data.semantic)
    if data.instance is not None:
        out[f"{name}/instance/{stem}.png"] = lambda: png(data.instance)
    return out


def lidar_files(name: str, frame: int, points: np.ndarray) -> dict[str, Any]:
    stem = f"{frame:06d}"
    xyzi = np.stack([points["x"], points["y"], points["z"], points["intensity"]], axis=1)
    return {
        f"{name}/{stem}.npy": lambda: npy(points),
        f"{name}/{stem}.bin": lambda: np.ascontiguousarray(xyzi, dtype="<f4").tobytes(),
    }


def _lower_priority() -> None:
    """Encoding runs behind rendering: it only needs the time the render thread leaves idle."""
    with contextlib.suppress(AttributeError, OSError):  # an optimisation, not on every platform
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 0)


class NativeWriter:
    """Writes one variant. Encoding and writing run on worker threads (cv2 and zlib release
    the GIL), in parallel with rendering the next frame."""

    def __init__(self, root: Path, depth_npy: dict[str, bool], workers: int = 1) -> None:
        self.root = root
        self.depth_npy = depth_npy
        self.hashes: dict[str, str] = {}
        self.pool = ThreadPoolExecutor(max_workers=workers, initializer=_lower_priority)
        self.pending: list[tuple[str, Future]] = []
        self.busy: list[float] = []

    @property
    def busy_seconds(self) -> float:
        """Worker time spent encoding, hashing and writing so far."""
        return sum(self.busy)

    def submit(self, rel: str, make: Callable[[], bytes]) -> None:
        """Encode and write ``rel`` on a worker thread; its hash goes into the manifest."""

        def job() -> str:
            start = time.perf_counter()
            data = make()
            write_bytes_atomic(self.root / rel, data, durable=False)
            digest = hashlib.sha256(data).hexdigest()
            self.busy.append(time.perf_counter() - start)  # list.append is atomic under the GIL
            return digest

        self.pending.append((rel, self.pool.submit(job)))

    def write_json(self, rel: str, data: Any) -> None:
        self.submit(rel, lambda: json_bytes(data))

    def write_frame(
        self, frame: int, frames: dict[str, CameraFrame | np.ndarray], labels: Any
    ) -> None:
        for name, data in frames.items():
            files = (
                camera_files(name, frame, data, self.depth_npy.get(name, False))
                if isinstance(data, CameraFrame)
                else lidar_files(name, frame, data)
            )
            for rel, make in files.items():
                self.submit(rel, make)
        self.write_json(f"labels/{frame:06d}.json", labels.to_json())
        self._collect(block=False)

    def _collect(self, block: bool) -> None:
        still = []
        for rel, future in self.pending:
            if block or future.done():
                self.hashes[rel] = future.result()
            else:
                still.append((rel, future))
        self.pending = still

    def finish(self, manifest: dict[str, Any]) -> None:
        """Wait for every file, then write the manifest with all their hashes: the commit point."""
        self._collect(block=True)
        self.pool.shutdown()
        os.sync()  # every frame file reaches the disk before the manifest says they exist
        manifest = {**manifest, "files": dict(sorted(self.hashes.items()))}
        write_bytes_atomic(self.root / MANIFEST, json_bytes(manifest))

    def abort(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def class_table() -> list[dict[str, Any]]:
    return [asdict(c) for c in CLASSES]


def is_complete(variant_dir: Path, expect: dict[str, Any]) -> bool:
    """A variant is done when its manifest exists and was made with the same request."""
    try:
        manifest = json.loads((variant_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return all(manifest.get(k) == v for k, v in expect.items())
