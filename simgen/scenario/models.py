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
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from simgen.scenario.base import Strict, Tagged, tagged_by
from simgen.scenario.distributions import Varies
from simgen.scenario.spec import spec_model
from simgen.scenario.storyboard import Storyboard

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


AnyNumber = Annotated[float, Varies()]
NonNegative = Annotated[float, Varies(ge=0)]
Positive = Annotated[float, Varies(gt=0)]
Fraction = Annotated[float, Varies(ge=0, le=1)]
PositiveSize = Annotated[float, Field(gt=0, le=100)]


# --- road and environment ----------------------------------------------------------------------


class Furniture(Strict):
    """Street furniture placed along the road from the scenario seed, as counts per 100 m."""

    street_lamps: NonNegative = Field(
        default=0.0, description="street lamps on the sidewalk at the kerb, per 100 m of road"
    )
    poles: NonNegative = Field(
        default=0.0, description="poles on the sidewalk at the kerb, per 100 m of road"
    )
    trees: NonNegative = Field(
        default=0.0, description="trees behind the sidewalk, per 100 m of road (fewer if crowded)"
    )
    buildings: NonNegative = Field(
        default=0.0,
        description="buildings behind the sidewalk, per 100 m of road (fewer if crowded)",
    )


class Road(Strict):
    type: Literal["straight", "curve", "intersection", "opendrive"] = Field(
        default="straight",
        description="straight (along world +x), curve (needs radius), a four-arm "
        "intersection (needs arm_length), or an OpenDRIVE map (needs file)",
    )
    file: str | None = Field(
        default=None,
        description="opendrive only: the .xodr file, relative to the scenario file; its lanes, "
        "marks, objects and signals replace the keys below that describe a procedural road",
    )
    length: Annotated[float, Varies(gt=0)] = Field(
        default=200.0,
        description="length of the reference line (m); intersections use arm_length instead",
    )
    lanes: Annotated[int, Varies(ge=1, le=8)] = Field(
        default=2, description="lanes in the ego's direction, right of the centre line"
    )
    oncoming_lanes: Annotated[int, Varies(ge=0, le=8)] = Field(
        default=1, description="lanes in the opposite direction, left of the centre line"
    )
    lane_width: Annotated[float, Varies(ge=2.0, le=6.0)] = Field(
        default=3.5, description="width of every lane (m)"
    )
    sidewalk_width: Annotated[float, Varies(ge=0, le=10)] = Field(
        default=2.0, description="width of the sidewalk on each side (m); 0: none"
    )
    kerb_height: Annotated[float, Varies(ge=0, le=0.5)] = Field(
        default=0.15, description="height of the sidewalks above the road (m)"
    )
    lane_markings: Literal["dashed", "solid"] = Field(
        default="dashed",
        description="lines between lanes of the same direction; edge and centre lines are "
        "always solid",
    )
    radius: AnyNumber | None = Field(
        default=None, description="curve only: signed radius in metres, + turns left"
    )
    arm_length: Positive | None = Field(
        default=None, description="intersection only: length of each of the 4 arms (m)"
    )
    furniture: Furniture = Field(
        default=Furniture(), description="street furniture placed along the road"
    )
    signals: Signals | None = Field(
        default=None, description="traffic lights (the intersection's, or a map's controllers)"
    )
    signs: list[Sign] | None = Field(default=None, description="traffic signs along the road")


# --- signals -----------------------------------------------------------------------------------


class Cycle(Strict):
    """One controller's phase times. The controllers of a junction take turns: each has green,
    then yellow, then all_red before the next one's green; its red lasts through the others'."""

    green: Annotated[float, Varies(gt=0, le=300)] = Field(
        default=20.0, description="green time of each controller (s)"
    )
    yellow: Annotated[float, Varies(gt=0, le=10)] = Field(
        default=3.0, description="yellow (amber) time after the green (s)"
    )
    all_red: Annotated[float, Varies(ge=0, le=10)] = Field(
        default=1.0, description="clearance after a yellow, while every controller shows red (s)"
    )
    red: Annotated[float, Varies(gt=0, le=600)] | None = Field(
        default=None,
        description="red time of each controller (s); unset: the others' green, yellow and "
        "all-red times plus its own all-red, so that the junction's controllers interleave",
    )


class ControllerTiming(Strict):
    """Timing of one controller, by its id (an OpenDRIVE ``<controller>`` id, or ``ns`` and
    ``ew`` on the procedural intersection), overriding the junction's."""

    cycle: Cycle | None = Field(default=None, description="its own cycle; unset: the junction's")
    offset: AnyNumber | None = Field(
        default=None,
        description="seconds into its cycle at t = 0; unset: the junction's offset plus its "
        "turn in the sequence",
    )


class SignalFaultSpec(Strict):
    """A controller (or every one) goes dark or flashes yellow from a time on."""

    controller: str | None = Field(
        default=None, description="the controller's id; unset: every controller"
    )
    mode: Literal["off", "flashing_yellow"] = Field(
        default="flashing_yellow", description="dark lamps, or a yellow flashing at 1 Hz"
    )
    at: NonNegative = Field(default=0.0, description="when the fault starts (s)")


