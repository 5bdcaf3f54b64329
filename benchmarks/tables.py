"""Markdown tables generated from the benchmark records, for the documentation site.

Each function takes typed records (``benchmarks.model``) and returns Markdown; a value a record
does not hold is shown as a dash, and a row no record holds is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from benchmarks.model import BatchRun, RealismCount, Record

STAGES = {  # `simgen bench` stage key -> what the docs call it
    "physics": "physics (240 Hz steps)",
    "camera rgb": "camera RGB pass",
    "camera labels+depth": "camera label + depth pass",
    "lidar": "lidar (rolling-shutter slices)",
    "labels": "labels (boxes, visibility, points)",
    "develop RGB (thread)": "RGB development, own thread (thread-ms)",
    "encode+write (worker threads)": "encode + write, worker thread (thread-ms)",
    "encode+write (queue)": "encode + write, queueing on the render thread",
    "python gc (mean)": "Python's cyclic garbage collector (mean)",
}


def _num(value: float | None, digits: int = 1, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{suffix}"


def _code(record: Record) -> str:
    if record.commit:
        return f"`{record.commit}`"
    return f"reported in `{record.reported_in}`" if record.reported_in else "commit unknown"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _sources(records: Sequence[Record]) -> str:
    """The numbered list that says what each column or row of a table is."""
    return "\n".join(
        f"{i}. {r.date}, {_code(r)}, {r.machine.short()}: {r.summary} (`{r.command}`)"
        for i, r in enumerate(records, 1)
    )


def frame_table(records: Sequence[Record]) -> str:
    """Stage-by-stage cost of a labelled frame (ms), one column per record."""
    frames = [r.frame for r in records if r.frame is not None]
    assert len(frames) == len(records), "frame_table takes frame records only"
    keys = list(dict.fromkeys(k for f in frames for k in f.stages_ms))
    stage_rows: list[tuple[str, Callable]] = [
        (STAGES.get(k, k), lambda f, k=k: f.stages_ms.get(k)) for k in keys
    ]

    def ratio(f):
        if f.lidar_vs_raw is not None:
            return f.lidar_vs_raw
        if f.lidar_alone_ms and f.raw_open3d_ms:
            return f.lidar_alone_ms / f.raw_open3d_ms
        return None

    rows: list[tuple[str, Callable, int, str]] = [(n, g, 1, "") for n, g in stage_rows]
    rows += [
        ("**labelled frame, wall time**", lambda f: f.pipelined_frame_ms, 1, ""),
        ("**CPU per labelled frame (CPU-ms, all threads)**", lambda f: f.cpu_ms_per_frame, 0, ""),
        ("cores kept busy (CPU time / wall time)", lambda f: f.busy_cores, 2, ""),
        ("labelled frame, stages in sequence", lambda f: f.frame_ms, 1, ""),
        ("frames/s", lambda f: f.frames_per_s, 2, ""),
        ("lidar timed alone", lambda f: f.lidar_alone_ms, 1, ""),
        ("raw Open3D cast of the same rays", lambda f: f.raw_open3d_ms, 1, ""),
        ("lidar / raw cast", ratio, 1, "x"),
        ("naive PyBullet camera", lambda f: f.naive_ms.get("camera"), 1, ""),
        ("naive PyBullet lidar", lambda f: f.naive_ms.get("lidar"), 1, ""),
        ("naive PyBullet frame", lambda f: f.naive_ms.get("frame"), 1, ""),
        ("peak RSS (MB)", lambda f: f.peak_rss_mb, 0, ""),
    ]
    body = [["scene", *(f.scenario for f in frames)]]
    for name, get, digits, suffix in rows:
        values = [get(f) for f in frames]
        if any(v is not None for v in values):
            body.append([name, *(_num(v, digits, suffix) for v in values)])
    header = ["ms per frame", *(f"[{i}]" for i in range(1, len(records) + 1))]
    return _table(header, body) + "\n" + _sources(records) + "\n"


def outputs_table(records: Sequence[Record]) -> str:
    """What each opt-in output adds to a labelled frame: per series of alternated runs (and per
    commit, where a series measured several), the median CPU per frame with the output on
    against the same commit's plain runs in the series."""
    by_series: dict[str, list[Record]] = {}
    commits: dict[str, set[str | None]] = {}
    for record in records:
        if record.frame is not None and record.frame.series:
            commits.setdefault(record.frame.series, set()).add(record.commit)
    for record in records:
        if record.frame is not None and record.frame.series:
            series = record.frame.series
            if len(commits[series]) > 1:
                series = f"{series} ({record.commit or 'unknown'})"
            by_series.setdefault(series, []).append(record)
    body = []
    for series, runs in by_series.items():
        groups: dict[str, list[float]] = {}
        for run in runs:
            f = run.frame
            assert f is not None
            added = [*f.outputs, *(["lidar scene_flow"] if f.lidar_scene_flow else [])]
            if f.cpu_ms_per_frame is not None:
                groups.setdefault(" + ".join(added) or "nothing", []).append(f.cpu_ms_per_frame)
        plain = groups.get("nothing")
        if not plain or len(groups) < 2:  # a series of plain runs only (commits compared)
            continue
        base = _median(plain)
        for added, cpu in groups.items():
            share = "" if added == "nothing" else f"{100 * (_median(cpu) / base - 1):+.0f} %"
            runs_ms = ", ".join(f"{c:.0f}" for c in cpu)
            body.append([series, f"`{added}`", f"{_median(cpu):.0f} ({runs_ms})", share])
    header = ["series", "added", "CPU-ms per frame, median (runs)", "vs plain"]
    return _table(header, body)


