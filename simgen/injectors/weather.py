"""Weather and light injectors: one physical parameter each, set on the environment that every
sensor reads (the camera and the lidar see the same fog and the same rain)."""

from __future__ import annotations

import math

from simgen.injectors.base import Edit
from simgen.scenario.models import Camera, Fog, Glare, LowLight, Rain, Scenario

NIGHT_SUN_ELEVATION = -15.0  # degrees: astronomical dusk is past, the sky is dark


def _environment(edit: Edit, **changes: object) -> Scenario:
    env = edit.scenario.environment.model_copy(update=changes)
    return edit.scenario.model_copy(update={"environment": env})


def fog(edit: Edit, inj: Fog) -> Scenario:
    """Extinction coefficients of independent media add up."""
    return _environment(edit, fog=float(edit.scenario.environment.fog) + float(inj.density))


def rain(edit: Edit, inj: Rain) -> Scenario:
    return _environment(edit, rain_rate=float(inj.rate))


def low_light(edit: Edit, inj: LowLight) -> Scenario:
    env = edit.scenario.environment
    changes: dict[str, object] = {"exposure_ev": float(env.exposure_ev) + float(inj.ev)}
    if inj.night:
        sun = env.sun.model_copy(
            update={"elevation": min(float(env.sun.elevation), NIGHT_SUN_ELEVATION)}
        )
        changes |= {"sun": sun, "street_lights": True}
    return _environment(edit, **changes)


def glare(edit: Edit, inj: Glare) -> Scenario:
    """The sun low and straight ahead of the first camera at the ego's start."""
    cameras = [s for s in edit.scenario.ego.sensors if isinstance(s, Camera)]
    yaw = cameras[0].mount.rpy[2] if cameras else 0.0
    azimuth = math.degrees(edit.heading_at_ego()) + yaw
    sun = edit.scenario.environment.sun.model_copy(
        update={"elevation": float(inj.elevation), "azimuth": azimuth}
    )
    return _environment(edit, sun=sun)
