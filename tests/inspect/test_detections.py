"""The realism overlays: each object in the colour of its fate, every detection, one JPEG per
frame from `simgen realism --overlays`."""

import cv2
import numpy as np
from typer.testing import CliRunner

from simgen.cli import app
from simgen.eval.protocol import Detection2D
from simgen.eval.realism import FrameMatch, Truth
from simgen.inspect.detections import GREEN, GREY, RED, YELLOW, draw_match
from tests.eval.test_realism import dataset  # noqa: F401  (the fixture)


def test_found_missed_ignored_and_detections_get_their_colours():
    truths = (
        Truth("car", "Car", (10.0, 10.0, 50.0, 40.0), True, ("all",)),
        Truth("person", "Pedestrian", (60.0, 10.0, 80.0, 60.0), True, ("all",)),
        Truth("truck", "Truck", (10.0, 60.0, 40.0, 90.0), False, ("all",)),
    )
    detection = Detection2D("Car", (90.0, 70.0, 97.0, 95.0), 0.9)  # labels' pixel convention
    match = FrameMatch(truths, (detection,), {"vehicle": (True, False), "person": (False,)})
    image = draw_match(np.zeros((100, 100, 3), np.uint8), match)
    assert tuple(image[25, 10]) == GREEN  # the found car's left edge
    assert tuple(image[30, 60]) == RED  # the missed person
    assert tuple(image[75, 10]) == GREY  # the truck the selection does not count
    assert tuple(image[80, 90]) == YELLOW and tuple(image[80, 97]) == YELLOW
    assert not image[50:55, 20:30].any()  # inside the boxes: the frame as it was


def test_the_realism_command_draws_every_frame(dataset, tmp_path):  # noqa: F811
    runner = CliRunner()
    folder = tmp_path / "overlays"
    args = ["realism", str(dataset.root), "--model", "oracle", "--overlays", str(folder)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    pictures = sorted(folder.rglob("*.jpg"))
    assert len(pictures) == 2  # the dataset's two frames
    image = cv2.imread(str(pictures[0])).astype(int)
    variant = next(iter(dataset))
    frame = next(iter(variant.frames()))
    plain = cv2.cvtColor(frame.rgb(variant.cameras("rgb")[0]), cv2.COLOR_RGB2BGR).astype(int)
    assert image.shape == plain.shape
    # the truth as detections finds every selected object: where the overlay drew, it drew
    # green boxes (and the detections' yellow), no red ones
    drawn = image[np.abs(image - plain).sum(axis=2) > 150]
    green = np.all(np.abs(drawn - GREEN) < 70, axis=1).sum()
    red = np.all(np.abs(drawn - RED) < 70, axis=1).sum()
    assert green > 50 and red == 0
    alone = runner.invoke(app, ["realism", str(dataset.root), "--overlays", str(folder)])
    assert alone.exit_code == 1 and "needs a --model" in alone.output