def _setting(run: BatchRun) -> str:
    """The worker setting a run was asked for: ``auto (1)`` or the count."""
    if run.requested == "auto":
        return f"auto ({run.workers})"
    return str(run.workers)


def _cpu_ms(run: BatchRun) -> float | None:
    """CPU-ms per frame: recorded, or from the CPU use and frames/s the run recorded."""
    if run.cpu_ms_per_frame is not None or run.cpu_percent is None:
        return run.cpu_ms_per_frame
    return 10 * run.cpu_percent / run.frames_per_second


def _per_busy_core(run: BatchRun) -> float | None:
    """Frames/s per busy core: recorded, or frames/s over the CPU use the run recorded."""
    if run.frames_per_busy_core is not None or not run.cpu_percent:
        return run.frames_per_busy_core
    return run.frames_per_second / (run.cpu_percent / 100)


def _median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def _medians(runs: Sequence[BatchRun]) -> str:
    """Repeated settings: each one's median frames/s, against one worker's (or the first
    setting's, where no run had one worker)."""
    by: dict[tuple[str, str], list[BatchRun]] = {}
    for run in runs:
        by.setdefault((run.executor, run.requested or str(run.workers)), []).append(run)
    if all(len(group) < 2 for group in by.values()):
        return ""
    fps = {key: _median([r.frames_per_second for r in group]) for key, group in by.items()}
    first = next(iter(by))
    base_key = next((k for k in by if k[1] == "1"), first)
    parts = []
    for key, group in by.items():
        cpu = [r.cpu_percent for r in group if r.cpu_percent is not None]
        text = f"{key[0]} {_setting(group[0])}: {fps[key]:.2f} frames/s "
        text += f"({fps[key] / fps[base_key]:.2f}x"
        text += f", CPU {_median(cpu):.0f} %)" if cpu else ")"
        parts.append(text)
    rounds = max(len(group) for group in by.values())
    against = f"{base_key[0]} {_setting(by[base_key][0])}"
    lead = f"\nMedians over {rounds} alternating rounds, against {against}: "
    return lead + "; ".join(parts) + ".\n"


def batch_table(record: Record) -> str:
    """One `simgen bench --batch` run: frames/s per executor and worker count."""
    batch = record.batch
    assert batch is not None, "batch_table takes a batch record"
    body = []
    base = batch.runs[0].frames_per_second if batch.runs else None
    for run in batch.runs:
        body.append(
            [
                run.executor,
                _setting(run),
                f"{run.frames_per_second:.2f}",
                f"{run.frames_per_second / base:.2f}x" if base else "-",
                _num(run.cpu_percent, 0, " %"),
                _num(_cpu_ms(run), 0),
                _num(_per_busy_core(run), 2),
                run.note or "",
            ]
        )
    shape = f"{batch.shards or '?'} shards x {batch.frames_per_shard or '?'} frames"
    text = f"**{record.date}, {_code(record)}, {record.machine.short()}, {shape}.** "
    text += f"{record.summary} (`{record.command}`)\n\n"
    if body:
        header = ["executor", "workers", "frames/s", "vs first", "CPU", "CPU-ms per frame",
                  "frames/s per busy core", "note"]  # fmt: skip
        text += _table(header, body)
    text += _medians(batch.runs)
    reasons = list(dict.fromkeys(r.reason for r in batch.runs if r.reason))
    if reasons:
        text += "\n`--workers auto` chose " + "; ".join(f'"{r}"' for r in reasons) + ".\n"
    if batch.memory:
        marks = ", ".join(f"{mb:.0f} MB at frame {f}" for f, mb in sorted(batch.memory.items()))
        text += f"\nOne worker's resident memory over a long shard: {marks}.\n"
    return text


