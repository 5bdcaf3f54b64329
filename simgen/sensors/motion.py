"""Where each pixel's scene point moves in the image during an exposure: the real motion of the
ego (the camera) and of every road user, from the state's velocities and the exact depth."""

from __future__ import annotations

import numpy as np

from simgen.sensors.effects import SKY_DISTANCE


def pixel_flow(
    depth: np.ndarray,
    instance: np.ndarray,
    K: np.ndarray,
    world_from_camera: np.ndarray,
    camera_velocity: np.ndarray,
    camera_omega: np.ndarray,
    bodies: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]],
    exposure: float,
) -> np.ndarray:
    """(H, W, 2) pixels travelled over ``exposure`` seconds.

    ``camera_velocity`` / ``camera_omega`` are the camera's linear (at its centre) and angular
    velocity in the world; ``bodies`` maps an instance id to (velocity, angular velocity, centre)
    in the world. The sky is a far static backdrop."""
    h, w = depth.shape
    z = np.where(depth > 0, depth, SKY_DISTANCE).astype(np.float64)
    u = (np.arange(w) - K[0, 2]) / K[0, 0]
    v = (np.arange(h) - K[1, 2]) / K[1, 1]
    x = u[None, :] * z
    y = v[:, None] * z
    points = np.stack([x, y, z], axis=-1)  # camera frame
    rot = world_from_camera[:3, :3]
    world = points @ rot.T + world_from_camera[:3, 3]
    # world velocity of every scene point: 0 for the static world, rigid motion for bodies
    velocity = np.zeros_like(world)
    for index, (v_body, w_body, centre) in bodies.items():
        mask = instance == index
        if mask.any():
            velocity[mask] = v_body + np.cross(w_body, world[mask] - centre)
    # relative to the moving camera, in the camera frame
    lever = world - world_from_camera[:3, 3]
    relative = (velocity - camera_velocity - np.cross(camera_omega, lever)) @ rot
    dx, dy, dz = relative[..., 0], relative[..., 1], relative[..., 2]
    du = K[0, 0] * (dx * z - x * dz) / z**2
    dv = K[1, 1] * (dy * z - y * dz) / z**2
    return (np.stack([du, dv], axis=-1) * exposure).astype(np.float32)
