"""Metric keys as a type: which slice of the data, which metric, and which way is better.

On disk and in JSON a key stays the text ``<slice>/<metric>`` (``scenario=fog/recall/Car/hard``),
so baselines and reports keep their format. Its direction comes from the metric's family (the
first part of the metric, ``recall``) declared below, never from the slice's name: a scenario
named ``sensor_error`` is a slice like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from simgen.eval.nuscenes_metrics import TP_METRICS


class Direction(Enum):
    HIGHER = "higher is better"
    LOWER = "lower is better"


class MetricKeyError(ValueError):
    """A key that is not ``<slice>/<metric>`` of a known metric family."""


FAMILIES: dict[str, Direction] = {
    # detection: KITTI R40 AP and recall, COCO 2D AP, nuScenes AP, mAP and NDS
    **dict.fromkeys(("3d_ap", "bev_ap", "recall", "2d_ap", "2d_ap50"), Direction.HIGHER),
    **dict.fromkeys(
        ("nuscenes_ap", "nuscenes_map", "nuscenes_map_all10", "nuscenes_nds"), Direction.HIGHER
    ),
    # nuScenes true-positive errors (metres, radians, 1 - IoU, ...)
    **{f"nuscenes_{m}": Direction.LOWER for m in TP_METRICS},
    # dense outputs: segmentation IoU up, depth errors down
    "miou": Direction.HIGHER,
    "iou": Direction.HIGHER,
    "depth_absrel": Direction.LOWER,
    "depth_rmse": Direction.LOWER,
    # robustness: an edge case's drop against its clean twin (how much worse it got), the mean
    # relative robustness edge / clean, and the corruption error relative to a reference model
    "drop": Direction.LOWER,
    "mRR": Direction.HIGHER,
    "mCE": Direction.LOWER,
}


@dataclass(frozen=True, order=True)
class MetricKey:
    # all, scenario=<name>, injector=<type>, light=day, phase=<act or event>:before|during|after,
    # pair=<name>, suite, ...
    slice: str
    metric: str  # <family>[/<class>[/<difficulty>]], e.g. recall/Car/hard, drop/recall/Car/hard

    def __post_init__(self) -> None:
        if not self.slice or "/" in self.slice:
            raise MetricKeyError(f"metric slice {self.slice!r}: expected a name without '/'")
        if self.family not in FAMILIES:
            known = ", ".join(sorted(FAMILIES))
            raise MetricKeyError(f"unknown metric {self.metric!r}; its family is one of {known}")

    @classmethod
    def of(cls, slice: str, *parts: str) -> MetricKey:
        """A key from its slice and the parts of its metric: ``of("all", "recall", "Car")``."""
        return cls(slice, "/".join(parts))

    @classmethod
    def parse(cls, text: str) -> MetricKey:
        """``<slice>/<metric>`` -> a key; MetricKeyError if it is not one."""
        where, sep, metric = text.partition("/")
        if not sep:
            raise MetricKeyError(f"metric key {text!r}: expected <slice>/<metric>")
        return cls(where, metric)

    @property
    def family(self) -> str:
        return self.metric.split("/", 1)[0]

    @property
    def direction(self) -> Direction:
        return FAMILIES[self.family]

    @property
    def lower_is_better(self) -> bool:
        return self.direction is Direction.LOWER

    def __str__(self) -> str:
        return f"{self.slice}/{self.metric}"
