"""Articulated bodies: the pose of each body segment in one frame.

A walker's gait phase advances with the distance it has covered, so feet never slide: the
stride follows the speed (cadence rises with speed, after Grieve and Gear 1966) and the arms
swing against the legs. People standing still take one of a few relaxed poses, picked by their
id. Poses are quantised (24 phases a stride), so posed meshes are few and cached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simgen.world.assets import AssetEntry
from simgen.world.state import ActorState

PHASES = 24  # poses per gait cycle
WALKING = 0.25  # m/s: slower than this, a person stands
STANDING_STYLES = 4
# the thigh's flexion over a stride as a share of the straight-leg swing (``PoseKey.amplitude``):
# at 1.4 m/s (a 24-degree swing) from 31 degrees at heel strike to -12 at toe-off, about
# Winter's normative gait (the knee and the heel's rise make up the rest of the step)
HIP_MEAN, HIP_SWING = 0.4, 0.9


@dataclass(frozen=True)
class PoseKey:
    """A quantised pose: hashable, so posed meshes can be cached and compared between frames."""

    mode: str  # "walk" | "stand"
    phase: int  # gait phase (0..PHASES-1) or standing style
    amplitude: int  # stride amplitude bucket (degrees of hip swing)

    def tag(self) -> str:
        return f"{self.mode}{self.phase}a{self.amplitude}"


def step_frequency(speed: float) -> float:
    """Steps per second: about 1.9 at 1.4 m/s, rising slowly with speed."""
    return 1.9 * (max(speed, 0.3) / 1.4) ** 0.4


RIDE_PHASES = 24  # crank positions
WHEEL_STEPS = 12  # wheel positions within one spoke interval
GEAR = 2.6  # bicycle: wheel turns per crank turn
CRANK_RADIUS = 0.17  # metres
LEAN = {"bicycle": 25.0, "motorcycle": 18.0}  # degrees the rider's torso leans forward


def ride_key(actor: ActorState, entry: AssetEntry) -> PoseKey:
    """Wheels turn by the distance rolled; a cyclist's crank turns with them through the gear."""
    radius = float(entry.skeleton["wheel_front"].pivot[2])
    turns = actor.travelled / (2 * math.pi * radius)
    spokes = 3 if entry.semantic_class == "motorcycle" else 4
    wheel = round(turns * spokes * 2 * WHEEL_STEPS) % WHEEL_STEPS  # spokes repeat every 1/2n turn
    crank = round(turns / GEAR * RIDE_PHASES) % RIDE_PHASES
    if entry.semantic_class == "motorcycle":
        crank = 0
    return PoseKey("ride", crank, wheel)


def pose_key(actor: ActorState, leg_length: float) -> PoseKey:
    speed = actor.speed
    if speed < WALKING or not actor.controlled:
        return PoseKey("stand", actor.id % STANDING_STYLES, 0)
    stride = 2.0 * speed / step_frequency(speed)  # one cycle: two steps
    phase = round(actor.travelled / stride * PHASES) % PHASES
    swing = math.degrees(math.asin(min(0.6, stride / 4.0 / leg_length)))
    return PoseKey("walk", phase, round(swing / 3.0) * 3)


def _wrap(x: float) -> float:
    return (x + 0.5) % 1.0 - 0.5


def _bump(phase: float, center: float, width: float) -> float:
    return math.exp(-((_wrap(phase - center) / width) ** 2))


def _two_link(
    root: np.ndarray, target: np.ndarray, upper: float, lower: float
) -> tuple[float, float, float]:
    """Planar two-link reach in (x, z): (angle of the root->target line from straight down,
    towards +x; the upper link's offset from that line; the bend between the links), radians."""
    delta = target - root
    d = float(np.clip(np.hypot(*delta), abs(upper - lower) + 1e-3, upper + lower - 1e-3))
    line = math.atan2(delta[0], -delta[1])
    offset = math.acos((upper**2 + d**2 - lower**2) / (2 * upper * d))
    bend = math.pi - math.acos((upper**2 + lower**2 - d**2) / (2 * upper * lower))
    return line, offset, bend


def riding_angles(key: PoseKey, entry: AssetEntry) -> dict[str, tuple[float, float]]:
    """A seated rider: torso leant forward, feet on the pedals (or pegs), hands on the grips,
    by two-link inverse kinematics in the side plane; the wheels and crank turned."""
    bone = {name: np.array([b.pivot[0], b.pivot[2]]) for name, b in entry.skeleton.items()}
    lean = math.radians(LEAN.get(entry.semantic_class, 20.0))
    hip = bone["thigh_l"]
    thigh = float(bone["thigh_l"][1] - bone["shin_l"][1])
    shin = float(bone["shin_l"][1] - bone["foot_l"][1])
    crank = 2 * math.pi * key.phase / RIDE_PHASES
    radius = 0.0 if entry.semantic_class == "motorcycle" else CRANK_RADIUS
    angles: dict[str, tuple[float, float]] = {"torso": (-math.degrees(lean), 0.0)}
    for side, offset in (("r", math.pi), ("l", 0.0)):
        theta = crank + offset
        pedal = bone["crank"] + radius * np.array([math.sin(theta), math.cos(theta)])
        line, off, bend = _two_link(hip, pedal + np.array([0.0, 0.07]), thigh, shin)
        hip_flex = line + off  # the knee forward of the line
        angles[f"thigh_{side}"] = (math.degrees(hip_flex + lean), 0.0)
        angles[f"shin_{side}"] = (-math.degrees(bend), 0.0)
        angles[f"foot_{side}"] = (math.degrees(bend - hip_flex), 0.0)
    c, s = math.cos(lean), math.sin(lean)
    rel = bone["upper_arm_l"] - hip
    shoulder = hip + np.array([rel[0] * c + rel[1] * s, -rel[0] * s + rel[1] * c])
    upper = float(bone["upper_arm_l"][1] - bone["lower_arm_l"][1])
    fore = float(bone["lower_arm_l"][1] - bone["hand_l"][1])
    line, off, bend = _two_link(shoulder, bone["bars"] - (0.04, 0.0), upper, fore)
    for side in "lr":
        angles[f"upper_arm_{side}"] = (math.degrees(line - off + lean), 3.0)
        angles[f"lower_arm_{side}"] = (math.degrees(bend), 0.0)
    angles["neck"] = (-0.7 * math.degrees(lean), 0.0)
    wheel = 360.0 * key.amplitude / WHEEL_STEPS / (2 * (3 if radius == 0 else 4))
    angles["wheel_front"] = angles["wheel_rear"] = (-wheel, 0.0)
    angles["crank"] = (-math.degrees(crank), 0.0)
    return angles


