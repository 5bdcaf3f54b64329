"""The typed benchmark record: one measured run, with the machine and code it ran on.

Records live in ``benchmarks/records/*.json``, one file per run. The documentation's benchmark
and realism tables are generated from them at build time, so a figure is written once, by the
run (``benchmarks/record.py``), and never edited by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

RECORDS = Path(__file__).resolve().parent / "records"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Machine(_Strict):
    """Where a run was measured; fields the source did not state are left unset."""

    cpu: str = Field(description="CPU model as /proc/cpuinfo names it, or as the source states it")
    cores: int = Field(ge=1, description="logical CPUs")
    gpu: str | None = Field(default=None, description="None: no GPU, rendering on the CPU")
    renderer: str | None = Field(default=None, description="the OpenGL driver, e.g. Mesa llvmpipe")
    platform: str | None = None
    python: str | None = None
    packages: dict[str, str] = Field(default_factory=dict, description="distribution -> version")

    def short(self) -> str:
        gpu = self.gpu or self.renderer or "no GPU"
        return f"{self.cpu}, {self.cores} cores, {gpu}"


class FrameBench(_Strict):
    """`simgen bench --json`: the cost of one labelled frame of the bench scene, in ms."""

    frames: int | None = Field(default=None, description="frames the medians are taken over")
    stages_ms: dict[str, float] = Field(default_factory=dict, description="median per stage")
    frame_ms: float | None = Field(default=None, description="stages in sequence")
    pipelined_frame_ms: float | None = Field(default=None, description="wall time per frame")
    outputs: list[str] = Field(
        default_factory=list, description="opt-in camera outputs added (--outputs)"
    )
    lidar_scene_flow: bool = Field(default=False, description="--lidar-scene-flow")
    scenario: str = Field(default="bench_highway", description="the scene timed (--scenario)")
    series: str | None = Field(
        default=None,
        description="runs alternated together to cost the opt-in outputs against plain runs "
        "(their own table; the frame table leaves them out)",
    )
    frames_per_s: float | None = None
    cpu_ms_per_frame: float | None = Field(
        default=None, description="the process's CPU time per frame, every thread included"
    )
    busy_cores: float | None = Field(default=None, description="CPU time over wall time")
    raw_open3d_ms: float | None = None
    lidar_alone_ms: float | None = None
    lidar_vs_raw: float | None = None
    naive_ms: dict[str, float] = Field(default_factory=dict)
    naive_frames: int | None = None
    speedup_vs_naive: float | None = None
    peak_rss_mb: float | None = None
    rays: int | None = None
    machine: str | None = Field(default=None, description="the bench's own one-line machine")


class BatchRun(_Strict):
    executor: str
    workers: int = Field(ge=1)
    frames_per_second: float = Field(gt=0)
    cpu_percent: float | None = Field(
        default=None, description="CPU time of the batch and its workers over wall time"
    )
    frames: int | None = None
    seconds: float | None = None
    note: str | None = None
    requested: str | None = Field(default=None, description="the setting asked: a count or auto")
    reason: str | None = Field(default=None, description="auto: what it chose and why")
    busy_cores: float | None = Field(default=None, description="cpu_percent / 100")
    cpu_ms_per_frame: float | None = Field(default=None, description="CPU time per frame")
    frames_per_busy_core: float | None = Field(
        default=None, description="frames/s over the busy cores"
    )


class BatchBench(_Strict):
    """`simgen bench --batch --json`: frames/s per executor and worker count, and worker memory."""

    shards: int | None = None
    frames_per_shard: int | None = None
    runs: list[BatchRun] = Field(default_factory=list)
    memory: dict[int, float] | None = Field(default=None, description="frame -> worker RSS (MB)")
    machine: str | None = None


class DetectorScore(_Strict):
    detector: str
    recall: float = Field(ge=0, le=1, description="recall at 1 false positive per image")
    recall_at: dict[str, float] = Field(
        default_factory=dict, description="false positives per image -> recall"
    )


class DetectorCheck(_Strict):
    """`tools/people_detector_check.py`: real-trained people detectors on a rendered scene."""

    scene: str
    look: str = Field(description="which appearance was rendered")
    people: int | None = Field(default=None, description="people that count (Caltech rules)")
    images: int | None = None
    scores: list[DetectorScore]


class SignalRow(_Strict):
    lights: int = Field(description="lights that count")
    recall: float = Field(ge=0, le=1, description="found at IoU >= 0.5")
    recall_iou30: float = Field(ge=0, le=1, description="found at IoU >= 0.3")


class SignalCheck(_Strict):
    """`tools/signal_recall.py`: a real-trained detector on the traffic lights of scenes."""

    scenes: list[str]
    detector: str
    images: int
    selection: str = Field(description="which lights count and which detections")
    rows: dict[str, SignalRow] = Field(description="all, per kind of head, per light, per scene")


class RealismCount(_Strict):
    found: int = Field(ge=0)
    total: int = Field(ge=0, description="selected objects of the group")


class RealismScene(_Strict):
    scene: str
    images: int
    false_positives_per_image: float = Field(ge=0)
    recall: dict[str, RealismCount] = Field(description="group (vehicle, car, person...) -> count")


class RealismCheck(_Strict):
    """`simgen realism` on the realism scenes: a real-trained detector's recall on the vehicles
    and people, and its false positives, per scene, for one look of the renderer."""

    detector: str
    look: str = Field(description="which look was rendered (the code measured)")
    selection: str = Field(description="which objects count and which detections")
    scenes: list[RealismScene]


class EdgeCaseScore(_Strict):
    edge_case: str
    clean: float
    edge: float


class EvalSuite(_Strict):
    """`simgen eval` over the edge-case suite and its clean twins."""

    model: str
    metric: str
    scores: list[EdgeCaseScore]
    mrr: float | None = Field(default=None, description="mean relative robustness (edge / clean)")


Kind = Literal["frame", "batch", "detector", "eval", "signals", "realism"]
PAYLOADS = ("frame", "batch", "detector", "eval", "signals", "realism")


class Record(_Strict):
    """One measured run."""

    kind: Kind
    date: dt.date
    commit: str | None = Field(default=None, description="the code measured, where known")
    reported_in: str | None = Field(
        default=None, description="the commit whose README first quoted it (older records)"
    )
    machine: Machine
    command: str
    summary: str = Field(description="what was measured, in one or two sentences")
    frame: FrameBench | None = None
    batch: BatchBench | None = None
    detector: DetectorCheck | None = None
    eval: EvalSuite | None = None
    signals: SignalCheck | None = None
    realism: RealismCheck | None = None

    @model_validator(mode="after")
    def _payload_matches_kind(self) -> Record:
        present = [k for k in PAYLOADS if getattr(self, k)]
        if present != [self.kind]:
            raise ValueError(f"a '{self.kind}' record carries exactly its own payload: {present}")
        return self


def record_order(path: Path) -> tuple[str, int]:
    """Where a record file sorts: by its name, and a minute's later records (``-2``, ``-3``,
    ... as ``record.write_record`` names them) after its first, which a plain sort puts last
    (``-`` sorts before ``.``)."""
    base, _, number = path.stem.rpartition("-")
    if base and number.isdigit():
        return base, int(number)
    return path.stem, 1


def load_records(folder: Path = RECORDS, kind: Kind | None = None) -> list[Record]:
    """Every record in ``folder``, oldest first: files are named ``YYYY-MM-DD-HHMM-<kind>.json``,
    then ``-2.json``, ``-3.json`` within the minute (``record_order``)."""
    records = []
    for path in sorted(folder.glob("*.json"), key=record_order):
        try:
            record = Record.model_validate_json(path.read_text())
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
        if kind is None or record.kind == kind:
            records.append(record)
    return records