class Signals(Strict):
    """Traffic lights. On the procedural intersection: a three-lamp light per approach at the
    right corner (and one on a mast arm over the lanes), stop lines and pedestrian lights at
    the crosswalks; controllers ``ns`` (south and north arms) and ``ew`` take turns."""

    type: Literal["traffic_lights"] = Field(description="the signal system: traffic lights")
    cycle: Cycle = Field(default=Cycle(), description="the phase times of every controller")
    offset: AnyNumber = Field(
        default=0.0, description="seconds into the first controller's cycle at t = 0"
    )
    controllers: dict[str, ControllerTiming] = Field(
        default_factory=dict,
        description="per controller id: timing overriding the junction's (OpenDRIVE maps: "
        "their controller ids)",
    )
    mast_arm: bool = Field(
        default=True, description="a second head per approach over its lanes, on a mast arm"
    )
    pedestrian_lights: bool = Field(
        default=True, description="two-lamp pedestrian lights at both ends of every crosswalk"
    )
    stop_lines: bool = Field(
        default=True, description="painted stop lines across the approach lanes"
    )
    faults: list[SignalFaultSpec] = Field(
        default_factory=list, description="controllers that go dark or flash yellow"
    )


SignKind = Literal["stop", "yield", "speed_limit", "no_entry", "priority_road"]


class Sign(Strict):
    """A traffic sign on a post at the roadside."""

    type: SignKind | Annotated[str, Field(pattern=r"^[0-9]{3,7}(-[0-9]+)?$")] = Field(
        description="stop, yield, speed_limit, no_entry, priority_road, or a German/Vienna "
        "code such as '274' or '101-11' (a generic sign that keeps its code)"
    )
    s: NonNegative = Field(description="where it stands along the road (m)")
    side: Literal["right", "left"] = Field(
        default="right", description="the side of the road, seen along increasing s"
    )
    arm: Arm | None = Field(default=None, description="intersection only: its arm (default south)")
    value: AnyNumber | None = Field(
        default=None, description="the number on it: a speed limit's km/h (default 50)"
    )


class Sun(Strict):
    elevation: Annotated[float, Varies(ge=-90, le=90)] = Field(
        default=45.0, description="degrees above the horizon; < 0: night"
    )
    azimuth: AnyNumber = Field(
        default=0.0, description="degrees, counter-clockwise from world +x (like yaw)"
    )


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
    sun: Sun = Field(default=Sun(), description="where the sun stands in the sky")
    fog: NonNegative = Field(default=0.0, description="extinction coefficient (1/m)")
    rain: Fraction = Field(default=0.0, description="0..1; 1 = 50 mm/h (violent rain)")
    rain_rate: NonNegative | None = Field(
        default=None, description="rain rate in mm/h; overrides rain"
    )
    exposure_ev: Annotated[float, Varies(ge=-12, le=8)] = Field(
        default=0.0, description="camera exposure offset in EV (stops); < 0 darker"
    )
    street_lights: bool = Field(
        default=False,
        description="street lamps on: they glow, and light the scene while the sun is at most "
        "10 degrees up",
    )
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

    xyz: tuple[float, float, float] = Field(
        default=(0.0, 0.0, 0.0),
        description="position (m) in the ego frame: x forward, y left, z up, from the centre of "
        "the ego's box's bottom face",
    )
    rpy: tuple[float, float, float] = Field(
        default=(0.0, 0.0, 0.0),
        description="roll, pitch, yaw (degrees) about the ego's x, y, z, R = Rz(yaw) Ry(pitch) "
        "Rx(roll); all 0: the sensor looks along the ego's +x",
    )


CameraOutput = Literal["rgb", "depth", "semantic", "instance", "flow", "scene_flow", "normals"]


def _rgb_only() -> list[CameraOutput]:
    return ["rgb"]


class Camera(Strict):
    name: Name = Field(
        description="unique among the ego's sensors; names its folder in the dataset"
    )
    type: Literal["camera"] = Field(description="the sensor kind")
    mount: Mount = Field(default=Mount(), description="pose on the ego vehicle")
    width: int = Field(default=1280, ge=16, description="image width, pixels")
    height: int = Field(default=720, ge=16, description="image height, pixels")
    fov: float = Field(default=90.0, gt=1, lt=179, description="horizontal, degrees")
    outputs: list[CameraOutput] = Field(
        default_factory=_rgb_only,
        min_length=1,
        description="images written every frame: rgb, depth (along the optical axis), "
        "semantic (class ids), instance (object ids), flow (optical flow to the next and from "
        "the previous frame, KITTI 16-bit PNG; float32 .npy too with flow_npy), scene_flow "
        "(each pixel's 3D motion to the next frame, camera axes, .npy), normals (surface "
        "normals, camera frame, 16-bit PNG and .npy)",
    )
    shadows: bool = Field(default=True, description="sun shadows")
    antialias: bool = Field(
        default=False,
        description="a 4x multisampled colour pass: edges and sub-pixel detail (poles, far cars) "
        "by coverage, as a sensor integrates light over a pixel; about twice the colour pass "
        "on a CPU (llvmpipe), little on a GPU. Depth and masks stay single-sampled and exact",
    )
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
    flow_npy: bool = Field(
        default=False,
        description="also save the optical flow as float32 .npy (u, v, valid; 11 MB a direction "
        "at 1280x720, where the KITTI PNG holds it to 1/64 pixel in about 0.3 MB)",
    )
    faults: list[CameraFault] = Field(
        default_factory=list, description="sensor faults (usually set by injectors)"
    )


