"""Scenario format v1: the pydantic models a YAML scenario file fills.

Core keys follow DESIGN.md and are binding; everything else extends them. Unknown keys are
rejected everywhere. Values that may vary between variants are typed with the distribution-aware
field types from ``distributions``; cross-field rules (lane ranges, references between actors)
live in ``checks`` so that they can point at the exact offending key.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from simgen.scenario.distributions import (
    AnyNumber,
    Fraction,
    NonNegative,
    Positive,
    integer,
    number,
    one_of,
)

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _check_name(value: str) -> str:
    if len(value) > 64 or not NAME_PATTERN.match(value):
        raise ValueError(
            f"'{value}' is not a valid name: use [a-z0-9_-]+ (lowercase letters, digits, '_' "
            "and '-', starting with a letter or digit, at most 64 characters), "
            "since it becomes a folder name"
        )
    return value


Name = Annotated[str, AfterValidator(_check_name)]
ActorRef = Annotated[str, Field(description="the name of an actor, or 'ego'")]

VehicleModel = Literal[
    "sedan",
    "hatchback",
    "estate",
    "suv",
    "van",
    "pickup",
    "truck",
    "truck_tanker",
    "bus",
    "bus_coach",
    "motorcycle",
]
ActorModel = Literal[
    VehicleModel,
    "bicycle",
    "pedestrian",
    "child",
    "traffic_cone",
    "barrier",
    "debris",
]
Arm = Literal["south", "north", "east", "west"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --- road and environment ----------------------------------------------------------------------


class Furniture(Strict):
    """Street furniture placed along the road from the scenario seed, as counts per 100 m."""

    street_lamps: NonNegative = 0.0
    poles: NonNegative = 0.0
    trees: NonNegative = 0.0
    buildings: NonNegative = 0.0


class Road(Strict):
    type: Literal["straight", "curve", "intersection"] = "straight"
    length: number(gt=0) = 200.0
    lanes: integer(ge=1, le=8) = 2
    oncoming_lanes: integer(ge=0, le=8) = 1
    lane_width: number(ge=2.0, le=6.0) = 3.5
    sidewalk_width: number(ge=0, le=10) = 2.0
    kerb_height: number(ge=0, le=0.5) = 0.15
    lane_markings: Literal["dashed", "solid"] = "dashed"
    radius: AnyNumber | None = Field(
        default=None, description="curve only: signed radius in metres, + turns left"
    )
    arm_length: Positive | None = Field(
        default=None, description="intersection only: length of each of the 4 arms (m)"
    )
    furniture: Furniture = Furniture()


class Sun(Strict):
    elevation: number(ge=-90, le=90) = 45.0
    azimuth: AnyNumber = 0.0


HEAVY_RAIN_MMH = 50.0  # environment.rain = 1

# environment.randomize: the domain-randomisation ranges (after Tremblay et al., CVPR-W 2018),
# wide enough to cover a year of daylight, narrow enough to stay plausible
RANDOMIZED: dict[str, Any] = {
    "sun": {"elevation": {"uniform": [8, 70]}, "azimuth": {"uniform": [0, 360]}},
    "color_temperature": {"uniform": [4200, 7500]},
    "turbidity": {"uniform": [2, 7]},
    "exposure_ev": {"uniform": [-0.7, 0.7]},
}
MOUNT_JITTER = (0.01, 0.3)  # randomize: camera mounts off by sigma 1 cm and 0.3 degrees


class Environment(Strict):
    sun: Sun = Sun()
    fog: NonNegative = Field(default=0.0, description="extinction coefficient (1/m)")
    rain: Fraction = Field(default=0.0, description="0..1; 1 = 50 mm/h (violent rain)")
    rain_rate: NonNegative | None = Field(
        default=None, description="rain rate in mm/h; overrides rain"
    )
    exposure_ev: number(ge=-12, le=8) = Field(
        default=0.0, description="camera exposure offset in EV (stops); < 0 darker"
    )
    street_lights: bool = False
    color_temperature: number(ge=1500, le=12000) = Field(
        default=5500.0, description="colour temperature of the daylight, kelvin"
    )
    turbidity: number(ge=1, le=12) = Field(
        default=3.0, description="haze of the sky: 2 clear, 3 typical, 6+ hazy"
    )
    randomize: bool = Field(
        default=False,
        description="draw every lighting key left unset from simgen's documented "
        "domain-randomisation ranges (RANDOMIZED)",
    )

    @model_validator(mode="before")
    @classmethod
    def _randomized_defaults(cls, data: Any) -> Any:
        """With ``randomize: true``, unset keys become the documented distributions."""
        if not isinstance(data, dict) or not data.get("randomize"):
            return data
        out = {key: value for key, value in RANDOMIZED.items() if key != "sun"} | data
        sun = dict(data.get("sun") or {})
        out["sun"] = RANDOMIZED["sun"] | sun
        return out

    def rain_mmh(self) -> float:
        if self.rain_rate is not None:
            return float(self.rain_rate)
        return float(self.rain) * HEAVY_RAIN_MMH


# --- sensors -----------------------------------------------------------------------------------


class Mount(Strict):
    """A pose in the ego vehicle frame: metres and degrees (roll, pitch, yaw)."""

    xyz: tuple[float, float, float] = (0.0, 0.0, 0.0)
    rpy: tuple[float, float, float] = (0.0, 0.0, 0.0)


CameraOutput = Literal["rgb", "depth", "semantic", "instance"]


class Camera(Strict):
    name: Name
    type: Literal["camera"]
    mount: Mount = Mount()
    width: int = Field(default=1280, ge=16)
    height: int = Field(default=720, ge=16)
    fov: float = Field(default=90.0, gt=1, lt=179, description="horizontal, degrees")
    outputs: list[CameraOutput] = Field(default_factory=lambda: ["rgb"], min_length=1)
    shadows: bool = Field(default=True, description="sun shadows")
    look: Literal["real", "ideal"] = Field(
        default="real",
        description="real: auto-exposure, white balance, vignetting, optics blur, sensor noise, "
        "filmic tone curve; ideal: the rendered radiance as is",
    )
    vignetting: number(ge=0, le=0.9) = Field(
        default=0.25, description="light lost at the image corners (fraction)"
    )
    white_balance: number(ge=1500, le=12000) = Field(
        default=5500.0, description="colour temperature the camera is balanced for, kelvin"
    )
    distortion: tuple[float, float, float, float, float] | None = Field(
        default=None,
        description="lens distortion, OpenCV k1 k2 p1 p2 k3 (e.g. [-0.25, 0.05, 0, 0, 0]: barrel); "
        "none: a pinhole",
    )

    @model_validator(mode="after")
    def _lens_maps_one_to_one(self) -> Camera:
        """The radial model must not fold back before the image's corner, or some pixels would
        see two directions (checked on the radius; tangential terms are small)."""
        if not self.distortion or not any(self.distortion):
            return self
        k1, k2, _, _, k3 = self.distortion
        half = math.tan(math.radians(float(self.fov)) / 2)
        corner = half * math.hypot(1.0, self.height / self.width)  # distorted, normalised
        r = [i * 0.001 for i in range(1, 5001)]
        distorted = [x * (1 + k1 * x**2 + k2 * x**4 + k3 * x**6) for x in r]
        peak = next((d for d, after in itertools.pairwise(distorted) if after <= d), None)
        if peak is not None and peak <= corner * 1.01:
            raise ValueError(
                f"distortion {list(self.distortion)} folds back inside this {self.fov} degree "
                "field of view (some pixels would see two directions); use smaller coefficients "
                "or a narrower fov"
            )
        return self

    depth_npy: bool = Field(default=False, description="also save float32 depth as .npy")
    faults: list[CameraFault] = Field(
        default_factory=list, description="sensor faults (usually set by injectors)"
    )


LidarPreset = Literal["vlp16", "hdl32e", "hdl64e", "os1_128"]


class LidarNoise(Strict):
    range_std: float = Field(default=0.0, ge=0, le=1, description="range noise, metres")
    dropout: float = Field(default=0.0, ge=0, le=1, description="fraction of returns dropped")


class Lidar(Strict):
    name: Name
    type: Literal["lidar"]
    mount: Mount = Mount()
    preset: LidarPreset | None = None
    channels: int | None = Field(default=None, ge=1, le=512)
    vertical_fov: tuple[float, float] | None = Field(
        default=None, description="[upper, lower] elevation limits, degrees"
    )
    vertical_angles: list[float] | None = Field(
        default=None, description="explicit elevation of every ring, degrees"
    )
    horizontal_resolution: float | None = Field(default=None, gt=0, le=10, description="degrees")
    range: float | None = Field(default=None, gt=0, le=1000, description="metres")
    rotation_rate: float | None = Field(default=None, gt=0, le=100, description="Hz")
    noise: LidarNoise = LidarNoise()
    rolling_shutter: bool = True
    faults: list[LidarFault] = Field(
        default_factory=list, description="sensor faults (usually set by injectors)"
    )


def _key_tag(field: str) -> Any:
    """A discriminator reading ``field``; named after it so that error messages can name the key."""

    def tag(v: Any) -> str | None:
        if isinstance(v, dict):
            value = v.get(field)
            return value if isinstance(value, str) else None
        return getattr(v, field, None)

    tag.__name__ = tag.__qualname__ = field
    return tag


def _tagged_union(models: tuple[type[BaseModel], ...], field: str) -> Any:
    members = tuple(Annotated[m, Tag(m.model_fields[field].annotation.__args__[0])] for m in models)
    return Annotated[Union[members], Discriminator(_key_tag(field))]  # noqa: UP007


Sensor = _tagged_union((Camera, Lidar), "type")


# --- behaviours --------------------------------------------------------------------------------


class When(Strict):
    """A condition trigger: fires the first time the measured value drops below ``below``."""

    distance_to: ActorRef | None = None
    time_to_collision: ActorRef | None = None
    below: float = Field(gt=0)


class Step(Strict):
    at: NonNegative | None = Field(default=None, description="start time (s)")
    when: When | None = None


class LaneFollow(Step):
    action: Literal["lane_follow"]
    speed: NonNegative | None = None
    headway: Positive = Field(default=1.5, description="time gap kept to a leader (s)")


class LaneChange(Step):
    action: Literal["lane_change"]
    lane: integer()
    duration: Positive = 3.0


class Brake(Step):
    action: Literal["brake"]
    decel: number(gt=0, le=15) = 6.0


class Accelerate(Step):
    action: Literal["accelerate"]
    accel: number(gt=0, le=10) = 2.0
    target_speed: NonNegative | None = None


class Stop(Step):
    action: Literal["stop"]
    decel: number(gt=0, le=15) = 3.0


class Cross(Step):
    action: Literal["cross"]
    speed: Positive = 1.4
    direction: Literal["left", "right"] | None = Field(
        default=None, description="default: towards the far side of the road"
    )


class FollowPath(Step):
    action: Literal["follow_path"]
    waypoints: list[tuple[float, float]] = Field(min_length=1, description="world x, y (m)")
    speed: Positive


class Parked(Step):
    action: Literal["parked"]


class WrongWay(Step):
    action: Literal["wrong_way"]
    speed: NonNegative | None = None


BEHAVIOURS = (LaneFollow, LaneChange, Brake, Accelerate, Stop, Cross, FollowPath, Parked, WrongWay)


Behaviour = _tagged_union(BEHAVIOURS, "action")


# --- placement and actors ----------------------------------------------------------------------


class RelativeS(Strict):
    """A position along the road given relative to another actor's ``s``."""

    relative_to: ActorRef
    offset: AnyNumber = 0.0


