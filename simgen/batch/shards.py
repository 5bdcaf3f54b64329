"""Shards: one (scenario file, variant) each, small and picklable, with a stable id.

A shard names its scenario by path and digest, not by content: a worker loads the file itself and
refuses to render when it changed after planning, so every worker renders what was planned.
"""

from __future__ import annotations

import hashlib
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from simgen.core.cpu import cpu_seconds, waited_for_a_core
from simgen.dataset.lifecycle import variant_directory
from simgen.injectors.cli_spec import with_injectors
from simgen.scenario.errors import ScenarioError
from simgen.scenario.limits import Limits
from simgen.scenario.load import LoadedScenario, load_scenario
from simgen.scenario.models import Scenario
from simgen.scenario.suite import load_suite, pin
from simgen.sensors.faults import repeats_frames

if TYPE_CHECKING:
    from simgen.importers.openscenario import ImportOptions

TWIN = "__clean"  # the folder suffix of a scenario's clean twin (simgen.eval pairs them)


class ShardError(Exception):
    """A shard that cannot be rendered as planned."""


@dataclass(frozen=True)
class ShardSpec:
    file: str  # absolute path of the scenario file
    sha256: str  # of what was planned: the file, a suite's pinned seed, --inject specs
    name: str  # the scenario's name: its folder under the output root
    variant: int
    frames: int
    out: str  # the dataset root
    seed: int | None = None  # a suite's pinned seed
    variants: int | None = None  # and variant count
    inject: tuple[str, ...] = ()
    no_limits: bool = False
    formats: tuple[str, ...] = ()  # the exports its scenario asks for
    clean_twin: bool = False  # the same variant without its injectors, as <name>__clean
    chunk: tuple[int, int] | None = None  # frames [first, stop) of a long variant
    xosc: ImportOptions | None = None  # how an OpenSCENARIO file is imported (rig, ego, ...)

    @property
    def id(self) -> str:
        base = f"{self.name}/{self.variant:04d}"
        return base if self.chunk is None else f"{base}/{self.chunk[0]:06d}-{self.chunk[1]:06d}"

    @property
    def folder(self) -> Path:
        """The variant's folder under the dataset root."""
        return variant_directory(self.out, self.name, self.variant)

    @property
    def size(self) -> int:
        """Frames this shard renders."""
        return self.frames if self.chunk is None else self.chunk[1] - self.chunk[0]


@dataclass(frozen=True)
class ShardResult:
    id: str
    frames: int
    seconds: float
    skipped: bool  # already complete: nothing rendered
    max_rss_mb: float  # of the process that rendered it, so far
    # the rendering process's CPU time over wall time from its first frame to its last (every
    # thread counted; set-up and the warm-up frame left out; the render thread's waits for a
    # core taken off the wall time), or None below MIN_STEADY_FRAMES
    busy_cores: float | None = None


MIN_STEADY_FRAMES = 3  # frames after the first that a shard's busy-core figure is taken over


MAX_WAITED = 0.15  # a render thread that waited for a core longer than this share of the time


class _Steady:
    """Counts a shard's frames, and the process's CPU time and the wall time from its first
    frame on. Called on the render thread. Other processes' load makes every thread wait for a
    core, which shrinks the figure: the render thread's waits are taken off the wall time, and a
    shard whose render thread waited more than ``MAX_WAITED`` of the time is not measured (the
    helper threads' waits lengthen the frame too, and cannot be taken off)."""

    def __init__(self, progress: Callable[[int], None] | None) -> None:
        self.progress = progress
        self.frames = 0
        self.start: tuple[float, float, float | None] | None = None

    def __call__(self, frames: int) -> None:
        if self.start is None:
            self.start = (cpu_seconds(), time.perf_counter(), waited_for_a_core())
        else:
            self.frames += frames
        if self.progress is not None:
            self.progress(frames)

    def busy_cores(self) -> float | None:
        if self.start is None or self.frames < MIN_STEADY_FRAMES:
            return None
        cpu, wall, waited = self.start
        cpu, wall = cpu_seconds() - cpu, time.perf_counter() - wall
        now = waited_for_a_core()
        if waited is not None and now is not None:
            if now - waited > MAX_WAITED * wall:
                return None  # a loaded machine: what it measured is the load, not the worker
            wall -= now - waited
        return cpu / wall if wall > 0 else None


def is_xosc(path: Path) -> bool:
    return path.suffix.lower() == ".xosc"


def load_input(
    path: str | Path, limits: Limits, xosc: ImportOptions | None = None
) -> LoadedScenario:
    """A scenario file, or an OpenSCENARIO file imported in memory (the one place render reads
    either)."""
    if is_xosc(Path(path)):
        from simgen.importers.openscenario.files import load_xosc

        return load_xosc(path, xosc, limits)
    return load_scenario(path, limits)


def is_suite(path: Path) -> bool:
    """A suite file has a top-level ``suite:`` key (scenarios have ``version:``)."""
    if is_xosc(path):
        return False
    try:
        head = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return False
    return isinstance(head, dict) and "suite" in head