LidarPreset = Literal["vlp16", "hdl32e", "hdl64e", "os1_128"]


class LidarNoise(Strict):
    range_std: float = Field(default=0.0, ge=0, le=1, description="range noise, metres")
    dropout: float = Field(default=0.0, ge=0, le=1, description="fraction of returns dropped")


class Lidar(Strict):
    name: Name = Field(
        description="unique among the ego's sensors; names its folder in the dataset"
    )
    type: Literal["lidar"] = Field(description="the sensor kind")
    mount: Mount = Field(default=Mount(), description="pose on the ego vehicle")
    preset: LidarPreset | None = Field(
        default=None,
        description="a real sensor's scan (vendor manual); keys given explicitly override it",
    )
    channels: int | None = Field(
        default=None,
        ge=1,
        le=512,
        description="number of rings, spread evenly over the vertical field of view",
    )
    vertical_fov: tuple[float, float] | None = Field(
        default=None, description="[upper, lower] elevation limits, degrees"
    )
    vertical_angles: list[float] | None = Field(
        default=None, description="explicit elevation of every ring, degrees"
    )
    horizontal_resolution: float | None = Field(default=None, gt=0, le=10, description="degrees")
    range: float | None = Field(default=None, gt=0, le=1000, description="metres")
    rotation_rate: float | None = Field(default=None, gt=0, le=100, description="Hz")
    noise: LidarNoise = Field(default=LidarNoise(), description="range noise and dropped returns")
    rolling_shutter: bool = Field(
        default=True,
        description="each of 8 slices of the sweep sees the world at its firing time; false: "
        "the whole sweep at one instant",
    )
    scene_flow: bool | None = Field(
        default=None,
        description="true: give every point its 3D motion to the next sweep (metres, lidar axes "
        "at its firing time; fields flow_x flow_y flow_z, NaN where none); unset or false: the "
        "default point layout",
    )
    faults: list[LidarFault] = Field(
        default_factory=list, description="sensor faults (usually set by injectors)"
    )


RadarPreset = Literal["ars408_far", "ars408_near", "srr308"]


class RadarNoise(Strict):
    """Measurement noise (one standard deviation) per target; unset keys take the preset's."""

    range_std: float | None = Field(default=None, ge=0, le=10, description="range noise, metres")
    azimuth_std: float | None = Field(
        default=None, ge=0, le=10, description="azimuth noise, degrees"
    )
    elevation_std: float | None = Field(
        default=None, ge=0, le=10, description="elevation noise, degrees"
    )
    velocity_std: float | None = Field(
        default=None, ge=0, le=10, description="radial velocity noise, m/s"
    )


class Radar(Strict):
    """A 77 GHz automotive radar delivering a list of targets (clusters) per scan."""

    name: Name = Field(
        description="unique among the ego's sensors; names its folder in the dataset"
    )
    type: Literal["radar"] = Field(description="the sensor kind")
    mount: Mount = Field(default=Mount(), description="pose on the ego vehicle")
    preset: RadarPreset = Field(
        default="ars408_far",
        description="a real unit's data sheet (simgen.scenario.radar_presets); keys given "
        "explicitly override it",
    )
    range: float | None = Field(
        default=None,
        gt=0,
        le=1000,
        description="metres at which a 10 dBsm target (a car) is just detected",
    )
    azimuth_fov: float | None = Field(
        default=None, gt=0, le=180, description="full horizontal field of view, degrees"
    )
    elevation_fov: float | None = Field(
        default=None, gt=0, le=90, description="full vertical field of view, degrees"
    )
    range_resolution: float | None = Field(
        default=None, gt=0, le=20, description="size of a range cell, metres"
    )
    azimuth_resolution: float | None = Field(
        default=None, gt=0, le=45, description="size of an azimuth cell, degrees"
    )
    velocity_resolution: float | None = Field(
        default=None, gt=0, le=10, description="size of a radial velocity cell, m/s"
    )
    noise: RadarNoise = Field(
        default=RadarNoise(), description="range, angle and velocity noise per target"
    )
    false_alarms: float = Field(
        default=0.5,
        ge=0,
        le=1000,
        description="mean number of false alarms (targets where nothing is) per scan",
    )
    ghost_rate: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="chance that a target also shows a multipath ghost (at twice its range "
        "and radial velocity)",
    )
    max_targets: int = Field(
        default=250, ge=1, le=10000, description="targets reported per scan, strongest first"
    )
    faults: list[RadarFault] = Field(
        default_factory=list, description="sensor faults (usually set by injectors)"
    )


Sensor = Annotated[Camera | Lidar | Radar, tagged_by("type")]


# --- behaviours --------------------------------------------------------------------------------


