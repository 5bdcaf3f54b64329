"""The scenario contact sheet: a map with every track and event, and every sensor's frames."""

import cv2
import numpy as np
from typer.testing import CliRunner

from simgen.cli import app
from simgen.inspect.scenario_preview import MAP_SIZE
from tests.conftest import ROOT

runner = CliRunner()


def test_preview_of_a_scenario_file_shows_map_tracks_events_and_frames(tmp_path):
    out = tmp_path / "sheet.png"
    scenario = ROOT / "scenarios/edge_cases/crash_rear_end.yaml"
    result = runner.invoke(app, ["preview", str(scenario), "--out", str(out), "--variant", "1"])
    assert result.exit_code == 0, result.output
    sheet = cv2.imread(str(out))
    width = sheet.shape[1]
    map_height = MAP_SIZE[1] * width // MAP_SIZE[0]
    # three frames of 400x225 tiles (RGB, depth, semantic of a 16:9 camera) and a square BEV
    assert sheet.shape[0] - map_height == 3 * 225 and width == 3 * 400 + 225
    strip = sheet[:map_height]
    red = np.all(strip == (0, 0, 255), axis=2)  # the collision marker
    assert red.sum() > 20
    ego = np.all(strip == (0, 0, 200), axis=2)  # the ego's track
    assert ego.sum() > 50
    triggers = np.all(strip == (0, 110, 0), axis=2)  # the crash's accelerate and stop steps
    assert triggers.sum() > 20


def test_preview_takes_injectors_and_reports_bad_ones(tmp_path):
    scenario = ROOT / "scenarios/default.yaml"
    out = tmp_path / "fog.png"
    ok = runner.invoke(app, ["preview", str(scenario), "--out", str(out), "--inject", "fog"])
    assert ok.exit_code == 0 and out.exists()
    bad = runner.invoke(app, ["preview", str(scenario), "--out", str(out), "--inject", "smog"])
    assert bad.exit_code == 1 and "unknown injector 'smog'" in bad.output
