"""``--workers auto``: never more workers than the cores hold, from the figure this machine
measured, and the thread caps a pool worker runs with."""

import json
import os
import subprocess
import sys
import time

import pytest

from simgen.api import plan_render, run_render
from simgen.batch import shards
from simgen.batch.executors import thread_caps
from simgen.batch.workers import (
    DEFAULT_BUSY_CORES,
    KEPT,
    cache_file,
    choose_workers,
    machine_key,
    parse_workers,
    record_busy_cores,
)
from simgen.cli import app
from simgen.core.cpu import cpu_seconds, usable_cores
from tests.cli.test_cli import TINY, runner


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Never read or write the user's own record."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_without_a_record_the_default_figure_never_oversubscribes():
    assert not cache_file().exists()
    for usable in range(1, 65):
        choice = choose_workers(usable=usable)
        assert choice.source == "default figure" and choice.busy_per_worker <= usable
        assert choice.workers >= 1
        # the workers' demand fits the cores, and one more worker would not
        assert choice.workers == 1 or choice.workers * DEFAULT_BUSY_CORES <= usable
        assert (choice.workers + 1) * choice.busy_per_worker > usable
    two = choose_workers(usable=2)
    assert two.workers == 1  # on 2 cores one worker keeps 1.6-1.9 busy: a second only contends
    assert two.reason() == "workers: 1 (2 usable cores, one worker keeps 1.9 busy, default figure)"
    assert choose_workers(usable=16).workers == 8
    capped = choose_workers(["a"], shards=3, usable=16)
    assert capped.workers == 3 and capped.reason().endswith("; only 3 shards)")


def test_the_largest_recent_figure_of_the_plan_s_scenarios_is_used():
    added = record_busy_cores([("big", 1.3), ("big", 1.2), ("big", 1.25)], usable=4)
    assert added == {"big": 1.25}  # the median of the shards
    choice = choose_workers(["big"], usable=4)
    assert (choice.workers, choice.busy_per_worker) == (3, 1.25)
    assert choice.source == "measured on this machine for big"
    record_busy_cores([("big", 1.9)], usable=4)  # taken on an idle machine: the larger holds
    assert choose_workers(["big"], usable=4).workers == 2
    for _ in range(KEPT):
        record_busy_cores([("big", 1.1)], usable=4)  # only the last few are kept
    assert choose_workers(["big"], usable=4).busy_per_worker == 1.1
    assert json.loads(cache_file().read_text()) == {machine_key(4): {"big": [1.1] * KEPT}}
    # a scenario without a figure: a small scene's figure would overcount the workers that fit
    record_busy_cores([("small", 0.9)], usable=4)
    other = choose_workers(["big", "new"], usable=4)
    assert other.source == "default figure" and other.workers == 2
    # every scenario measured: the most demanding one sets the count
    assert choose_workers(["big", "small"], usable=4).busy_per_worker == 1.1
    record_busy_cores([("heavy", 3.1)], usable=4)  # larger than the default: it is trusted
    assert choose_workers(["new"], usable=4).workers == 1
    assert choose_workers(["new"], usable=8).source == "default figure"  # another machine
    record_busy_cores([("small", 0.4)], usable=2)  # below one core (a loaded machine): the
    assert choose_workers(["small"], usable=2).busy_per_worker == 1.0  # render thread is one


def test_an_unreadable_record_falls_back_to_the_default():
    cache_file().parent.mkdir(parents=True)
    cache_file().write_text("{not json")
    assert choose_workers(["x"], usable=2).source == "default figure"
    assert record_busy_cores([], usable=2) == {}
    cache_file().write_text('{"m": [1, 2], "n": {"x": "y"}}')  # the wrong shapes
    assert choose_workers(["x"], usable=2).source == "default figure"


def test_worker_settings_parse_to_a_count_or_auto():
    assert parse_workers("auto") is None and parse_workers(None) is None
    assert parse_workers("AUTO ") is None and parse_workers("3") == 3 and parse_workers(2) == 2
    for bad in ("0", "-1", "two"):
        with pytest.raises(ValueError):
            parse_workers(bad)


