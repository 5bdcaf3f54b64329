"""Turn `simgen bench --json out.json` (or `simgen bench --batch --json`) into a benchmark record.

    simgen bench --json out/bench.json
    python benchmarks/record.py out/bench.json --summary "after the shadow-map change"

The record (``benchmarks/records/YYYY-MM-DD-HHMM-<kind>.json``) holds the bench's figures and
the machine they were measured on: platform, CPU model, logical cores, GPU, OpenGL renderer,
Python, the versions of the packages that set the speed, and the git commit. The docs' tables
are generated from these files; commit the new record and rebuild the docs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.model import (  # noqa: E402
    RECORDS,
    BatchBench,
    DetectorCheck,
    FrameBench,
    Machine,
    RealismCheck,
    Record,
    SignalCheck,
)
from simgen.core.cpu import cpu_model  # noqa: E402

# the distributions whose versions move the figures
PACKAGES = (
    "simgen",
    "numpy",
    "pybullet",
    "pyrender",
    "PyOpenGL",
    "trimesh",
    "open3d-cpu",
    "open3d",
    "opencv-contrib-python-headless",
    "numexpr",
    "ray",
)
_GL_PROBE = (
    "import pyrender; r = pyrender.OffscreenRenderer(8, 8); from OpenGL import GL; "
    "print(GL.glGetString(GL.GL_RENDERER).decode() + ', OpenGL ' + "
    "GL.glGetString(GL.GL_VERSION).decode()); r.delete()"
)


def _run(args: list[str], timeout: float = 60) -> str | None:
    """A command's stripped output, or None when it is missing or fails."""
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def gpu_name() -> str | None:
    if shutil.which("nvidia-smi") is None:
        return None
    return _run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"])


def gl_renderer() -> str | None:
    """The OpenGL renderer pyrender gets headless (e.g. llvmpipe), probed in a child process."""
    env = {**os.environ, "PYOPENGL_PLATFORM": os.environ.get("PYOPENGL_PLATFORM", "egl")}
    try:
        done = subprocess.run(
            [sys.executable, "-c", _GL_PROBE], capture_output=True, text=True, timeout=120, env=env
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.strip().splitlines()
    return lines[-1] if done.returncode == 0 and lines else None


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def this_machine(probe_gl: bool = True) -> Machine:
    return Machine(
        cpu=cpu_model(),
        cores=os.cpu_count() or 1,
        gpu=gpu_name(),
        renderer=gl_renderer() if probe_gl else None,
        platform=platform.platform(),
        python=platform.python_version(),
        packages=package_versions(),
    )


def git_commit() -> str | None:
    """The short commit, with ``-dirty`` when tracked files differ from it."""
    commit = _run(["git", "rev-parse", "--short", "HEAD"])
    if commit is None:
        return None
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=ROOT).returncode != 0
    return commit + ("-dirty" if dirty else "")


def make_record(
    bench: dict,
    machine: Machine,
    when: dt.datetime,
    command: str,
    summary: str,
    commit: str | None,
    shards: int | None = None,
    frames_per_shard: int | None = None,
) -> Record:
    """A record from the JSON that `simgen bench` wrote: a batch run has ``runs``."""
    common = {"date": when.date(), "commit": commit, "machine": machine, "command": command}
    if "runs" in bench:
        batch = BatchBench.model_validate(
            {**bench, "shards": shards, "frames_per_shard": frames_per_shard}
        )
        return Record(kind="batch", summary=summary, batch=batch, **common)
    if "signals" in bench:
        signals = SignalCheck.model_validate(bench["signals"])
        return Record(kind="signals", summary=summary, signals=signals, **common)
    if "realism" in bench:
        realism = RealismCheck.model_validate(bench["realism"])
        return Record(kind="realism", summary=summary, realism=realism, **common)
    if "detector" in bench:
        detector = DetectorCheck.model_validate(bench["detector"])
        return Record(kind="detector", summary=summary, detector=detector, **common)
    if "stages_ms" in bench:
        frame = FrameBench.model_validate(bench)
        return Record(kind="frame", summary=summary, frame=frame, **common)
    raise ValueError("not `simgen bench --json` output: it has neither 'stages_ms' nor 'runs'")


def write_record(record: Record, when: dt.datetime, folder: Path = RECORDS) -> Path:
    """Write ``record`` under a name that sorts by time and never replaces another record."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{when:%Y-%m-%d-%H%M}-{record.kind}"
    path, n = folder / f"{stem}.json", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.json"
    text = record.model_dump_json(indent=2, exclude_none=True, exclude_defaults=True)
    path.write_text(text + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bench_json", type=Path, help="the file `simgen bench --json` wrote")
    parser.add_argument("--summary", default="", help="what was measured, and why")
    parser.add_argument("--command", default=None, help="the bench command (default: guessed)")
    parser.add_argument("--shards", type=int, help="--batch runs: the --variants given")
    parser.add_argument("--frames-per-shard", type=int, help="--batch runs: the --frames given")
    parser.add_argument("--no-gl-probe", action="store_true", help="do not open a GL context")
    parser.add_argument("--out", type=Path, default=RECORDS, help="folder of the records")
    parser.add_argument("--series", help="frame runs: the alternated set this run belongs to")
    parser.add_argument("--commit", help="the code measured, when it is not this checkout's")
    args = parser.parse_args(argv)
    try:
        bench = json.loads(args.bench_json.read_text())
    except (OSError, ValueError) as error:
        print(f"{args.bench_json}: cannot read it: {error}", file=sys.stderr)
        return 1
    if args.series:
        bench["series"] = args.series
    when = dt.datetime.now(dt.UTC)
    kind = "--batch " if "runs" in bench else ""
    command = args.command or (
        f"python tools/signal_recall.py ... --json {args.bench_json}"
        if "signals" in bench
        else f"python tools/realism_record.py ... --json {args.bench_json}"
        if "realism" in bench
        else f"python tools/people_detector_check.py DATASET --json {args.bench_json}"
        if "detector" in bench
        else f"simgen bench {kind}--json {args.bench_json}"
    )
    try:
        record = make_record(
            bench,
            this_machine(probe_gl=not args.no_gl_probe),
            when,
            command,
            args.summary or "simgen bench on the bench scene",
            args.commit or git_commit(),
            args.shards,
            args.frames_per_shard,
        )
    except ValueError as error:
        print(f"{args.bench_json}: {error}", file=sys.stderr)
        return 1
    print(write_record(record, when, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
