"""Scenario format v1: the pydantic models a YAML scenario file fills.

Core keys follow DESIGN.md and are binding; everything else extends them. Unknown keys are
rejected everywhere. The models are those of a concrete instance (plain numbers, ints and names);
a value that may vary between variants is marked ``Varies``, and ``ScenarioSpec`` (derived by
``spec.spec_model``) is what a scenario file is validated into, distributions and all.
Cross-field rules (lane ranges, references between actors) live in ``checks`` so that they can
point at the exact offending key.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    Tag,
    model_validator,
)
from pydantic_core import CoreSchema

from simgen.scenario.distributions import Varies
from simgen.scenario.spec import spec_model

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


AnyNumber = Annotated[float, Varies()]
NonNegative = Annotated[float, Varies(ge=0)]
Positive = Annotated[float, Varies(gt=0)]
Fraction = Annotated[float, Varies(ge=0, le=1)]


# --- road and environment ----------------------------------------------------------------------


class Furniture(Strict):
    """Street furniture placed along the road from the scenario seed, as counts per 100 m."""

    street_lamps: NonNegative = 0.0
    poles: NonNegative = 0.0
    trees: NonNegative = 0.0
    buildings: NonNegative = 0.0


class Road(Strict):
    type: Literal["straight", "curve", "intersection"] = "straight"
    length: Annotated[float, Varies(gt=0)] = 200.0
    lanes: Annotated[int, Varies(ge=1, le=8)] = 2
    oncoming_lanes: Annotated[int, Varies(ge=0, le=8)] = 1
    lane_width: Annotated[float, Varies(ge=2.0, le=6.0)] = 3.5
    sidewalk_width: Annotated[float, Varies(ge=0, le=10)] = 2.0
    kerb_height: Annotated[float, Varies(ge=0, le=0.5)] = 0.15
    lane_markings: Literal["dashed", "solid"] = "dashed"
    radius: AnyNumber | None = Field(
        default=None, description="curve only: signed radius in metres, + turns left"
    )
    arm_length: Positive | None = Field(
        default=None, description="intersection only: length of each of the 4 arms (m)"
    )
    furniture: Furniture = Furniture()


class Sun(Strict):
    elevation: Annotated[float, Varies(ge=-90, le=90)] = 45.0
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
    exposure_ev: Annotated[float, Varies(ge=-12, le=8)] = Field(
        default=0.0, description="camera exposure offset in EV (stops); < 0 darker"
    )
    street_lights: bool = False
    color_temperature: Annotated[float, Varies(ge=1500, le=12000)] = Field(
        default=5500.0, description="colour temperature of the daylight, kelvin"
    )
    turbidity: Annotated[float, Varies(ge=1, le=12)] = Field(
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
        sun = data.get("sun") or {}
        if isinstance(sun, dict):  # anything else is left for the field's own error
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


def _rgb_only() -> list[CameraOutput]:
    return ["rgb"]


class Camera(Strict):
    name: Name
    type: Literal["camera"]
    mount: Mount = Mount()
    width: int = Field(default=1280, ge=16)
    height: int = Field(default=720, ge=16)
    fov: float = Field(default=90.0, gt=1, lt=179, description="horizontal, degrees")
    outputs: list[CameraOutput] = Field(default_factory=_rgb_only, min_length=1)
    shadows: bool = Field(default=True, description="sun shadows")
    look: Literal["real", "ideal"] = Field(
        default="real",
        description="real: auto-exposure, white balance, vignetting, optics blur, sensor noise, "
        "filmic tone curve; ideal: the rendered radiance as is",
    )
    vignetting: Annotated[float, Varies(ge=0, le=0.9)] = Field(
        default=0.25, description="light lost at the image corners (fraction)"
    )
    white_balance: Annotated[float, Varies(ge=1500, le=12000)] = Field(
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


def _key_tag(field: str) -> Callable[[Any], str | None]:
    """A discriminator reading ``field``; named after it so that error messages can name the key."""

    def tag(v: Any) -> str | None:
        if isinstance(v, dict):
            value = v.get(field)
            return value if isinstance(value, str) else None
        found = getattr(v, field, None)
        return found if isinstance(found, str) else None

    tag.__name__ = tag.__qualname__ = field
    return tag


def literal_of(model: type[BaseModel], field: str) -> str:
    """The one value a ``Literal[...]`` field of ``model`` admits (its tag in a union)."""
    value = get_args(model.model_fields[field].annotation)[0]
    assert isinstance(value, str), f"{model.__name__}.{field} is not a one-name Literal"
    return value


@dataclass(frozen=True)
class Tagged:
    """Union metadata: each member model is tagged by ``tag_of`` and picked by ``discriminator``.

    The members stay a plain union to type checkers; the tags are added when pydantic builds the
    schema, so the union of spec twins (``spec.spec_type``) is tagged the same way.
    """

    tag_of: Callable[[type[BaseModel]], str]
    discriminator: Discriminator

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        members = tuple(Annotated[m, Tag(self.tag_of(m))] for m in get_args(source))
        return handler.generate_schema(Annotated[Union[members], self.discriminator])  # noqa: UP007


def tagged_by(field: str) -> Tagged:
    """Union metadata for models told apart by their one-name ``Literal`` field ``field``."""
    return Tagged(lambda m: literal_of(m, field), Discriminator(_key_tag(field)))


Sensor = Annotated[Camera | Lidar, tagged_by("type")]


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
    lane: Annotated[int, Varies()]
    duration: Positive = 3.0


class Brake(Step):
    action: Literal["brake"]
    decel: Annotated[float, Varies(gt=0, le=15)] = 6.0


class Accelerate(Step):
    action: Literal["accelerate"]
    accel: Annotated[float, Varies(gt=0, le=10)] = 2.0
    target_speed: NonNegative | None = None


class Stop(Step):
    action: Literal["stop"]
    decel: Annotated[float, Varies(gt=0, le=15)] = 3.0


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


Behaviour = Annotated[
    LaneFollow | LaneChange | Brake | Accelerate | Stop | Cross | FollowPath | Parked | WrongWay,
    tagged_by("action"),
]
BEHAVIOURS: tuple[type[Step], ...] = get_args(get_args(Behaviour)[0])


# --- placement and actors ----------------------------------------------------------------------


class RelativeS(Strict):
    """A position along the road given relative to another actor's ``s``."""

    relative_to: ActorRef
    offset: AnyNumber = 0.0


