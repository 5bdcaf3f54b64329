"""The benchmark's bookkeeping, on a tiny scene (timings themselves are not asserted)."""

from simgen.bench.stages import run_bench
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
    assert result.cpu_frame_ms > 0
    machine = Machine(cpu="test", cores=2)
    record = make_record(result.to_json(), machine, dt.datetime(2026, 1, 1), "bench", "s", None)
    assert record.frame is not None and record.frame.outputs == ["normals"]


def test_the_bench_command_names_an_unknown_output():
    from tests.cli.test_cli import app, runner

    result = runner.invoke(app, ["bench", "--outputs", "flow,rgbd"])
    assert result.exit_code == 1
    assert "rgbd" in result.output and "flow, scene_flow, normals" in result.output
