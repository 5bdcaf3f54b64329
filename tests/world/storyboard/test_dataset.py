"""A storyboard scenario rendered: phases in every frame's labels, the timeline in
storyboard.json, and metrics sliced by phase."""

from __future__ import annotations

import pytest
import yaml

import simgen
from tests.world.storyboard.helpers import ROOT, STRAIGHT


def test_the_example_renders_with_its_phases_as_data(tmp_path):
    scenario = yaml.safe_load((ROOT / "scenarios" / "storyboard_cut_in.yaml").read_text())
    scenario["road"]["file"] = str(STRAIGHT)
    scenario["frame_rate"] = 1  # frames at 0, 1, ..., 9 s: before, during and after the cut-in
    for sensor in scenario["ego"]["sensors"]:
        if sensor["type"] == "camera":
            sensor["width"], sensor["height"] = 96, 54
    path = tmp_path / "cut_in.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    result = simgen.render(path, out=tmp_path / "out", variants=1, workers=1)
    (variant,) = simgen.open_dataset(result.out)
    timeline = {r.name: r for r in variant.storyboard()}
    cut_in = timeline["cut_in"].spans[0]
    # the cutter (28 m/s) starts 20 m behind the ego (20 m/s): 10 m ahead bumper to bumper
    # (centres 10 m + one sedan length apart) after (20 + 10 + length) / 8 s
    length = variant.frame(0).labels.object("cutter").boxes.world.size[0]
    assert cut_in.start == pytest.approx((30 + length) / 8, abs=1 / 240 + 1e-9)
    assert cut_in.end == pytest.approx(cut_in.start + 2.5, abs=1e-9)
    phases = {}
    for frame in variant.frames():
        for p in frame.labels.storyboard:
            if p.name == "cut_in":
                phases[frame.index] = p.phase
    expected = {
        i: "before" if i < cut_in.start else "during" if i < cut_in.end else "after"
        for i in range(10)
    }
    assert phases == expected
    metrics = simgen.evaluate(result.out, "oracle").metrics
    assert any(k.startswith("phase=cut_in:during/") for k in metrics)
    assert any(k.startswith("phase=cut_in_act:during/") for k in metrics)
