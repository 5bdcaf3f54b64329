"""How far synthetic frames are from real photographs: a detector trained on real data (the
user's own, usually ``--model onnx``) and its recall on clearly visible objects per class,
distance and light, and image statistics of the frames beside a folder of real photos.

The selection is the realism issue's: an object counts when its visible box is at least 40 px
tall, at least 0.7 of it is visible and at most 0.3 is cut off by the image border; a detection
counts when it scores at least 0.3 and overlaps it by IoU 0.5 or more. Per class, the detection
must carry the object's type (a car found as a bus is missed); the ``vehicle`` row accepts any
vehicle type. A false positive is a detection that overlaps no labelled object at IoU 0.5.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from simgen.core.atomic import write_text_atomic
from simgen.core.classes import BY_NAME
from simgen.dataset.reader import Dataset, Frame, Variant, open_dataset
from simgen.eval.caltech import iou_2d
from simgen.eval.errors import EvalError
from simgen.eval.evaluate import DISTANCE_BUCKETS, ground_distance, light
from simgen.eval.iou import Box
from simgen.eval.models import Model, load_model
from simgen.eval.protocol import Detection2D, FrameInput
from simgen.inspect.image_stats import (
    STAT_NAMES,
    ImageStats,
    StatsSummary,
    folder_images,
    image_stats,
    summarize,
)
from simgen.labels.policy import box_height, camera_view

VEHICLES = ("car", "truck", "bus")  # semantic classes the ``vehicle`` row gathers


@dataclass(frozen=True)
class Selection:
    """Which objects and detections count."""

    min_height_px: float = 40.0  # of the visible box
    min_visibility: float = 0.7
    max_truncation: float = 0.3
    min_score: float = 0.3
    iou: float = 0.5


@dataclass(frozen=True)
class RecallRow:
    group: str  # a semantic class, or "vehicle"
    where: str  # "all", "distance=0-20m", "light=night", ...
    found: int
    total: int

    @property
    def recall(self) -> float:
        return self.found / self.total if self.total else float("nan")


@dataclass(frozen=True)
class DetectorRecall:
    model: str
    rows: tuple[RecallRow, ...]
    images: int
    false_positives: int
    # per detected type: what the false positives were taken for (a pole for a Pedestrian ...)
    false_positive_types: dict[str, int] = field(default_factory=dict)

    @property
    def false_positives_per_image(self) -> float:
        return self.false_positives / self.images if self.images else 0.0


@dataclass(frozen=True)
class RealismReport:
    dataset: str
    synthetic: StatsSummary | None  # over the frames of the dataset's first camera
    reference: StatsSummary | None  # over the --reference photos
    detector: DetectorRecall | None = None
    per_light: dict[str, StatsSummary] = field(default_factory=dict)  # synthetic, per light

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "dataset": self.dataset,
            "statistics": {
                "synthetic": _summary(self.synthetic),
                "reference": _summary(self.reference),
                "synthetic_by_light": {k: _summary(v) for k, v in sorted(self.per_light.items())},
            },
        }
        if self.detector is not None:
            d = self.detector
            data["detector"] = {
                "model": d.model,
                "images": d.images,
                "false_positives": d.false_positives,
                "false_positives_per_image": round(d.false_positives_per_image, 6),
                "false_positive_types": dict(sorted(d.false_positive_types.items())),
                "recall": [
                    {**asdict(r), "recall": None if r.total == 0 else round(r.recall, 6)}
                    for r in d.rows
                ],
            }
        return json.dumps(data, indent=1, sort_keys=True) + "\n"


def _summary(summary: StatsSummary | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    rounded = {k: {n: round(v, 6) for n, v in d.items()} for k, d in asdict(summary).items()
               if isinstance(d, dict)}  # fmt: skip
    return {"images": summary.images, **rounded}


def light_of(variant: Variant) -> str:
    """day, night (the sun below the horizon) or low_light (the low-light injector applied)."""
    if any(i.type == "low_light" for i in variant.instance.applied):
        return "low_light"
    return light(variant)


def _distance_bin(box: Box) -> str:
    distance = ground_distance(box)
    for lo, hi in DISTANCE_BUCKETS:
        if lo <= distance < hi:
            return f"distance={lo:.0f}-{hi:.0f}m"
    return f"distance={DISTANCE_BUCKETS[-1][1]:.0f}m+"


def _continuous(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A labels-convention box (corners at pixel centres) as a continuous one."""
    return box[0], box[1], box[2] + 1.0, box[3] + 1.0


@dataclass(frozen=True)
class Truth:
    """A labelled object in one frame: its class and KITTI type, its visible box (continuous
    pixels), whether the selection counts it, and the rows it counts in."""

    cls: str
    type: str
    box: tuple[float, float, float, float]
    counts: bool
    where: tuple[str, ...]