class When(Strict):
    """A condition trigger: fires the first time the measured value drops below ``below``."""

    distance_to: ActorRef | None = Field(
        default=None,
        description="fire on the ground distance to this road user, bumper to bumper (m)",
    )
    time_to_collision: ActorRef | None = Field(
        default=None,
        description="fire on the time to collision with this road user: gap / closing speed (s)",
    )
    below: float = Field(
        gt=0, description="threshold: metres for distance_to, seconds for time_to_collision"
    )


class Step(Strict):
    at: NonNegative | None = Field(default=None, description="start time (s)")
    when: When | None = Field(default=None, description="start on a condition instead of at a time")


class LaneFollow(Step):
    action: Literal["lane_follow"] = Field(
        description="follow the lane, keeping a headway to the road user ahead (IDM)"
    )
    speed: NonNegative | None = Field(
        default=None, description="desired speed (m/s); unset: keeps its desired speed"
    )
    headway: Positive = Field(default=1.5, description="time gap kept to a leader (s)")


class LaneChange(Step):
    action: Literal["lane_change"] = Field(
        description="move smoothly to the centre of another lane"
    )
    lane: Annotated[int, Varies()] = Field(
        description="target lane: 0 = rightmost of the ego's direction, negative = oncoming"
    )
    duration: Positive = Field(default=3.0, description="time the move takes (s)")


class Brake(Step):
    action: Literal["brake"] = Field(description="decelerate to a standstill")
    decel: Annotated[float, Varies(gt=0, le=15)] = Field(
        default=6.0, description="deceleration (m/s²)"
    )


class Accelerate(Step):
    action: Literal["accelerate"] = Field(
        description="accelerate without car-following, up to target_speed"
    )
    accel: Annotated[float, Varies(gt=0, le=10)] = Field(
        default=2.0, description="acceleration (m/s²)"
    )
    target_speed: NonNegative | None = Field(
        default=None, description="speed at which it stops accelerating (m/s); unset: 60 m/s"
    )


class Stop(Step):
    action: Literal["stop"] = Field(description="decelerate to a standstill")
    decel: Annotated[float, Varies(gt=0, le=15)] = Field(
        default=3.0, description="deceleration (m/s²)"
    )


class Cross(Step):
    action: Literal["cross"] = Field(
        description="walk straight across the road to the middle of the far sidewalk"
    )
    speed: Positive = Field(default=1.4, description="walking speed across the road (m/s)")
    direction: Literal["left", "right"] | None = Field(
        default=None, description="default: towards the far side of the road"
    )


class FollowPath(Step):
    action: Literal["follow_path"] = Field(description="visit world waypoints in order")
    waypoints: list[tuple[float, float]] = Field(min_length=1, description="world x, y (m)")
    speed: Positive = Field(description="speed along the path (m/s)")


class Parked(Step):
    action: Literal["parked"] = Field(description="stop at once and stand")


class WrongWay(Step):
    action: Literal["wrong_way"] = Field(
        description="drive against its lane's direction, without car-following"
    )
    speed: NonNegative | None = Field(
        default=None, description="speed (m/s); unset: keeps its current speed"
    )


Behaviour = Annotated[
    LaneFollow | LaneChange | Brake | Accelerate | Stop | Cross | FollowPath | Parked | WrongWay,
    tagged_by("action"),
]
BEHAVIOURS: tuple[type[Step], ...] = get_args(get_args(Behaviour)[0])


# --- placement and actors ----------------------------------------------------------------------


class RelativeS(Strict):
    """A position along the road given relative to another actor's ``s``."""

    relative_to: ActorRef
    offset: AnyNumber = Field(
        default=0.0, description="metres along the road from that road user's s (+ further on)"
    )


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

    lane: Annotated[int, Varies()] | None = Field(
        default=None,
        description="start lane: 0 = rightmost of the ego's direction, negative = oncoming; "
        "give lane or offset (the ego defaults to lane 0)",
    )
    offset: AnyNumber | None = Field(
        default=None, description="metres, + is left of the centre line"
    )
    arm: Arm | None = Field(default=None, description="intersection only: the arm it starts on")
    road: str | None = Field(
        default=None,
        description="opendrive only: the id of the OpenDRIVE road it starts on; lane is then an "
        "OpenDRIVE lane id (negative: right of the reference line) and s runs along that road",
    )
    route: list[str | tuple[float, float]] | None = Field(
        default=None,
        description="opendrive only: where lane_follow takes it through junctions, as road ids "
        "and/or [x, y] world waypoints, in order; without one it keeps the straightest way",
    )
    speed: NonNegative = Field(
        default=0.0,
        description="start speed (m/s); vehicles and cyclists keep it as their desired speed",
    )
    heading: AnyNumber = Field(
        default=0.0, description="degrees from the direction of travel, while standing still"
    )
    wrecked: bool = Field(default=False, description="starts crashed and stays where it is")
    driver: Literal["idm", "none"] | None = Field(
        default=None,
        description="what drives it between behaviour steps and storyboard actions: idm "
        "(car-following in its lane; vehicles' and cyclists' default) or none (it keeps its "
        "speed and lane and does only what it is told: OpenSCENARIO's entity without a "
        "controller)",
    )
    size: tuple[PositiveSize, PositiveSize, PositiveSize] | None = Field(
        default=None,
        description="[length, width, height] (m): the road user is this size (label box, "
        "collision box and every sensor's mesh, scaled from its model about the box's bottom "
        "centre; people scale uniformly by the height); unset: its model's size",
    )
    reference_point: tuple[float, float] | None = Field(
        default=None,
        description="[x, y] (m) in its own frame from simgen's origin (the box's bottom centre) "
        "to the point storyboard positions and distances refer to (OpenSCENARIO's reference "
        "point; for a car usually the rear axle, e.g. [-1.4, 0]); unset: [0, 0]",
    )
    obey_signals: bool | None = Field(
        default=None,
        description="false: runs red lights; unset or true: stops at red (and yellow) stop "
        "lines while following its lane",
    )
    behavior: list[Behaviour] = Field(
        default_factory=list, description="behaviour steps, each started by its at or when"
    )