def _position_tag(v: Any) -> str:
    if isinstance(v, RelativeS) or (isinstance(v, dict) and "relative_to" in v):
        return "relative"
    return "absolute"


Position = Annotated[
    Union[Annotated[NonNegative, Tag("absolute")], Annotated[RelativeS, Tag("relative")]],  # noqa: UP007
    Discriminator(_position_tag),
]


class Placed(Strict):
    """Where a road user starts: a lane (0 = rightmost of the ego's direction, -1 = the oncoming
    lane next to the centre line) or a lateral ``offset`` from the road's reference line."""

    lane: integer() | None = None
    offset: AnyNumber | None = Field(
        default=None, description="metres, + is left of the centre line"
    )
    arm: Arm | None = Field(default=None, description="intersection only: the arm it starts on")
    speed: NonNegative = 0.0
    heading: AnyNumber = Field(
        default=0.0, description="degrees from the direction of travel, while standing still"
    )
    wrecked: bool = Field(default=False, description="starts crashed and stays where it is")
    behavior: list[Behaviour] = Field(default_factory=list)


class Ego(Placed):
    model: one_of(VehicleModel) = "sedan"
    s: NonNegative = 20.0
    sensors: list[Sensor] = Field(default_factory=list)


class Actor(Placed):
    name: Name
    model: one_of(ActorModel)
    s: Position


