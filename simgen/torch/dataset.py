"""A map-style ``torch.utils.data.Dataset`` over a rendered native dataset, in torchvision's
detection format. Importing this module imports torch; ``simgen.torch`` imports it on first
use of ``DetectionDataset`` so that the rest of simgen never needs PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from simgen.core.classes import SemanticClass
from simgen.dataset.reader import Dataset, open_dataset
from simgen.torch.targets import (
    BoxKind,
    DetectionOptions,
    DetectionTarget,
    ItemKey,
    KeypointSource,
    check_classes,
    class_table,
    detection_target,
    index_items,
    lidar_array,
    resolve_lidar,
)

try:
    import torch
    from torch.utils.data import Dataset as TorchDataset
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without torch
    raise ImportError(
        f"simgen.torch needs PyTorch and torchvision ({exc}); install them with "
        "`pip install simgen[torch]`"
    ) from exc

Target = dict[str, torch.Tensor]
Transform = Callable[[torch.Tensor, Target], tuple[torch.Tensor, Target]]


class DetectionDataset(TorchDataset[tuple[Any, ...]]):
    """One item per (variant, frame, camera) with RGB, in dataset order (variants sorted,
    then cameras, then frames): ``(image, target)``, or ``(image, target, points)`` when
    ``lidar`` is set.

    - ``image``: float32 (3, H, W) in [0, 1].
    - ``target``: ``boxes`` float32 (N, 4) x1 y1 x2 y2 in pixel-edge coordinates,
      ``labels`` int64 (N,) ids of the dataset's class table (id 0, ``unlabeled``, is never
      an object, so it serves as torchvision's background; build models with
      ``num_classes=dataset.num_classes``), ``masks`` uint8 (N, H, W) where the camera
      wrote instance images, ``keypoints`` float32 (N, K, 3) when a ``keypoints`` source is
      given (see ``KeypointSource``), ``image_id`` int64 scalar (the item's index),
      ``area`` float32 (N,) visible pixels, ``iscrowd`` int64 (N,) zeros, ``object_ids``
      int64 (N,) the labels' object (= track, = instance) ids.
    - ``points``: float32 (P, 8) of the frame's sweep in the lidar frame, columns
      ``simgen.torch.LIDAR_FIELDS``; ``lidar=True`` takes the one lidar of every variant.

    ``transforms`` is applied to ``(image, target)`` last. Batch items with
    ``collate_detection``: images differ in size across cameras and N differs per image.
    """

    def __init__(
        self,
        source: str | Path | Dataset,
        *,
        cameras: Sequence[str] | None = None,
        min_visibility: float = 0.0,
        classes: Sequence[str] | None = None,
        box: BoxKind = "visible",
        masks: bool = True,
        lidar: bool | str = False,
        keypoints: KeypointSource | None = None,
        transforms: Transform | None = None,
    ) -> None:
        self.dataset = source if isinstance(source, Dataset) else open_dataset(source)
        self.options = DetectionOptions(
            min_visibility=min_visibility,
            classes=None if classes is None else tuple(classes),
            box=box,
            masks=masks,
        )
        self.classes: tuple[SemanticClass, ...] = class_table(self.dataset)
        check_classes(self.options.classes, self.classes)
        self.class_ids = {c.name: c.id for c in self.classes}
        self.items: tuple[ItemKey, ...] = index_items(self.dataset, cameras)
        self.lidar = resolve_lidar(self.dataset, lidar)
        self.keypoints = keypoints
        self.transforms = transforms

    @property
    def num_classes(self) -> int:
        """Classes a torchvision model needs: the largest id of the table, plus one."""
        return max(c.id for c in self.classes) + 1

    def __len__(self) -> int:
        return len(self.items)

    def key(self, index: int) -> ItemKey:
        """Which (variant, frame, camera) item ``index`` is, e.g. to name a prediction."""
        return self.items[index]

    def target(self, index: int) -> DetectionTarget:
        """Item ``index``'s targets as NumPy arrays, without reading its image."""
        key = self.items[index]
        frame = key.variant.frame(key.frame)
        return detection_target(frame, key.camera, self.options, self.class_ids, self.keypoints)

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} items")
        index %= len(self)
        key = self.items[index]
        frame = key.variant.frame(key.frame)
        rgb = torch.from_numpy(frame.rgb(key.camera))
        image = rgb.permute(2, 0, 1).contiguous().to(torch.float32).div_(255.0)
        target = _tensors(self.target(index), index)
        if self.transforms is not None:
            image, target = self.transforms(image, target)
        if self.lidar is None:
            return image, target
        return image, target, torch.from_numpy(lidar_array(frame, self.lidar))


def _tensors(target: DetectionTarget, index: int) -> Target:
    out = {
        "boxes": torch.from_numpy(target.boxes),
        "labels": torch.from_numpy(target.labels),
        "image_id": torch.tensor(index, dtype=torch.int64),
        "area": torch.from_numpy(target.area),
        "iscrowd": torch.zeros(len(target.labels), dtype=torch.int64),
        "object_ids": torch.from_numpy(target.object_ids),
    }
    if target.masks is not None:
        out["masks"] = torch.from_numpy(target.masks)
    if target.keypoints is not None:
        out["keypoints"] = torch.from_numpy(target.keypoints)
    return out


def collate_detection(batch: Sequence[tuple[Any, ...]]) -> tuple[tuple[Any, ...], ...]:
    """``DataLoader(collate_fn=...)`` for detection: a tuple of images, a tuple of targets
    (and a tuple of point clouds), since sizes differ between items."""
    return tuple(zip(*batch, strict=True))
