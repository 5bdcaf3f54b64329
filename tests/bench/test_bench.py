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
