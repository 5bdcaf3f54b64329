"""The native dataset writer: one folder per (scenario, variant), every file atomic and hashed.

The layout and the manifest are defined in ``simgen.dataset.layout``, shared with the reader.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal

import numpy as np

from simgen.core.atomic import Payload, pieces, write_bytes_atomic
from simgen.core.classes import CLASSES
from simgen.core.jit import kernel
from simgen.dataset.kitti_flow import flow_png
from simgen.dataset.layout import (
    DEPTH_SCALE,
    MANIFEST,
    FlowDirection,
    Manifest,
    depth_npy_path,
    flow_path,
    image_path,
    json_bytes,
    labels_path,
    lanes_path,
    lidar_path,
    normals_path,
    radar_path,
    scene_flow_path,
)
from simgen.dataset.png_encode import NONE, SUB, UP, code16, encode_png
from simgen.labels.lanes import FrameLanes
from simgen.scenario.models import Camera, RgbPng
from simgen.sensors.frames import CameraFrame, RadarFrame

# the row filter per kind of image, chosen on the bench scene's frames (`simgen bench`): camera
# images carry sensor noise, which the left neighbour predicts best; label masks are flat runs,
# which deflate packs unfiltered; depth, flow and normals change smoothly (row to row for
# depth and normals, along the row for flow's u and v)
PNG_FILTERS: dict[str, int] = {"photo": SUB, "stored": NONE, "mask": NONE, "smooth": UP}

PngKind = Literal["photo", "stored", "mask", "smooth"]


def png(image: np.ndarray, kind: PngKind = "smooth") -> bytes:
    """A PNG of ``image`` (grey, or RGB in that order), filtered for the ``kind`` of image;
    ``stored``: uncompressed (``output.rgb_png: stored``)."""
    return encode_png(image, PNG_FILTERS[kind], "stored" if kind == "stored" else "fast")


def npy(array: np.ndarray) -> Payload:
    """``np.save``'s bytes of ``array``: its header, then the array's own memory (not copied)
    where it is C-contiguous and its header has format 1.0, as ``np.save`` would write it."""
    array = np.asanyarray(array)
    if array.flags.c_contiguous and not array.dtype.hasobject:
        header = io.BytesIO()
        try:
            np.lib.format.write_array_header_1_0(
                header, np.lib.format.header_data_from_array_1_0(array)
            )
        except (ValueError, UnicodeEncodeError):  # np.save would write a later format
            pass
        else:
            return (header.getvalue(), array.reshape(-1).view(np.uint8).data)
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def depth_png(depth: np.ndarray) -> bytes:
    """Millimetres in uint16; 0 = no surface, 65535 = at least 65.535 m away."""
    mm = np.clip(np.round(depth / DEPTH_SCALE), 0, 65535).astype(np.uint16)
    return png(mm)


_ONE, _HALF, _FULL = np.float32(1.0), np.float32(0.5), np.float32(65535.0)


def normals_png(normals: np.ndarray) -> bytes:
    """(H, W, 3) unit normals -> 16-bit PNG, R G B = x y z mapped from [-1, 1] to [0, 65535];
    no surface (a zero normal) is written 0 0 0."""
    return encode_png(normals_code(normals), UP)  # surfaces are smooth from row to row


def normals_code(normals: np.ndarray) -> np.ndarray:
    """(H, W, 3) normals -> (H, W, 3) uint16: rint((n + 1) / 2 * 65535) in float32, clipped;
    0 0 0 where the normal is zero. One compiled pass (OpenCV took five)."""
    normals = np.ascontiguousarray(normals, np.float32)
    out = np.empty(normals.shape, np.uint16)
    _normal_codes(normals, out)
    return out


@kernel
def _normal_codes(normals: np.ndarray, out: np.ndarray) -> None:
    h, w, _ = normals.shape
    for r in range(h):
        for c in range(w):
            x, y, z = normals[r, c, 0], normals[r, c, 1], normals[r, c, 2]
            if x == 0 and y == 0 and z == 0:  # no surface (-0 too)
                out[r, c, 0] = out[r, c, 1] = out[r, c, 2] = 0
            else:
                out[r, c, 0], out[r, c, 1], out[r, c, 2] = (
                    code16((x + _ONE) * _HALF * _FULL),
                    code16((y + _ONE) * _HALF * _FULL),
                    code16((z + _ONE) * _HALF * _FULL),
                )


@dataclass(frozen=True)
class FloatCopies:
    """Which of a camera's 16-bit PNG outputs are also written as float32 ``.npy`` (its
    ``depth_npy`` and ``flow_npy``): exact values, at many times the bytes."""

    depth: bool = False
    flow: bool = False

    @classmethod
    def of(cls, camera: Camera) -> FloatCopies:
        return cls(depth=camera.depth_npy, flow=camera.flow_npy)


def camera_files(
    name: str,
    frame: int,
    data: CameraFrame,
    copies: FloatCopies = FloatCopies(),
    rgb_png: RgbPng = "compressed",
) -> dict[str, Any]:
    """Relative path -> a callable producing the bytes (encoded off the render thread)."""
    out: dict[str, Any] = {}
    developed = data.developed  # has_rgb; the image is waited for on the writer's thread
    if developed is not None:
        kind: PngKind = "stored" if rgb_png == "stored" else "photo"
        out[image_path(name, "rgb", frame)] = lambda: png(developed.result(), kind)
    if data.depth is not None:
        out[image_path(name, "depth", frame)] = lambda: depth_png(data.depth)
        if copies.depth:
            out[depth_npy_path(name, frame)] = lambda: npy(data.depth)
    if data.semantic is not None:
        out[image_path(name, "semantic", frame)] = lambda: png(data.semantic, "mask")
    if data.instance is not None:
        out[image_path(name, "instance", frame)] = lambda: png(data.instance, "mask")
    flows: tuple[tuple[FlowDirection, np.ndarray | None], ...] = (
        ("forward", data.flow_forward),
        ("backward", data.flow_backward),
    )
    for direction, flow in flows:
        if flow is not None:
            out[flow_path(name, direction, frame, "png")] = partial(flow_png, flow)
            if copies.flow:
                out[flow_path(name, direction, frame, "npy")] = partial(npy, flow)
    if data.scene_flow is not None:
        out[scene_flow_path(name, frame)] = partial(npy, data.scene_flow)
    if data.normals is not None:
        out[normals_path(name, frame, "png")] = partial(normals_png, data.normals)
        out[normals_path(name, frame, "npy")] = partial(npy, data.normals)
    return out


def lidar_files(name: str, frame: int, points: np.ndarray) -> dict[str, Any]:
    xyzi = np.stack([points["x"], points["y"], points["z"], points["intensity"]], axis=1)
    return {
        lidar_path(name, frame, "npy"): lambda: npy(points),
        lidar_path(name, frame, "bin"): lambda: np.ascontiguousarray(xyzi, dtype="<f4").tobytes(),
    }


def radar_files(name: str, frame: int, scan: RadarFrame) -> dict[str, Any]:
    return {radar_path(name, frame): lambda: npy(scan.targets)}


def _lower_priority() -> None:
    """Encoding runs behind rendering: it only needs the time the render thread leaves idle."""
    with contextlib.suppress(AttributeError, OSError):  # an optimisation, not on every platform
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 0)


class NativeWriter:
    """Writes one variant. Encoding and writing run on worker threads (cv2 and zlib release
    the GIL), in parallel with rendering the next frame."""

    def __init__(
        self,
        root: Path,
        copies: dict[str, FloatCopies],
        workers: int = 1,
        rgb_png: RgbPng = "compressed",
    ) -> None:
        self.root = root
        self.copies = copies
        self.rgb_png: RgbPng = rgb_png
        self.hashes: dict[str, str] = {}
        self.pool = ThreadPoolExecutor(max_workers=workers, initializer=_lower_priority)
        self.pending: list[tuple[str, Future[str]]] = []  # relative path, its sha256
        self.busy: list[float] = []

    @property
    def busy_seconds(self) -> float:
        """Worker time spent encoding, hashing and writing so far."""
        return sum(self.busy)

    def submit(self, rel: str, make: Callable[[], Payload]) -> None:
        """Encode and write ``rel`` on a worker thread; its hash goes into the manifest."""

        def job() -> str:
            start = time.perf_counter()
            data = make()
            write_bytes_atomic(self.root / rel, data, durable=False, stream=True)
            digest = hashlib.sha256()
            for piece in pieces(data):
                digest.update(piece)
            self.busy.append(time.perf_counter() - start)  # list.append is atomic under the GIL
            return digest.hexdigest()

        self.pending.append((rel, self.pool.submit(job)))

    def write_json(self, rel: str, data: Any) -> None:
        self.submit(rel, lambda: json_bytes(data))

    def write_frame(
        self,
        frame: int,
        frames: dict[str, CameraFrame | np.ndarray | RadarFrame],
        labels: Any,
        lanes: FrameLanes | None = None,
    ) -> None:
        for name, data in frames.items():
            if isinstance(data, CameraFrame):
                copies = self.copies.get(name, FloatCopies())
                files = camera_files(name, frame, data, copies, self.rgb_png)
            elif isinstance(data, RadarFrame):
                files = radar_files(name, frame, data)
            else:
                files = lidar_files(name, frame, data)
            for rel, make in files.items():
                self.submit(rel, make)
        # labels are frozen: they are turned into JSON on the writer's thread too
        self.submit(labels_path(frame), lambda: json_bytes(labels.to_json()))
        if lanes is not None:
            self.submit(lanes_path(frame), lanes.to_bytes)
        self._collect(block=False)

    def _collect(self, block: bool) -> None:
        still = []
        for rel, future in self.pending:
            if block or future.done():
                self.hashes[rel] = future.result()
            else:
                still.append((rel, future))
        self.pending = still

    def drain(self) -> None:
        """Wait until every submitted file is written and hashed."""
        self._collect(block=True)
        self.pool.shutdown()

    def finish(self, manifest: Manifest) -> None:
        """Wait for every file, then write the manifest with all their hashes: the commit point.

        Only this variant's files and folders are synced (never the whole system), before the
        manifest says they exist."""
        self.drain()
        sync_tree(self.root, list(self.hashes))
        write_manifest(self.root, replace(manifest, files=dict(sorted(self.hashes.items()))))

    def abort(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write the manifest, durably, once every file it lists is synced: the commit point."""
    write_bytes_atomic(folder / MANIFEST, json_bytes(manifest.to_json()))
    sync_directory(folder)


def sync_tree(root: Path, files: list[str]) -> None:
    """fsync every listed file, then every folder holding one (so their names are durable)."""
    folders = {root}
    for rel in files:
        path = root / rel
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        folders.update(p for p in path.parents if root in (p, *p.parents))
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        sync_directory(folder)


def sync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def class_table() -> list[dict[str, Any]]:
    return [asdict(c) for c in CLASSES]