# --- constraints -------------------------------------------------------------------------------


class Distance(Strict):
    """Road-plane distance between two actors' start positions."""

    distance: tuple[ActorRef, ActorRef]
    above: float | None = None
    below: float | None = None


class MinGap(Strict):
    """Every pair of road users starts at least this far apart (m)."""

    min_gap: float = Field(gt=0)


class Ahead(Strict):
    """The first actor starts further along the road than the second."""

    ahead: tuple[ActorRef, ActorRef]


class SpeedDifference(Strict):
    """First actor's start speed minus the second's (m/s)."""

    speed_difference: tuple[ActorRef, ActorRef]
    above: float | None = None
    below: float | None = None


REQUIREMENTS = (Distance, MinGap, Ahead, SpeedDifference)
REQUIREMENT_KEYS = tuple(next(iter(m.model_fields)) for m in REQUIREMENTS)


def _requirement_tag(v: Any) -> str | None:
    if isinstance(v, BaseModel):
        return next(iter(type(v).model_fields))
    if isinstance(v, dict):
        found = [k for k in REQUIREMENT_KEYS if k in v]
        return found[0] if len(found) == 1 else None
    return None


Requirement = Annotated[
    Union[tuple(Annotated[m, Tag(k)] for m, k in zip(REQUIREMENTS, REQUIREMENT_KEYS, strict=True))],  # noqa: UP007
    Discriminator(
        _requirement_tag,
        custom_error_type="requirement",
        custom_error_message="expected exactly one of " + ", ".join(REQUIREMENT_KEYS),
    ),
]