def joint_angles(key: PoseKey, entry: AssetEntry | None = None) -> dict[str, tuple[float, float]]:
    """(flexion, abduction) in degrees per segment. Flexion turns about the lateral axis: a
    positive hip or shoulder flexion swings the limb forward, a positive knee flexion folds the
    shin back, a positive elbow flexion brings the hand forward."""
    if key.mode == "ride":
        assert entry is not None, "a riding pose needs its asset's geometry"
        return riding_angles(key, entry)
    angles: dict[str, tuple[float, float]] = {}
    if key.mode == "walk":
        amp = float(key.amplitude)
        for side, offset in (("r", 0.0), ("l", 0.5)):
            phase = (key.phase / PHASES + offset) % 1.0
            hip = HIP_MEAN * amp + HIP_SWING * amp * math.cos(2 * math.pi * phase)
            knee = 15.0 * _bump(phase, 0.15, 0.08) + 2.5 * amp * _bump(phase, 0.71, 0.14) + 3.0
            ankle = float(np.clip(knee - hip, -15.0, 20.0))
            angles[f"thigh_{side}"] = (hip, 0.0)
            angles[f"shin_{side}"] = (-knee, 0.0)
            angles[f"foot_{side}"] = (ankle, 0.0)
            # the arm swings with the opposite leg
            arm = -0.75 * amp * math.cos(2 * math.pi * phase)
            angles[f"upper_arm_{side}"] = (arm, 7.0)
            angles[f"lower_arm_{side}"] = (18.0 + 0.5 * max(arm, 0.0), 0.0)
        angles["torso"] = (-3.0, 0.0)
        return angles
    style = key.phase
    for side in "lr":
        angles[f"upper_arm_{side}"] = (3.0, 7.0)
        angles[f"lower_arm_{side}"] = (12.0, 0.0)
        angles[f"thigh_{side}"] = (0.0, 3.0)
    if style == 1:  # weight on the right leg, left knee relaxed
        angles["thigh_l"] = (5.0, 3.0)
        angles["shin_l"] = (-9.0, 0.0)
        angles["foot_l"] = (4.0, 0.0)
    elif style == 2:  # hands together in front
        for side in "lr":
            angles[f"upper_arm_{side}"] = (14.0, 3.0)
            angles[f"lower_arm_{side}"] = (65.0, 0.0)
    elif style == 3:  # looking at a phone: one forearm up, head down
        angles["upper_arm_r"] = (10.0, 5.0)
        angles["lower_arm_r"] = (95.0, 0.0)
        angles["neck"] = (12.0, 0.0)
    return angles


def _rotation(flexion: float, abduction: float, side: float) -> np.ndarray:
    """Flexion about +y (negated: forward is -y rotation for a hanging limb), abduction about x
    away from the body on either side."""
    f = math.radians(-flexion)
    a = math.radians(abduction) * side
    ry = np.array([[math.cos(f), 0, math.sin(f)], [0, 1, 0], [-math.sin(f), 0, math.cos(f)]])
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    return rx @ ry


def bone_transforms(entry: AssetEntry, key: PoseKey) -> dict[str, np.ndarray]:
    """4x4 asset-frame transform of every segment in this pose (rest pose -> posed)."""
    angles = joint_angles(key, entry)
    out: dict[str, np.ndarray] = {}

    def resolve(name: str) -> np.ndarray:
        if name in out:
            return out[name]
        bone = entry.skeleton[name]
        flexion, abduction = angles.get(name, (0.0, 0.0))
        side = 1.0 if name.endswith("_l") else -1.0 if name.endswith("_r") else 0.0
        local = np.eye(4)
        local[:3, :3] = _rotation(flexion, abduction, side)
        pivot = np.asarray(bone.pivot)
        about = np.eye(4)
        about[:3, 3] = pivot
        back = np.eye(4)
        back[:3, 3] = -pivot
        mine = about @ local @ back
        parent = np.eye(4) if bone.parent is None else resolve(bone.parent)
        out[name] = parent @ mine
        return out[name]

    for name in entry.skeleton:
        resolve(name)
    return out


def leg_length(entry: AssetEntry) -> float:
    return float(entry.skeleton["thigh_l"].pivot[2]) if entry.skeleton else 1.0
