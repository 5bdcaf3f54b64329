"""Size limits that keep a typo (width: 128000, variants: 1e9) from starting a runaway job."""

from __future__ import annotations

from dataclasses import dataclass

NO_LIMITS_HINT = "raise it with --no-limits"


@dataclass(frozen=True)
class Limits:
    max_image_side: int | None = 4096
    max_duration: float | None = 600.0
    max_frames: int | None = 6000
    max_frame_rate: float | None = 100.0
    max_actors: int | None = 256
    max_sensors: int | None = 16
    max_variants: int | None = 100_000
    max_lidar_rays: int | None = 2_000_000
    max_road_length: float | None = 5000.0

    @classmethod
    def none(cls) -> Limits:
        return cls(**{name: None for name in cls.__dataclass_fields__})
