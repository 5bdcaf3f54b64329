"""``output.rgb_png: stored``: the same pixels in an uncompressed, standard PNG that the reader,
``verify`` and every PNG client read; the default stays compressed."""

import zlib

import cv2
import numpy as np

from simgen.dataset.reader import open_dataset
from simgen.dataset.verify import verify
from simgen.dataset.writer import png
from tests.conftest import render_text
from tests.dataset.conftest import SCENE
from tests.dataset.png_stream import idat


def test_a_stored_png_holds_the_raw_rows_uncompressed():
    image = np.random.default_rng(3).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    data = png(image, "stored")
    np.testing.assert_array_equal(cv2.imdecode(np.frombuffer(data, np.uint8), -1)[..., ::-1], image)
    stream = idat(data)
    assert stream[0] & 0x0F == 8  # zlib, deflate
    assert (stream[2] >> 1) & 3 == 0  # the first deflate block is stored (BTYPE 00)
    rows = zlib.decompress(stream)
    # each row: filter byte 0 (none), then the row's bytes as they are (R G B)
    assert len(rows) == 30 * (1 + 40 * 3)
    assert rows[0] == 0 and rows[1 : 1 + 120] == image[0].tobytes()
    assert len(data) > len(png(image, "photo")) - 200  # noise does not compress anyway


def test_stored_rgb_reads_back_as_the_compressed_pixels(dataset, tmp_path):
    scene = SCENE.replace("variants: 2", "variants: 1") + "output: {rgb_png: stored}\n"
    stored = render_text(tmp_path, scene)
    assert verify(stored).ok
    old, new = open_dataset(dataset).variants[0].frame(1), open_dataset(stored).variants[0].frame(1)
    np.testing.assert_array_equal(new.rgb("cam"), old.rgb("cam"))
    np.testing.assert_array_equal(new.depth("cam"), old.depth("cam"))
    old_size = old.image_file("cam", "rgb").stat().st_size
    raw = 100 * (1 + 160 * 3)  # filter byte + pixels per row
    assert new.image_file("cam", "rgb").stat().st_size > raw > old_size
    assert zlib.decompress(idat(new.image_file("cam", "rgb").read_bytes()))[0] == 0
