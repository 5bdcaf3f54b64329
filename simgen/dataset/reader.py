"""The typed read API of native datasets: exports, preview, evaluation and reports start here.

    ds = open_dataset("out/ds")
    for variant in ds:                      # complete variants, sorted by (scenario, variant)
        for frame in variant.frames():
            labels = frame.labels           # FrameLabels, the model the renderer wrote
            rgb = frame.rgb("cam_front")    # arrays are read lazily, one file at a time
            points = frame.lidar("lidar_top")
            targets = frame.radar("radar_front")  # RADAR_DTYPE

Importing this module loads neither the simulator nor a renderer (no pybullet, pyrender or
open3d): reading a dataset needs NumPy, OpenCV and pydantic only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import cv2
import numpy as np
from pydantic import TypeAdapter, ValidationError

from simgen.core.jsonio import validate_json
from simgen.dataset.layout import (
    FLOW_FIELDS,
    FORMAT_VERSION,
    MANIFEST,
    POINT_DTYPE,
    POINT_FLOW_DTYPE,
    RADAR_DTYPE,
    STORYBOARD,
    CameraOutput,
    FlowDirection,
    Manifest,
    depth_npy_path,
    error_message,
    flow_from_codes,
    flow_path,
    image_path,
    labels_path,
    lanes_path,
    lidar_path,
    normals_path,
    radar_path,
    scene_flow_path,
)
from simgen.dataset.lifecycle import is_committed
from simgen.labels.lanes import FrameLanes
from simgen.labels.schema import FrameLabels
from simgen.scenario.sample import ScenarioInstance
from simgen.sensors.rig import Calibrations, CameraCalibration, LidarCalibration, RadarCalibration
from simgen.world.events import ElementRecord

_TIMELINE = TypeAdapter(dict[str, list[ElementRecord]])  # storyboard.json: {"elements": [...]}


class DatasetError(Exception):
    """A folder that is not a (complete) native dataset, or a file missing from one."""


@dataclass(frozen=True)
class Frame:
    """One frame of a variant: typed labels and each sensor's arrays, read when asked for."""

    variant: Variant
    index: int
    time: float

    @cached_property
    def labels(self) -> FrameLabels:
        return self.variant.labels(self.index)

    @cached_property
    def lanes(self) -> FrameLanes:
        """The lanes near the ego (ego frame); only where the scenario asked for lane labels."""
        return self.variant.lanes(self.index)

    def image_file(self, camera: str, output: CameraOutput) -> Path:
        return self.variant.file(image_path(camera, output, self.index))

    def rgb(self, camera: str) -> np.ndarray:
        """(H, W, 3) uint8, RGB order."""
        return cv2.cvtColor(self._png(camera, "rgb"), cv2.COLOR_BGR2RGB)

    def depth(self, camera: str) -> np.ndarray:
        """(H, W) float32 metres along the optical axis; 0 where no surface was hit."""
        exact = depth_npy_path(camera, self.index)
        if self.variant.has(exact):
            exact_depth: np.ndarray = np.load(self.variant.file(exact))
            return exact_depth
        return self._png(camera, "depth").astype(np.float32) * self.variant.manifest.depth_scale

    def semantic(self, camera: str) -> np.ndarray:
        """(H, W) uint8 class ids of ``simgen.core.classes``."""
        return self._png(camera, "semantic")

    def instance(self, camera: str) -> np.ndarray:
        """(H, W) uint16 object ids (= ``ObjectLabel.id``), 0 for no object."""
        return self._png(camera, "instance")

    def flow(self, camera: str, direction: FlowDirection = "forward") -> np.ndarray:
        """(H, W, 3) float32 optical flow to the next (``forward``) or from the previous
        (``backward``) frame: u, v in pixels, and valid (1) where the pixel's point is seen in
        that frame (not occluded, inside the image); the last frame's forward flow is invalid.
        Exact where the camera wrote ``flow_npy``, else the KITTI PNG's (to 1/64 pixel)."""
        exact = flow_path(camera, direction, self.index, "npy")
        if self.variant.has(exact):
            return self._npy(exact)
        path = self.flow_file(camera, direction)
        code = _read_png(path)
        if code.dtype != np.uint16 or code.ndim != 3:
            raise DatasetError(f"{path}: not a KITTI flow PNG (16-bit, three channels)")
        return flow_from_codes(cv2.cvtColor(code, cv2.COLOR_BGR2RGB))

    def flow_file(self, camera: str, direction: FlowDirection = "forward") -> Path:
        """The KITTI-format flow PNG (16-bit R = u, G = v, B = valid; (value - 2**15) / 64)."""
        return self.variant.file(flow_path(camera, direction, self.index, "png"))

    def scene_flow(self, camera: str) -> np.ndarray:
        """(H, W, 3) float32 metres each pixel's point moves by the next frame, in this frame's
        camera axes (optical: x right, y down, z forward); NaN where none (sky, gone)."""
        return self._npy(scene_flow_path(camera, self.index))

    def normals(self, camera: str) -> np.ndarray:
        """(H, W, 3) float32 unit surface normals in the camera's optical frame (x right,
        y down, z forward), facing the camera; 0 where no surface (sky)."""
        return self._npy(normals_path(camera, self.index, "npy"))

    def lidar(self, lidar: str) -> np.ndarray:
        """Structured points (``POINT_DTYPE``, or ``POINT_FLOW_DTYPE`` for a lidar that writes
        scene flow) in the lidar frame."""
        points: np.ndarray = np.load(self.variant.file(lidar_path(lidar, self.index, "npy")))
        if points.dtype not in (POINT_DTYPE, POINT_FLOW_DTYPE):
            raise DatasetError(f"{self.variant.root}: {lidar} points have dtype {points.dtype}")
        return points

    def lidar_flow(self, lidar: str) -> np.ndarray:
        """(N, 3) float32 each point's motion to the next sweep, metres, in the lidar's axes
        at its firing time (NaN where none); only for a lidar with ``scene_flow: true``."""
        points = self.lidar(lidar)
        if points.dtype != POINT_FLOW_DTYPE:
            raise DatasetError(f"{self.variant.root}: {lidar} was not asked for scene_flow")
        return np.stack([points[f] for f in FLOW_FIELDS], axis=1)

    def _npy(self, rel: str) -> np.ndarray:
        array: np.ndarray = np.load(self.variant.file(rel))
        return array

    def radar(self, radar: str) -> np.ndarray:
        """The scan's targets (``RADAR_DTYPE``) in the radar frame, nearest first."""
        targets: np.ndarray = np.load(self.variant.file(radar_path(radar, self.index)))
        if targets.dtype != RADAR_DTYPE:
            raise DatasetError(f"{self.variant.root}: {radar} targets have dtype {targets.dtype}")
        return targets

    def lidar_file(self, lidar: str) -> Path:
        """The KITTI-layout float32 x y z intensity file of this sweep."""
        return self.variant.file(lidar_path(lidar, self.index, "bin"))

    def _png(self, camera: str, output: CameraOutput) -> np.ndarray:
        return _read_png(self.image_file(camera, output))


