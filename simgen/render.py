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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simgen.capture import capture
from simgen.classes import CLASSES
from simgen.dataset_layout import (
    DEPTH_SCALE,
    FORMAT_VERSION,
    MANIFEST,
    FrameTime,
    Manifest,
    json_bytes,
)
from simgen.injectors import apply_injectors
from simgen.injectors.cli_spec import with_injectors
from simgen.scenario.limits import Limits
from simgen.scenario.load import LoadedScenario, load_scenario
from simgen.scenario.models import Camera, Lidar
from simgen.scenario.sample import ScenarioInstance, sample
from simgen.sensors.camera import CameraFrame
from simgen.sensors.rig import Calibrations
from simgen.writers.atomic import write_bytes_atomic
from simgen.writers.native import NativeWriter, class_table, is_complete, png, sync_directory
from simgen.writers.overview import overview

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


def plan_jobs(
    paths: list[Path],
    *,
    variants: int | None = None,
    variant: int | None = None,
    frames: int | None = None,
    limits: Limits | None = None,
    inject: list[str] | None = None,
) -> list[VariantJob]:
    """Every (scenario, variant) to render, with ``inject`` (``--inject`` specs) added to each;
    raises ScenarioError before anything is written."""
    jobs = []
    for path in paths:
        loaded = with_injectors(load_scenario(path, limits), inject or [])
        scenario = loaded.scenario
        if variant is not None:
            chosen = [variant]
        else:
            chosen = list(
                range(min(variants, scenario.variants) if variants else scenario.variants)
            )
        count = min(frames, scenario.frames) if frames else scenario.frames
        jobs += [VariantJob(loaded, v, count) for v in chosen]
    return jobs


def is_complete_job(job: VariantJob, out: Path) -> bool:
    return is_complete(job.directory(out), job.request())


def render_variant(job: VariantJob, out: Path, progress: Progress | None = None) -> Path:
    """Render one variant into its folder and return the folder (skipped when complete).

    An incomplete or outdated folder (another scenario version, frame count or format) is
    rendered again from scratch."""
    directory = job.directory(out)
    if is_complete(directory, job.request()):
        if progress:
            progress(job.frames)
        return directory
    instance = apply_injectors(sample(job.loaded.scenario, job.variant))
    scenario = instance.scenario
    depth_npy = {s.name: s.depth_npy for s in scenario.ego.sensors if isinstance(s, Camera)}
    # written aside and moved into place whole: no stale or half-written variant is ever visible;
    # each attempt has its own folder, so two attempts (a retried task) never mix their files
    partial = directory.with_name(f"{directory.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    writer = NativeWriter(partial, depth_npy)
    frames = capture(instance, limit=job.frames)
    try:
        first_overview = None
        times: list[float] = []
        calibration = Calibrations({}, {})
        for found in frames:
            state, data, labels = found.state, found.data, found.labels
            if not times:
                calibration = found.calibrations
                writer.write_json("calibration.json", calibration.to_json())
                writer.write_json("classes.json", class_table())
            times.append(state.time)
            writer.write_frame(state.frame, data, labels)
            if first_overview is None or state.frame == job.frames // 2:
                first_overview = _overview(scenario, data, labels)
            if progress:
                progress(1)
        if first_overview is not None:
            writer.submit("overview.png", lambda: png(first_overview))
        writer.finish(_manifest(job, instance, times, calibration))
        commit(partial, directory, job.request())
    except BaseException:
        writer.abort()
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        frames.close()
    return directory


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
    job: VariantJob, instance: ScenarioInstance, times: list[float], calibration: Calibrations
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
        frames=tuple(FrameTime(i, t) for i, t in enumerate(times)),
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
    from simgen.export import export

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
    from simgen.dataset import open_dataset

    return {
        v.key: hashlib.sha256((v.root / MANIFEST).read_bytes()).hexdigest()
        for v in open_dataset(root)
    }