@dataclass(frozen=True)
class FrameMatch:
    """One frame's objects, the detections that score enough, and which objects each group
    (a class, or ``vehicle``) found."""

    truths: tuple[Truth, ...]
    detections: tuple[Detection2D, ...]
    found: dict[str, tuple[bool, ...]]  # group -> per truth of the group, in ``members`` order

    def members(self, group: str) -> list[Truth]:
        return _members(self.truths, group)

    def false_positives(self, iou: float) -> list[Detection2D]:
        """Detections that overlap no labelled object by ``iou``."""
        boxes = [t.box for t in self.truths]
        return [
            d for d in self.detections if all(iou_2d(_continuous(d.box), b) < iou for b in boxes)
        ]


def _members(truths: tuple[Truth, ...], group: str) -> list[Truth]:
    """The truths a group holds: a class's objects, or every vehicle's."""
    return [t for t in truths if (t.cls in VEHICLES if group == "vehicle" else t.cls == group)]


def _greedy_found(truths: list[Truth], dets: list[Detection2D], iou: float) -> list[bool]:
    """Which truths a detection finds: best detection first, each to its best free truth."""
    found = [False] * len(truths)
    for det in sorted(dets, key=lambda d: -d.score):
        box = _continuous(det.box)
        best, best_iou = -1, iou
        for i, t in enumerate(truths):
            overlap = iou_2d(box, t.box)
            if not found[i] and overlap >= best_iou:
                best, best_iou = i, overlap
        if best >= 0:
            found[best] = True
    return found


def match_frame(
    frame: Frame,
    variant: Variant,
    camera: str,
    model: Model,
    selection: Selection = Selection(),
) -> FrameMatch:
    """``model``'s detections on ``camera``'s image of ``frame`` matched to its objects, per
    class (the detection must carry the object's type) and for ``vehicle`` (any vehicle type)."""
    truths = []
    lit = f"light={light_of(variant)}"
    for obj in frame.labels.objects:
        kind = BY_NAME[obj.semantic_class].kitti
        view = camera_view(obj, camera)
        if kind is None or view is None or view.visible_box is None:
            continue
        counts = (
            box_height(view.visible_box) >= selection.min_height_px
            and view.visibility >= selection.min_visibility
            and view.truncation <= selection.max_truncation
        )
        b = obj.boxes.ego
        where = ("all", _distance_bin(Box(b.center, b.size, b.yaw)), lit)
        box = _continuous(tuple(float(v) for v in view.visible_box))  # type: ignore[arg-type]
        truths.append(Truth(obj.semantic_class, kind, box, counts, where))
    predictions = model(FrameInput(frame, variant.calibration, camera))
    dets = tuple(d for d in predictions.boxes_2d if d.score >= selection.min_score)
    groups = {t.cls: {t.type} for t in truths}
    groups["vehicle"] = {BY_NAME[c].kitti for c in VEHICLES}  # type: ignore[assignment]
    found = {
        group: tuple(_greedy_found(_members(tuple(truths), group),
                                   [d for d in dets if d.type in types], selection.iou))
        for group, types in groups.items()
    }  # fmt: skip
    return FrameMatch(tuple(truths), dets, found)


def detector_recall(
    dataset: Dataset,
    model: Model,
    name: str,
    selection: Selection = Selection(),
    on_frame: Callable[[Variant, Frame, str, FrameMatch], None] | None = None,
) -> DetectorRecall:
    """Recall of ``model``'s 2D detections on the selected objects of every frame's first
    camera, per class (and ``vehicle``), overall, per distance bin and per light. ``on_frame``
    sees each frame's match (the overlays draw them)."""
    found_by: dict[tuple[str, str], int] = defaultdict(int)
    total_by: dict[tuple[str, str], int] = defaultdict(int)
    images = 0
    false_types: dict[str, int] = defaultdict(int)
    for variant in dataset:
        cameras = variant.cameras("rgb", "instance")
        if not cameras:
            continue
        for frame in variant.frames():
            match = match_frame(frame, variant, cameras[0], model, selection)
            if on_frame is not None:
                on_frame(variant, frame, cameras[0], match)
            images += 1
            for group, hits in match.found.items():
                for t, hit in zip(match.members(group), hits, strict=True):
                    if t.counts:
                        for w in t.where:
                            total_by[group, w] += 1
                            found_by[group, w] += hit
            for det in match.false_positives(selection.iou):
                false_types[det.type] += 1
    rows = tuple(
        RecallRow(group, where, found_by[group, where], total)
        for (group, where), total in sorted(total_by.items())
    )
    return DetectorRecall(name, rows, images, sum(false_types.values()), dict(false_types))


