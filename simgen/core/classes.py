"""The one class table: semantic ids, palette, and each export format's name for every class.

Exports and evaluation map classes through this table only, so a class is renamed or added in one
place. An object's class is the semantic class of its model (a cyclist is a ``bicycle`` object;
its rider's pixels are ``rider``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SemanticClass:
    id: int
    name: str
    color: tuple[int, int, int]
    cityscapes: str | None  # the nearest Cityscapes label, for people mapping datasets
    kitti: str | None = None  # KITTI object type of an object of this class
    nuscenes: str | None = None  # nuScenes detection category of an object of this class
    coco: str | None = None  # COCO supercategory: pixels of this class are COCO instances


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
    SemanticClass(
        9, "person", (220, 20, 60), "person", "Pedestrian", "human.pedestrian.adult", "human"
    ),
    SemanticClass(10, "rider", (255, 0, 0), "rider", coco="human"),
    SemanticClass(11, "car", (0, 0, 142), "car", "Car", "vehicle.car", "vehicle"),
    SemanticClass(12, "truck", (0, 0, 70), "truck", "Truck", "vehicle.truck", "vehicle"),
    SemanticClass(13, "bus", (0, 60, 100), "bus", "Misc", "vehicle.bus.rigid", "vehicle"),
    SemanticClass(
        14, "motorcycle", (0, 0, 230), "motorcycle", "Cyclist", "vehicle.motorcycle", "vehicle"
    ),
    SemanticClass(15, "bicycle", (119, 11, 32), "bicycle", "Cyclist", "vehicle.bicycle", "vehicle"),
    SemanticClass(
        16, "traffic_cone", (250, 170, 30), None, "Misc", "movable_object.trafficcone", "object"
    ),
    SemanticClass(
        17, "barrier", (102, 102, 156), "guard rail", "Misc", "movable_object.barrier", "object"
    ),
    SemanticClass(18, "debris", (150, 100, 100), None, "Misc", "movable_object.debris", "object"),
    SemanticClass(19, "street_light", (250, 220, 0), "pole"),
    SemanticClass(20, "terrain", (152, 251, 152), "terrain"),
    SemanticClass(21, "scatter", (180, 200, 255), None),  # lidar returns from fog or rain
    # signal heads (the housing, not its pole): no KITTI or nuScenes type, so those exports
    # leave them out; COCO names them "traffic light" and "traffic sign" (``exports.coco``)
    SemanticClass(22, "traffic_light", (230, 130, 20), "traffic light", coco="outdoor"),
    SemanticClass(23, "traffic_sign", (220, 220, 0), "traffic sign", coco="outdoor"),
)

BY_NAME: dict[str, SemanticClass] = {c.name: c for c in CLASSES}
BY_ID: dict[int, SemanticClass] = {c.id: c for c in CLASSES}
CHILD_MODELS = frozenset({"child", "child_small"})  # nuScenes tells adults and children apart


def class_id(name: str) -> int:
    try:
        return BY_NAME[name].id
    except KeyError:
        raise KeyError(f"unknown semantic class '{name}'") from None


def nuscenes_category(semantic_class: str, model: str) -> str | None:
    """nuScenes category of an object: its class's, with children told apart by model."""
    category = BY_NAME[semantic_class].nuscenes
    if category == "human.pedestrian.adult" and model in CHILD_MODELS:
        return "human.pedestrian.child"
    return category


def nuscenes_categories() -> tuple[str, ...]:
    names = {c.nuscenes for c in CLASSES if c.nuscenes} | {"human.pedestrian.child"}
    return tuple(sorted(names))


def coco_classes() -> tuple[SemanticClass, ...]:
    return tuple(c for c in CLASSES if c.coco is not None)
