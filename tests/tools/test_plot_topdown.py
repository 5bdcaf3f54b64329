import cv2
import numpy as np

from tests.conftest import ROOT
from tests.tools.conftest import load_tool


def test_topdown_plot_draws_road_and_tracks(tmp_path):
    out = tmp_path / "top.png"
    load_tool("plot_topdown").plot(ROOT / "scenarios" / "default.yaml", 0, out)
    image = cv2.imread(str(out))
    assert image is not None and image.shape[0] > 300
    # asphalt grey and the sidewalk palette colour are both there
    pixels = image.reshape(-1, 3)
    sidewalk_bgr = np.array([232, 35, 244])
    assert np.any(np.all(np.abs(pixels.astype(int) - sidewalk_bgr) < 8, axis=1))
    assert len(np.unique(pixels, axis=0)) > 20
