"""The operations a user runs, for the CLI, notebooks and scripts alike: check and sample
scenario files, load one, render files to a dataset. Each failure a user causes comes out as a
ScenarioError with positioned issues (or an ExecutorError for an executor that cannot run)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

from simgen.scenario.errors import Issue, ScenarioError
from simgen.scenario.limits import Limits
from simgen.scenario.load import LoadedScenario, load_scenario
from simgen.scenario.models import Scenario
from simgen.scenario.sample import SamplingError, ScenarioInstance, sample

if TYPE_CHECKING:  # the batch machinery is imported when something is rendered
    from simgen.batch import ShardSpec, Summary
    from simgen.batch.executors import Report
    from simgen.batch.workers import WorkerChoice
    from simgen.importers.openscenario import ImportOptions


@dataclass(frozen=True)
class CheckResult:
    file: str
    loaded: LoadedScenario | None
    issues: list[Issue]

    @property
    def ok(self) -> bool:
        return not self.issues


def _sample_or_issue(loaded: LoadedScenario, variant: int) -> ScenarioInstance:
    try:
        return sample(loaded.scenario, variant)
    except SamplingError as exc:
        raise ScenarioError([loaded.issue(exc.path, exc.message)]) from None


def check_file(
    path: str | Path, limits: Limits | None = None, all_variants: bool = False
) -> CheckResult:
    """Validate a file and prove it samples: variant 0, or every variant with ``all_variants``."""
    try:
        loaded = load_scenario(path, limits)
        for variant in range(loaded.scenario.variants if all_variants else 1):
            _sample_or_issue(loaded, variant)
    except ScenarioError as exc:
        return CheckResult(str(path), None, exc.issues)
    return CheckResult(str(path), loaded, [])


def sample_file(
    path: str | Path, variant: int, limits: Limits | None = None
) -> tuple[LoadedScenario, ScenarioInstance]:
    """Load a file and draw one variant; raises ScenarioError with positioned issues."""
    loaded = load_scenario(path, limits)
    return loaded, _sample_or_issue(loaded, variant)


def load(path: str | Path, limits: Limits | None = None) -> Scenario:
    """A scenario file, validated (distributions still unresolved: ``sample`` draws a variant);
    raises ScenarioError with every problem at its ``file:line:col``."""
    return load_scenario(path, limits).scenario


# --- rendering --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderPlan:
    """Every shard a render will run, planned (and its input checked) before anything runs."""

    out: Path
    shards: tuple[ShardSpec, ...]

    @property
    def frames(self) -> int:
        return sum(s.size for s in self.shards)


@dataclass(frozen=True)
class RenderResult:
    out: Path
    shards: tuple[ShardSpec, ...]
    summary: Summary
    exported: tuple[tuple[Path, str, int], ...]  # (folder, format, frames) per export written
    workers: WorkerChoice | None = None  # what ``workers="auto"`` chose, and why

    @property
    def ok(self) -> bool:
        return not self.summary.failed

    @property
    def first_overview(self) -> Path | None:
        """The contact sheet of the first shard that rendered: where to look first."""
        first = next((s for s in self.shards if s.id not in self.summary.failed), None)
        return None if first is None else self.out / first.id / "overview.png"


class PlanOptions(TypedDict, total=False):
    """What to render of the files: ``plan_render``'s keywords, which ``render`` passes on."""

    variants: int | None
    variant: int | None
    frames: int | None
    inject: Sequence[str]
    clean_twins: bool
    chunk_frames: int | None
    no_limits: bool
    xosc: ImportOptions | None