class Ego(Placed):
    model: Annotated[VehicleModel, Varies()] = Field(
        default="sedan", description="the ego's vehicle model"
    )
    s: NonNegative = Field(
        default=20.0, description="start distance along the road's reference line (m)"
    )
    sensors: list[Sensor] = Field(
        default_factory=list, description="the sensor rig, rendered every frame"
    )


class Actor(Placed):
    name: Name = Field(description="unique; how other keys refer to this actor")
    model: Annotated[ActorModel, Varies()] = Field(
        description="a vehicle, a bicycle, a person or a static object"
    )
    s: Position = Field(
        description="start distance along the road's reference line (m), or relative to "
        "another road user's"
    )


# --- constraints -------------------------------------------------------------------------------


class Distance(Strict):
    """Road-plane distance between two actors' start positions."""

    distance: tuple[ActorRef, ActorRef] = Field(description="the two road users")
    above: float | None = Field(
        default=None, description="the distance must be greater than this (m)"
    )
    below: float | None = Field(default=None, description="the distance must be less than this (m)")


class MinGap(Strict):
    """Every pair of road users starts at least this far apart (m)."""

    min_gap: float = Field(gt=0, description="smallest distance between start positions (m)")


class Ahead(Strict):
    """The first actor starts further along the road than the second."""

    ahead: tuple[ActorRef, ActorRef] = Field(
        description="[ahead, behind]: the first starts at a larger s"
    )


class SpeedDifference(Strict):
    """First actor's start speed minus the second's (m/s)."""

    speed_difference: tuple[ActorRef, ActorRef] = Field(
        description="the two road users: first minus second"
    )
    above: float | None = Field(
        default=None, description="the difference must be greater than this (m/s)"
    )
    below: float | None = Field(
        default=None, description="the difference must be less than this (m/s)"
    )


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
# themselves to sensors (``Camera.faults``, ``Lidar.faults``, ``Radar.faults``), whose back ends
# read them.


class Window(Strict):
    """When a sensor fault is active: from ``at`` for ``duration`` seconds (to the end if unset)."""

    at: NonNegative = Field(default=0.0, description="when the fault starts (s)")
    duration: Positive | None = Field(
        default=None, description="how long it lasts (s); unset: to the end"
    )

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

    type: Literal["low_light"] = Field(description="the injector kind")
    ev: Annotated[float, Varies(le=0, ge=-12)] = Field(
        default=-3.0, description="stops added to environment.exposure_ev"
    )
    night: bool = Field(
        default=False,
        description="also lower the sun to -15 degrees (if higher) and turn the street lights on",
    )


class Crash(Strict):
    """Steer ``actor`` into ``target``; without them, the nearest pair ahead of the ego."""

    type: Literal["crash"] = Field(description="the injector kind")
    actor: ActorRef | None = Field(
        default=None,
        description="the striking actor; unset: a vehicle ahead of the ego (added if none)",
    )
    target: ActorRef | None = Field(
        default=None,
        description="the road user it strikes, or 'ego'; unset: a vehicle ahead of the ego",
    )
    at: NonNegative = Field(
        default=2.0,
        description="when the striker speeds up and steers into the target's lane (s)",
    )


class AccidentScene(Strict):
    """Wrecked vehicles across the ego's lanes ``ahead`` metres in front of it, with debris."""

    type: Literal["accident_scene"] = Field(description="the injector kind")
    ahead: Positive = Field(
        default=45.0, description="distance from the ego's start to the scene, along the road (m)"
    )
    vehicles: Annotated[int, Varies(ge=1, le=4)] = Field(
        default=2, description="wrecked cars, one per lane from the ego's lane on"
    )
    debris: Annotated[int, Varies(ge=0, le=20)] = Field(
        default=6, description="pieces of debris around the wrecks"
    )


class Fog(Strict):
    """Fog of extinction coefficient ``density`` (1/m): visibility (MOR) = ln(20) / density."""

    type: Literal["fog"] = Field(description="the injector kind")
    density: Annotated[float, Varies(gt=0, le=1)] = Field(
        default=0.03, description="extinction coefficient added to environment.fog (1/m)"
    )


class Rain(Strict):
    """Rain of ``rate`` mm/h (2.5 light, 10 moderate, 50 violent)."""

    type: Literal["rain"] = Field(description="the injector kind")
    rate: Annotated[float, Varies(gt=0, le=200)] = Field(
        default=25.0, description="rain rate (mm/h); sets environment.rain_rate"
    )


