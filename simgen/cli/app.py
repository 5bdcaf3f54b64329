"""The ``simgen`` command line: parses arguments and calls the API, nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from simgen import __version__
from simgen.api import check_file, sample_file
from simgen.scenario.errors import ScenarioError
from simgen.scenario.limits import Limits
from simgen.scenario.schema import scenario_json_schema_text

app = typer.Typer(
    name="simgen",
    help="Declarative YAML scenarios to labeled autonomous-driving sensor datasets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

NoLimits = Annotated[
    bool,
    typer.Option(
        "--no-limits", help="Lift the size limits (resolution, duration, actors, variants)."
    ),
]


@contextmanager
def _reported() -> Iterator[None]:
    """Turn the errors users cause (bad files, bad datasets) into lines and exit code 1."""
    from simgen.dataset.reader import DatasetError

    try:
        yield
    except ScenarioError as exc:
        for issue in exc.issues:
            typer.echo(str(issue), err=True)
        raise typer.Exit(1) from None
    except DatasetError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    except OSError as exc:  # a folder that cannot be written, a full disk
        where = f" {exc.filename}" if exc.filename else ""
        typer.echo(f"cannot write{where}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None


def _limits(no_limits: bool) -> Limits:
    return Limits.none() if no_limits else Limits()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"simgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """simgen: declarative YAML scenarios to labeled autonomous-driving sensor datasets."""


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
    all_variants: Annotated[
        bool, typer.Option("--all-variants", help="Sample every variant, not only variant 0.")
    ] = False,
    no_limits: NoLimits = False,
) -> None:
    """Check scenario files; exit 1 with one line per problem if any is invalid."""
    failed = 0
    for file in files:
        result = check_file(file, _limits(no_limits), all_variants=all_variants)
        if result.ok and result.loaded is not None:
            sc = result.loaded.scenario
            typer.echo(
                f"ok: {file} ({sc.variants} variants, {sc.frames} frames, "
                f"{len(sc.actors)} actors, {len(sc.ego.sensors)} sensors)"
            )
        for issue in result.issues:
            typer.echo(str(issue))
        failed += not result.ok
    if failed:
        typer.echo(f"{failed} of {len(files)} files invalid")
        raise typer.Exit(1)


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead.")] = None,
) -> None:
    """Print the JSON Schema of the scenario format (for editor autocompletion)."""
    text = scenario_json_schema_text()
    if out is None:
        typer.echo(text, nl=False)
        return
    from simgen.core.atomic import write_text_atomic

    write_text_atomic(out, text)
    typer.echo(f"wrote {out}", err=True)


@app.command("sample")
def sample_command(
    file: Annotated[Path, typer.Argument(help="Scenario file.")],
    variant: Annotated[
        int, typer.Option("--variant", "-v", min=0, help="Variant index (0-based).")
    ] = 0,
    no_limits: NoLimits = False,
) -> None:
    """Print one concrete variant of a scenario as YAML (itself a valid scenario file)."""
    from simgen.scenario.dump import instance_yaml

    with _reported():
        loaded, instance = sample_file(file, variant, _limits(no_limits))
    typer.echo(instance_yaml(instance, f"{file} (sha256 {loaded.sha256[:12]})"), nl=False)


@app.command()
def render(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to render.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Dataset root folder.")],
    variants: Annotated[
        int | None, typer.Option("--variants", min=1, help="Render only the first N variants.")
    ] = None,
    variant: Annotated[
        int | None, typer.Option("--variant", min=0, help="Render only this variant.")
    ] = None,
    frames: Annotated[
        int | None, typer.Option("--frames", min=1, help="Render only the first N frames.")
    ] = None,
    inject: Annotated[
        list[str] | None,
        typer.Option(
            "--inject",
            help="Apply an edge case on top of every scenario: TYPE[:KEY=VALUE,...], "
            "e.g. fog:density=0.03 (repeatable; `simgen injectors` lists them).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-j", min=1, help="Worker processes (default: usable cores)."),
    ] = None,
    executor_name: Annotated[
        str, typer.Option("--executor", help="local (a process pool) or ray.")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option("--address", help="Ray: the cluster to join (default: a local one)."),
    ] = None,
    retries: Annotated[
        int, typer.Option("--retries", min=0, help="Tries again a failed shard this many times.")
    ] = 2,
    clean_twins: Annotated[
        bool,
        typer.Option(
            "--clean-twins",
            help="Also render each scenario with injectors without them, as <name>__clean "
            "(simgen eval reports each edge case's drop against its twin).",
        ),
    ] = False,
    chunk_frames: Annotated[
        int | None,
        typer.Option(
            "--chunk-frames",
            min=1,
            help="Cut variants longer than this into shards of this many frames, rendered in "
            "parallel and joined into the same variant folder.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON on standard output.")
    ] = False,
    no_limits: NoLimits = False,
) -> None:
    """Render scenario or suite files to a labeled native dataset, one shard per (scenario,
    variant) on a pool of workers; complete shards are skipped on a rerun."""
    import json

    from simgen.batch import executor, plan_shards, run_batch, usable_cores
    from simgen.batch.console import BatchConsole
    from simgen.pipeline.render import export_requested

    with _reported():
        shards = plan_shards(
            files,
            out,
            variants=variants,
            variant=variant,
            frames=frames,
            inject=inject or [],
            no_limits=no_limits,
            clean_twins=clean_twins,
            chunk_frames=chunk_frames,
        )
        out.mkdir(parents=True, exist_ok=True)  # an unwritable place fails here, not per shard
    if executor_name not in ("local", "ray"):
        typer.echo(f"unknown executor '{executor_name}'; expected local or ray", err=True)
        raise typer.Exit(1)
    count = workers or usable_cores()
    runner = executor(executor_name, count, address)
    console = BatchConsole(sum(s.size for s in shards), len(shards), quiet or as_json)
    with _reported(), console:
        try:
            summary = run_batch(shards, runner, console.report, retries)
        except RuntimeError as exc:  # an executor that cannot start (Ray missing)
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    console.summary(summary)
    formats = {s.name: s.formats for s in shards if s.formats}
    with _reported():
        exported = export_requested(formats, out)
    if as_json:
        typer.echo(json.dumps(summary.to_json(), indent=1))
    elif not quiet:
        for folder, fmt, frames_done in exported:
            typer.echo(f"wrote {fmt} export of {frames_done} frames to {folder}")
        first = next((s for s in shards if s.id not in summary.failed), None)
        if first is not None:
            typer.echo(f"open first: {out / first.id / 'overview.png'}")
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def verify(
    dataset: Annotated[Path, typer.Argument(help="A native dataset folder.")],
) -> None:
    """Check every file of every variant against its manifest's hashes; exit 1 on any problem."""
    from simgen.dataset.verify import verify as verify_dataset

    with _reported():
        report = verify_dataset(dataset)
    for kind, paths in (("missing", report.missing), ("corrupt", report.corrupt),
                        ("extra", report.extra)):  # fmt: skip
        for path in paths:
            typer.echo(f"{kind}: {path}")
    typer.echo(
        f"{report.variants} variants, {report.files} files: "
        + ("all match their hashes" if report.ok else "problems found")
    )
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def injectors() -> None:
    """List every edge-case injector with its parameters and defaults."""
    from simgen.injectors.docs import injector_docs

    for doc in injector_docs():
        typer.echo(f"{doc.type}  [{doc.group}]")
        typer.echo(f"    {doc.summary}")
        for p in doc.parameters:
            described = f"  {p.description}" if p.description else ""
            typer.echo(f"    {p.name} = {p.default}{described}")


