"""Label statistics, and how far they are from a reference dataset's (real KITTI, or any
KITTI-format export): the check that makes synthetic data trustworthy.

Both sides become the same records: one per labelled object per image, in KITTI's terms (type,
distance from the camera, box height/width/length, occlusion level, truncation). Distributions
are compared per class with the 1-D Wasserstein distance (in the value's own unit) and the
two-sample Kolmogorov-Smirnov statistic (0 = the same distribution, 1 = disjoint); class balance
with the total variation distance between the class shares.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import ks_2samp, wasserstein_distance

from simgen.dataset.reader import DatasetError, open_dataset
from simgen.labels.policy import camera_view, kitti_type

FIELDS = ("distance", "height", "width", "length", "occlusion", "truncation")


@dataclass(frozen=True)
class ObjectRecord:
    type: str
    distance: float  # m, camera centre to the box's bottom centre
    height: float
    width: float
    length: float
    occlusion: int
    truncation: float


@dataclass(frozen=True)
class Comparison:
    field: str
    wasserstein: float
    ks: float
    ours: int  # sample sizes
    theirs: int


def records_from_native(root: Path) -> list[ObjectRecord]:
    """Every object a camera sees, from a native dataset's labels (the export's ground truth)."""
    out = []
    for variant in open_dataset(root):
        cameras = variant.cameras("rgb", "instance")
        if not cameras:
            continue
        camera = cameras[0]
        for frame in variant.frames():
            for obj in frame.labels.objects:
                view, name = camera_view(obj, camera), kitti_type(obj)
                if view is None or name is None:
                    continue
                box = obj.boxes.sensors[camera]
                length, width, height = box.size
                out.append(
                    ObjectRecord(
                        name,
                        float(np.linalg.norm(box.bottom_center())),
                        height,
                        width,
                        length,
                        view.kitti_occlusion,
                        view.truncation,
                    )
                )
    return out


def records_from_kitti(folder: Path) -> list[ObjectRecord]:
    """Objects of a KITTI ``label_2`` folder (or a KITTI export's root); DontCare is skipped."""
    labels = folder
    if not any(folder.glob("*.txt")):
        labels = folder / "training" / "label_2"
    files = sorted(labels.glob("*.txt"))
    if not files:
        raise DatasetError(f"{folder}: no KITTI label files (*.txt) in it or in training/label_2")
    out = []
    for path in files:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            fields = line.split()
            if not fields or fields[0] == "DontCare":
                continue
            if len(fields) < 15:
                raise DatasetError(f"{path}:{number}: expected 15 KITTI fields, got {len(fields)}")
            h, w, length, x, y, z = map(float, fields[8:14])
            out.append(
                ObjectRecord(
                    fields[0],
                    math.sqrt(x * x + y * y + z * z),
                    h,
                    w,
                    length,
                    int(float(fields[2])),
                    float(fields[1]),
                )
            )
    return out


def load_records(path: Path) -> list[ObjectRecord]:
    """A native dataset or a KITTI-format folder, whichever ``path`` is."""
    if any(path.rglob("manifest.json")):
        return records_from_native(path)
    return records_from_kitti(path)


def class_balance(records: list[ObjectRecord]) -> dict[str, float]:
    counts = Counter(r.type for r in records)
    total = sum(counts.values())
    return {name: counts[name] / total for name in sorted(counts)} if total else {}


def total_variation(a: dict[str, float], b: dict[str, float]) -> float:
    return 0.5 * sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in set(a) | set(b))


def describe(records: list[ObjectRecord]) -> dict:
    """Per class: count and the median and 10-90 % range of each field."""
    out: dict[str, dict] = {}
    for name in sorted({r.type for r in records}):
        rows = [r for r in records if r.type == name]
        out[name] = {"count": len(rows)}
        for field in FIELDS:
            values = np.array([getattr(r, field) for r in rows], float)
            out[name][field] = {
                "median": float(np.median(values)),
                "p10": float(np.percentile(values, 10)),
                "p90": float(np.percentile(values, 90)),
            }
    return out


def compare(ours: list[ObjectRecord], theirs: list[ObjectRecord]) -> dict:
    """Per class present on both sides, the distance of every field's distribution."""
    result: dict = {
        "class_balance": {"ours": class_balance(ours), "reference": class_balance(theirs)},
        "class_balance_tv": total_variation(class_balance(ours), class_balance(theirs)),
        "classes": {},
    }
    for name in sorted({r.type for r in ours} & {r.type for r in theirs}):
        a = [r for r in ours if r.type == name]
        b = [r for r in theirs if r.type == name]
        fields = {}
        for field in FIELDS:
            x = np.array([getattr(r, field) for r in a], float)
            y = np.array([getattr(r, field) for r in b], float)
            fields[field] = Comparison(
                field,
                float(wasserstein_distance(x, y)),
                float(ks_2samp(x, y).statistic),
                len(x),
                len(y),
            ).__dict__
        result["classes"][name] = fields
    return result


def table(data: dict, name: str, reference: Path | None) -> object:
    """A rich table of ``describe`` (no reference) or ``compare`` output."""
    from rich.table import Table

    if reference is None:
        out = Table(title=f"{name}: objects per class")
        for column in ("class", "count", "distance m (p10-p90)", "height m", "occl.", "trunc."):
            out.add_column(column)
        for cls, row in data["classes"].items():
            d = row["distance"]
            out.add_row(
                cls,
                str(row["count"]),
                f"{d['median']:.1f} ({d['p10']:.1f}-{d['p90']:.1f})",
                f"{row['height']['median']:.2f}",
                f"{row['occlusion']['median']:.0f}",
                f"{row['truncation']['median']:.2f}",
            )
        return out
    out = Table(
        title=f"{name} against {reference}: Wasserstein (KS); "
        f"class balance TV {data['class_balance_tv']:.3f}"
    )
    out.add_column("class")
    for field in FIELDS:
        out.add_column(field)
    for cls, fields in data["classes"].items():
        out.add_row(cls, *(f"{f['wasserstein']:.2f} ({f['ks']:.2f})" for f in fields.values()))
    return out