class Glare(Strict):
    """A low sun straight ahead of the ego's first camera."""

    type: Literal["glare"] = Field(description="the injector kind")
    elevation: Annotated[float, Varies(ge=0, le=30)] = Field(
        default=5.0, description="the sun's elevation (degrees)"
    )


class Jaywalker(Strict):
    """A pedestrian hidden by a vehicle parked on the kerb ``ahead`` metres in front of the ego
    steps out in front of it at ``at``."""

    type: Literal["jaywalker"] = Field(description="the injector kind")
    model: Annotated[Literal["pedestrian", "child"], Varies()] = Field(
        default="pedestrian", description="who steps out"
    )
    ahead: Positive = Field(
        default=25.0, description="distance from the ego's start to the parked vehicle (m)"
    )
    speed: Positive = Field(default=1.4, description="walking speed across the road (m/s)")
    at: NonNegative = Field(default=1.0, description="when the pedestrian steps out (s)")
    occluder: Annotated[Literal["sedan", "suv", "truck", "bus"], Varies()] = Field(
        default="truck", description="the parked vehicle that hides the pedestrian"
    )


class CutIn(Strict):
    """An actor from the next lane cuts in ``gap`` metres ahead of the ego."""

    type: Literal["cut_in"] = Field(description="the injector kind")
    actor: ActorRef | None = Field(
        default=None,
        description="the actor that cuts in; unset: a sedan added in the next lane, or the car "
        "already there at that place",
    )
    gap: Positive = Field(
        default=8.0,
        description="start gap of the added sedan ahead of the ego, bumper to bumper (m); where "
        "something else stands there, the sedan starts at the first free place further on; "
        "unused with actor",
    )
    at: NonNegative = Field(default=1.0, description="when the lane change starts (s)")
    duration: Positive = Field(default=1.5, description="time the lane change takes (s)")


class SuddenBrake(Strict):
    """The vehicle ahead of the ego (or ``actor``) brakes hard at ``at``."""

    type: Literal["sudden_brake"] = Field(description="the injector kind")
    actor: ActorRef | None = Field(
        default=None,
        description="the actor that brakes; unset: the nearest vehicle ahead in the ego's lane "
        "(added if none)",
    )
    at: NonNegative = Field(default=1.5, description="when it starts braking (s)")
    decel: Annotated[float, Varies(gt=0, le=12)] = Field(
        default=8.0, description="deceleration (m/s²)"
    )


class WrongWayDriver(Strict):
    """A vehicle comes towards the ego in its own lane from ``ahead`` metres."""

    type: Literal["wrong_way"] = Field(description="the injector kind")
    model: Annotated[VehicleModel, Varies()] = Field(
        default="sedan", description="the wrong-way vehicle's model"
    )
    ahead: Positive = Field(
        default=90.0, description="its start distance ahead of the ego, along the road (m)"
    )
    speed: NonNegative = Field(default=12.0, description="its speed towards the ego (m/s)")


class StalledVehicle(Strict):
    """A vehicle stands still in the ego's lane ``ahead`` metres in front of it."""

    type: Literal["stalled_vehicle"] = Field(description="the injector kind")
    model: Annotated[VehicleModel, Varies()] = Field(
        default="sedan", description="the stalled vehicle's model"
    )
    ahead: Positive = Field(
        default=40.0, description="its distance ahead of the ego's start, along the road (m)"
    )


class Debris(Strict):
    """``count`` pieces of debris scattered on the ego's lane from ``ahead`` metres on."""

    type: Literal["debris"] = Field(description="the injector kind")
    ahead: Positive = Field(
        default=30.0,
        description="distance from the ego's start to where the debris begins, along the road (m)",
    )
    count: Annotated[int, Varies(ge=1, le=30)] = Field(default=5, description="number of pieces")
    spread: Positive = Field(default=6.0, description="length of road they lie on (m)")


class RedLightRunner(Strict):
    """One vehicle ignores red lights: ``actor``, or the vehicle nearest to its stop line on an
    approach of a signalised road (a sedan is added when none approaches); a road without
    lights is left as it is."""

    type: Literal["red_light_runner"] = Field(description="the injector kind")
    actor: ActorRef | None = Field(
        default=None, description="the vehicle that runs red; unset: the nearest approaching one"
    )


class SignalFault(Strict):
    """Traffic lights fail from ``at`` on: dark, or flashing yellow (no lights: no change)."""

    type: Literal["signal_fault"] = Field(description="the injector kind")
    controller: str | None = Field(
        default=None, description="the controller that fails (ns, ew, or a map's id); unset: all"
    )
    mode: Annotated[Literal["off", "flashing_yellow"], Varies()] = Field(
        default="flashing_yellow", description="dark lamps, or a yellow flashing at 1 Hz"
    )
    at: NonNegative = Field(default=0.0, description="when the fault starts (s)")


