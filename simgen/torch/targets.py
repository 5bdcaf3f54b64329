"""Detection targets of one (variant, frame, camera) as NumPy arrays: the part of
``simgen.torch`` that needs no PyTorch, so it is tested and usable without the extra.

Boxes are in pixel-edge coordinates, torchvision's and COCO's: pixel column ``u`` spans
``[u, u + 1)``. The labels keep the rig's pixel-centre convention (``u`` is a pixel's centre,
the image spans ``[-0.5, width - 0.5]``), so every box is the label's box shifted by half a
pixel: a visible box ``(u0, v0, u1, v1)`` of inclusive pixel indices becomes
``(u0, v0, u1 + 1, v1 + 1)``, exactly the box of the object's mask, and an amodal box ``b``
becomes ``b + 0.5``, clipped to ``[0, width] x [0, height]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from simgen.core.classes import SemanticClass
from simgen.core.keypoints import NUM_KEYPOINTS
from simgen.dataset.layout import POINT_DTYPE
from simgen.dataset.reader import Dataset, DatasetError, Frame, Variant
from simgen.labels.schema import CameraView, ObjectLabel

BoxKind = Literal["visible", "amodal"]
BOX_KINDS: tuple[BoxKind, ...] = ("visible", "amodal")
LIDAR_FIELDS: tuple[str, ...] = POINT_DTYPE.names or ()  # the columns of ``lidar_array``


class KeypointSource(Protocol):
    """The keypoint hook: ``K`` keypoints of one object as seen by one camera.

    A source given to the dataset is called once per kept object and its (K, 3) rows
    ``x, y, visibility`` (pixel-edge coordinates, visibility 0 = not labelled, 1 = occluded,
    2 = visible: COCO's and torchvision's meaning) become ``target["keypoints"]`` of shape
    (N, K, 3). ``LabelKeypoints`` reads the labels' COCO person keypoints; a source of your
    own (e.g. projected wheel centres) works the same way.
    """

    @property
    def num_keypoints(self) -> int: ...

    def __call__(self, frame: Frame, camera: str, obj: ObjectLabel) -> np.ndarray: ...


class LabelKeypoints:
    """The labels' 17 COCO keypoints of people and riders (all unlabelled rows for other
    objects; keep only people with ``classes=["person", "rider"]`` for a keypoint model)."""

    num_keypoints = NUM_KEYPOINTS

    def __call__(self, frame: Frame, camera: str, obj: ObjectLabel) -> np.ndarray:
        rows = np.zeros((NUM_KEYPOINTS, 3), np.float32)
        view = obj.cameras.get(camera)
        if view is None or view.keypoints is None:
            return rows
        for row, k in zip(rows, view.keypoints, strict=True):
            if k.visibility:  # pixel centres -> pixel edges, as the boxes
                row[:] = (k.u + 0.5, k.v + 0.5, k.visibility)
        return rows


@dataclass(frozen=True)
class DetectionOptions:
    """Which objects of an image become targets, and how.

    ``min_visibility``: keep objects whose visible fraction (labels' ``visibility``) is at
    least this; ``classes``: keep only these semantic class names (None keeps all); ``box``:
    ``visible`` (tight around the instance mask, matches ``masks``) or ``amodal`` (the projected
    3D box, clipped to the image); ``masks``: add instance masks where the camera wrote them.
    """

    min_visibility: float = 0.0
    classes: tuple[str, ...] | None = None
    box: BoxKind = "visible"
    masks: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_visibility <= 1.0:
            raise ValueError(f"min_visibility: {self.min_visibility} is not within [0, 1]")
        if self.box not in BOX_KINDS:
            raise ValueError(f"box: '{self.box}' is not one of {', '.join(BOX_KINDS)}")
        if self.classes is not None and not self.classes:
            raise ValueError("classes: an empty list keeps nothing (give None to keep all)")


@dataclass(frozen=True, eq=False)
class DetectionTarget:
    """One image's objects, row i of every array describing the same object."""

    object_ids: np.ndarray  # (N,) int64, = ObjectLabel.id = the instance image's value
    boxes: np.ndarray  # (N, 4) float32 x1 y1 x2 y2, pixel-edge coordinates
    labels: np.ndarray  # (N,) int64 class ids of the dataset's class table
    area: np.ndarray  # (N,) float32 visible pixels of each object (COCO's segment area)
    masks: np.ndarray | None  # (N, H, W) uint8, 1 where the instance image holds the object
    keypoints: np.ndarray | None  # (N, K, 3) float32 x y visibility, from a KeypointSource


@dataclass(frozen=True)
class ItemKey:
    """What one dataset item is: a camera's image of one frame of one variant."""

    variant: Variant
    frame: int
    camera: str

    @property
    def name(self) -> str:
        """``<scenario>_<variant>_<frame>_<camera>``, the COCO export's image name."""
        return f"{self.variant.key}_{self.frame:06d}_{self.camera}"


def class_table(dataset: Dataset) -> tuple[SemanticClass, ...]:
    """The class table every variant was written with; variants that disagree are an error,
    since the same id would name two classes."""
    tables = {v.manifest.classes for v in dataset}
    if len(tables) > 1:
        raise DatasetError(
            f"{dataset.root}: variants were written with different class tables; "
            "render them with one simgen version"
        )
    return next(iter(tables))


def check_classes(wanted: Sequence[str] | None, table: Sequence[SemanticClass]) -> None:
    known = [c.name for c in table]
    unknown = [name for name in wanted or () if name not in known]
    if unknown:
        raise ValueError(f"classes: unknown {', '.join(unknown)} (known: {', '.join(known)})")


def index_items(dataset: Dataset, cameras: Sequence[str] | None = None) -> tuple[ItemKey, ...]:
    """Every (variant, frame, camera) whose camera wrote RGB, in dataset order; ``cameras``
    limits it to those names, each of which must exist somewhere in the dataset."""
    found = {c for v in dataset for c in v.cameras("rgb")}
    missing = sorted(set(cameras or ()) - found)
    if missing:
        raise DatasetError(
            f"{dataset.root}: no RGB camera {', '.join(missing)} "
            f"(cameras: {', '.join(sorted(found)) or 'none'})"
        )
    return tuple(
        ItemKey(variant, frame.index, camera)
        for variant in dataset
        for camera in variant.cameras("rgb")
        if cameras is None or camera in cameras
        for frame in variant.frames()
    )


def target_box(view: CameraView, kind: BoxKind, width: int, height: int) -> np.ndarray | None:
    """The view's box in pixel-edge coordinates (see the module's docstring), or None."""
    if kind == "visible":
        if view.visible_box is None:
            return None
        u0, v0, u1, v1 = view.visible_box
        return np.array([u0, v0, u1 + 1, v1 + 1], np.float32)
    if view.amodal_box is None:
        return None
    box = np.asarray(view.amodal_box, np.float64) + 0.5
    return np.clip(box, 0.0, [width, height, width, height]).astype(np.float32)


def keep(obj: ObjectLabel, view: CameraView | None, options: DetectionOptions) -> bool:
    """An object is a target when the camera sees it and the options' filters pass it."""
    return (
        view is not None
        and view.visible_pixels > 0
        and view.visibility >= options.min_visibility
        and (options.classes is None or obj.semantic_class in options.classes)
    )


def detection_target(
    frame: Frame,
    camera: str,
    options: DetectionOptions,
    class_ids: Mapping[str, int],
    keypoints: KeypointSource | None = None,
) -> DetectionTarget:
    """The targets of ``camera``'s image of ``frame``, in the labels' object order."""
    calib = frame.variant.camera(camera)
    kept: list[tuple[ObjectLabel, np.ndarray]] = []
    for obj in frame.labels.objects:
        view = obj.cameras.get(camera)
        if view is None or not keep(obj, view, options):
            continue
        box = target_box(view, options.box, calib.width, calib.height)
        if box is not None:
            kept.append((obj, box))
    ids = np.array([obj.id for obj, _ in kept], np.int64)
    masks = None
    if options.masks and frame.variant.has_output(camera, "instance"):
        instance = frame.instance(camera)
        masks = (instance[None] == ids[:, None, None]).astype(np.uint8)
    points = None
    if keypoints is not None:
        shape = (keypoints.num_keypoints, 3)
        points = np.zeros((len(kept), *shape), np.float32)
        for row, (obj, _) in enumerate(kept):
            points[row] = _keypoint_rows(keypoints(frame, camera, obj), shape, obj)
    return DetectionTarget(
        object_ids=ids,
        boxes=np.array([box for _, box in kept], np.float32).reshape(-1, 4),
        labels=np.array([class_ids[obj.semantic_class] for obj, _ in kept], np.int64),
        area=np.array([obj.cameras[camera].visible_pixels for obj, _ in kept], np.float32),
        masks=masks,
        keypoints=points,
    )


def _keypoint_rows(rows: np.ndarray, shape: tuple[int, int], obj: ObjectLabel) -> np.ndarray:
    rows = np.asarray(rows, np.float32)
    if rows.shape != shape:
        raise ValueError(
            f"keypoint source returned shape {rows.shape} for object {obj.name}, "
            f"expected {shape} (num_keypoints x [x, y, visibility])"
        )
    return rows


def lidar_array(frame: Frame, lidar: str) -> np.ndarray:
    """(P, 8) float32 points in the lidar frame, columns ``LIDAR_FIELDS`` (x y z intensity
    ring time semantic instance); every integer field fits a float32 exactly."""
    points = frame.lidar(lidar)
    return np.stack([points[name].astype(np.float32) for name in LIDAR_FIELDS], axis=1)


def resolve_lidar(dataset: Dataset, lidar: bool | str) -> str | None:
    """The lidar whose sweeps ride along: a name, or with True the one lidar of every
    variant (an error when variants have none, or several to choose from)."""
    if lidar is False:
        return None
    names = {name for v in dataset for name in v.lidars()}
    if isinstance(lidar, str):
        lacking = [v.key for v in dataset if lidar not in v.lidars()]
        if lacking:
            raise DatasetError(
                f"{dataset.root}: no lidar '{lidar}' in {', '.join(lacking)} "
                f"(lidars: {', '.join(sorted(names)) or 'none'})"
            )
        return lidar
    if len(names) != 1 or any(not v.lidars() for v in dataset):
        found = ", ".join(sorted(names)) or "none"
        raise DatasetError(
            f"{dataset.root}: lidar=True needs exactly one lidar in every variant "
            f"(found: {found}); name one with lidar='<name>'"
        )
    return next(iter(names))