def plan_shards(
    inputs: list[Path],
    out: Path,
    *,
    variants: int | None = None,
    variant: int | None = None,
    frames: int | None = None,
    inject: list[str] | None = None,
    no_limits: bool = False,
    clean_twins: bool = False,
    chunk_frames: int | None = None,
    xosc: ImportOptions | None = None,
) -> list[ShardSpec]:
    """Every shard of scenario, suite and OpenSCENARIO files (imported with ``xosc``); raises
    ScenarioError (or XoscError) before anything runs. ``chunk_frames`` cuts variants longer
    than that into chunks of that many frames."""
    limits = Limits.none() if no_limits else Limits()
    shards = []
    for path in inputs:
        entries: list[tuple[LoadedScenario, int | None, int | None]]
        if is_suite(path):
            suite, pinned = load_suite(path, lambda file: load_input(file, limits, xosc))
            entries = [
                (scenario, e.seed, e.variants)
                for scenario, e in zip(pinned, suite.scenarios, strict=True)
            ]
        else:
            entries = [(load_input(path, limits, xosc), None, None)]
        for base, seed, count in entries:
            loaded = with_injectors(base, inject or [])
            scenario = loaded.scenario
            if variant is not None and variant >= scenario.variants:
                message = f"variant {variant} does not exist (variants 0..{scenario.variants - 1})"
                raise ScenarioError([loaded.issue(("variants",), message)])
            chosen = (
                [variant]
                if variant is not None
                else range(min(variants, scenario.variants) if variants else scenario.variants)
            )
            twins = [False, True] if clean_twins and scenario.injectors else [False]
            count_frames = min(frames, scenario.frames) if frames else scenario.frames
            chunks = frame_chunks(count_frames, chunk_frames if chunkable(scenario) else None)
            shards += [
                ShardSpec(
                    file=str(Path(loaded.file).resolve()),
                    sha256=loaded.sha256,
                    name=f"{scenario.name}{TWIN}" if twin else scenario.name,
                    variant=v,
                    frames=min(frames, scenario.frames) if frames else scenario.frames,
                    out=str(out),
                    seed=seed,
                    variants=count,
                    inject=tuple(inject or ()),
                    no_limits=no_limits,
                    formats=tuple(scenario.output.formats),
                    clean_twin=twin,
                    chunk=chunk,
                    xosc=xosc if is_xosc(Path(loaded.file)) else None,
                )
                for twin in twins
                for v in chosen
                for chunk in chunks
            ]
    return shards


def frame_chunks(frames: int, size: int | None) -> list[tuple[int, int] | None]:
    """[None] (the whole variant) or consecutive [first, stop) ranges of ``size`` frames."""
    if size is None or frames <= size:
        return [None]
    return [(first, min(first + size, frames)) for first in range(0, frames, size)]


def chunkable(scenario: Scenario) -> bool:
    """A stuck-frame fault repeats a frame from before the fault, maybe from an earlier chunk:
    such variants render whole, so chunked and unchunked renders stay identical."""
    sensors = scenario.ego.sensors
    faults = [f for s in sensors for f in s.faults] + list(scenario.injectors)
    return not repeats_frames(faults)


def load_shard(spec: ShardSpec) -> LoadedScenario:
    limits = Limits.none() if spec.no_limits else Limits()
    loaded = with_injectors(
        pin(load_input(spec.file, limits, spec.xosc), spec.seed, spec.variants),
        list(spec.inject),
    )
    if loaded.sha256 != spec.sha256:
        raise ShardError(f"{spec.file} changed after the batch was planned; run it again")
    if spec.clean_twin:
        scenario = loaded.scenario.model_copy(update={"injectors": [], "name": spec.name})
        digest = hashlib.sha256(f"{loaded.sha256}:clean".encode()).hexdigest()
        loaded = replace(loaded, scenario=scenario, sha256=digest)
    return loaded


def run_shard(spec: ShardSpec, progress: Callable[[int], None] | None = None) -> ShardResult:
    """Render one shard (skipped when complete); the one place a worker calls."""
    from simgen.pipeline.render import (
        VariantJob,
        is_complete_chunk,
        is_complete_job,
        render_variant,
    )

    start = time.perf_counter()
    job = VariantJob(load_shard(spec), spec.variant, spec.frames)
    out = Path(spec.out)
    if spec.chunk is None:
        skipped = is_complete_job(job, out)
    else:
        skipped = is_complete_chunk(job, out, spec.chunk)
    steady = _Steady(progress)
    render_variant(job, out, steady, spec.chunk)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    seconds = time.perf_counter() - start
    return ShardResult(spec.id, spec.size, seconds, skipped, rss, steady.busy_cores())


def join_variants(shards: list[ShardSpec]) -> list[str]:
    """Join the chunks of every chunked variant whose chunks are all committed; returns the ids
    of variants still missing chunks (a failed shard)."""
    from simgen.pipeline.render import VariantJob, join_chunks

    by_variant: dict[tuple[str, str, int], list[ShardSpec]] = {}
    for spec in shards:
        if spec.chunk is not None:
            by_variant.setdefault((spec.out, spec.name, spec.variant), []).append(spec)
    missing = []
    for specs in by_variant.values():
        first = specs[0]
        job = VariantJob(load_shard(first), first.variant, first.frames)
        chunks = [s.chunk for s in specs if s.chunk is not None]
        if not join_chunks(job, Path(first.out), chunks):
            missing.append(f"{first.name}/{first.variant:04d}")
    return missing
