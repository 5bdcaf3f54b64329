"""Where a posed body's COCO keypoints are: joints of its skeleton, face points on its head.

Limb keypoints are the joints of the bones (``simgen.sensors.pose``) in the frame's pose, so
they move exactly with the meshes the cameras draw: shoulders, elbows and wrists are where the
upper arm, forearm and hand hang from their parents, hips, knees and ankles the same for thigh,
shin and foot. A face has no bones, so the nose, eyes and ears are fixed points on the head
part's ellipsoid (its rest-pose extent), carried by the head bone. Each keypoint also gets the
radius of the body around it, which the occlusion test needs: a joint inside a limb lies that
far behind the surface the camera sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simgen.core.keypoints import COCO_KEYPOINTS
from simgen.sensors.pose import PoseKey, bone_transforms
from simgen.sensors.scene import actor_pose, asset_parts, posed_lift
from simgen.world.assets import load_catalog
from simgen.world.state import ActorState

HEAD = "skin.head"
INSET = 0.9  # face points sit this fraction of the way out to the head's surface
# face points as directions on the head's unit sphere (x forward, y left, z up), scaled by the
# head's radii: eyes at half the head's height about 6 cm apart, the nose tip below and in front,
# the ears on the sides a little behind the centre (anthropometric proportions)
FACE = {
    "nose": (0.95, 0.0, -0.3),
    "left_eye": (0.88, 0.37, 0.05),
    "right_eye": (0.88, -0.37, 0.05),
    "left_ear": (-0.1, 0.97, -0.1),
    "right_ear": (-0.1, -0.97, -0.1),
}
# limb keypoints: (bone whose joint it is, part whose thickness is the body's radius there)
LIMBS = {
    "shoulder": ("upper_arm", "top.upper_arm"),
    "elbow": ("lower_arm", "sleeve.lower_arm"),
    "wrist": ("hand", "sleeve.lower_arm"),
    "hip": ("thigh", "bottom.thigh"),
    "knee": ("shin", "shin.shin"),
    "ankle": ("foot", "shin.shin"),
}


@dataclass(frozen=True, eq=False)
class BodyJoints:
    """One pose's keypoints in the asset frame (feet on the ground), COCO order."""

    points: np.ndarray  # (17, 3) metres
    radii: np.ndarray  # (17,) metres of body between each keypoint and the surface around it


def has_keypoints(model: str) -> bool:
    """People and riders: articulated assets with a head."""
    entry = load_catalog()[model]
    return bool(entry.skeleton) and "head" in entry.skeleton and HEAD in entry.parts


@lru_cache(maxsize=256)
def _rest(model: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What every pose of a model shares: rest-pose keypoints (homogeneous, (17, 4)), their
    radii and the bone that carries each, in COCO order."""
    entry = load_catalog()[model]
    parts = asset_parts(model)
    head = parts[HEAD].vertices
    lo, hi = head.min(axis=0), head.max(axis=0)
    center, radii = (lo + hi) / 2, (hi - lo) / 2
    points, radius, bones = [], [], []
    for name in COCO_KEYPOINTS:
        if name in FACE:
            direction = np.asarray(FACE[name])
            points.append(center + INSET * radii * direction / np.linalg.norm(direction))
            radius.append((1 - INSET) * float(radii.min()))
            bones.append("head")
            continue
        side, joint = name.split("_", 1)
        bone, part = LIMBS[joint]
        suffix = "_l" if side == "left" else "_r"
        points.append(np.asarray(entry.skeleton[bone + suffix].pivot))
        # a limb hangs along z in the rest pose: its horizontal half-extent is its radius
        extent = parts[part + suffix].vertices[:, :2]
        radius.append(float((extent.max(axis=0) - extent.min(axis=0)).max()) / 2)
        bones.append(bone + suffix)
    homogeneous = np.hstack([np.asarray(points), np.ones((len(points), 1))])
    return homogeneous, np.asarray(radius), np.asarray(bones)


@lru_cache(maxsize=4096)
def body_joints(model: str, key: PoseKey) -> BodyJoints:
    """The keypoints of ``model`` posed by ``key``: each rest point moved by its bone, then
    lifted as the posed meshes are."""
    rest, radii, bones = _rest(model)
    transforms = bone_transforms(load_catalog()[model], key)
    points = np.stack([(transforms[b] @ p)[:3] for b, p in zip(bones, rest, strict=True)])
    points[:, 2] += posed_lift(model, key)
    return BodyJoints(points, radii)


def actor_joints(actor: ActorState) -> BodyJoints | None:
    """An actor's keypoints in the world frame this instant; None for anyone without them."""
    key = actor_pose(actor)
    if key is None or not has_keypoints(actor.model):
        return None
    local = body_joints(actor.model, key)
    transform = actor.body_transform()
    radii = local.radii if actor.scale == (1.0, 1.0, 1.0) else local.radii * actor.scale[2]
    return BodyJoints(local.points @ transform[:3, :3].T + transform[:3, 3], radii)