def detector_table(records: Sequence[Record]) -> str:
    """Recall at 1 false positive per image of each real-trained detector, one row per check."""
    checks = [r.detector for r in records if r.detector is not None]
    assert len(checks) == len(records), "detector_table takes detector records only"
    detectors = list(dict.fromkeys(s.detector for c in checks for s in c.scores))
    body = []
    for i, check in enumerate(checks, 1):
        by_name = {s.detector: s for s in check.scores}
        cells = []
        for name in detectors:
            score = by_name.get(name)
            cells.append("-" if score is None else f"{100 * score.recall:.1f} %")
        people = "-" if check.people is None else str(check.people)
        body.append([f"[{i}]", f"`{check.scene}`", check.look, people, *cells])
    header = ["", "scene", "look", "people", *(f"{d}, recall at 1 FPPI" for d in detectors)]
    return _table(header, body) + "\n" + _sources(records) + "\n"


def fppi_table(records: Sequence[Record]) -> str:
    """Recall at several false-positive rates, for the checks that recorded them."""
    rows = []
    for record in records:
        check = record.detector
        if check is None:
            continue
        for score in check.scores:
            if score.recall_at:
                points = sorted(score.recall_at.items(), key=lambda kv: float(kv[0]))
                at = ", ".join(f"{100 * v:.0f} % at {k}" for k, v in points)
                rows.append([f"`{check.scene}`", check.look, score.detector, at])
    return _table(["scene", "look", "detector", "recall by FPPI"], rows) if rows else ""


def signals_table(records: Sequence[Record]) -> str:
    """Recall of real-trained detectors on traffic lights, one row per slice of each check."""
    body = []
    for i, record in enumerate(records, 1):
        check = record.signals
        assert check is not None, "signals_table takes signals records only"
        for key, row in check.rows.items():
            body.append(
                [f"{_code(record)} [{i}]", check.detector, ", ".join(check.scenes), key,
                 str(row.lights), _num(row.recall, 2), _num(row.recall_iou30, 2)]
            )  # fmt: skip
    header = ["commit", "detector", "scenes", "lights", "counted", "recall (IoU 0.5)",
              "recall (IoU 0.3)"]  # fmt: skip
    selection = "; ".join(dict.fromkeys(r.signals.selection for r in records if r.signals))
    return _table(header, body) + f"\nCounted: {selection}.\n\n" + _sources(records) + "\n"


def eval_table(record: Record) -> str:
    """A model's metric on each edge case and its clean twin."""
    suite = record.eval
    assert suite is not None, "eval_table takes an eval record"
    body = [[s.edge_case, f"{s.clean:.2f}", f"{s.edge:.2f}"] for s in suite.scores]
    text = f"`{suite.model}`, {suite.metric}; {record.date}, {_code(record)}, "
    text += f"{record.machine.short()}. {record.summary}\n\n"
    text += _table(["edge case", "clean twin", "edge case"], body)
    if suite.mrr is not None:
        text += f"\nMean relative robustness (edge / clean) over the suite: {suite.mrr:.2f}.\n"
    return text


REALISM_GROUPS = ("vehicle", "car", "truck", "bus", "person")


def _recall_cell(count: RealismCount | None) -> str:
    """``found / total`` as a recall and its counts; ``-`` where the scene holds none."""
    if count is None or not count.total:
        return "-"
    return f"{count.found / count.total:.2f} ({count.found}/{count.total})"


def realism_current_table(records: Sequence[Record]) -> str:
    """The look of the newest realism record's commit: every scene measured on that commit,
    with vehicle and person recall (found / selected) and false positives per image. README
    shows it (``tools/gen_docs.py --readme``); ``realism_table`` keeps the history."""
    measured = [r for r in records if r.realism is not None]
    if not measured:
        return "No realism record yet.\n"
    commit = measured[-1].commit
    current = [r for r in measured if r.commit == commit]
    body = []
    for i, record in enumerate(current, 1):
        for scene in record.realism.scenes:  # type: ignore[union-attr]
            cells = [_recall_cell(scene.recall.get(group)) for group in ("vehicle", "person")]
            fp = f"{scene.false_positives_per_image:.2f}"
            body.append([f"`{scene.scene}`", str(scene.images), *cells, fp, f"[{i}]"])
    header = ["scene", "images", "vehicles", "people", "false positives / image", "record"]
    return _table(header, body) + "\n" + _sources(current) + "\n"


def realism_table(records: Sequence[Record]) -> str:
    """A real-trained detector on the realism scenes: recall per group (found / selected) and
    false positives per image, one row per look and scene."""
    body = []
    for i, record in enumerate(records, 1):
        check = record.realism
        assert check is not None, "realism_table takes realism records only"
        for scene in check.scenes:
            cells = [_recall_cell(scene.recall.get(group)) for group in REALISM_GROUPS]
            body.append(
                [f"{check.look} [{i}]", f"`{scene.scene}`", str(scene.images), *cells,
                 f"{scene.false_positives_per_image:.2f}"]
            )  # fmt: skip
    header = ["look", "scene", "images", *REALISM_GROUPS, "false positives / image"]
    selection = "; ".join(dict.fromkeys(r.realism.selection for r in records if r.realism))
    return _table(header, body) + f"\nCounted: {selection}.\n\n" + _sources(records) + "\n"
