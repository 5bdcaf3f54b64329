"""Batches: the same bytes from every executor, resumption after a kill, retries, verification."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simgen.batch import executor, plan_shards, run_batch
from simgen.batch.executors import InlineExecutor, LocalExecutor
from simgen.dataset.reader import DatasetError, open_dataset
from simgen.dataset.verify import verify

SCENE = """
version: 1
name: {name}
seed: {seed}
duration: {duration}
frame_rate: 10
variants: {variants}
road: {{length: 200, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}}
ego:
  lane: 0
  s: 20
  speed: 8
  sensors:
    - {{name: cam, type: camera, width: 96, height: 64, outputs: [rgb, instance]}}
    - {{name: lidar, type: lidar, channels: 4, vertical_fov: [2, -10], horizontal_resolution: 3,
       range: 60, mount: {{xyz: [0, 0, 1.9]}}}}
actors:
  - {{name: lead, model: sedan, lane: 0, s: {{uniform: [30, 45]}}, speed: 6}}
"""


def write_suite(root: Path, duration: float = 0.3, variants: int = 2) -> Path:
    for name, seed in (("one", 1), ("two", 2)):
        text = SCENE.format(name=name, seed=seed, duration=duration, variants=variants)
        (root / f"{name}.yaml").write_text(text)
    suite = root / "suite.yaml"
    suite.write_text(
        "suite: tiny\nscenarios:\n"
        f"  - {{file: one.yaml, variants: {variants}, seed: 11}}\n"
        f"  - {{file: two.yaml, variants: {variants}, seed: 12}}\n"
    )
    return suite


def hashes(out: Path) -> dict[str, dict[str, str]]:
    return {
        str(m.parent.relative_to(out)): json.loads(m.read_text())["files"]
        for m in sorted(out.rglob("manifest.json"))
    }


def run(suite: Path, out: Path, name: str, workers: int, retries: int = 1):
    shards = plan_shards([suite], out)
    return run_batch(shards, executor(name, workers), lambda event: None, retries)


def test_every_executor_writes_the_same_bytes(tmp_path):
    suite = write_suite(tmp_path)
    summaries = {}
    for name, workers in (("local", 1), ("local", 2), ("ray", 2)):
        out = tmp_path / f"{name}{workers}"
        summaries[(name, workers)] = run(suite, out, name, workers)
    reference = hashes(tmp_path / "local1")
    assert len(reference) == 4 and all(len(files) > 5 for files in reference.values())
    assert hashes(tmp_path / "local2") == reference
    assert hashes(tmp_path / "ray2") == reference
    for summary in summaries.values():
        assert summary.rendered == 4 and not summary.failed and summary.frames == 12
    again = run(suite, tmp_path / "local2", "local", 2)  # a rerun skips what is complete
    assert again.skipped == 4 and again.rendered == 0


def _manifests(out: Path) -> list[Path]:
    """The manifests under ``out`` while a batch writes there: a partial folder renamed or
    removed during the walk is walked again."""
    while True:
        try:
            return list(out.rglob("manifest.json"))
        except FileNotFoundError:
            continue


def test_a_killed_batch_resumes_to_the_same_bytes(tmp_path):
    suite = write_suite(tmp_path, duration=1.5, variants=3)
    reference = tmp_path / "ref"
    run(suite, reference, "local", 2)
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "simgen.cli", "render", str(suite), "--out", str(out),
               "--workers", "2", "--quiet"]  # fmt: skip
    batch = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not _manifests(out) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(batch.pid, signal.SIGKILL)  # the batch and its workers, midway
    batch.wait()
    done = list(out.rglob("manifest.json"))
    assert 1 <= len(done) < 6, "kill it midway"
    for folder in (p for p in out.glob("*/*") if p.is_dir()):
        # whatever sits under a final name is complete; the rest is a named partial
        assert (folder / "manifest.json").exists() or ".partial-" in folder.name, folder
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert hashes(out) == hashes(reference)
    assert not [p for p in out.rglob("*") if ".partial-" in p.name]
    assert verify(out).ok


def test_a_failing_shard_is_retried_then_reported_while_the_others_complete(tmp_path):
    suite = write_suite(tmp_path)
    shards = plan_shards([suite], tmp_path / "out")
    (tmp_path / "two.yaml").write_text((tmp_path / "two.yaml").read_text() + "\n# edited\n")
    events = []
    summary = run_batch(shards, LocalExecutor(2), events.append, retries=1)
    assert sorted(summary.failed) == ["two/0000", "two/0001"]
    assert "changed after the batch was planned" in summary.failed["two/0000"]
    assert summary.rendered == 2 and summary.retries == 2
    assert [e.kind for e in events].count("retry") == 2


def test_a_killed_worker_fails_only_its_shard_which_is_retried(tmp_path):
    suite = write_suite(tmp_path, duration=1.0)
    pool = LocalExecutor(2)
    killed = []

    def report(event):
        if event.kind == "frames" and not killed and event.shard in pool.rendering:
            killed.append(event.shard)
            os.kill(pool.rendering[event.shard], signal.SIGKILL)

    shards = plan_shards([suite], tmp_path / "out")
    summary = run_batch(shards, pool, report, retries=2)
    assert killed and summary.retries >= 1 and not summary.failed and summary.rendered == 4
    run(suite, tmp_path / "ref", "local", 1)
    assert hashes(tmp_path / "out") == hashes(tmp_path / "ref")


def test_verify_catches_a_flipped_byte_a_deleted_file_and_an_extra_one(tmp_path):
    suite = write_suite(tmp_path)
    out = tmp_path / "out"
    run(suite, out, "local", 1)
    assert verify(out).ok
    variant = out / "one" / "0000"
    image = variant / "cam/rgb/000001.png"
    data = bytearray(image.read_bytes())
    data[len(data) // 2] ^= 0x01
    image.write_bytes(bytes(data))
    (variant / "lidar/000002.bin").unlink()
    (variant / "cam/rgb/stray.png").write_bytes(b"x")
    report = verify(out)
    assert report.corrupt == [str(image)]
    assert report.missing == [str(variant / "lidar/000002.bin")]
    assert report.extra == [str(variant / "cam/rgb/stray.png")]
    from typer.testing import CliRunner

    from simgen.cli import app

    result = CliRunner().invoke(app, ["verify", str(out)])
    assert result.exit_code == 1 and "corrupt:" in result.output and "missing:" in result.output


def test_ray_missing_is_a_clear_message(monkeypatch, tmp_path):
    import builtins

    real = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("no ray")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(RuntimeError, match=r"pip install 'simgen\[ray\]'"):
        run(write_suite(tmp_path), tmp_path / "out", "ray", 2)


def test_chunked_long_variants_join_into_the_same_bytes(tmp_path):
    """A variant cut into frame chunks (rendered by two workers, out of order) is joined into
    the files an unchunked render writes, manifest included; a lost chunk alone is redone."""
    scene = tmp_path / "long.yaml"
    scene.write_text(SCENE.format(name="long", seed=5, duration=1.1, variants=1))
    whole = tmp_path / "whole"
    run_batch(plan_shards([scene], whole), InlineExecutor(), lambda e: None)
    chunked = tmp_path / "chunked"
    shards = plan_shards([scene], chunked, chunk_frames=4)
    assert [s.chunk for s in shards] == [(0, 4), (4, 8), (8, 11)]
    assert shards[1].id == "long/0000/000004-000008"
    summary = run_batch(shards, executor("local", 2), lambda e: None)
    assert summary.frames == 11 and not summary.failed
    assert hashes(chunked) == hashes(whole)
    for rel in hashes(whole)["long/0000"]:
        assert (chunked / "long/0000" / rel).read_bytes() == (
            whole / "long/0000" / rel
        ).read_bytes()
    manifest = "long/0000/manifest.json"
    assert (chunked / manifest).read_bytes() == (whole / manifest).read_bytes()
    assert not (chunked / "long/0000.chunks").exists()
    assert verify(chunked).ok

    # a batch killed after two of three chunks: the rerun renders the third alone, then joins
    partial = tmp_path / "partial"
    first_two = [s for s in plan_shards([scene], partial, chunk_frames=4) if s.chunk != (8, 11)]
    events = []
    run_batch(first_two, InlineExecutor(), events.append)
    assert not (partial / manifest).exists()  # not joined: a chunk is missing
    assert len(list(partial.rglob("manifest.json"))) == 2  # the committed chunks' manifests
    with pytest.raises(DatasetError, match="no complete variant"):
        open_dataset(partial)  # which are not variants
    rerun = run_batch(
        plan_shards([scene], partial, chunk_frames=4), InlineExecutor(), events.append
    )
    assert (rerun.rendered, rerun.skipped) == (1, 2)
    assert hashes(partial) == hashes(whole)


def test_recycled_workers_are_never_sent_a_shard_after_their_share(tmp_path):
    """A worker exits after ``recycle`` shards; the pool starts a new one instead of handing the
    leaving one more work (which used to cost a retry, or a failure once retries ran out)."""
    suite = write_suite(tmp_path, duration=0.1)
    events = []
    summary = run_batch(
        plan_shards([suite], tmp_path / "out"), LocalExecutor(2, recycle=1), events.append, 0
    )
    assert not summary.failed and summary.retries == 0
    assert not [e for e in events if e.kind == "retry"]