# --- injectors ---------------------------------------------------------------------------------
# Each injector is a transform of a sampled instance (``simgen.injectors``). World injectors add or
# change road users; weather and light injectors set the environment; sensor faults attach
# themselves to sensors (``Camera.faults``, ``Lidar.faults``), whose back ends read them.


class Window(Strict):
    """When a sensor fault is active: from ``at`` for ``duration`` seconds (to the end if unset)."""

    at: NonNegative = 0.0
    duration: Positive | None = None

    def active(self, t: float) -> bool:
        start = float(self.at)
        return t >= start - 1e-9 and (self.duration is None or t < start + float(self.duration))


class SensorTarget(Window):
    sensor: str | None = Field(
        default=None, description="the sensor's name; unset: every sensor the fault applies to"
    )


class LowLight(Strict):
    """Less light on the sensor: an exposure drop in EV; ``night`` also sets the sun below the
    horizon and turns the street lights on."""

    type: Literal["low_light"]
    ev: number(le=0, ge=-12) = -3.0
    night: bool = False


class Crash(Strict):
    """Steer ``actor`` into ``target``; without them, the nearest pair ahead of the ego."""

    type: Literal["crash"]
    actor: ActorRef | None = None
    target: ActorRef | None = None
    at: NonNegative = 2.0


class AccidentScene(Strict):
    """Wrecked vehicles across the ego's lanes ``ahead`` metres in front of it, with debris."""

    type: Literal["accident_scene"]
    ahead: Positive = 45.0
    vehicles: integer(ge=1, le=4) = 2
    debris: integer(ge=0, le=20) = 6


class Fog(Strict):
    """Fog of extinction coefficient ``density`` (1/m): visibility (MOR) = ln(20) / density."""

    type: Literal["fog"]
    density: number(gt=0, le=1) = 0.03


class Rain(Strict):
    """Rain of ``rate`` mm/h (2.5 light, 10 moderate, 50 violent)."""

    type: Literal["rain"]
    rate: number(gt=0, le=200) = 25.0


class Glare(Strict):
    """A low sun straight ahead of the ego's first camera."""

    type: Literal["glare"]
    elevation: number(ge=0, le=30) = 5.0


class Jaywalker(Strict):
    """A pedestrian hidden by a vehicle parked on the kerb ``ahead`` metres in front of the ego
    steps out in front of it at ``at``."""

    type: Literal["jaywalker"]
    model: one_of(Literal["pedestrian", "child"]) = "pedestrian"
    ahead: Positive = 25.0
    speed: Positive = 1.4
    at: NonNegative = 1.0
    occluder: one_of(Literal["sedan", "suv", "truck", "bus"]) = "truck"


class CutIn(Strict):
    """An actor from the next lane cuts in ``gap`` metres ahead of the ego."""

    type: Literal["cut_in"]
    actor: ActorRef | None = None
    gap: Positive = 8.0
    at: NonNegative = 1.0
    duration: Positive = 1.5


class SuddenBrake(Strict):
    """The vehicle ahead of the ego (or ``actor``) brakes hard at ``at``."""

    type: Literal["sudden_brake"]
    actor: ActorRef | None = None
    at: NonNegative = 1.5
    decel: number(gt=0, le=12) = 8.0


class WrongWayDriver(Strict):
    """A vehicle comes towards the ego in its own lane from ``ahead`` metres."""

    type: Literal["wrong_way"]
    model: one_of(VehicleModel) = "sedan"
    ahead: Positive = 90.0
    speed: NonNegative = 12.0


