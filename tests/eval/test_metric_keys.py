"""Metric keys carry their direction by metric family, never by what the slice is called."""

import json

import pytest

from simgen.eval import BaselineError, Direction, MetricKey, MetricKeyError, load_baseline
from simgen.eval.baseline import junit, regressions, save_baseline
from simgen.eval.evaluate import corruption_errors, pairs
from simgen.eval.report import build


def test_a_scenario_named_like_an_error_does_not_invert_its_slice():
    # recall fell by 0.4 in a scenario whose name contains "_err": it regressed all the same
    before = {"scenario=sensor_error/recall/Car/hard": 0.9, "all/recall/Car/hard": 0.9}
    after = {"scenario=sensor_error/recall/Car/hard": 0.5, "all/recall/Car/hard": 0.9}
    assert [r.metric for r in regressions(after, before, 0.02)] == [
        "scenario=sensor_error/recall/Car/hard"
    ]
    # and recall that rose there is no regression
    better = dict(after, **{"scenario=sensor_error/recall/Car/hard": 1.0})
    assert regressions(better, before, 0.02) == []


def test_an_error_that_grew_regresses_wherever_it_is():
    before = {"scenario=depth_check/nuscenes_trans_err": 0.2, "pair=fog/drop/recall/Car/hard": 0.1}
    after = {"scenario=depth_check/nuscenes_trans_err": 0.5, "pair=fog/drop/recall/Car/hard": 0.3}
    assert [r.metric for r in regressions(after, before, 0.02)] == sorted(before)
    assert regressions(before, after, 0.02) == []  # errors that shrank


def test_drops_against_a_clean_twin_follow_the_metric_not_the_name():
    metrics = {
        "scenario=sensor_error/recall/Car/hard": 0.6,
        "scenario=sensor_error__clean/recall/Car/hard": 0.9,
        "scenario=sensor_error/depth_rmse": 2.0,
        "scenario=sensor_error__clean/depth_rmse": 1.5,
    }
    out = pairs(metrics)
    assert out["pair=sensor_error/drop/recall/Car/hard"] == pytest.approx(0.3)  # recall fell
    assert out["pair=sensor_error/drop/depth_rmse"] == pytest.approx(0.5)  # the error grew
    assert out["suite/mRR/recall/Car/hard"] == pytest.approx(0.6 / 0.9)
    assert "suite/mRR/depth_rmse" not in out  # no robustness ratio of an error
    # mCE counts the recall (higher is better), not the depth error
    assert set(corruption_errors(metrics, {"scenario=sensor_error/recall/Car/hard": 0.5})) == {
        "suite/mCE/recall/Car/hard"
    }


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("all/3d_ap/Car/moderate", Direction.HIGHER),
        ("scenario=x_err/recall/Car/hard", Direction.HIGHER),
        ("all/nuscenes_vel_err", Direction.LOWER),
        ("all/nuscenes_nds", Direction.HIGHER),
        ("light=night/depth_absrel", Direction.LOWER),
        ("pair=fog/drop/2d_ap/Car", Direction.LOWER),
        ("suite/mRR/recall/Car/hard", Direction.HIGHER),
        ("suite/mCE/3d_ap/Car/moderate", Direction.LOWER),
        ("distance=0-20m/3d_ap/Car/all", Direction.HIGHER),
    ],
)
def test_keys_parse_and_print_back(text, direction):
    key = MetricKey.parse(text)
    assert str(key) == text and key.direction is direction
    assert key == MetricKey.of(key.slice, *key.metric.split("/"))


@pytest.mark.parametrize("text", ["recall", "all/", "all/accuracy", "/recall/Car"])
def test_unknown_or_malformed_keys_are_refused(text):
    with pytest.raises(MetricKeyError):
        MetricKey.parse(text)


def test_baselines_keep_their_file_format(tmp_path):
    path = tmp_path / "base.json"
    metrics = {"all/recall/Car/hard": 0.75, "scenario=sensor_error/3d_ap/Car/easy": 0.5}
    save_baseline(path, metrics, "digest")
    assert json.loads(path.read_text()) == {"dataset": "digest", "metrics": metrics}
    assert load_baseline(path, "digest") == metrics
    # a file written before metric keys were typed (the same JSON) loads as it is
    old = tmp_path / "old.json"
    old.write_text('{"dataset": "d", "metrics": {"all/2d_ap/Car": 0.4, "all/depth_rmse": 1}}')
    assert load_baseline(old, "d") == {"all/2d_ap/Car": 0.4, "all/depth_rmse": 1.0}
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"dataset": "d", "metrics": {"all/accuracy": 0.4}}')
    with pytest.raises(BaselineError, match="unknown metric 'accuracy'"):
        load_baseline(unknown, "d")


def test_junit_and_report_group_by_slice():
    metrics = {"scenario=a_err/recall/Car/moderate": 0.5, "all/recall/Car/moderate": 0.8}
    failed = regressions(metrics, {"scenario=a_err/recall/Car/moderate": 0.9}, 0.02)
    xml = junit(metrics, failed)
    assert 'classname="scenario=a_err"' in xml and 'failures="1"' in xml
    markdown = build(metrics, "t", failed, markdown=True)
    assert "| a_err | 0.500 |" in markdown and "| all | 0.800 |" in markdown
    assert "- scenario=a_err/recall/Car/moderate: 0.5000 (baseline 0.9000)" in markdown