def test_a_one_worker_render_records_what_its_shards_kept_busy(tmp_path, monkeypatch):
    monkeypatch.setattr(shards, "waited_for_a_core", lambda: 0.0)  # as on a quiet machine
    calls: list[float] = []  # when the shard read its CPU time: its steady window's two ends

    def timed_cpu_seconds() -> float:
        calls.append(time.perf_counter())
        return cpu_seconds()

    monkeypatch.setattr(shards, "cpu_seconds", timed_cpu_seconds)
    scenario = tmp_path / "tiny.yaml"
    text = TINY.replace("duration: 0.2", "duration: 0.6").replace("variants: 2", "variants: 1")
    scenario.write_text(text)
    plan = plan_render([scenario], tmp_path / "out")
    cpu = cpu_seconds()
    result = run_render(plan, workers=1)
    spent = cpu_seconds() - cpu
    assert result.ok and result.workers is None  # asked for a count: nothing chosen
    ((name, busy),) = result.summary.busy_cores  # 6 frames: the first warms up, 5 measured
    assert 0.05 < busy <= usable_cores() + 0.05
    # never more than the process spent over that window (the first frame's load may keep
    # fewer cores busy, so the whole render's wall time would not bound it)
    assert busy * (calls[-1] - calls[0]) <= spent + 0.05
    assert name == "tiny"
    assert json.loads(cache_file().read_text()) == {machine_key(): {"tiny": [round(busy, 3)]}}
    again = run_render(plan_render([scenario], tmp_path / "again"))  # auto, from that figure
    assert again.workers is not None and again.workers.source == "measured on this machine for tiny"
    assert again.workers.workers == 1  # one shard


def test_a_pool_worker_caps_every_library_to_its_share():
    """A worker of a pool of one per core: OpenCV, numexpr, OpenMP and llvmpipe at one thread."""
    caps = thread_caps(workers=usable_cores())
    probe = (
        "import cv2, numexpr; from simgen.core.cpu import limit_threads, thread_share; "
        "limit_threads(thread_share()); print(thread_share(), cv2.getNumThreads(), "
        "numexpr.get_num_threads())"
    )
    env = {**os.environ, **caps}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["1", "1", "1"]
    assert caps["OMP_NUM_THREADS"] == caps["LP_NUM_THREADS"] == caps["OPENCV_FOR_THREADS_NUM"]


def test_render_says_what_auto_chose_and_refuses_a_bad_count(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    out = str(tmp_path / "out")
    done = runner.invoke(app, ["render", str(scenario), "--out", out, "--frames", "1"])
    assert done.exit_code == 0, done.output
    expected = choose_workers(["tiny"], shards=2).reason()
    assert expected in done.output and expected.startswith("workers: ")
    explicit = runner.invoke(app, ["render", str(scenario), "--out", out, "--workers", "1"])
    assert explicit.exit_code == 0 and "workers: " not in explicit.output  # a count: no choice
    for bad in ("0", "many"):
        refused = runner.invoke(app, ["render", str(scenario), "--out", out, "--workers", bad])
        assert refused.exit_code == 2 and "expected auto or a count >= 1" in refused.output


def test_a_shard_that_waited_for_cores_is_not_measured(monkeypatch):
    """Another process's load shrinks a worker's CPU over wall time: the render thread's waits
    for a core come off the wall time, and a mostly waiting shard records nothing."""
    clock = {"cpu": 0.0, "wall": 0.0, "waited": 0.0}
    monkeypatch.setattr(shards, "cpu_seconds", lambda: clock["cpu"])
    monkeypatch.setattr(shards.time, "perf_counter", lambda: clock["wall"])
    monkeypatch.setattr(shards, "waited_for_a_core", lambda: clock["waited"])
    seen = []
    steady = shards._Steady(seen.append)
    steady(1)  # the warm-up frame: the clocks start here
    clock.update(cpu=12.0, wall=10.0, waited=1.0)
    for _ in range(shards.MIN_STEADY_FRAMES):
        steady(1)
    assert seen == [1] * (1 + shards.MIN_STEADY_FRAMES)
    assert steady.busy_cores() == pytest.approx(12.0 / 9.0)  # 1 s waited: 9 s of its own
    clock["waited"] = 2.0  # 20 % of the time waiting: the load, not the worker
    assert steady.busy_cores() is None
    monkeypatch.setattr(shards, "waited_for_a_core", lambda: None)  # a kernel that won't say
    assert steady.busy_cores() == pytest.approx(1.2)
    few = shards._Steady(None)
    few(1)
    few(1)
    assert few.busy_cores() is None  # too few frames to measure