def _position_tag(v: Any) -> str:
    if isinstance(v, RelativeS) or (isinstance(v, dict) and "relative_to" in v):
        return "relative"
    return "absolute"


def _or_relative(absolute: Any) -> Any:
    """A start position in a scenario file: a number (or a distribution), or relative to another
    actor; sampling resolves it to an absolute ``s``."""
    return Annotated[
        Union[Annotated[absolute, Tag("absolute")], Annotated[RelativeS, Tag("relative")]],  # noqa: UP007
        Discriminator(_position_tag),
    ]


Position = Annotated[float, Varies(ge=0, widen=_or_relative)]


class Placed(Strict):
    """Where a road user starts: a lane (0 = rightmost of the ego's direction, -1 = the oncoming
    lane next to the centre line) or a lateral ``offset`` from the road's reference line."""

    lane: Annotated[int, Varies()] | None = None
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
    model: Annotated[VehicleModel, Varies()] = "sedan"
    s: NonNegative = 20.0
    sensors: list[Sensor] = Field(default_factory=list)


class Actor(Placed):
    name: Name
    model: Annotated[ActorModel, Varies()]
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


def _first_key(model: type[BaseModel]) -> str:
    return next(iter(model.model_fields))


RequirementKind = Distance | MinGap | Ahead | SpeedDifference
REQUIREMENTS: tuple[type[BaseModel], ...] = get_args(RequirementKind)
REQUIREMENT_KEYS = tuple(_first_key(m) for m in REQUIREMENTS)


def _requirement_tag(v: Any) -> str | None:
    if isinstance(v, BaseModel):
        return _first_key(type(v))
    if isinstance(v, dict):
        found = [k for k in REQUIREMENT_KEYS if k in v]
        return found[0] if len(found) == 1 else None
    return None


