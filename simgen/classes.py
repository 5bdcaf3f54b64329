"""The semantic class table: ids, names and a Cityscapes-like palette, published with datasets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SemanticClass:
    id: int
    name: str
    color: tuple[int, int, int]
    cityscapes: str | None  # the nearest Cityscapes label, for people mapping datasets


CLASSES: tuple[SemanticClass, ...] = (
    SemanticClass(0, "unlabeled", (0, 0, 0), "unlabeled"),
    SemanticClass(1, "road", (128, 64, 128), "road"),
    SemanticClass(2, "sidewalk", (244, 35, 232), "sidewalk"),
    SemanticClass(3, "lane_marking", (255, 255, 255), "road"),
    SemanticClass(4, "kerb", (190, 153, 153), "sidewalk"),
    SemanticClass(5, "building", (70, 70, 70), "building"),
    SemanticClass(6, "pole", (153, 153, 153), "pole"),
    SemanticClass(7, "vegetation", (107, 142, 35), "vegetation"),
    SemanticClass(8, "sky", (70, 130, 180), "sky"),
    SemanticClass(9, "person", (220, 20, 60), "person"),
    SemanticClass(10, "rider", (255, 0, 0), "rider"),
    SemanticClass(11, "car", (0, 0, 142), "car"),
    SemanticClass(12, "truck", (0, 0, 70), "truck"),
    SemanticClass(13, "bus", (0, 60, 100), "bus"),
    SemanticClass(14, "motorcycle", (0, 0, 230), "motorcycle"),
    SemanticClass(15, "bicycle", (119, 11, 32), "bicycle"),
    SemanticClass(16, "traffic_cone", (250, 170, 30), None),
    SemanticClass(17, "barrier", (102, 102, 156), "guard rail"),
    SemanticClass(18, "debris", (150, 100, 100), None),
    SemanticClass(19, "street_light", (250, 220, 0), "pole"),
    SemanticClass(20, "terrain", (152, 251, 152), "terrain"),
)

BY_NAME: dict[str, SemanticClass] = {c.name: c for c in CLASSES}


def class_id(name: str) -> int:
    try:
        return BY_NAME[name].id
    except KeyError:
        raise KeyError(f"unknown semantic class '{name}'") from None
