"""The native dataset format, shared by its writer and its reader: paths and the manifest.

    OUT/<scenario>/<variant:04d>/
      manifest.json                      written last: a variant with one is complete
      calibration.json                   K and ego_from_sensor of every sensor, lidar scan
      classes.json                       the class table (ids, palette, format names)
      labels/<frame:06d>.json            FrameLabels (simgen.labels.schema)
      lanes/<frame:06d>.json             FrameLanes (simgen.labels.lanes), when output.lanes
      <camera>/rgb/<frame:06d>.png       8-bit RGB
      <camera>/depth/<frame:06d>.png     16-bit depth in millimetres along the optical axis
      <camera>/depth/<frame:06d>.npy     float32 metres (when the camera asks for depth_npy)
      <camera>/semantic/<frame:06d>.png  8-bit class ids
      <camera>/instance/<frame:06d>.png  16-bit instance ids (= object ids in the labels)
      <camera>/flow_forward/<frame:06d>.png   KITTI flow to the next frame (16-bit u v valid)
      <camera>/flow_forward/<frame:06d>.npy   float32 (H, W, 3): u, v, valid (with flow_npy)
      <camera>/flow_backward/<frame:06d>.png  ... from the previous frame (same layout)
      <camera>/scene_flow/<frame:06d>.npy     float32 (H, W, 3) metres to the next frame
      <camera>/normals/<frame:06d>.png        16-bit x y z normals, optical frame
      <camera>/normals/<frame:06d>.npy        float32 (H, W, 3) unit normals
      <lidar>/<frame:06d>.npy            points: x y z intensity ring time semantic instance
                                         (+ flow_x flow_y flow_z with scene_flow)
      <lidar>/<frame:06d>.bin            float32 x y z intensity (KITTI velodyne layout)
      <radar>/<frame:06d>.npy            targets: RADAR_DTYPE (position, Doppler, RCS, SNR, ids)

Only such committed folders are variants; the attempts, stale and chunk folders a render leaves
beside them while it works are named and handled by ``simgen.dataset.lifecycle``.

Light on purpose: reading a dataset needs neither the simulator nor the sensors.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, PlainSerializer, PlainValidator, TypeAdapter, ValidationError

from simgen.core.classes import SemanticClass
from simgen.core.json_indent import dumps_indented
from simgen.core.jsonio import validate_json
from simgen.scenario.models import Injector, Scenario
from simgen.sensors.rig import Calibrations

MANIFEST = "manifest.json"
STORYBOARD = "storyboard.json"  # every storyboard element's start and end times, when there is one
FORMAT_VERSION = 2  # 2: typed labels with the ego's velocity
DEPTH_SCALE = 0.001  # metres per unit of the 16-bit depth PNG
FLOW_SCALE = 64.0  # KITTI: a flow PNG value is flow * 64 + 2**15
FLOW_OFFSET = 2**15

# one lidar return, in the lidar frame at its firing time
POINT_DTYPE = np.dtype(
    [
        ("x", "<f4"),
        ("y", "<f4"),
        ("z", "<f4"),
        ("intensity", "<f4"),
        ("ring", "<u2"),
        ("time", "<f4"),
        ("semantic", "u1"),
        ("instance", "<u2"),
    ]
)

# a lidar asked for scene_flow: each point's motion to the next sweep, metres, in the lidar's
# axes at its firing time (NaN where it has none: the last sweep, a road user gone, a stale one)
FLOW_FIELDS = ("flow_x", "flow_y", "flow_z")
POINT_FLOW_DTYPE = np.dtype(POINT_DTYPE.descr + [(f, "<f4") for f in FLOW_FIELDS])
# one radar target (a cluster of returns in one range x azimuth x velocity cell), radar frame
RADAR_DTYPE = np.dtype(
    [
        ("x", "<f4"),  # m, x forward (boresight), y left, z up
        ("y", "<f4"),
        ("z", "<f4"),
        ("range", "<f4"),  # m
        ("azimuth", "<f4"),  # rad, counter-clockwise from +x
        ("elevation", "<f4"),  # rad, up from the x-y plane
        ("vr", "<f4"),  # m/s, radial (Doppler) velocity relative to the radar, + moving away
        ("vr_comp", "<f4"),  # m/s, the same with the radar's own motion removed (over ground)
        ("rcs", "<f4"),  # radar cross section, dBsm
        ("snr", "<f4"),  # signal to noise ratio, dB
        ("semantic", "u1"),  # class id of the strongest return in the cell; 0 for artefacts
        ("instance", "<u2"),  # object id (= ObjectLabel.id); 0: static world or an artefact
        ("kind", "u1"),  # RADAR_KINDS: 0 target, 1 multipath ghost, 2 false alarm
    ]
)
RADAR_KINDS = ("target", "ghost", "false_alarm")

CameraOutput = Literal["rgb", "depth", "semantic", "instance"]
FlowDirection = Literal["forward", "backward"]


def labels_path(frame: int) -> str:
    return f"labels/{frame:06d}.json"


def lanes_path(frame: int) -> str:
    return f"lanes/{frame:06d}.json"


def image_path(camera: str, output: CameraOutput, frame: int) -> str:
    return f"{camera}/{output}/{frame:06d}.png"


def depth_npy_path(camera: str, frame: int) -> str:
    return f"{camera}/depth/{frame:06d}.npy"


def flow_path(
    camera: str, direction: FlowDirection, frame: int, suffix: Literal["png", "npy"]
) -> str:
    """KITTI flow PNG (R = u, G = v, B = valid; value = flow * 64 + 2**15) or float32 .npy."""
    return f"{camera}/flow_{direction}/{frame:06d}.{suffix}"


def flow_from_codes(code: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint16 KITTI codes, R G B order -> (H, W, 3) float32 u, v, valid, as the
    devkit reads them: (value - 2**15) / 64, exact in float32; valid 1 where B is set."""
    flow = np.empty(code.shape, np.float32)
    np.subtract(code[..., :2], np.float32(FLOW_OFFSET), out=flow[..., :2], dtype=np.float32)
    flow[..., :2] /= np.float32(FLOW_SCALE)
    flow[..., 2] = code[..., 2] > 0
    return flow


