"""The rerun export loads back through rerun's own reader, with every stream on the timeline."""

import pytest
from typer.testing import CliRunner

from simgen.cli import app
from tests.conftest import ROOT, render_text

rerun = pytest.importorskip("rerun", reason="the rerun extra is not installed")


def test_rrd_export_loads_back_with_every_stream_per_frame(tmp_path):
    text = (ROOT / "scenarios/default.yaml").read_text()
    text = text.replace("duration: 4.0", "duration: 0.3").replace("variants: 3", "variants: 1")
    text = text.replace("width: 640", "width: 160").replace("height: 360", "height: 90")
    dataset = render_text(tmp_path, text)
    out = tmp_path / "default.rrd"
    result = CliRunner().invoke(app, ["view", str(dataset), "--out", str(out)])
    assert result.exit_code == 0, result.output
    from rerun.chunk import RrdReader

    rows: dict[str, int] = {}
    for chunk in RrdReader(out).stream():
        if "frame" in chunk.timeline_names:
            rows[chunk.entity_path] = rows.get(chunk.entity_path, 0) + chunk.num_rows
    for entity in ("/world/ego", "/world/objects", "/world/ego_trajectory",
                   "/world/ego/lidar_top/points", "/world/ego/cam_front/image",
                   "/world/ego/cam_front/image/boxes"):  # fmt: skip
        assert rows.get(entity) == 3, (entity, rows)