class OccludedSign(Strict):
    """A high vehicle parked at the kerb hides a sign from the ego (a speed limit sign is put
    up ``ahead`` metres in front of the ego when the road has none on its side)."""

    type: Literal["occluded_sign"] = Field(description="the injector kind")
    occluder: Annotated[Literal["truck", "bus", "van"], Varies()] = Field(
        default="truck", description="the parked vehicle"
    )
    gap: Annotated[float, Varies(gt=0, le=30)] = Field(
        default=6.0, description="from the occluder's centre back to the sign, along the road (m)"
    )
    ahead: Positive = Field(
        default=40.0, description="where a sign is added when none stands ahead of the ego (m)"
    )


class LidarBeamDropout(SensorTarget):
    """Dead lasers: the named rings return nothing."""

    type: Literal["lidar_beam_dropout"] = Field(description="the injector kind")
    rings: list[int] = Field(min_length=1, description="ring indices, 0 = the top ring")


class LidarSectorBlockage(SensorTarget):
    """Something on the cover blocks every ring over an azimuth sector (lidar frame, degrees)."""

    type: Literal["lidar_sector_blockage"] = Field(description="the injector kind")
    azimuth: tuple[float, float] = Field(
        default=(-20.0, 20.0), description="[from, to], counter-clockwise from +x (forward)"
    )


class RadarBlockage(SensorTarget):
    """Mud, snow or ice on the radome: every return over an azimuth sector loses ``attenuation``
    dB (two-way), so weak targets vanish first."""

    type: Literal["radar_blockage"] = Field(description="the injector kind")
    attenuation: Annotated[float, Varies(gt=0, le=60)] = Field(
        default=20.0, description="extra two-way loss, dB"
    )
    azimuth: tuple[float, float] = Field(
        default=(-180.0, 180.0),
        description="[from, to] sector covered, degrees counter-clockwise from the radar's +x; "
        "the default covers the whole radome",
    )


class RadarInterference(SensorTarget):
    """Another radar on the same band: the noise floor rises by ``noise_rise`` dB (weak targets
    drop below the threshold) and ``false_alarms`` extra ghost targets appear per scan."""

    type: Literal["radar_interference"] = Field(description="the injector kind")
    noise_rise: Annotated[float, Varies(ge=0, le=40)] = Field(
        default=10.0, description="rise of the noise floor, dB"
    )
    false_alarms: Annotated[float, Varies(ge=0, le=1000)] = Field(
        default=30.0, description="mean number of extra false targets per scan"
    )


class RadarDropout(SensorTarget):
    """Targets lost in the radar's processing or on the bus: each is dropped with
    ``probability``."""

    type: Literal["radar_dropout"] = Field(description="the injector kind")
    probability: Fraction = Field(default=0.5, description="chance that each target is lost")


class CameraOcclusion(SensorTarget):
    """Dirt, a leaf or water drops on the lens, covering ``coverage`` of the image."""

    type: Literal["camera_occlusion"] = Field(description="the injector kind")
    kind: Literal["dirt", "leaf", "drops"] = Field(
        default="dirt",
        description="dirt (dark, translucent), a leaf (opaque) or water drops (blurred, "
        "brighter patches)",
    )
    coverage: Annotated[float, Varies(gt=0, le=0.8)] = Field(
        default=0.15, description="fraction of the image covered"
    )


class CameraNoise(SensorTarget):
    """High gain: exposure ``gain_ev`` stops shorter, amplified back; the noise model shows."""

    type: Literal["camera_noise"] = Field(description="the injector kind")
    gain_ev: Annotated[float, Varies(gt=0, le=10)] = Field(
        default=4.0, description="analogue gain, stops (EV)"
    )


class MotionBlur(SensorTarget):
    """A long exposure: the ego's and the objects' real motion smears the image."""

    type: Literal["motion_blur"] = Field(description="the injector kind")
    exposure: Annotated[float, Varies(gt=0, le=0.5)] = Field(default=0.04, description="seconds")


class Overexposure(SensorTarget):
    """The exposure ``ev`` stops too long: highlights clip to white."""

    type: Literal["overexposure"] = Field(description="the injector kind")
    ev: Annotated[float, Varies(gt=0, le=8)] = Field(
        default=2.5, description="stops added to the camera's exposure"
    )


class Blackout(SensorTarget):
    """The camera delivers black frames."""

    type: Literal["blackout"] = Field(description="the injector kind")


class FrameDrop(SensorTarget):
    """Frames are lost with ``probability``: a camera delivers black, a lidar an empty sweep."""

    type: Literal["frame_drop"] = Field(description="the injector kind")
    probability: Fraction = Field(
        default=0.5, description="chance that each frame is lost while the fault is active"
    )


class StuckFrame(SensorTarget):
    """The sensor repeats the last frame it delivered before ``at``."""

    type: Literal["stuck_frame"] = Field(description="the injector kind")


WorldInjector = (
    Crash
    | AccidentScene
    | Jaywalker
    | CutIn
    | SuddenBrake
    | WrongWayDriver
    | StalledVehicle
    | Debris
    | RedLightRunner
    | SignalFault
    | OccludedSign
)
WeatherInjector = Fog | Rain | LowLight | Glare
CameraOnlyFault = CameraOcclusion | CameraNoise | MotionBlur | Overexposure | Blackout
LidarOnlyFault = LidarBeamDropout | LidarSectorBlockage
RadarOnlyFault = RadarBlockage | RadarInterference | RadarDropout
SharedFault = FrameDrop | StuckFrame