def plan_render(
    files: Sequence[str | Path], out: str | Path, **options: Unpack[PlanOptions]
) -> RenderPlan:
    """Plan the shards of scenario, suite or OpenSCENARIO ``files`` (``xosc``: how .xosc files
    are imported; default: ``ImportOptions()``) (the first ``variants`` or only
    ``variant``, the first ``frames``, ``inject`` edge cases on top, ``clean_twins`` without
    them) and make ``out``. Raises ScenarioError before anything is written, or OSError for an
    ``out`` that cannot be made."""
    from simgen.batch import plan_shards

    root = Path(out)
    shards = plan_shards(
        [Path(f) for f in files],
        root,
        variants=options.get("variants"),
        variant=options.get("variant"),
        frames=options.get("frames"),
        inject=list(options.get("inject", ())),
        no_limits=options.get("no_limits", False),
        clean_twins=options.get("clean_twins", False),
        chunk_frames=options.get("chunk_frames"),
        xosc=options.get("xosc"),
    )
    root.mkdir(parents=True, exist_ok=True)  # an unwritable place fails here, not per shard
    return RenderPlan(root, tuple(shards))


class RunOptions(TypedDict, total=False):
    """How to run a plan: ``run_render``'s keywords, which ``render`` passes on."""

    workers: int | Literal["auto"] | None
    executor: str
    address: str | None
    retries: int
    progress: Report | None


class RenderOptions(PlanOptions, RunOptions, total=False):
    """Everything ``render`` takes: what to render and how to run it."""


def _only(options: RenderOptions, kind: type) -> Any:
    """The keywords of ``options`` that ``kind`` (a TypedDict) declares."""
    return {key: value for key, value in options.items() if key in kind.__annotations__}


def run_render(plan: RenderPlan, **options: Unpack[RunOptions]) -> RenderResult:
    """Run a plan on ``workers`` processes of the ``local`` pool or ``ray`` (at ``address``),
    skipping complete shards, then write the exports the scenarios ask for. ``workers`` is a
    count or ``"auto"`` (the default: ``simgen.batch.workers.choose_workers``, as many as the
    cores hold without oversubscribing them). ``progress`` receives every batch event. Raises
    ExecutorError for an executor that cannot run; a failed shard is in ``summary.failed``."""
    from simgen.batch import executor as make_executor
    from simgen.batch import run_batch
    from simgen.batch.executors import ExecutorError
    from simgen.batch.workers import choose_workers, parse_workers, record_busy_cores
    from simgen.pipeline.render import export_requested

    executor = options.get("executor", "local")
    address = options.get("address")
    progress = options.get("progress") or (lambda event: None)
    if executor not in ("local", "ray"):  # before any work, as the executor itself would say
        raise ExecutorError(f"unknown executor '{executor}'; expected local or ray")
    workers = parse_workers(options.get("workers"))
    names = {s.name for s in plan.shards}
    choice = None if workers is not None else choose_workers(names, len(plan.shards))
    count = choice.workers if choice is not None else workers or 1
    runner = make_executor(executor, count, address)
    summary = run_batch(list(plan.shards), runner, progress, options.get("retries", 2))
    if executor == "local" and count == 1:  # a worker alone: its figure is what auto needs
        record_busy_cores(summary.busy_cores)
    formats = {s.name: s.formats for s in plan.shards if s.formats}
    exported = export_requested(formats, plan.out)
    return RenderResult(plan.out, plan.shards, summary, tuple(exported), choice)


def render(
    files: str | Path | Sequence[str | Path], out: str | Path, **options: Unpack[RenderOptions]
) -> RenderResult:
    """Render scenario or suite file(s) to a native dataset under ``out``: ``plan_render`` and
    ``run_render`` in one call (see them for the arguments), as ``simgen render`` does.

        result = simgen.render("scenarios/default.yaml", out="out", frames=2, variants=1)
        dataset = simgen.open_dataset(result.out)
    """
    unknown = sorted(set(options) - set(RenderOptions.__annotations__))
    if unknown:  # a typo would otherwise be dropped silently
        raise TypeError(f"render() got unexpected keyword argument(s): {', '.join(unknown)}")
    paths = [files] if isinstance(files, str | Path) else list(files)
    plan = plan_render(paths, out, **_only(options, PlanOptions))
    return run_render(plan, **_only(options, RunOptions))
