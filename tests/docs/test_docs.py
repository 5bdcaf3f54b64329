"""The documentation's generated parts (tools/gen_docs.py) and the benchmark records they read."""

import datetime as dt
import importlib.util
import json
import re

import pytest

from benchmarks import tables
from benchmarks.model import Record, load_records
from benchmarks.record import make_record, write_record
from simgen.injectors import MODELS
from simgen.injectors.docs import markdown_table
from simgen.scenario.models import Road, ScenarioSpec
from simgen.scenario.spec import spec_model
from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
gen_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen_docs)


def _section(markdown: str, title: str) -> str:
    return markdown.split(f"### {title}\n", 1)[1].split("\n### ", 1)[0]


def test_the_format_reference_has_every_key_of_every_model():
    reference = gen_docs.scenario_reference()
    for model in gen_docs.models_with_paths():
        section = _section(reference, model.__name__)
        for name in model.model_fields:
            assert f"| `{name}` |" in section, f"{model.__name__}.{name} is missing"


def test_the_format_reference_gives_type_default_bounds_and_description():
    road = _section(gen_docs.scenario_reference(), "Road")
    assert "| `lanes` | integer or [choice] | `2` | >= 1, <= 8 |" in road
    assert "| `lane_width` | number or [distribution] | `3.5` | >= 2, <= 6 |" in road
    assert "`radius` | number or [distribution] or null | unset |  | curve only" in road
    top = _section(gen_docs.scenario_reference(), "Scenario")
    assert "| `duration` | number | **required** | > 0 | simulated seconds |" in top
    assert "| `road` | [Road](#road) | its defaults |" in top


def test_bounds_are_read_from_the_spec_and_the_instance_models():
    assert gen_docs.bounds_text(spec_model(Road).model_fields["lane_width"]) == ">= 2, <= 6"
    assert gen_docs.bounds_text(Road.model_fields["lane_width"]) == ">= 2, <= 6"
    assert gen_docs.bounds_text(ScenarioSpec.model_fields["seed"]) == ">= 0, < 2^63"
    assert gen_docs.bounds_text(Road.model_fields["type"]) == ""


def test_models_are_listed_with_the_key_paths_they_are_used_at():
    paths = {m.__name__: p for m, p in gen_docs.models_with_paths().items()}
    assert paths["Mount"] == ["ego.sensors[].mount"]
    assert paths["Blackout"] == ["injectors[]", "ego.sensors[].faults[]"]
    assert "Uniform" not in paths  # distributions have their own section


def test_the_injector_catalogue_covers_the_registry_with_its_pictures():
    catalogue = gen_docs.injector_catalogue()
    assert catalogue.startswith(markdown_table())
    assert re.findall(r"^### `(\w+)`$", catalogue, re.M) == list(MODELS)
    for image in re.findall(r"\]\((gallery/[\w.]+)\)", catalogue):
        assert (ROOT / "docs" / image).exists()
    fog = _section(catalogue, "`fog`")
    assert "| `density` | 0.03 | > 0, <= 1 |" in fog and "gallery/fog.jpg" in fog


def test_markers_are_filled_and_unknown_ones_name_the_page():
    filled = gen_docs.fill("# Title\n<!-- gen: eval-suite -->\nafter\n")
    assert "| cut-in | 0.50 | 0.04 |" in filled and filled.endswith("after\n")
    with pytest.raises(ValueError, match=r"x\.md: unknown generated part 'nope'"):
        gen_docs.fill("<!-- gen: nope -->\n", "x.md")


def test_every_marker_in_the_docs_is_known():
    for page in (ROOT / "docs").rglob("*.md"):
        for name in re.findall(r"^<!-- gen: ([a-z0-9-]+) -->$", page.read_text(), re.M):
            assert name in gen_docs.GENERATORS, f"{page}: {name}"


def test_records_load_oldest_first_and_tables_show_their_values():
    records = load_records()
    assert len(records) >= 20 and records == sorted(records, key=lambda r: r.date)
    frame = tables.frame_table(load_records(kind="frame"))
    assert "| **labelled frame, wall time** | 241.9 | 258.7 | 237.9 | 214.0 |" in frame
    assert "| naive PyBullet frame | - | - | 1189.4 | - |" in frame
    assert "| lidar / raw cast | - | - | 2.7x | 2.7x |" in frame  # 35.9 / 13.2, and as given
    detectors = tables.detector_table(load_records(kind="detector"))
    assert "`people_holdout_c` | final | 143 | 74.8 % | 49.0 %" in detectors


