"""Train a small torchvision detector on a rendered simgen dataset: simgen.torch in use.

    pip install 'simgen[torch]'
    simgen render scenarios/default.yaml --out out/demo
    python tools/train_detector.py out/demo --steps 200 --min-visibility 0.3 --out detector.pt

The model is torchvision's Faster R-CNN with a MobileNetV3 backbone, built from scratch (no
downloaded weights), with one class per entry of the dataset's class table.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import DataLoader
from torchvision.models.detection import fasterrcnn_mobilenet_v3_large_320_fpn

from simgen.dataset import DatasetError
from simgen.torch import DetectionDataset, collate_detection


def build_model(num_classes: int, **options: Any) -> torch.nn.Module:
    """A small detector with no downloaded weights: it trains anywhere, offline. ``options``
    go to torchvision's ``FasterRCNN`` (e.g. ``min_size``: images are resized to 320 pixels
    high by default)."""
    model: torch.nn.Module = fasterrcnn_mobilenet_v3_large_320_fpn(
        weights=None, weights_backbone=None, num_classes=num_classes, **options
    )
    return model


def train(
    model: torch.nn.Module,
    data: DetectionDataset,
    steps: int,
    batch_size: int = 2,
    lr: float = 0.01,
    device: str = "cpu",
    seed: int = 0,
) -> list[float]:
    """``steps`` SGD steps over shuffled batches; the summed detection loss of each step."""
    if steps < 1 or len(data) == 0:
        raise ValueError(f"nothing to train: {steps} steps over {len(data)} images")
    torch.manual_seed(seed)
    loader = DataLoader(
        data,
        batch_size=batch_size,
        shuffle=True,
        collate_fn=collate_detection,
        generator=torch.Generator().manual_seed(seed),
    )
    model.to(device).train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=1e-4)
    losses: list[float] = []
    while len(losses) < steps:
        for images, targets in loader:
            images = [image.to(device) for image in images]
            targets = [{k: v.to(device) for k, v in t.items()} for t in targets]
            loss = sum(model(images, targets).values())
            if not math.isfinite(loss.item()):
                raise FloatingPointError(f"step {len(losses)}: the loss is {loss.item()}")
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if len(losses) == steps:
                break
    return losses


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path, help="a native dataset folder (simgen render --out)")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--camera", action="append", help="only this camera (repeatable)")
    parser.add_argument("--class", dest="classes", action="append", help="only this class")
    parser.add_argument("--min-visibility", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="save the trained weights (state_dict) here")
    args = parser.parse_args(argv)
    try:
        data = DetectionDataset(
            args.dataset,
            cameras=args.camera,
            classes=args.classes,
            min_visibility=args.min_visibility,
        )
    except (DatasetError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    torch.manual_seed(args.seed)
    model = build_model(data.num_classes)
    try:
        losses = train(model, data, args.steps, args.batch_size, args.lr, args.device, args.seed)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    shown = sorted({*range(0, len(losses), max(1, len(losses) // 10)), len(losses) - 1})
    for step in shown:
        print(f"step {step:5d}  loss {losses[step]:.4f}")
    print(f"trained on {len(data)} images of {args.dataset}")
    if args.out:
        torch.save(model.state_dict(), args.out)
        print(f"weights: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
