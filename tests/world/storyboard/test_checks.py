"""A storyboard's references are checked when the scenario loads, positioned in the file."""

from __future__ import annotations

import pytest
import yaml

from simgen.scenario.errors import ScenarioError
from simgen.scenario.load import load_scenario
from tests.world.storyboard.helpers import STRAIGHT, at_time, event, speed, story


def _load(tmp_path, board, road=None):
    scenario = {
        "version": 1, "name": "sb", "duration": 1.0,
        "road": road or {"type": "opendrive", "file": str(STRAIGHT)},
        "ego": {"road": "1", "lane": -3, "s": 10, "speed": 10} if road is None else {"lane": 0},
        "actors": [{"name": "car", "model": "sedan", "lane": -1, "s": 60, "speed": 10,
                    **({"road": "1"} if road is None else {})}],
        "storyboard": board,
    }  # fmt: skip
    path = tmp_path / "sb.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value), path.read_text().splitlines()


def test_unknown_road_users_and_elements_are_errors_at_their_lines(tmp_path):
    state = [{"conditions": [{"check": {
        "type": "storyboard_element_state", "element_type": "event", "element": "go_o",
        "state": "end_transition"}}]}]  # fmt: skip
    board = story([event("go", at_time(1.0), speed(5.0)), event("then", state, speed(6.0))],
                  ["kar"])  # fmt: skip
    message, lines = _load(tmp_path, board)
    assert "unknown road user 'kar'" in message and "did you mean 'car'" in message
    assert "unknown event 'go_o'" in message
    line = next(i for i, text in enumerate(lines, 1) if "kar" in text)
    assert f"sb.yaml:{line}:" in message


def test_duplicate_names_and_map_positions_without_a_map(tmp_path):
    place = {"type": "teleport", "position": {"type": "lane", "road": "1", "lane": -1, "s": 5}}
    board = story([event("go", at_time(1.0), place), event("go", at_time(2.0), speed(1.0))],
                  ["car"])  # fmt: skip
    message, _ = _load(tmp_path, board, road={"type": "straight", "lanes": 2})
    assert "duplicate storyboard element name 'go'" in message
    assert "a lane position needs an OpenDRIVE map" in message