Injector = Annotated[
    WorldInjector
    | WeatherInjector
    | CameraOnlyFault
    | LidarOnlyFault
    | RadarOnlyFault
    | SharedFault,
    tagged_by("type"),
]
CameraFault = Annotated[CameraOnlyFault | SharedFault, tagged_by("type")]
LidarFault = Annotated[LidarOnlyFault | SharedFault, tagged_by("type")]
RadarFault = Annotated[RadarOnlyFault | SharedFault, tagged_by("type")]

WORLD_INJECTORS: tuple[type[Strict], ...] = get_args(WorldInjector)
WEATHER_INJECTORS: tuple[type[Strict], ...] = get_args(WeatherInjector)
CAMERA_FAULTS: tuple[type[SensorTarget], ...] = get_args(CameraOnlyFault)
LIDAR_FAULTS: tuple[type[SensorTarget], ...] = get_args(LidarOnlyFault)
RADAR_FAULTS: tuple[type[SensorTarget], ...] = get_args(RadarOnlyFault)
SHARED_FAULTS: tuple[type[SensorTarget], ...] = get_args(SharedFault)


def fault_sensor_kind(fault: SensorTarget) -> type[Camera] | type[Lidar] | type[Radar] | None:
    """The one kind of sensor a fault acts on; None for a fault that acts on every kind."""
    for group, kind in ((CAMERA_FAULTS, Camera), (LIDAR_FAULTS, Lidar), (RADAR_FAULTS, Radar)):
        if isinstance(fault, group):
            return kind
    return None


INJECTORS = (
    *WORLD_INJECTORS,
    *WEATHER_INJECTORS,
    *CAMERA_FAULTS,
    *LIDAR_FAULTS,
    *RADAR_FAULTS,
    *SHARED_FAULTS,
)


# --- output and the scenario -------------------------------------------------------------------


class LaneLabels(Strict):
    """Which lanes each frame's lane labels hold: those inside a box around the ego."""

    ahead: float = Field(default=80.0, gt=0, description="metres ahead of the ego")
    behind: float = Field(default=30.0, ge=0, description="metres behind the ego")
    side: float = Field(default=40.0, gt=0, description="metres to either side of the ego")
    step: float = Field(
        default=1.0, gt=0, le=10, description="metres between the points of a lane polyline"
    )


RgbPng = Literal["compressed", "stored"]


class Output(Strict):
    formats: list[Literal["kitti", "kitti_tracking", "coco", "nuscenes", "openlane"]] = Field(
        default_factory=list, description="exports written next to the native dataset"
    )
    lanes: LaneLabels | bool | None = Field(
        default=None,
        description="write lane labels per frame (lanes/<frame>.json): true, or the box around "
        "the ego they cover; the openlane format turns them on",
    )
    rgb_png: RgbPng = Field(
        default="compressed",
        description="how RGB frames are written, both standard PNG with the same pixels: "
        "compressed (zlib level 1) or stored (no compression: about a quarter of the encoding "
        "CPU for about 2.2x the bytes)",
    )

    def lane_labels(self) -> LaneLabels | None:
        """The lane labels to write, if any: asked for, or needed by the openlane export."""
        if isinstance(self.lanes, LaneLabels):
            return self.lanes
        if self.lanes or (self.lanes is None and "openlane" in self.formats):
            return LaneLabels()
        return None


class Scenario(Strict):
    version: Literal[1] = Field(description="scenario format version")
    name: Name = Field(description="[a-z0-9_-]+, at most 64 characters; names its output folder")
    description: str = Field(
        default="", description="free text, shown in inspect reports and nuScenes scenes"
    )
    seed: int = Field(
        default=0, ge=0, lt=2**63, description="with the variant, seeds every random draw"
    )
    duration: float = Field(gt=0, description="simulated seconds")
    frame_rate: float = Field(default=10.0, gt=0, description="sensor frames per second")
    variants: int = Field(
        default=1, ge=1, description="how many variants to draw from the distributions"
    )
    road: Road = Field(default=Road(), description="the road's layout")
    environment: Environment = Field(default=Environment(), description="sun, weather and light")
    ego: Ego = Field(description="the ego vehicle and its sensors")
    actors: list[Actor] = Field(default_factory=list, description="the other road users")
    require: list[Requirement] = Field(
        default_factory=list,
        description="conditions every variant's start must meet (rejection sampling)",
    )
    injectors: list[Injector] = Field(
        default_factory=list, description="edge cases applied after sampling, in order"
    )
    output: Output = Field(default=Output(), description="exports written after the render")
    storyboard: Storyboard | None = Field(
        default=None,
        description="OpenSCENARIO's stories, triggers and actions (what simgen import writes); "
        "entities are named as here: ego or an actor's name",
    )

    @property
    def frames(self) -> int:
        return max(1, round(self.duration * self.frame_rate))


ScenarioSpec = spec_model(Scenario)
"""What a scenario file is validated into: ``Scenario`` with its distributions unresolved."""
