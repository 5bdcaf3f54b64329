"""A camera with ``antialias`` draws its colour by coverage (four samples a pixel), as the same
scene rendered at four times the resolution and averaged does, while its labels and depth stay
the single-sampled, exact ones."""

from __future__ import annotations

import numpy as np

from simgen.sensors.rig import CameraCalibration, intrinsics
from tests.sensors.pyrender.test_shared_pass import OPTICAL, OUTPUTS, SUN, _scene


def _frame(width: int, height: int, antialias: bool, outputs: tuple[str, ...] = OUTPUTS):
    from simgen.sensors.pyrender.camera import PyrenderCamera

    calibration = CameraCalibration("c", width, height, intrinsics(width, height, 70), OPTICAL)
    static, cars = _scene()
    camera = PyrenderCamera(calibration, static, outputs, shadows=True, antialias=antialias)
    try:
        camera.capture(np.eye(4), cars, SUN, [])
        return camera.capture(np.eye(4), cars, SUN, []).frame  # the buffers made once, reused
    finally:
        camera.close()


def test_labels_and_depth_stay_single_sampled_and_exact():
    plain, smooth = _frame(160, 96, False), _frame(160, 96, True)
    assert plain.depth.tobytes() == smooth.depth.tobytes()
    np.testing.assert_array_equal(plain.instance, smooth.instance)
    np.testing.assert_array_equal(plain.semantic, smooth.semantic)
    assert not np.array_equal(plain.rgb, smooth.rgb)  # the edges differ


def test_edges_are_drawn_by_coverage():
    """Against the scene drawn at 4x4 times the pixels and averaged over each pixel's 16 (the
    coverage a sensor integrates), the multisampled edges are far closer than the aliased."""
    reference = _frame(640, 384, False, ("rgb",)).rgb.astype(np.float64)
    blocks = reference.reshape(96, 4, 160, 4, 3)
    truth = blocks.mean(axis=(1, 3))
    edges = blocks.std(axis=(1, 3)).max(axis=-1) > 20  # pixels an edge crosses
    assert edges.sum() > 200  # the cars, the pole, the horizon
    plain = _frame(160, 96, False, ("rgb",)).rgb.astype(np.float64)
    smooth = _frame(160, 96, True, ("rgb",)).rgb.astype(np.float64)
    aliased = np.abs(plain - truth).max(axis=-1)[edges].mean()
    covered = np.abs(smooth - truth).max(axis=-1)[edges].mean()
    assert covered < 0.6 * aliased
    # away from edges both are the reference's (the same shading, sampled at the centre)
    flat = ~edges & (blocks.std(axis=(1, 3)).max(axis=-1) < 2)
    assert np.abs(smooth - truth).max(axis=-1)[flat].mean() < 3
