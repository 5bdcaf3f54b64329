"""What the weather, the light and the camera's faults do to one RGB frame.

``conditions`` reads the environment and the faults attached to the camera at a frame's time;
``develop`` turns the rendered image into what the camera delivers, in the order light takes:
the wet scene, the atmosphere, rain in front of the lens, the sun's glare, things on the lens,
motion during the exposure, then the sensor (exposure, noise, quantisation) and the encoding.
Depth and masks are inputs only: labels never change with an effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from simgen.core.classes import BY_NAME
from simgen.scenario.models import (
    Blackout,
    Camera,
    CameraNoise,
    CameraOcclusion,
    Environment,
    MotionBlur,
    Overexposure,
)
from simgen.sensors.camera_model import (
    CameraLook,
    lens_map,
    metered_gain,
    optics_blur,
    sense_and_tone,
    sky_gradient,
    tone_encode,
)
from simgen.sensors.effects import (
    FOG_COLOR,
    SKY_DISTANCE,
    draw_streaks,
    expose,
    glare,
    koschmieder,
    lamp_bloom,
    lens_occlusion,
    motion_blur,
    rain_extinction,
    rain_streaks,
    ray_lengths,
    to_linear,
    to_srgb,
    wet_road,
)
from simgen.sensors.faults import FrameFault, frame_fault
from simgen.sensors.rig import CameraCalibration
from simgen.sensors.scene import Lamp
from simgen.sensors.sky import sky_color, sun_direction, sun_strength

DEFAULT_EXPOSURE = 0.01  # s: a daylight exposure, for rain streaks
GLARE_REACH = 25.0  # degrees outside the field of view from which the sun still veils the image
SKY_ID = BY_NAME["sky"].id
WET_CLASSES = frozenset(BY_NAME[n].id for n in ("road", "lane_marking", "sidewalk", "kerb"))


@dataclass(frozen=True)
class CameraConditions:
    """Everything that changes one camera's image at one instant, besides the scene."""

    fog: float = 0.0  # 1/m
    rain_mmh: float = 0.0
    exposure_ev: float = 0.0
    noise_gain_ev: float | None = None  # None: a noiseless sensor; else stops of gain
    occlusions: tuple[CameraOcclusion, ...] = ()
    blur_exposure: float | None = None  # s, when motion blur is on
    sun_elevation: float = 45.0
    sun_azimuth: float = 0.0
    blackout: bool = False
    frame: FrameFault = field(default_factory=FrameFault)  # lost or repeated, as a lidar's
    look: CameraLook | None = None  # None: the ideal pinhole, radiance delivered as rendered

    def faults(self) -> tuple[str, ...]:
        """The names of the faults acting now, for the labels."""
        names = [f"camera_occlusion:{o.kind}" for o in self.occlusions]
        names += ["camera_noise"] if self.noise_gain_ev else []
        names += ["motion_blur"] if self.blur_exposure else []
        names += ["blackout"] if self.blackout else []
        return (*names, *self.frame.names())


def conditions(
    spec: Camera, environment: Environment, time: float, drop_draw: float
) -> CameraConditions:
    """The camera's conditions at ``time``; ``drop_draw`` is a uniform draw for frame drops."""
    active = [f for f in spec.faults if f.active(time)]
    exposure = float(environment.exposure_ev) + sum(
        float(f.ev) for f in active if isinstance(f, Overexposure)
    )
    gains = [float(f.gain_ev) for f in active if isinstance(f, CameraNoise)]
    blur = [float(f.exposure) for f in active if isinstance(f, MotionBlur)]
    noisy = bool(gains) or exposure < 0
    return CameraConditions(
        fog=float(environment.fog),
        rain_mmh=environment.rain_mmh(),
        exposure_ev=exposure,
        noise_gain_ev=(max(gains) if gains else 0.0) if noisy else None,
        occlusions=tuple(f for f in active if isinstance(f, CameraOcclusion)),
        blur_exposure=max(blur) if blur else None,
        sun_elevation=float(environment.sun.elevation),
        sun_azimuth=float(environment.sun.azimuth),
        blackout=any(isinstance(f, Blackout) for f in active),
        frame=frame_fault(active, lambda: drop_draw),
        look=None
        if spec.look == "ideal"
        else CameraLook(
            white_balance_k=float(spec.white_balance),
            light_k=float(environment.color_temperature),
            vignetting=float(spec.vignetting),
            sky_turbidity=float(environment.turbidity),
        ),
    )