def _read_png(path: Path) -> np.ndarray:
    """A PNG as stored (8 or 16 bits, BGR channel order), or the error naming the file."""
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise DatasetError(f"{path}: not a readable PNG")
    return image


@dataclass(frozen=True)
class Variant:
    """One complete (scenario, variant) folder of a native dataset."""

    root: Path
    manifest: Manifest

    @property
    def scenario(self) -> str:
        return self.manifest.scenario

    @property
    def variant(self) -> int:
        return self.manifest.variant

    @property
    def key(self) -> str:
        return f"{self.scenario}_{self.variant:04d}"

    @property
    def calibration(self) -> Calibrations:
        return self.manifest.calibration

    @cached_property
    def instance(self) -> ScenarioInstance:
        """The concrete scenario this variant was rendered from: every value drawn, the
        injectors in ``applied`` already applied to ``instance.scenario``."""
        m = self.manifest
        return ScenarioInstance(
            variant=m.variant, attempt=m.sample_attempt, scenario=m.instance, applied=m.injectors
        )

    def cameras(self, *outputs: CameraOutput) -> list[str]:
        """Cameras that wrote every one of ``outputs`` (all cameras when none is named)."""
        return [c for c in self.calibration.cameras if all(self.has_output(c, o) for o in outputs)]

    def lidars(self) -> list[str]:
        return list(self.calibration.lidars)

    def radars(self) -> list[str]:
        return list(self.calibration.radars)

    def radar(self, name: str) -> RadarCalibration:
        return self.calibration.radars[name]

    def camera(self, name: str) -> CameraCalibration:
        return self.calibration.cameras[name]

    def lidar(self, name: str) -> LidarCalibration:
        return self.calibration.lidars[name]

    def has(self, rel: str) -> bool:
        return rel in self.manifest.files

    def has_output(self, camera: str, output: CameraOutput) -> bool:
        first = self.manifest.frames[0].frame if self.manifest.frames else 0
        return self.has(image_path(camera, output, first))

    def file(self, rel: str) -> Path:
        if not self.has(rel):
            raise DatasetError(f"{self.root}: no file {rel} in the manifest")
        return self.root / rel

    def storyboard(self) -> tuple[ElementRecord, ...]:
        """Every storyboard element's executions, with start and end times (``storyboard.json``);
        () when the scenario has no storyboard."""
        if not self.has(STORYBOARD):
            return ()
        data = validate_json(_TIMELINE, self.file(STORYBOARD).read_bytes())
        return tuple(data["elements"])

    def frames(self) -> Iterator[Frame]:
        for entry in self.manifest.frames:
            yield Frame(self, entry.frame, entry.time)

    def frame(self, index: int) -> Frame:
        for entry in self.manifest.frames:
            if entry.frame == index:
                return Frame(self, entry.frame, entry.time)
        raise DatasetError(f"{self.root}: no frame {index}")

    @property
    def has_lanes(self) -> bool:
        """Whether lane labels were written (``output.lanes`` or the openlane export)."""
        first = self.manifest.frames[0].frame if self.manifest.frames else 0
        return self.has(lanes_path(first))

    def lanes(self, frame: int) -> FrameLanes:
        rel = lanes_path(frame)
        if not self.has(rel):
            raise DatasetError(
                f"{self.root}: no lane labels for frame {frame} (render with output.lanes: true)"
            )
        path = self.file(rel)
        try:
            return FrameLanes.from_json(path.read_bytes())
        except (ValueError, ValidationError) as exc:
            raise DatasetError(f"{path}: not valid lane labels ({error_message(exc)})") from None

    def labels(self, frame: int) -> FrameLabels:
        path = self.file(labels_path(frame))
        try:
            return FrameLabels.from_json(path.read_bytes())
        except (ValueError, ValidationError) as exc:
            raise DatasetError(f"{path}: not valid labels ({error_message(exc)})") from None