Requirement = Annotated[
    RequirementKind,
    Tagged(
        _first_key,
        Discriminator(
            _requirement_tag,
            custom_error_type="requirement",
            custom_error_message="expected exactly one of " + ", ".join(REQUIREMENT_KEYS),
        ),
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
    ev: Annotated[float, Varies(le=0, ge=-12)] = -3.0
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
    vehicles: Annotated[int, Varies(ge=1, le=4)] = 2
    debris: Annotated[int, Varies(ge=0, le=20)] = 6


class Fog(Strict):
    """Fog of extinction coefficient ``density`` (1/m): visibility (MOR) = ln(20) / density."""

    type: Literal["fog"]
    density: Annotated[float, Varies(gt=0, le=1)] = 0.03


class Rain(Strict):
    """Rain of ``rate`` mm/h (2.5 light, 10 moderate, 50 violent)."""

    type: Literal["rain"]
    rate: Annotated[float, Varies(gt=0, le=200)] = 25.0


class Glare(Strict):
    """A low sun straight ahead of the ego's first camera."""

    type: Literal["glare"]
    elevation: Annotated[float, Varies(ge=0, le=30)] = 5.0


class Jaywalker(Strict):
    """A pedestrian hidden by a vehicle parked on the kerb ``ahead`` metres in front of the ego
    steps out in front of it at ``at``."""

    type: Literal["jaywalker"]
    model: Annotated[Literal["pedestrian", "child"], Varies()] = "pedestrian"
    ahead: Positive = 25.0
    speed: Positive = 1.4
    at: NonNegative = 1.0
    occluder: Annotated[Literal["sedan", "suv", "truck", "bus"], Varies()] = "truck"


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
    decel: Annotated[float, Varies(gt=0, le=12)] = 8.0


class WrongWayDriver(Strict):
    """A vehicle comes towards the ego in its own lane from ``ahead`` metres."""

    type: Literal["wrong_way"]
    model: Annotated[VehicleModel, Varies()] = "sedan"
    ahead: Positive = 90.0
    speed: NonNegative = 12.0


class StalledVehicle(Strict):
    """A vehicle stands still in the ego's lane ``ahead`` metres in front of it."""

    type: Literal["stalled_vehicle"]
    model: Annotated[VehicleModel, Varies()] = "sedan"
    ahead: Positive = 40.0


class Debris(Strict):
    """``count`` pieces of debris scattered on the ego's lane from ``ahead`` metres on."""

    type: Literal["debris"]
    ahead: Positive = 30.0
    count: Annotated[int, Varies(ge=1, le=30)] = 5
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
    coverage: Annotated[float, Varies(gt=0, le=0.8)] = 0.15


class CameraNoise(SensorTarget):
    """High gain: exposure ``gain_ev`` stops shorter, amplified back; the noise model shows."""

    type: Literal["camera_noise"]
    gain_ev: Annotated[float, Varies(gt=0, le=10)] = 4.0


class MotionBlur(SensorTarget):
    """A long exposure: the ego's and the objects' real motion smears the image."""

    type: Literal["motion_blur"]
    exposure: Annotated[float, Varies(gt=0, le=0.5)] = Field(default=0.04, description="seconds")


class Overexposure(SensorTarget):
    """The exposure ``ev`` stops too long: highlights clip to white."""

    type: Literal["overexposure"]
    ev: Annotated[float, Varies(gt=0, le=8)] = 2.5


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


WorldInjector = (
    Crash
    | AccidentScene
    | Jaywalker
    | CutIn
    | SuddenBrake
    | WrongWayDriver
    | StalledVehicle
    | Debris
)
WeatherInjector = Fog | Rain | LowLight | Glare
CameraOnlyFault = CameraOcclusion | CameraNoise | MotionBlur | Overexposure | Blackout
LidarOnlyFault = LidarBeamDropout | LidarSectorBlockage
SharedFault = FrameDrop | StuckFrame

Injector = Annotated[
    WorldInjector | WeatherInjector | CameraOnlyFault | LidarOnlyFault | SharedFault,
    tagged_by("type"),
]
CameraFault = Annotated[CameraOnlyFault | SharedFault, tagged_by("type")]
LidarFault = Annotated[LidarOnlyFault | SharedFault, tagged_by("type")]

WORLD_INJECTORS: tuple[type[Strict], ...] = get_args(WorldInjector)
WEATHER_INJECTORS: tuple[type[Strict], ...] = get_args(WeatherInjector)
CAMERA_FAULTS: tuple[type[SensorTarget], ...] = get_args(CameraOnlyFault)
LIDAR_FAULTS: tuple[type[SensorTarget], ...] = get_args(LidarOnlyFault)
SHARED_FAULTS: tuple[type[SensorTarget], ...] = get_args(SharedFault)
INJECTORS = (*WORLD_INJECTORS, *WEATHER_INJECTORS, *CAMERA_FAULTS, *LIDAR_FAULTS, *SHARED_FAULTS)


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


ScenarioSpec = spec_model(Scenario)
"""What a scenario file is validated into: ``Scenario`` with its distributions unresolved."""
