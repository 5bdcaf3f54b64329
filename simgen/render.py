"""Rendering datasets: scenario files -> native datasets, one (scenario, variant) at a time.

Each variant is simulated, seen by the ego's sensors, labelled and written. Its manifest is
written last, so an interrupted batch resumes by skipping complete variants and redoing the rest.
"""

from __future__ import annotations

import importlib.metadata
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simgen.capture import capture
from simgen.classes import CLASSES
from simgen.dataset_layout import DEPTH_SCALE, FORMAT_VERSION, FrameTime, Manifest
from simgen.injectors import apply_injectors
from simgen.injectors.cli_spec import with_injectors
from simgen.scenario.limits import Limits
from simgen.scenario.load import LoadedScenario, load_scenario
from simgen.scenario.models import Camera, Lidar
from simgen.scenario.sample import ScenarioInstance, sample
from simgen.sensors.camera import CameraFrame
from simgen.sensors.rig import Calibrations
from simgen.writers.native import NativeWriter, class_table, is_complete, png
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
    "opencv-python-headless",
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
    # written aside and moved into place whole: no stale or half-written variant is ever visible
    partial = directory.with_name(directory.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
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
        shutil.rmtree(directory, ignore_errors=True)
        partial.rename(directory)
    except BaseException:
        writer.abort()
        raise
    finally:
        frames.close()
    return directory


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


def export_requested(jobs: list[VariantJob], out: Path) -> list[tuple[Path, str, int]]:
    """Run the exports each scenario's ``output.formats`` asks for, over its rendered variants.

    They go to OUT/<scenario>/export_<format>/ and cover every complete variant of it there."""
    from simgen.export import export

    done = []
    for name, formats in {j.name: j.loaded.scenario.output.formats for j in jobs}.items():
        for fmt in formats:
            folder = out / name / f"export_{fmt}"
            done.append((folder, fmt, export(out / name, fmt, folder)))
    return done
