import cv2
import numpy as np
from typer.testing import CliRunner

from simgen.cli import app
from simgen.dataset.reader import find_variants
from tests.cli.test_cli import TINY

runner = CliRunner()


def test_render_runs_the_requested_exports_and_preview_draws_the_boxes(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(
        TINY.replace("variants: 2", "variants: 1") + "output: {formats: [kitti, coco]}\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "tiny/export_kitti/training/label_2/000001.txt").exists()
    assert (out / "tiny/export_coco/annotations.json").exists()

    png = tmp_path / "preview.png"
    result = runner.invoke(app, ["preview", str(out), "--frame", "1", "--out", str(png)])
    assert result.exit_code == 0, result.output
    drawn = cv2.imread(str(png))
    variant = find_variants(out)[0]
    raw = cv2.cvtColor(variant.frame(1).rgb("cam"), cv2.COLOR_RGB2BGR)
    x0, y0, x1, _ = variant.labels(1).object("lead").cameras["cam"].visible_box
    changed = np.any(drawn != raw, axis=2)
    assert changed[y0, x0 : x1 + 1].mean() > 0.9  # the top edge of the visible box is drawn
    assert not changed[: max(y0 - 15, 1)].any()  # and nothing well above the labels

    result = runner.invoke(app, ["preview", str(out), "--frame", "7", "--out", str(png)])
    assert result.exit_code == 1 and "no frame 7" in result.output
