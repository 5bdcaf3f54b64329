"""Footprints: the answer of measuring every pair, without measuring every pair."""

import math

import numpy as np

from simgen.core.geometry import Footprints, footprint, polygon_distance


def test_footprints_answer_as_every_pair_measured():
    rng = np.random.default_rng(11)
    laid = Footprints()
    agreed = near = 0
    for _ in range(400):
        x, y = rng.uniform(0.0, 120.0), rng.uniform(-15.0, 15.0)
        box = footprint(x, y, rng.uniform(-math.pi, math.pi), *rng.uniform(0.5, 12.0, 2))
        gap = float(rng.choice([0.5, 1.0, 3.0]))
        pairwise = any(polygon_distance(box, other) < gap for other in laid.polygons)
        assert laid.any_within(box, gap) == pairwise
        agreed += 1
        near += pairwise
        if not pairwise:
            laid.add(box)
    assert agreed == 400 and 50 < near < 350  # both answers were asked for, many times


def test_a_box_just_beyond_the_gap_is_clear_and_just_within_is_not():
    laid = Footprints()
    laid.add(footprint(0.0, 0.0, 0.0, 4.0, 2.0))  # x from -2 to 2
    assert not laid.any_within(footprint(5.0 + 1e-6, 0.0, 0.0, 4.0, 2.0), 1.0)  # 1 m + 1 um
    assert laid.any_within(footprint(5.0 - 1e-6, 0.0, 0.0, 4.0, 2.0), 1.0)
    # diagonal: the boxes' corners 0.6 m apart along x and y (0.85 m), closer than 1 m
    assert laid.any_within(footprint(4.6, 2.6, 0.0, 4.0, 2.0), 1.0)


def test_shapes_whose_boxes_touch_are_measured_as_shapes():
    """Two squares turned 45 degrees, corner towards corner diagonally: their bounding boxes
    overlap, the squares stay 1.1 m apart."""
    laid = Footprints()
    laid.add(footprint(0.0, 0.0, math.pi / 4, 2.0, 2.0))
    # corners at distance sqrt(2) from each centre along the axes: a diamond each
    other = footprint(2.2, 2.2, math.pi / 4, 2.0, 2.0)
    assert polygon_distance(laid.polygons[0], other) > 1.0
    assert not laid.any_within(other, 1.0) and laid.any_within(other, 1.5)
