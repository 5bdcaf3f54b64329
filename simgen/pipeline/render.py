"""Rendering datasets: scenario files -> native datasets, one (scenario, variant) at a time.

Each variant is simulated, seen by the ego's sensors, labelled and written. Its manifest is
written last, so an interrupted batch resumes by skipping complete variants and redoing the rest.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simgen.core.atomic import write_bytes_atomic
from simgen.core.classes import CLASSES
from simgen.dataset import lifecycle
from simgen.dataset.layout import (
    DEPTH_SCALE,
    FORMAT_VERSION,
    MANIFEST,
    STORYBOARD,
    FrameTime,
    Manifest,
    json_bytes,
)
from simgen.dataset.lifecycle import (
    FrameRange,
    chunk_directory,
    commit,
    is_complete,
    partial_directory,
)
from simgen.dataset.writer import FloatCopies, NativeWriter, class_table, png
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
    "pyrender-maintained",  # pyrender's fork, used on Python 3.12+
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
        return lifecycle.variant_directory(out, self.name, self.variant)

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


def is_complete_chunk(job: VariantJob, out: Path, frames: FrameRange) -> bool:
    """A chunk is done when its variant is, or its own folder holds exactly its frames."""
    return lifecycle.is_complete_chunk(job.directory(out), job.request(), frames)


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
    copies = {s.name: FloatCopies.of(s) for s in scenario.ego.sensors if isinstance(s, Camera)}
    # written aside and moved into place whole (simgen.dataset.lifecycle)
    partial = partial_directory(target)
    writer = NativeWriter(partial, copies, rgb_png=scenario.output.rgb_png)
    captured = capture(instance, limit=stop, only=frozenset(range(first, stop)))
    shown = job.frames // 2  # the overview shows the middle frame
    try:
        overview_image = None
        times: list[FrameTime] = []
        calibration = Calibrations({}, {})
        last = None
        for found in captured:
            state, data, labels = found.state, found.data, found.labels
            if not times:
                calibration = found.calibrations
                writer.write_json("calibration.json", calibration.to_json())
                writer.write_json("classes.json", class_table())
            times.append(FrameTime(state.frame, state.time))
            last = state
            writer.write_frame(state.frame, data, labels, found.lanes)
            if state.frame == shown:
                overview_image = _overview(scenario, data, labels)
            if progress:
                progress(1)
        if overview_image is not None:
            sheet = overview_image[..., ::-1]  # the sheet is BGR, as OpenCV draws
            writer.submit("overview.png", lambda: png(sheet, "photo"))
        if last is not None and last.storyboard and stop == job.frames:
            # the whole run's timeline: written by an unchunked render or its last chunk
            timeline = {"elements": [record.to_json() for record in last.storyboard]}
            writer.write_json(STORYBOARD, timeline)
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
    """Join the variant's committed chunks once all are there (``lifecycle.join_chunks``);
    returns whether the variant is complete."""
    return lifecycle.join_chunks(job.directory(out), job.request(), job.frames, chunks)


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
        instance=scenario,
        classes=CLASSES,
        calibration=calibration,
        files={},  # filled in by the writer when every file is hashed
        injectors=instance.applied,
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