def sun_in_camera(
    cond: CameraConditions, calib: CameraCalibration, world_from_camera: np.ndarray
) -> tuple[float, float, float] | None:
    """(u, v, degrees outside the field of view) of the sun, when it can glare; else None."""
    if cond.sun_elevation <= 0:
        return None
    direction = world_from_camera[:3, :3].T @ sun_direction(cond.sun_elevation, cond.sun_azimuth)
    if direction[2] <= 0.05:
        return None
    K = calib.K
    u = K[0, 0] * direction[0] / direction[2] + K[0, 2]
    v = K[1, 1] * direction[1] / direction[2] + K[1, 2]
    du = max(0.0, -u, u - (calib.width - 1)) / K[0, 0]
    dv = max(0.0, -v, v - (calib.height - 1)) / K[1, 1]
    outside = float(np.degrees(np.arctan(np.hypot(du, dv))))
    return (float(u), float(v), outside) if outside < GLARE_REACH else None


def is_clear(cond: CameraConditions, sun: tuple[float, float, float] | None) -> bool:
    """Nothing to do: the rendered image is what the camera delivers, byte for byte."""
    return (
        cond.fog == 0
        and cond.rain_mmh == 0
        and cond.exposure_ev == 0
        and cond.noise_gain_ev is None
        and not cond.occlusions
        and cond.blur_exposure is None
        and sun is None
        and not (cond.blackout or cond.frame.dropped)
        and cond.look is None
    )


def develop(
    rgb: np.ndarray,
    depth: np.ndarray,
    semantic: np.ndarray,
    cond: CameraConditions,
    calib: CameraCalibration,
    sun: tuple[float, float, float] | None,
    rng: np.random.Generator,
    lens_rng: np.random.Generator,
    flow: np.ndarray | None = None,
    world_from_camera: np.ndarray | None = None,
    lamps: tuple[Lamp, ...] = (),
) -> np.ndarray:
    """The delivered 8-bit RGB. ``rng`` draws this frame's noise and drops; ``lens_rng`` lays out
    what sits on the lens (the same in every frame); ``lamps`` bloom in the dark."""
    if cond.blackout or cond.frame.dropped:
        return np.zeros_like(rgb)
    linear = to_linear(rgb)
    daylight = 0.04 + 0.96 * sun_strength(cond.sun_elevation)
    sky = to_linear(np.asarray(sky_color(cond.sun_elevation)) * 255.0)
    look = cond.look
    gain = 1.0
    if look is not None:
        if world_from_camera is not None:
            towards_sun = sun_direction(cond.sun_elevation, cond.sun_azimuth)
            sky_mask = semantic == SKY_ID
            linear = paint_sky(linear, sky_mask, calib, world_from_camera, sky, towards_sun, look)
        gain = metered_gain(linear) if look.auto_exposure else 1.0
    if cond.rain_mmh > 0:
        wetness = min(1.0, cond.rain_mmh / 10.0)  # soaked from moderate rain on
        linear = wet_road(linear, np.isin(semantic, list(WET_CLASSES)), wetness, sky)
    alpha = cond.fog + rain_extinction(cond.rain_mmh)
    if alpha > 0:
        airlight = to_linear(FOG_COLOR * 255.0) * daylight
        linear = koschmieder(linear, ray_lengths(depth, calib.K), alpha, airlight)
    if cond.rain_mmh > 0:
        exposure = cond.blur_exposure or DEFAULT_EXPOSURE
        streaks = rain_streaks(cond.rain_mmh, calib.K, (calib.height, calib.width), exposure, rng)
        # a drop refracts a wide cone of the environment: about the mean scene brightness
        linear = draw_streaks(linear, streaks, depth, 0.5 * sky + 0.5 * linear.mean((0, 1)))
    if sun is not None:
        u, v, outside = sun
        visible = outside == 0 and _is_sky(semantic, u, v)
        through = float(np.exp(-alpha * SKY_DISTANCE))  # the atmosphere dims the sun too
        strength = 0.3 * (1.0 if visible else 0.4) * through  # the disk is bright when low too
        linear = glare(linear, (u, v), strength, float(calib.K[0, 0]), visible)
    if look is not None:  # a real lens: lamps bloom in the dark (the ideal pinhole has none)
        darkness = 1.0 - sun_strength(cond.sun_elevation)
        if darkness > 0 and lamps and world_from_camera is not None:
            points = lamp_points(lamps, calib, world_from_camera, depth, darkness)
            linear = lamp_bloom(linear, points, float(calib.K[0, 0]))
    if cond.rain_mmh > 0:  # drops on the lens: more in harder rain
        coverage = min(0.12, 0.0025 * cond.rain_mmh)
        linear = lens_occlusion(linear, "drops", coverage, rng)
    for occlusion in cond.occlusions:
        linear = lens_occlusion(linear, occlusion.kind, float(occlusion.coverage), lens_rng)
    if flow is not None:
        linear = motion_blur(linear, flow)
    noisy = cond.noise_gain_ev is not None  # low light or a noise fault: the exact model
    if look is None:
        noise_rng = rng if noisy else None
        return to_srgb(expose(linear, cond.exposure_ev, noise_rng, cond.noise_gain_ev or 0.0))
    linear = optics_blur(linear, look.blur_px)
    gains = lens_map(calib.K, linear.shape[:2], look)
    if not noisy:
        return sense_and_tone(linear, gains, gain * 2.0**cond.exposure_ev, rng)
    sensed = expose(linear * gains * np.float32(gain), cond.exposure_ev, rng, cond.noise_gain_ev)
    return tone_encode(sensed)