def test_a_record_must_carry_the_payload_of_its_kind():
    record = json.loads(next((ROOT / "benchmarks" / "records").glob("*-frame-*.json")).read_text())
    with pytest.raises(ValueError, match="exactly its own payload"):
        Record.model_validate(record | {"kind": "batch"})


def _machine():
    from benchmarks.model import Machine

    return Machine(cpu="Test CPU", cores=2, renderer="llvmpipe", python="3.11", packages={})


def test_bench_json_becomes_a_record_named_by_date(tmp_path):
    bench = {
        "machine": "Test CPU, 2 logical CPUs, Linux",
        "frames": 19,
        "stages_ms": {"physics": 11.0, "camera rgb": 100.0},
        "frame_ms": 250.0,
        "pipelined_frame_ms": 220.0,
        "frames_per_s": 4.5,
        "cpu_ms_per_frame": 396.0,
        "busy_cores": 1.8,
        "raw_open3d_ms": 12.0,
        "lidar_alone_ms": 30.0,
        "lidar_vs_raw": 2.5,
        "naive_ms": {"camera": 400.0, "lidar": 700.0, "frame": 1200.0},
        "naive_frames": 3,
        "speedup_vs_naive": 4.8,
        "peak_rss_mb": 590.0,
        "rays": 131072,
    }
    when = dt.datetime(2027, 1, 2, 3, 4, tzinfo=dt.UTC)
    record = make_record(bench, _machine(), when, "simgen bench", "a test", "abc1234")
    first = write_record(record, when, tmp_path)
    second = write_record(record, when, tmp_path)
    assert first.name == "2027-01-02-0304-frame.json" and second.name.endswith("-frame-2.json")
    back = load_records(tmp_path)
    assert back == [record, record] and back[0].frame.stages_ms["camera rgb"] == 100.0
    assert "| camera RGB pass | 100.0 |" in tables.frame_table(back[:1])
    assert "| **CPU per labelled frame (CPU-ms, all threads)** | 396 |" in tables.frame_table(back)


def test_batch_json_becomes_a_batch_record(tmp_path):
    bench = {
        "runs": [
            {"executor": "local", "workers": 1, "frames": 80, "seconds": 20.0,
             "cpu_percent": 150.0, "frames_per_second": 4.0, "requested": "1"},
            {"executor": "local", "workers": 2, "frames": 80, "seconds": 16.0,
             "cpu_percent": 190.0, "frames_per_second": 5.0, "requested": "2",
             "busy_cores": 1.9, "cpu_ms_per_frame": 380.0, "frames_per_busy_core": 2.63},
            {"executor": "local", "workers": 1, "frames": 80, "seconds": 20.0,
             "cpu_percent": 160.0, "frames_per_second": 4.0, "requested": "auto",
             "reason": "workers: 1 (2 usable cores, one worker keeps 1.6 busy, default figure)"},
            {"executor": "local", "workers": 1, "frames": 80, "seconds": 19.0,
             "cpu_percent": 170.0, "frames_per_second": 4.2, "requested": "1"},
            {"executor": "local", "workers": 2, "frames": 80, "seconds": 17.0,
             "cpu_percent": 190.0, "frames_per_second": 4.6, "requested": "2"},
            {"executor": "local", "workers": 1, "frames": 80, "seconds": 18.0,
             "cpu_percent": 160.0, "frames_per_second": 4.4, "requested": "auto"},
        ],
        "memory": {"50": 480.0, "100": 481.0},
        "machine": "Test CPU, 2 logical CPUs",
    }  # fmt: skip
    when = dt.datetime(2027, 1, 2, tzinfo=dt.UTC)
    record = make_record(bench, _machine(), when, "simgen bench --batch", "t", None, 4, 20)
    assert record.kind == "batch" and record.batch.memory == {50: 480.0, 100: 481.0}
    text = tables.batch_table(record)
    assert "| local | 2 | 5.00 | 1.25x | 190 % | 380 | 2.63 |" in text
    # not recorded: derived from the CPU use and frames/s the run recorded
    assert "| local | auto (1) | 4.00 | 1.00x | 160 % | 400 | 2.50 |" in text
    assert "4 shards x 20 frames" in text and "one worker keeps 1.6 busy" in text
    # repeated settings: medians (of 4.0 and 4.2, 5.0 and 4.6, 4.0 and 4.4) against the first
    lead = "Medians over 2 alternating rounds, against local 1: "
    assert lead + "local 1: 4.10 frames/s (1.00x, CPU 160 %); " in text
    assert "local 2: 4.80 frames/s (1.17x, CPU 190 %); local auto (1): 4.20 frames/s (1.02x" in text
    with pytest.raises(ValueError, match="neither 'stages_ms' nor 'runs'"):
        make_record({"x": 1}, _machine(), when, "c", "s", None)