def scene_flow_path(camera: str, frame: int) -> str:
    return f"{camera}/scene_flow/{frame:06d}.npy"


def normals_path(camera: str, frame: int, suffix: Literal["png", "npy"]) -> str:
    """16-bit PNG (R, G, B = x, y, z; value = (n + 1) / 2 * 65535; 0 0 0: sky) or float32 .npy."""
    return f"{camera}/normals/{frame:06d}.{suffix}"


def lidar_path(lidar: str, frame: int, suffix: Literal["npy", "bin"] = "npy") -> str:
    return f"{lidar}/{frame:06d}.{suffix}"


def radar_path(radar: str, frame: int) -> str:
    return f"{radar}/{frame:06d}.npy"


def json_bytes(data: Any) -> bytes:
    """Stable, readable JSON: sorted keys, one value per line (``json.dumps(indent=1)``'s text,
    from its C encoder: ``simgen.core.json_indent``)."""
    return (dumps_indented(data, indent=1) + "\n").encode("utf-8")


def error_message(exc: Exception) -> str:
    """The first thing wrong with a file's data, led by the key path that holds it."""
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        return f"{where}: {error['msg']}" if where else error["msg"]
    return str(exc).splitlines()[0]


def _calibrations(data: Any) -> Calibrations:
    return data if isinstance(data, Calibrations) else Calibrations.from_json(data)


CalibrationField = Annotated[
    Calibrations, PlainValidator(_calibrations), PlainSerializer(lambda c: c.to_json())
]


def _scenario_json(model: BaseModel) -> Any:
    """A scenario model as the manifest stores it: JSON data, unset optional keys left out."""
    return model.model_dump(mode="json", exclude_none=True)


# the concrete scenario (every value drawn, injectors applied) and the injectors applied to it
InstanceField = Annotated[Scenario, PlainSerializer(_scenario_json)]
InjectorField = Annotated[Injector, PlainSerializer(_scenario_json)]


@dataclass(frozen=True)
class FrameTime:
    frame: int
    time: float  # simulated seconds


@dataclass(frozen=True)
class Manifest:
    """What one complete variant holds and how it was made; its hashes make it verifiable."""

    format_version: int
    scenario_sha256: str
    variant: int
    frame_count: int
    complete: bool
    scenario: str
    scenario_file: str
    seed: int
    sample_attempt: int
    frame_rate: float
    frames: tuple[FrameTime, ...]
    depth_scale: float
    sensors: tuple[str, ...]
    software: dict[str, str]
    instance: InstanceField  # the concrete scenario: every value drawn, injectors applied
    classes: tuple[SemanticClass, ...]
    calibration: CalibrationField
    files: dict[str, str]  # relative path -> sha256
    injectors: tuple[InjectorField, ...] = ()  # the edge cases applied to ``instance``

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _adapter().dump_python(self, mode="json")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | str | bytes) -> Manifest:
        return validate_json(_adapter(), data)

    def request(self) -> dict[str, Any]:
        """What makes two renders the same: compared when resuming."""
        return {
            "format_version": self.format_version,
            "scenario_sha256": self.scenario_sha256,
            "variant": self.variant,
            "frame_count": self.frame_count,
        }


@cache
def _adapter() -> TypeAdapter[Manifest]:
    return TypeAdapter(Manifest)