LAMP_TOLERANCE = 0.35  # m: a lamp's centre lies this far inside its lens at most


def lamp_points(
    lamps: tuple[Lamp, ...],
    calib: CameraCalibration,
    world_from_camera: np.ndarray,
    depth: np.ndarray,
    darkness: float,
) -> list[tuple[float, float, float, tuple[float, float, float]]]:
    """(u, v, flux, colour) of the lamps the camera sees: in front of it, in the image, not
    hidden (the depth there is not nearer than the lamp), turned towards it (the glow falls
    with the cosine off the lamp's axis), dimmer as the inverse square of the distance."""
    K, (h, w) = calib.K, depth.shape
    rotation, eye = world_from_camera[:3, :3], world_from_camera[:3, 3]
    out = []
    for lamp in lamps:
        offset = np.asarray(lamp.position) - eye
        x, y, z = rotation.T @ offset
        if z < 0.5:
            continue
        u, v = K[0, 0] * x / z + K[0, 2], K[1, 1] * y / z + K[1, 2]
        iu, iv = round(u), round(v)
        if not (0 <= iu < w and 0 <= iv < h):
            continue
        seen = depth[iv, iu]
        if 0 < seen < z - LAMP_TOLERANCE:
            continue
        distance = float(np.linalg.norm(offset))
        toward = 1.0 if lamp.facing is None else float(-np.dot(lamp.facing, offset) / distance)
        if toward <= 0:
            continue
        flux = darkness * lamp.intensity * toward / distance**2
        out.append((float(u), float(v), flux, lamp.color))
    return out


def paint_sky(
    linear: np.ndarray,
    mask: np.ndarray,
    calib: CameraCalibration,
    world_from_camera: np.ndarray,
    flat: np.ndarray,
    sun: np.ndarray,
    look: CameraLook,
) -> np.ndarray:
    """The sky pixels (``mask``) as a gradient from a pale horizon to a deeper zenith, bright
    round the sun, in place of the flat colour ``flat`` they were rendered with."""
    rows = np.flatnonzero(mask.any(axis=1))
    if not len(rows):
        return linear
    top, bottom = int(rows[0]), int(rows[-1]) + 1  # the gradient is made for these rows only
    K = calib.K.copy()
    K[1, 2] -= top
    horizon = 0.55 * flat + 0.45 * flat.max()
    zenith = flat * np.array([0.7, 0.8, 1.0], dtype=np.float32) * 0.8
    sky = sky_gradient(
        world_from_camera, K, (bottom - top, mask.shape[1]), sun, zenith, horizon,
        look.sky_turbidity,
    )  # fmt: skip
    cv2.copyTo(sky, mask[top:bottom].view(np.uint8), linear[top:bottom])  # in place
    return linear


def _is_sky(semantic: np.ndarray, u: float, v: float) -> bool:
    h, w = semantic.shape
    iu, iv = round(u), round(v)
    return 0 <= iu < w and 0 <= iv < h and semantic[iv, iu] == SKY_ID
