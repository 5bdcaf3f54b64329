"""Rendering datasets: scenario files -> native datasets, one (scenario, variant) at a time.

Each variant is simulated, seen by the ego's sensors, labelled and written. Its manifest is
written last, so an interrupted batch resumes by skipping complete variants and redoing the rest.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib.metadata
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from simgen.core.atomic import write_bytes_atomic
from simgen.core.classes import CLASSES
from simgen.dataset.layout import (
    DEPTH_SCALE,
    FORMAT_VERSION,
    MANIFEST,
    FrameTime,
    Manifest,
    json_bytes,
)
from simgen.dataset.writer import (
    NativeWriter,
    class_table,
    is_complete,
    png,
    sync_directory,
    sync_tree,
)
from simgen.injectors import apply_injectors
from simgen.inspect.overview import overview
from simgen.pipeline.capture import capture
from simgen.scenario.load import LoadedScenario
from simgen.scenario.models import Camera, Lidar
from simgen.scenario.sample import ScenarioInstance, sample
from simgen.sensors.frames import CameraFrame
from simgen.sensors.rig import Calibrations

Progress = Callable[[int], None]  # called with the number of frames just finished

PACKAGES = (
    "simgen",
    "numpy",
    "pybullet",
    "pyrender",
    "open3d-cpu",
    "open3d",
    "trimesh",
    "opencv-contrib-python-headless",
)


@dataclass(frozen=True)
class VariantJob:
    loaded: LoadedScenario
    variant: int
    frames: int

    @property
    def name(self) -> str:
        return self.loaded.scenario.name

    def directory(self, out: Path) -> Path:
        return out / self.name / f"{self.variant:04d}"

    def request(self) -> dict:
        """What makes two renders the same: compared when resuming."""
        return {
            "format_version": FORMAT_VERSION,
            "scenario_sha256": self.loaded.sha256,
            "variant": self.variant,
            "frame_count": self.frames,
        }


def versions() -> dict[str, str]:
    out = {}
    for package in PACKAGES:
        try:
            out[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def is_complete_job(job: VariantJob, out: Path) -> bool:
    return is_complete(job.directory(out), job.request())


FrameRange = tuple[int, int]  # frames [first, stop) of a variant


def chunk_directory(directory: Path, frames: FrameRange) -> Path:
    """Where one chunk of a long variant is committed until the chunks are joined."""
    return directory.with_name(f"{directory.name}.chunks") / f"{frames[0]:06d}-{frames[1]:06d}"


def is_complete_chunk(job: VariantJob, out: Path, frames: FrameRange) -> bool:
    """A chunk is done when its variant is, or its own folder holds exactly its frames."""
    if is_complete_job(job, out):
        return True
    folder = chunk_directory(job.directory(out), frames)
    if not is_complete(folder, job.request()):
        return False
    manifest = Manifest.from_json((folder / MANIFEST).read_bytes())
    return [f.frame for f in manifest.frames] == list(range(*frames))


def render_variant(
    job: VariantJob,
    out: Path,
    progress: Progress | None = None,
    frames: FrameRange | None = None,
) -> Path:
    """Render one variant (or the ``frames`` chunk of it) into its folder and return the folder
    (skipped when complete).

    An incomplete or outdated folder (another scenario version, frame count or format) is
    rendered again from scratch. A chunk simulates the world from the start (cheap) and renders
    only its frames, so its files are those an unchunked render writes; ``join_chunks`` makes
    the variant of them."""
    directory = job.directory(out)
    first, stop = frames or (0, job.frames)
    if is_complete(directory, job.request()) or (
        frames is not None and is_complete_chunk(job, out, frames)
    ):
        if progress:
            progress(stop - first)
        return directory
    target = directory if frames is None else chunk_directory(directory, frames)
    target.parent.mkdir(parents=True, exist_ok=True)
    instance = apply_injectors(sample(job.loaded.scenario, job.variant))
    scenario = instance.scenario
    depth_npy = {s.name: s.depth_npy for s in scenario.ego.sensors if isinstance(s, Camera)}
    # written aside and moved into place whole: no stale or half-written variant is ever visible;
    # each attempt has its own folder, so two attempts (a retried task) never mix their files
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    writer = NativeWriter(partial, depth_npy)
    captured = capture(instance, limit=stop, only=frozenset(range(first, stop)))
    shown = job.frames // 2  # the overview shows the middle frame
    try:
        overview_image = None
        times: list[FrameTime] = []
        calibration = Calibrations({}, {})
        for found in captured:
            state, data, labels = found.state, found.data, found.labels
            if not times:
                calibration = found.calibrations
                writer.write_json("calibration.json", calibration.to_json())
                writer.write_json("classes.json", class_table())
            times.append(FrameTime(state.frame, state.time))
            writer.write_frame(state.frame, data, labels)
            if state.frame == shown:
                overview_image = _overview(scenario, data, labels)
            if progress:
                progress(1)
        if overview_image is not None:
            writer.submit("overview.png", lambda: png(overview_image, "photo"))
        writer.finish(_manifest(job, instance, tuple(times), calibration))
        commit(partial, target, job.request())
    except BaseException:
        writer.abort()
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        captured.close()
    return target


def join_chunks(job: VariantJob, out: Path, chunks: list[FrameRange]) -> bool:
    """Make the variant of its committed chunks, once all are there: their files move into one
    folder with one manifest, byte for byte what an unchunked render writes, committed like a
    variant. Returns whether the variant is complete."""
    directory = job.directory(out)
    if is_complete_job(job, out):
        shutil.rmtree(directory.with_name(f"{directory.name}.chunks"), ignore_errors=True)
        return True
    ordered = sorted(chunks)
    covered = [f for first, stop in ordered for f in range(first, stop)]
    if covered != list(range(job.frames)):
        return False  # not every chunk was planned here: another run joins them
    if not all(is_complete_chunk(job, out, c) for c in chunks):
        return False
    partial = directory.with_name(f"{directory.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    manifests = []
    for frames in sorted(chunks):
        folder = chunk_directory(directory, frames)
        manifest = Manifest.from_json((folder / MANIFEST).read_bytes())
        manifests.append(manifest)
        for rel in manifest.files:
            target = partial / rel
            if not target.exists():  # calibration.json and classes.json come with every chunk
                target.parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).rename(target)
    files = {rel: h for m in manifests for rel, h in m.files.items()}
    joined = replace(
        manifests[0],
        frames=tuple(f for m in manifests for f in m.frames),
        files=dict(sorted(files.items())),
    )
    sync_tree(partial, list(files))
    write_bytes_atomic(partial / MANIFEST, json_bytes(joined.to_json()))
    sync_directory(partial)
    commit(partial, directory, job.request())
    shutil.rmtree(directory.with_name(f"{directory.name}.chunks"), ignore_errors=True)
    return True


def commit(partial: Path, directory: Path, request: dict) -> None:
    """Move a finished variant into place, once: an outdated one is moved aside and removed;
    when another attempt committed the same request first, this one is dropped."""
    if is_complete(directory, request):
        shutil.rmtree(partial, ignore_errors=True)
        return
    if directory.exists():
        stale = directory.with_name(f"{directory.name}.stale-{uuid.uuid4().hex[:8]}")
        with contextlib.suppress(FileNotFoundError):
            directory.rename(stale)
        shutil.rmtree(stale, ignore_errors=True)
    try:
        partial.rename(directory)  # rename(2) refuses a non-empty target: one commit wins
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST) or not is_complete(directory, request):
            raise
        shutil.rmtree(partial, ignore_errors=True)
    sync_directory(directory.parent)


def _overview(scenario, frames: dict, labels) -> np.ndarray:
    camera_name = next((s.name for s in scenario.ego.sensors if isinstance(s, Camera)), None)
    lidar_name = next((s.name for s in scenario.ego.sensors if isinstance(s, Lidar)), None)
    camera = frames.get(camera_name) if camera_name else None
    return overview(
        camera if isinstance(camera, CameraFrame) else None,
        frames.get(lidar_name) if lidar_name else None,
        labels,
        camera_name or "",
    )


def _manifest(
    job: VariantJob,
    instance: ScenarioInstance,
    frames: tuple[FrameTime, ...],
    calibration: Calibrations,
) -> Manifest:
    scenario = instance.scenario
    return Manifest(
        **job.request(),
        complete=True,
        scenario=scenario.name,
        scenario_file=job.loaded.file,
        seed=scenario.seed,
        sample_attempt=instance.attempt,
        frame_rate=scenario.frame_rate,
        frames=frames,
        depth_scale=DEPTH_SCALE,
        sensors=tuple(s.name for s in scenario.ego.sensors),
        software=versions(),
        instance=scenario.model_dump(mode="json", exclude_none=True),
        classes=CLASSES,
        calibration=calibration,
        files={},  # filled in by the writer when every file is hashed
        injectors=tuple(i.model_dump(mode="json", exclude_none=True) for i in instance.applied),
    )


def export_requested(
    requests: dict[str, tuple[str, ...]], out: Path
) -> list[tuple[Path, str, int]]:
    """Run the exports each scenario's ``output.formats`` asks for, over its rendered variants,
    into OUT/<scenario>/export_<format>/. An export whose variants have not changed since it was
    written (the same manifests) is not redone."""
    from simgen.exports.registry import export

    done = []
    for name, formats in requests.items():
        for fmt in formats:
            folder = out / name / f"export_{fmt}"
            made_from = _export_stamp(out / name)
            marker = folder / ".simgen-export.json"
            if marker.is_file():
                previous = json.loads(marker.read_text())
                if previous.get("variants") == made_from:
                    done.append((folder, fmt, int(previous["frames"])))
                    continue
            count = export(out / name, fmt, folder)
            write_bytes_atomic(marker, json_bytes({"variants": made_from, "frames": count}))
            done.append((folder, fmt, count))
    return done


def _export_stamp(root: Path) -> dict[str, str]:
    """What an export is made from: every complete variant's manifest digest."""
    from simgen.dataset.reader import open_dataset

    return {
        v.key: hashlib.sha256((v.root / MANIFEST).read_bytes()).hexdigest()
        for v in open_dataset(root)
    }