@app.command("export")
def export_command(
    dataset: Annotated[Path, typer.Argument(help="A native dataset folder (from simgen render).")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="kitti, kitti_tracking, coco or nuscenes.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the export to.")],
    kitti_dontcare: Annotated[
        bool,
        typer.Option(
            "--kitti-dontcare",
            help="KITTI: write objects below the two thresholds as DontCare regions "
            "(default: every object seen is labelled with its type and 3D box).",
        ),
    ] = False,
    dontcare_min_height: Annotated[
        float, typer.Option(min=0, help="With --kitti-dontcare: visible box height (px).")
    ] = 25.0,
    dontcare_min_visibility: Annotated[
        float, typer.Option(min=0, max=1, help="With --kitti-dontcare: visible fraction.")
    ] = 0.1,
) -> None:
    """Export a rendered dataset to KITTI (object or tracking), COCO or nuScenes."""
    from simgen.exports.options import ExportOptions
    from simgen.exports.registry import EXPORTERS, export
    from simgen.labels.policy import DontCare

    if fmt not in EXPORTERS:
        typer.echo(f"unknown format '{fmt}'; expected one of {', '.join(EXPORTERS)}", err=True)
        raise typer.Exit(1)
    dont_care = DontCare(dontcare_min_height, dontcare_min_visibility) if kitti_dontcare else None
    with _reported():
        count = export(dataset, fmt, out, ExportOptions(kitti_dontcare=dont_care))
    typer.echo(f"wrote {fmt} export of {count} frames to {out}")


