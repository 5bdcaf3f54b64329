"""Lidar presets from the vendors' manuals, and the concrete scan pattern of a lidar spec."""

from __future__ import annotations

from dataclasses import dataclass

from simgen.scenario.models import Lidar


@dataclass(frozen=True)
class ScanPattern:
    """Everything a lidar caster needs: ring elevations (deg, top first) and sweep timing."""

    vertical_angles: tuple[float, ...]
    horizontal_resolution: float
    range: float
    rotation_rate: float

    @property
    def channels(self) -> int:
        return len(self.vertical_angles)

    @property
    def columns(self) -> int:
        return max(1, round(360.0 / self.horizontal_resolution))

    @property
    def rays_per_sweep(self) -> int:
        return self.channels * self.columns


def linear_angles(channels: int, upper: float, lower: float) -> tuple[float, ...]:
    if channels == 1:
        return ((upper + lower) / 2.0,)
    step = (upper - lower) / (channels - 1)
    return tuple(upper - i * step for i in range(channels))


@dataclass(frozen=True)
class _Preset:
    channels: int
    upper: float
    lower: float
    horizontal_resolution: float
    range: float
    rotation_rate: float = 10.0


# points/s at 10 Hz: vlp16 16*1800*10 = 288k, hdl32e 32*2250*10 = 720k,
# hdl64e 64*2048*10 = 1.31M, os1_128 128*2048*10 = 2.62M (DESIGN.md's table).
PRESETS: dict[str, _Preset] = {
    "vlp16": _Preset(16, 15.0, -15.0, 0.2, 100.0),
    "hdl32e": _Preset(32, 10.67, -30.67, 0.16, 100.0),
    "hdl64e": _Preset(64, 2.0, -24.9, 360.0 / 2048, 120.0),
    "os1_128": _Preset(128, 22.5, -22.5, 360.0 / 2048, 120.0),
}

DEFAULT_HORIZONTAL_RESOLUTION = 0.2
DEFAULT_ROTATION_RATE = 10.0


class LidarSpecError(ValueError):
    """A lidar spec that does not define a scan; ``key`` names the field to fix."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def scan_pattern(spec: Lidar) -> ScanPattern:
    """The scan of a lidar spec: the preset's values, overridden by any key given explicitly."""
    preset = PRESETS[spec.preset] if spec.preset else None
    if spec.vertical_angles is not None:
        if spec.vertical_fov is not None:
            raise LidarSpecError(
                "vertical_angles", "give vertical_angles or vertical_fov, not both"
            )
        if spec.channels is not None and spec.channels != len(spec.vertical_angles):
            raise LidarSpecError(
                "vertical_angles",
                f"has {len(spec.vertical_angles)} angles but channels is {spec.channels}",
            )
        angles = tuple(sorted(spec.vertical_angles, reverse=True))
    else:
        channels = spec.channels or (preset.channels if preset else None)
        if channels is None:
            raise LidarSpecError("channels", "needs a preset, or channels with vertical_fov")
        if spec.vertical_fov is not None:
            upper, lower = spec.vertical_fov
        elif preset is not None:
            upper, lower = preset.upper, preset.lower
        else:
            raise LidarSpecError("vertical_fov", "needs a preset, vertical_fov or vertical_angles")
        if upper < lower:
            raise LidarSpecError("vertical_fov", f"expected [upper, lower], got [{upper}, {lower}]")
        angles = linear_angles(channels, upper, lower)
    if any(not -90.0 <= a <= 90.0 for a in angles):
        raise LidarSpecError("vertical_angles", "elevations must lie within [-90, 90] degrees")
    range_m = spec.range or (preset.range if preset else None)
    if range_m is None:
        raise LidarSpecError("range", "needs a preset or an explicit range")
    return ScanPattern(
        vertical_angles=angles,
        horizontal_resolution=spec.horizontal_resolution
        or (preset.horizontal_resolution if preset else DEFAULT_HORIZONTAL_RESOLUTION),
        range=range_m,
        rotation_rate=spec.rotation_rate
        or (preset.rotation_rate if preset else DEFAULT_ROTATION_RATE),
    )
