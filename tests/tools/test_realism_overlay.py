"""The realism overlay draws each object in the colour of its fate and every detection."""

import importlib.util
from pathlib import Path

import numpy as np

from simgen.eval.protocol import Detection2D
from simgen.eval.realism import FrameMatch, Truth

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location(
        "realism_overlay", ROOT / "tools" / "realism_overlay.py"
    )
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_found_missed_ignored_and_detections_get_their_colours():
    tool = _tool()
    truths = (
        Truth("car", "Car", (10.0, 10.0, 50.0, 40.0), True, ("all",)),
        Truth("person", "Pedestrian", (60.0, 10.0, 80.0, 60.0), True, ("all",)),
        Truth("truck", "Truck", (10.0, 60.0, 40.0, 90.0), False, ("all",)),
    )
    detection = Detection2D("Car", (90.0, 70.0, 97.0, 95.0), 0.9)  # labels' pixel convention
    match = FrameMatch(truths, (detection,), {"vehicle": (True, False), "person": (False,)})
    image = tool.draw(np.zeros((100, 100, 3), np.uint8), match)
    assert tuple(image[25, 10]) == tool.GREEN  # the found car's left edge
    assert tuple(image[30, 60]) == tool.RED  # the missed person
    assert tuple(image[75, 10]) == tool.GREY  # the truck the selection does not count
    assert tuple(image[80, 90]) == tool.YELLOW and tuple(image[80, 97]) == tool.YELLOW
    assert not image[50:55, 20:30].any()  # inside the boxes: the frame as it was