@app.command()
def preview(
    source: Annotated[
        Path, typer.Argument(help="A scenario file (a contact sheet) or a rendered dataset.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="PNG to write.")],
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario name.")] = None,
    variant: Annotated[int, typer.Option("--variant", min=0)] = 0,
    frame: Annotated[int, typer.Option("--frame", min=0, help="Dataset: the frame.")] = 0,
    camera: Annotated[str | None, typer.Option("--camera", help="Default: the first.")] = None,
    inject: Annotated[
        list[str] | None, typer.Option("--inject", help="Scenario: add an edge case.")
    ] = None,
) -> None:
    """A scenario file: a fast contact sheet (map with tracks and events, and a few frames of
    every sensor with boxes). A dataset: 2D and 3D boxes with class and visibility on one frame."""
    from simgen.inspect.preview import write_preview
    from simgen.inspect.scenario_preview import preview_scenario

    with _reported():
        if source.is_file():
            path = preview_scenario(source, out, variant, inject or [])
        else:
            path = write_preview(source, out, scenario, variant, frame, camera)
    typer.echo(f"wrote {path}")


@app.command("eval")
def eval_command(
    dataset: Annotated[Path, typer.Argument(help="A rendered native dataset.")],
    model: Annotated[
        str | None,
        typer.Option("--model", help="oracle, lidar_clusters, hog_pedestrians, or module:factory."),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="Result files instead of a model (see --format)."),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="--predictions: kitti (a folder), coco or nuscenes (a JSON)."
        ),
    ] = "kitti",
    index: Annotated[
        Path | None,
        typer.Option(
            "--index",
            help="The export's mapping.json (KITTI), annotations.json (COCO) or folder (nuScenes).",
        ),
    ] = None,
    model_arg: Annotated[
        list[str] | None, typer.Option("--model-arg", help="KEY=VALUE for the model (repeat).")
    ] = None,
    save_baseline: Annotated[
        Path | None, typer.Option("--save-baseline", help="Record these metrics here.")
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Compare with these; exit 1 on regression.")
    ] = None,
    tolerance: Annotated[float, typer.Option("--tolerance", min=0.0)] = 0.02,
    force: Annotated[
        bool, typer.Option("--force", help="Compare with a baseline of another dataset.")
    ] = False,
    junit_out: Annotated[
        Path | None, typer.Option("--junit", help="Write JUnit XML (one case per metric).")
    ] = None,
    ce_reference: Annotated[
        Path | None,
        typer.Option("--ce-reference", help="A reference model's saved metrics: adds mCE."),
    ] = None,
    report_out: Annotated[
        Path | None,
        typer.Option("--report", help="Write a report: .md (tables) or .html (with charts)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Score a model on a dataset: 3D/BEV AP (KITTI R40), recall and 2D AP, per slice."""
    import json

    import yaml
    from rich.console import Console
    from rich.table import Table

    from simgen import eval as evaluation
    from simgen.core.atomic import write_text_atomic
    from simgen.dataset.reader import open_dataset

    args = {}
    for item in model_arg or []:
        key, sep, value = item.partition("=")
        if not sep:
            typer.echo(f"--model-arg {item!r}: expected KEY=VALUE", err=True)
            raise typer.Exit(1)
        args[key.strip()] = yaml.safe_load(value)
    if (model is None) == (predictions is None):
        typer.echo("simgen eval: give --model or --predictions (one of them)", err=True)
        raise typer.Exit(1)
    with _reported():
        data = open_dataset(dataset)
        try:
            if predictions is not None:
                from simgen.eval.prediction_files import load_predictions

                predictor = load_predictions(predictions, fmt, index)
            else:
                predictor = evaluation.load_model(str(model), args)
            results = evaluation.run_model(data, predictor)
            metrics = evaluation.score(results, getattr(predictor, "outputs", None))
            digest = evaluation.dataset_digest(data)
            if ce_reference is not None:
                reference = evaluation.load_baseline(ce_reference, digest, force)
                metrics |= evaluation.corruption_errors(metrics, reference)
            failed = []
            if baseline is not None:
                before = evaluation.load_baseline(baseline, digest, force)
                failed = evaluation.regressions(metrics, before, tolerance)
        except (ValueError, TypeError, ImportError, AttributeError) as exc:
            typer.echo(f"simgen eval: {exc}", err=True)
            raise typer.Exit(1) from None
        if save_baseline is not None:
            evaluation.save_baseline(save_baseline, metrics, digest)
        if junit_out is not None:
            write_text_atomic(junit_out, evaluation.baseline.junit(metrics, failed))
        if report_out is not None:
            from simgen.eval.report import write_report

            write_report(report_out, metrics, f"simgen eval: {model or predictions}", failed)
    if as_json:
        typer.echo(json.dumps(metrics, indent=1, sort_keys=True))
    else:
        table = Table(title=f"simgen eval: {model or predictions} on {dataset}")
        for column in ("slice", "metric", "value"):
            table.add_column(column)
        for name, value in metrics.items():
            where, _, what = name.partition("/")
            table.add_row(where, what, f"{value:.3f}")
        Console().print(table)
    for r in failed:
        typer.echo(f"regressed: {r.metric}: {r.current:.4f} (baseline {r.baseline:.4f})", err=True)
    if failed:
        raise typer.Exit(1)


@app.command()
def report(
    dataset: Annotated[Path, typer.Argument(help="A native dataset folder.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")],
    reference: Annotated[
        Path | None, typer.Option("--reference", help="A KITTI label_2 folder to compare with.")
    ] = None,
) -> None:
    """One self-contained HTML report of a dataset: summary, classes, histograms, conditions,
    a gallery with labels, and a section per scenario."""
    from simgen.inspect.report import write_report

    with _reported():
        path = write_report(dataset, out, reference)
    typer.echo(f"wrote {path}")


@app.command()
def view(
    dataset: Annotated[Path, typer.Argument(help="A native dataset folder.")],
    out: Annotated[Path, typer.Option("--out", "-o", help=".rrd file to write.")],
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario name.")] = None,
    variant: Annotated[int, typer.Option("--variant", min=0)] = 0,
) -> None:
    """Export one variant for the rerun viewer: images, boxes, lidar, ego track, timeline."""
    from simgen.inspect.view import export_rrd

    with _reported():
        path = export_rrd(dataset, out, scenario, variant)
    typer.echo(f"wrote {path}; open it with: rerun {path}")


@app.command()
def stats(
    dataset: Annotated[
        Path, typer.Argument(help="A native dataset, or a KITTI-format folder (label_2).")
    ],
    reference: Annotated[
        Path | None,
        typer.Option("--reference", help="A KITTI label_2 folder (or native dataset) to compare."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on standard output.")] = False,
) -> None:
    """Label statistics per class; with --reference, Wasserstein and KS distances to it."""
    import json

    from rich.console import Console

    from simgen.inspect import stats as label_stats

    with _reported():
        ours = label_stats.load_records(dataset)
        theirs = label_stats.load_records(reference) if reference is not None else None
    if theirs is None:
        data = {"classes": label_stats.describe(ours), "balance": label_stats.class_balance(ours)}
    else:
        data = label_stats.compare(ours, theirs)
    if as_json:
        typer.echo(json.dumps(data, indent=1, sort_keys=True))
    else:
        Console().print(label_stats.table(data, f"{dataset}", reference))


@app.command()
def bench(
    frames: Annotated[int, typer.Option("--frames", min=2, help="Frames of the bench scene.")] = 20,
    naive_frames: Annotated[
        int, typer.Option("--naive-frames", min=1, help="Frames for the PyBullet baseline.")
    ] = 3,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write JSON here.")] = None,
    batch: Annotated[
        bool, typer.Option("--batch", help="Measure batch throughput and worker memory instead.")
    ] = False,
    workers: Annotated[
        str, typer.Option("--workers", help="--batch: worker counts to compare, e.g. 1,2.")
    ] = "1,2",
    variants: Annotated[int, typer.Option("--variants", min=1, help="--batch: shards.")] = 4,
    ray: Annotated[
        bool, typer.Option("--ray", help="--batch: also time the ray executor.")
    ] = False,
    long: Annotated[
        int, typer.Option("--long", min=0, help="--batch: frames of the memory run (0: skip).")
    ] = 300,
) -> None:
    """Time a fully labelled frame of scenarios/bench_highway.yaml, stage by stage; with
    --batch, frames/s of the batch executors per worker count and worker memory over a long run."""
    import json

    from rich.console import Console
    from rich.table import Table

    from simgen.bench.stages import run_bench

    if batch:
        _bench_batch([int(w) for w in workers.split(",")], variants, frames, ray, long, json_out)
        return

    result = run_bench(frames=frames, naive_frames=naive_frames)
    table = Table(title=f"simgen bench: {result.frames} frames, medians per frame")
    table.add_column("stage")
    table.add_column("ms", justify="right")
    for stage, ms in result.stages_ms.items():
        table.add_row(stage, f"{ms:.1f}")
    table.add_row("[b]frame (stages in sequence)[/b]", f"[b]{result.frame_ms:.1f}[/b]")
    table.add_row("frame (wall, encoding overlapped)", f"{result.pipelined_frame_ms:.1f}")
    table.add_row("lidar, timed alone", f"{result.lidar_alone_ms:.1f}")
    table.add_row(f"raw Open3D cast, same {result.rays} rays", f"{result.raw_open3d_ms:.1f}")
    for stage, ms in result.naive_ms.items():
        table.add_row(f"naive PyBullet {stage}", f"{ms:.1f}")
    console = Console()
    console.print(table)
    console.print(
        f"{result.frames_per_s:.2f} frames/s; lidar stage {result.lidar_vs_raw:.2f}x raw Open3D; "
        f"{result.speedup_vs_naive:.1f}x faster than the naive PyBullet pipeline; "
        f"peak RSS {result.peak_rss_mb:.0f} MB\nmachine: {result.machine}"
    )
    if json_out is not None:
        from simgen.core.atomic import write_text_atomic

        write_text_atomic(json_out, json.dumps(result.to_json(), indent=2) + "\n")


def _bench_batch(
    workers: list[int], variants: int, frames: int, ray: bool, long: int, json_out: Path | None
) -> None:
    import json

    from rich.console import Console
    from rich.table import Table

    from simgen.batch import bench as batch_bench

    runs = batch_bench.throughput(
        workers, variants, frames, ("local", "ray") if ray else ("local",)
    )
    base = runs[0].frames_per_second
    table = Table(title=f"simgen bench --batch: {variants} shards x {frames} frames, bench scene")
    for column in ("executor", "workers", "frames/s", "vs first", "CPU %"):
        table.add_column(column, justify="right")
    for run in runs:
        cpu = "-" if run.cpu_percent is None else f"{run.cpu_percent:.0f}"
        table.add_row(run.executor, str(run.workers), f"{run.frames_per_second:.2f}",
                      f"{run.frames_per_second / base:.2f}x", cpu)  # fmt: skip
    console = Console()
    console.print(table)
    memory = batch_bench.memory(long) if long else None
    if memory is not None:
        marks = ", ".join(f"frame {f}: {mb:.0f} MB" for f, mb in sorted(memory.rss_mb.items()))
        console.print(f"worker RSS over {memory.frames} frames: {marks}")
    console.print(f"machine: {batch_bench.machine()}")
    if json_out is not None:
        from simgen.core.atomic import write_text_atomic

        data = {
            "runs": [vars(r) | {"frames_per_second": r.frames_per_second} for r in runs],
            "memory": None if memory is None else memory.rss_mb,
            "machine": batch_bench.machine(),
        }
        write_text_atomic(json_out, json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":  # pragma: no cover
    app()