@dataclass(frozen=True)
class Dataset:
    """Every complete variant below a folder."""

    root: Path
    variants: tuple[Variant, ...]

    def __iter__(self) -> Iterator[Variant]:
        return iter(self.variants)

    def __len__(self) -> int:
        return len(self.variants)

    def scenarios(self) -> list[str]:
        return sorted({v.scenario for v in self.variants})

    def variant(self, scenario: str | None = None, variant: int = 0) -> Variant:
        for v in self.variants:
            if (scenario is None or v.scenario == scenario) and v.variant == variant:
                return v
        of = f" of {scenario}" if scenario else ""
        raise DatasetError(f"{self.root}: no variant {variant}{of}")


def read_manifest(path: Path) -> Manifest:
    try:
        manifest = Manifest.from_json(path.read_bytes())
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from None
    except (ValueError, ValidationError) as exc:
        raise DatasetError(f"{path}: not a simgen manifest ({error_message(exc)})") from None
    if manifest.format_version != FORMAT_VERSION:
        raise DatasetError(
            f"{path}: dataset format {manifest.format_version}, this simgen reads "
            f"{FORMAT_VERSION}; render it again with this version"
        )
    return manifest


def open_dataset(root: str | Path) -> Dataset:
    """Every committed, complete variant below ``root``, sorted by (scenario, variant).

    Attempts being written, folders moved aside and chunks awaiting their join hold manifests
    too; they are left out (``simgen.dataset.lifecycle``), so each variant is seen once."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: no such dataset folder")
    found = []
    for path in root.rglob(MANIFEST):
        if not is_committed(path.parent, root):
            continue
        manifest = read_manifest(path)
        if manifest.complete:
            found.append(Variant(path.parent, manifest))
    if not found:
        raise DatasetError(f"{root}: no complete variant (no manifest.json) below it")
    return Dataset(root, tuple(sorted(found, key=lambda v: (v.scenario, v.variant))))


def find_variants(root: str | Path) -> list[Variant]:
    return list(open_dataset(root))
