"""The benchmark's bookkeeping, on a tiny scene (timings themselves are not asserted)."""

import pytest

from simgen.bench.batch import throughput
from simgen.bench.stages import run_bench
from simgen.core.cpu import usable_cores
from tests.cli.test_cli import TINY
from tests.conftest import ROOT


def test_bench_reports_every_stage_and_consistent_ratios(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY.replace("duration: 0.2", "duration: 0.4"))
    result = run_bench(frames=4, naive_frames=1, scenario=scenario)
    assert result.frames == 3  # the first frame only warms up
    expected = {"physics", "camera rgb", "camera labels+depth", "lidar", "labels"}
    assert expected <= set(result.stages_ms)
    assert all(v > 0 for v in result.stages_ms.values())
    assert result.rays == 4 * 180
    assert abs(result.lidar_vs_raw - result.lidar_alone_ms / result.raw_open3d_ms) < 1e-9
    assert abs(result.speedup_vs_naive - result.naive_ms["frame"] / result.frame_ms) < 1e-9
    assert result.peak_rss_mb > 50
    assert "CPU" in result.machine
    # CPU per frame: the process's CPU time over the same frames and span as the wall time
    assert result.cpu_ms_per_frame == pytest.approx(result.busy_cores * result.pipelined_frame_ms)
    # the render thread alone is busy for most of a frame, and no process outruns its cores
    assert 0.25 < result.busy_cores <= usable_cores() + 0.05


def test_a_scene_without_a_lidar_is_timed_without_the_lidar_baselines(tmp_path):
    from typer.testing import CliRunner

    from simgen.cli.app import app

    lidar = (
        "    - {name: lidar, type: lidar, channels: 4, vertical_fov: [2, -10], "
        "horizontal_resolution: 2,\n       range: 60, mount: {xyz: [0, 0, 1.9]}}\n"
    )
    assert lidar in TINY
    scenario = tmp_path / "camera_only.yaml"
    scenario.write_text(TINY.replace(lidar, "").replace("duration: 0.2", "duration: 0.3"))
    result = run_bench(frames=3, naive_frames=1, scenario=scenario)
    assert "lidar" not in result.stages_ms and result.rays == 0
    assert result.lidar_alone_ms is result.raw_open3d_ms is result.lidar_vs_raw is None
    assert set(result.naive_ms) == {"camera", "frame"}
    assert abs(result.speedup_vs_naive - result.naive_ms["frame"] / result.frame_ms) < 1e-9
    out = CliRunner().invoke(app, ["bench", "--scenario", str(scenario), "--frames", "2",
                                   "--naive-frames", "1"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "raw Open3D" not in out.output and "CPU-ms per labelled frame" in out.output


def test_the_default_bench_scene_is_the_repository_s_bench_highway():
    """`simgen bench` without --scenario times this file (it moved one folder down once)."""
    from simgen.bench.stages import BENCH_SCENARIO

    assert BENCH_SCENARIO == ROOT / "scenarios" / "bench_highway.yaml"
    assert BENCH_SCENARIO.is_file()


def test_bench_options_add_the_opt_in_outputs_and_time_their_stages(tmp_path):
    from simgen.bench.stages import BenchOptions

    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY.replace("duration: 0.2", "duration: 0.4"))
    options = BenchOptions(("flow", "scene_flow", "normals"), lidar_scene_flow=True)
    result = run_bench(frames=4, naive_frames=1, scenario=scenario, options=options)
    assert {"camera normals", "camera flow", "lidar scene flow"} <= set(result.stages_ms)
    assert result.outputs == ["flow", "scene_flow", "normals"] and result.lidar_scene_flow
    plain = run_bench(frames=3, naive_frames=1, scenario=scenario)
    assert not {"camera normals", "camera flow", "lidar scene flow"} & set(plain.stages_ms)


def test_bench_options_refuse_an_unknown_output():
    import pytest

    from simgen.bench.stages import BenchOptions

    with pytest.raises(ValueError, match="rgbd"):
        BenchOptions(("rgbd",))


def test_a_bench_with_opt_in_outputs_makes_a_record(tmp_path):
    import datetime as dt

    from benchmarks.model import Machine
    from benchmarks.record import make_record
    from simgen.bench.stages import BenchOptions

    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    result = run_bench(
        frames=2, naive_frames=1, scenario=scenario, options=BenchOptions(("normals",))
    )
    assert result.cpu_ms_per_frame > 0
    machine = Machine(cpu="test", cores=2)
    record = make_record(result.to_json(), machine, dt.datetime(2026, 1, 1), "bench", "s", None)
    assert record.frame is not None and record.frame.outputs == ["normals"]


def test_the_bench_command_names_an_unknown_output():
    from tests.cli.test_cli import app, runner

    result = runner.invoke(app, ["bench", "--outputs", "flow,rgbd"])
    assert result.exit_code == 1
    assert "rgbd" in result.output and "flow, scene_flow, normals" in result.output


def test_batch_bench_reports_cpu_per_frame_and_frames_per_busy_core(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY.replace("duration: 0.2", "duration: 0.4"))
    runs = throughput(["1", "auto"], variants=2, frames=4, scenario=scenario)
    assert [r.requested for r in runs] == ["1", "auto"]
    assert runs[1].reason.startswith(f"workers: {runs[1].workers} ({usable_cores()} usable cores")
    for run in runs:
        assert run.frames == 8 and run.busy_cores is not None
        assert 0.1 < run.busy_cores <= usable_cores() + 0.05
        assert run.cpu_ms_per_frame == pytest.approx(1000 * run.busy_cores * run.seconds / 8)
        assert run.frames_per_busy_core == pytest.approx(run.frames_per_second / run.busy_cores)
        data = run.to_json()
        assert data["frames_per_busy_core"] == run.frames_per_busy_core
        assert data["cpu_ms_per_frame"] == run.cpu_ms_per_frame


def test_alternated_runs_are_compared_round_by_round():
    """Drift between rounds cancels in the per-round ratio, not in the ratio of medians."""
    from pathlib import Path

    from benchmarks.alternate import Setting, report

    settings = [Setting("this", Path("."), "plain"), Setting("old", Path("."), "flow")]
    # flow costs 10 % more in every round; the machine slows down between rounds
    cpu = {"plain": [100.0, 300.0, 310.0], "old:flow": [110.0, 330.0, 341.0]}
    flow = report(settings, cpu).splitlines()[2].split()
    assert flow[:4] == ["old:flow", "330.0", "1.10x", "1.10x"]
    cpu["old:flow"] = [110.0, 120.0, 341.0]  # round 2's flow ran while the machine was fast
    flow = report(settings, cpu).splitlines()[2].split()
    assert flow[2:4] == ["0.40x", "1.10x"]  # the medians mislead; the rounds do not
    assert flow[4] == "0.40-1.10"  # and the spread of the rounds shows that one was off
