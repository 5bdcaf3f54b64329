"""Caltech-style pedestrian scoring: standardised boxes, ignore regions, recall at a FPPI budget."""

import pytest

from simgen.eval.caltech import (
    Detection,
    ImageTruth,
    iou_2d,
    match_image,
    recall_at_fppi,
    standardise,
)


def test_standardise_keeps_centre_and_height():
    x0, y0, x1, y1 = standardise((100, 50, 180, 250))
    assert (x0 + x1) / 2 == pytest.approx(140)
    assert (y0 + y1) / 2 == pytest.approx(150)
    assert y1 - y0 == pytest.approx(200)
    assert x1 - x0 == pytest.approx(0.41 * 200)
    # a detector window shrunk to the 3/4 of it the person fills
    assert standardise((0, 0, 64, 128), 0.75)[3] - standardise((0, 0, 64, 128), 0.75)[1] == 96


def test_iou_by_hand():
    assert iou_2d((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert iou_2d((0, 0, 1, 1), (2, 2, 3, 3)) == 0


def test_ignore_regions_and_duplicates_are_neither_hits_nor_false_positives():
    truth = ImageTruth(people=((0, 0, 41, 100),), ignore=((200, 0, 220, 50),))
    dets = [
        Detection((0, 0, 41, 100), 2.0),  # hit
        Detection((1, 0, 42, 100), 1.5),  # a second box on the same person
        Detection((200, 0, 220, 50), 1.0),  # on an ignored (small) person
        Detection((500, 0, 541, 100), 0.5),  # nothing there
    ]
    assert [hit for _, hit in match_image(truth, dets)] == [True, None, None, False]


def test_recall_at_one_false_positive_per_image():
    person = (0, 0, 41, 100)
    truths = [ImageTruth((person,), ()), ImageTruth((person,), ())]
    wrong = (300, 0, 341, 100)
    dets = [
        [Detection(person, 3.0), Detection(wrong, 2.5), Detection(wrong, 2.4)],
        [Detection(wrong, 2.0), Detection(person, 1.0)],
    ]
    # best first: hit 3.0, fp 2.5, fp 2.4, fp 2.0 (3 fps / 2 images > 1), hit 1.0
    result = recall_at_fppi(truths, dets, budget=1.0)
    assert result.recall == pytest.approx(0.5)
    assert result.fppi == pytest.approx(1.0)
    assert recall_at_fppi(truths, dets, budget=2.0).recall == pytest.approx(1.0)