class StalledVehicle(Strict):
    """A vehicle stands still in the ego's lane ``ahead`` metres in front of it."""

    type: Literal["stalled_vehicle"]
    model: one_of(VehicleModel) = "sedan"
    ahead: Positive = 40.0


class Debris(Strict):
    """``count`` pieces of debris scattered on the ego's lane from ``ahead`` metres on."""

    type: Literal["debris"]
    ahead: Positive = 30.0
    count: integer(ge=1, le=30) = 5
    spread: Positive = Field(default=6.0, description="length of road they lie on (m)")


class LidarBeamDropout(SensorTarget):
    """Dead lasers: the named rings return nothing."""

    type: Literal["lidar_beam_dropout"]
    rings: list[int] = Field(min_length=1, description="ring indices, 0 = the top ring")


class LidarSectorBlockage(SensorTarget):
    """Something on the cover blocks every ring over an azimuth sector (lidar frame, degrees)."""

    type: Literal["lidar_sector_blockage"]
    azimuth: tuple[float, float] = Field(
        default=(-20.0, 20.0), description="[from, to], counter-clockwise from +x (forward)"
    )


class CameraOcclusion(SensorTarget):
    """Dirt, a leaf or water drops on the lens, covering ``coverage`` of the image."""

    type: Literal["camera_occlusion"]
    kind: Literal["dirt", "leaf", "drops"] = "dirt"
    coverage: number(gt=0, le=0.8) = 0.15


class CameraNoise(SensorTarget):
    """High gain: exposure ``gain_ev`` stops shorter, amplified back; the noise model shows."""

    type: Literal["camera_noise"]
    gain_ev: number(gt=0, le=10) = 4.0


class MotionBlur(SensorTarget):
    """A long exposure: the ego's and the objects' real motion smears the image."""

    type: Literal["motion_blur"]
    exposure: number(gt=0, le=0.5) = Field(default=0.04, description="seconds")


class Overexposure(SensorTarget):
    """The exposure ``ev`` stops too long: highlights clip to white."""

    type: Literal["overexposure"]
    ev: number(gt=0, le=8) = 2.5


class Blackout(SensorTarget):
    """The camera delivers black frames."""

    type: Literal["blackout"]


class FrameDrop(SensorTarget):
    """Frames are lost with ``probability``: a camera delivers black, a lidar an empty sweep."""

    type: Literal["frame_drop"]
    probability: Fraction = 0.5


class StuckFrame(SensorTarget):
    """The sensor repeats the last frame it delivered before ``at``."""

    type: Literal["stuck_frame"]


WORLD_INJECTORS = (
    Crash,
    AccidentScene,
    Jaywalker,
    CutIn,
    SuddenBrake,
    WrongWayDriver,
    StalledVehicle,
    Debris,
)
WEATHER_INJECTORS = (Fog, Rain, LowLight, Glare)
CAMERA_FAULTS = (CameraOcclusion, CameraNoise, MotionBlur, Overexposure, Blackout)
LIDAR_FAULTS = (LidarBeamDropout, LidarSectorBlockage)
SHARED_FAULTS = (FrameDrop, StuckFrame)
INJECTORS = (
    *WORLD_INJECTORS,
    *WEATHER_INJECTORS,
    *CAMERA_FAULTS,
    *LIDAR_FAULTS,
    *SHARED_FAULTS,
)
Injector = _tagged_union(INJECTORS, "type")
CameraFault = _tagged_union((*CAMERA_FAULTS, *SHARED_FAULTS), "type")
LidarFault = _tagged_union((*LIDAR_FAULTS, *SHARED_FAULTS), "type")


# --- output and the scenario -------------------------------------------------------------------


class Output(Strict):
    formats: list[Literal["kitti", "kitti_tracking", "coco", "nuscenes"]] = Field(
        default_factory=list, description="exports written next to the native dataset"
    )


class Scenario(Strict):
    version: Literal[1]
    name: Name
    description: str = ""
    seed: int = Field(default=0, ge=0, lt=2**63)
    duration: float = Field(gt=0, description="simulated seconds")
    frame_rate: float = Field(default=10.0, gt=0, description="sensor frames per second")
    variants: int = Field(default=1, ge=1)
    road: Road = Road()
    environment: Environment = Environment()
    ego: Ego
    actors: list[Actor] = Field(default_factory=list)
    require: list[Requirement] = Field(default_factory=list)
    injectors: list[Injector] = Field(default_factory=list)
    output: Output = Output()

    @property
    def frames(self) -> int:
        return max(1, round(self.duration * self.frame_rate))
