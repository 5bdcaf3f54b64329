"""Named sensor rigs an imported scenario's ego carries (``--rig NAME``)."""

from __future__ import annotations

from typing import Any

ALL_IMAGES = ["rgb", "depth", "semantic", "instance"]


def _camera(
    name: str, yaw: float, width: int, height: int, fov: float, x: float = 1.5
) -> dict[str, Any]:
    return {
        "name": name, "type": "camera", "mount": {"xyz": [x, 0.0, 1.6], "rpy": [0.0, 0.0, yaw]},
        "width": width, "height": height, "fov": fov, "outputs": list(ALL_IMAGES),
    }  # fmt: skip


def _lidar(preset: str) -> dict[str, Any]:
    return {"name": "lidar_top", "type": "lidar", "preset": preset,
            "mount": {"xyz": [0.0, 0.0, 1.9]}}  # fmt: skip


RIGS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "default": (
        "a 1280x720 front camera (rgb, depth, semantic, instance) and a VLP-16 lidar on the roof",
        [_camera("cam_front", 0.0, 1280, 720, 90.0), _lidar("vlp16")],
    ),
    "camera": (
        "the default rig's front camera alone",
        [_camera("cam_front", 0.0, 1280, 720, 90.0)],
    ),
    "nuscenes_like": (
        "six 1600x900 cameras around the car (70 degrees; the back one 110) and an HDL-32E lidar, "
        "as nuScenes' car carries them",
        [
            _camera("cam_front", 0.0, 1600, 900, 70.0),
            _camera("cam_front_left", 55.0, 1600, 900, 70.0),
            _camera("cam_front_right", -55.0, 1600, 900, 70.0),
            _camera("cam_back", 180.0, 1600, 900, 110.0, x=0.0),
            _camera("cam_back_left", 110.0, 1600, 900, 70.0, x=0.5),
            _camera("cam_back_right", -110.0, 1600, 900, 70.0, x=0.5),
            _lidar("hdl32e"),
        ],
    ),
    "tiny": (
        "a 160x90 front camera (rgb, depth, semantic, instance) and a VLP-16: for quick checks",
        [_camera("cam_front", 0.0, 160, 90, 90.0), _lidar("vlp16")],
    ),
}


def rig(name: str) -> list[dict[str, Any]]:
    """The sensors of a named rig; raises KeyError naming the rigs there are."""
    if name not in RIGS:
        raise KeyError(f"no rig '{name}' (rigs: {', '.join(RIGS)})")
    return [dict(sensor) for sensor in RIGS[name][1]]
