"""PyTorch access to rendered datasets (the optional extra: ``pip install simgen[torch]``).

    from simgen.torch import DetectionDataset, collate_detection
    data = DetectionDataset("out/ds", min_visibility=0.3, classes=["car", "person"])
    loader = DataLoader(data, batch_size=4, shuffle=True, collate_fn=collate_detection)
    model = fasterrcnn_mobilenet_v3_large_320_fpn(num_classes=data.num_classes, ...)

Importing this package does not import torch: ``DetectionDataset`` and ``collate_detection``
load it on first use and fail then, naming the extra, when it is missing. The NumPy side
(``detection_target``, ``DetectionOptions``, ``KeypointSource``, ``LabelKeypoints``) needs no
torch at all; ``DetectionDataset(path, classes=["person", "rider"], keypoints=LabelKeypoints())``
gives torchvision's keypoint R-CNN its ``keypoints`` targets.
``tools/train_detector.py`` is a complete training loop.

To render and train in one process, import torchvision before the first render: it loads
triton, whose bundled LLVM crashes (SIGSEGV) when it loads after the LLVM of Mesa's software
OpenGL that rendering loads; loaded first, both work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simgen.torch.targets import (
    LIDAR_FIELDS,
    DetectionOptions,
    DetectionTarget,
    ItemKey,
    KeypointSource,
    LabelKeypoints,
    detection_target,
    index_items,
    lidar_array,
)

if TYPE_CHECKING:
    from simgen.torch.dataset import DetectionDataset, collate_detection

_NEEDS_TORCH = ("DetectionDataset", "collate_detection")

__all__ = [
    "LIDAR_FIELDS",
    "DetectionDataset",
    "DetectionOptions",
    "DetectionTarget",
    "ItemKey",
    "KeypointSource",
    "LabelKeypoints",
    "collate_detection",
    "detection_target",
    "index_items",
    "lidar_array",
]


def __getattr__(name: str) -> Any:
    if name in _NEEDS_TORCH:
        from simgen.torch import dataset

        return getattr(dataset, name)
    raise AttributeError(f"module 'simgen.torch' has no attribute '{name}'")