def frame_statistics(dataset: Dataset) -> dict[str, list[ImageStats]]:
    """Statistics of every frame of each variant's first RGB camera, by light."""
    out: dict[str, list[ImageStats]] = defaultdict(list)
    for variant in dataset:
        cameras = variant.cameras("rgb")
        if cameras:
            for frame in variant.frames():
                out[light_of(variant)].append(image_stats(frame.rgb(cameras[0])))
    return dict(out)


def realism_report(
    dataset: str | Path | Dataset,
    model: str | None = None,
    model_args: Mapping[str, Any] | None = None,
    reference: str | Path | None = None,
    selection: Selection = Selection(),
    overlays: str | Path | None = None,
) -> RealismReport:
    """Image statistics of ``dataset``'s frames (beside the photos in ``reference``), and with
    ``model`` (a registered name such as ``onnx``, or ``module:factory``) its recall; with
    ``overlays``, a picture of each frame's matches there (``<variant>/<camera>/<frame>.jpg``)."""
    data = dataset if isinstance(dataset, Dataset) else open_dataset(dataset)
    by_light = frame_statistics(data)
    synthetic = summarize(s for stats in by_light.values() for s in stats)
    per_light = {k: v for k, v in ((k, summarize(s)) for k, s in by_light.items()) if v}
    real = None
    if reference is not None:
        folder = Path(reference)
        if not folder.is_dir():
            raise EvalError(f"--reference {folder}: not a folder of photos")
        real = summarize(image_stats(rgb) for _, rgb in folder_images(folder))
    recall = None
    if model is not None:
        draw = None if overlays is None else _overlay_writer(Path(overlays))
        detector = load_model(model, dict(model_args or {}))
        recall = detector_recall(data, detector, model, selection, draw)
    elif overlays is not None:
        raise EvalError("--overlays needs a --model: they draw its detections")
    return RealismReport(str(data.root), synthetic, real, recall, per_light)


def _overlay_writer(folder: Path) -> Callable[[Variant, Frame, str, FrameMatch], None]:
    from simgen.inspect.detections import write_overlay

    def write(variant: Variant, frame: Frame, camera: str, match: FrameMatch) -> None:
        path = folder / variant.root.name / camera / f"{frame.index:06d}.jpg"
        write_overlay(path, frame.rgb(camera), match)

    return write


def write_realism(report: RealismReport, path: str | Path) -> Path:
    """JSON (``.json``), Markdown (``.md``) or self-contained HTML (anything else)."""
    text = str(path)
    if text.endswith(".json"):
        write_text_atomic(path, report.to_json())
    else:
        write_text_atomic(path, render_tables(report, markdown=text.endswith(".md")))
    return Path(path)


def statistics_rows(report: RealismReport) -> dict[str, dict[str, float]]:
    """Set name -> {statistic: mean}: the synthetic frames (all and per light) and the photos."""
    rows: dict[str, dict[str, float]] = {}
    named = [("synthetic", report.synthetic), ("reference", report.reference)]
    named += [(f"synthetic, {k}", v) for k, v in sorted(report.per_light.items())]
    for name, summary in named:
        if summary is not None:
            rows[f"{name} ({summary.images} images)"] = {
                n: getattr(summary.mean, n) for n in STAT_NAMES
            }
    return rows


def recall_rows(recall: DetectorRecall) -> dict[str, dict[str, float]]:
    """Group -> {where: recall} for the tables."""
    rows: dict[str, dict[str, float]] = defaultdict(dict)
    for r in recall.rows:
        rows[r.group][r.where] = r.recall
        rows[r.group][f"{r.where} n"] = float(r.total)
    return dict(rows)


def render_tables(report: RealismReport, markdown: bool) -> str:
    import html

    from simgen.eval.report import page_head, table

    title = f"simgen realism: {report.dataset}"
    parts = [f"# {title}\n\n" if markdown else page_head(title)]

    def section(name: str, body: str) -> None:
        parts.append(f"## {name}\n\n{body}" if markdown else f"<h2>{html.escape(name)}</h2>{body}")

    section("Image statistics (means)", table(statistics_rows(report), list(STAT_NAMES), markdown))
    if report.detector is not None:
        d = report.detector
        rows = recall_rows(d)
        wheres = sorted({r.where for r in d.rows}, key=lambda w: (w != "all", w))
        columns = [c for w in wheres for c in (w, f"{w} n")]
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(d.false_positive_types.items()))
        note = (f"{d.model}: {d.images} images, {d.false_positives_per_image:.3f} false positives "
                f"per image" + (f" (taken for: {kinds})" if kinds else ""))  # fmt: skip
        section("Detector recall", (f"{note}\n\n" if markdown else f"<p>{html.escape(note)}</p>")
                + table(rows, columns, markdown))  # fmt: skip
    if not markdown:
        parts.append("</body></html>")
    return "".join(parts)