def test_a_signal_recall_run_becomes_a_record_and_a_table_row():

    payload = {
        "scenes": ["town_junction"],
        "detector": "nanodet_m",
        "images": 40,
        "selection": "lights facing the camera",
        "rows": {"all": {"lights": 20, "recall": 0.65, "recall_iou30": 0.8}},
    }
    record = make_record(
        {"signals": payload}, _machine(), dt.datetime(2026, 1, 1), "tools/signal_recall.py", "s",
        None,
    )  # fmt: skip
    assert record.kind == "signals" and record.signals is not None
    table = tables.signals_table([record])
    assert "| commit unknown [1] | nanodet_m | town_junction | all | 20 | 0.65 | 0.80 |" in table
    assert "Counted: lights facing the camera." in table


def test_a_realism_run_becomes_a_record_and_a_table_row(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "realism_record", ROOT / "tools" / "realism_record.py"
    )
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)

    report = {
        "dataset": "/x/vehicles_day_street",
        "detector": {
            "images": 18,
            "false_positives_per_image": 0.25,
            "recall": [
                {"group": "vehicle", "where": "all", "found": 9, "total": 10, "recall": 0.9},
                {"group": "vehicle", "where": "light=day", "found": 9, "total": 10},
                {"group": "person", "where": "all", "found": 3, "total": 4, "recall": 0.75},
            ],
        },
    }
    written = tmp_path / "r.json"
    written.write_text(json.dumps(report))
    payload = tool.gather([written], "new look", "nanodet_m")
    record = make_record(payload, _machine(), dt.datetime(2026, 1, 1), "c", "s", None)
    assert record.kind == "realism" and record.realism is not None
    table = tables.realism_table([record])
    row = "| new look [1] | `vehicles_day_street` | 18 | 0.90 (9/10) | - | - | - | 0.75 (3/4) |"
    assert row + " 0.25 |" in table


def _realism(scenes: list[str], commit: str) -> Record:
    payload = {
        "realism": {
            "detector": "nanodet_m",
            "look": commit,
            "selection": "s",
            "scenes": [
                {"scene": name, "images": 3, "false_positives_per_image": 0.5,
                 "recall": {"vehicle": {"found": 1, "total": 2}}}
                for name in scenes
            ],
        }
    }  # fmt: skip
    return make_record(payload, _machine(), dt.datetime(2027, 1, 1), "c", "s", commit)


def test_a_minutes_later_records_load_after_its_first(tmp_path):
    """write_record names a minute's second record ``-2``; a plain sort of the names put the
    first (no suffix: ``.`` sorts after ``-``) last."""
    when = dt.datetime(2027, 1, 2, 3, 4, tzinfo=dt.UTC)
    for commit in ("aaa", "bbb", "ccc"):
        write_record(_realism(["x"], commit), when, tmp_path)
    assert [r.commit for r in load_records(tmp_path)] == ["aaa", "bbb", "ccc"]


def test_the_current_realism_table_shows_the_newest_commits_scenes_only():
    records = [_realism(["old_scene"], "aaa"), _realism(["day"], "bbb"), _realism(["night"], "bbb")]
    table = tables.realism_current_table(records)
    assert "| `day` | 3 | 0.50 (1/2) | - | 0.50 | [1] |" in table
    assert "| `night` | 3 | 0.50 (1/2) | - | 0.50 | [2] |" in table
    assert "old_scene" not in table and "`aaa`" not in table


def test_the_readmes_generated_parts_are_what_the_records_give():
    """README.md is not built: `python tools/gen_docs.py --readme` writes its tables, and this
    fails when a record changes without that."""
    text = (ROOT / "README.md").read_text()
    assert "<!-- gen: realism-current -->" in text
    assert gen_docs.fill_readme(text) == text
