"""Lens distortion: images, masks, depth and labels all go through the same model."""

import numpy as np
import pytest

from simgen.exports.kitti import calib_text
from simgen.labels.derive import mask_boxes
from simgen.pipeline.capture import capture
from simgen.scenario import parse_scenario, sample
from simgen.sensors.lens import distort, project, render_calibration, undistort_pixels
from simgen.sensors.rig import CameraCalibration, intrinsics
from simgen.sensors.scene import asset_parts

BARREL = (-0.25, 0.05, 0.001, -0.001, 0.0)

SCENE = """
version: 1
name: lens
seed: 3
duration: 0.1
frame_rate: 10
road: {{length: 120, lanes: 2, oncoming_lanes: 1}}
environment: {{sun: {{elevation: 40, azimuth: 120}}}}
ego:
  lane: 0
  s: 10
  speed: 0
  behavior: [{{action: parked}}]
  sensors:
    - {{name: cam, type: camera, width: 160, height: 90, fov: 90, mount: {{xyz: [1.5, 0, 1.5]}},
       {lens}outputs: [rgb, depth, semantic, instance]}}
actors:
  - {{name: lead, model: sedan, lane: 0, s: 20}}
  - {{name: side, model: van, lane: 1, s: 17}}
"""


def _capture(lens: str):
    instance = sample(parse_scenario(SCENE.format(lens=lens)).scenario, 0)
    return next(iter(capture(instance)))


def test_the_model_inverts_and_refuses_lenses_that_fold():
    calib = CameraCalibration("c", 640, 360, intrinsics(640, 360, 90), np.eye(4), BARREL)
    uv = np.array([[0.0, 0.0], [639.0, 359.0], [320.0, 100.0], [3.0, 200.0]])
    xy = undistort_pixels(calib, uv)
    assert distort(xy, BARREL) * calib.K[0, 0] + calib.K[:2, 2] == pytest.approx(uv, abs=1e-6)
    render = render_calibration(calib)
    assert render.width > 640 and render.height > 360 and render.distortion == ()
    folding = CameraCalibration(
        "c", 640, 360, intrinsics(640, 360, 100), np.eye(4), (-0.32, 0.12, 0, 0, -0.02)
    )
    with pytest.raises(ValueError, match="one to one"):
        render_calibration(folding)


def test_zero_coefficients_are_a_pinhole():
    calib = CameraCalibration("c", 64, 48, intrinsics(64, 48, 90), np.eye(4), ())
    assert render_calibration(calib) is calib
    assert "distortion" not in calib.to_json()
    assert "D2" not in calib_text(calib, None)


def test_masks_depth_and_boxes_follow_the_lens():
    """The lead car's mesh projected through the lens covers the pixels its mask holds (box within
    a pixel and a half); depth there is its distance along the axis; the labels' amodal box holds
    the mask's box; a straight kerb comes out curved."""
    found = _capture(f"distortion: {list(BARREL)}, ")
    calib = found.calibrations.cameras["cam"]
    assert calib.distortion == BARREL
    frame = found.data["cam"]
    assert frame.instance.shape == (90, 160) and frame.rgb.shape == (90, 160, 3)
    lead = next(a for a in found.state.actors if a.name == "lead")
    camera_from_world = np.linalg.inv(found.state.ego.transform() @ calib.ego_from_camera)
    to_cam = camera_from_world @ lead.transform()
    vertices = np.concatenate([p.vertices for p in asset_parts(lead.model).values()])
    cam = vertices @ to_cam[:3, :3].T + to_cam[:3, 3]
    uv = project(calib, cam)
    (x0, y0, x1, y1), _ = mask_boxes(frame.instance)[lead.id]
    assert (x0, y0) == pytest.approx(tuple(uv.min(axis=0)), abs=1.5)
    assert (x1, y1) == pytest.approx(tuple(uv.max(axis=0)), abs=1.5)
    # depth at the rear face's centre is its distance along the optical axis
    rear = to_cam @ np.array([-lead.dimensions[0] / 2, 0.0, lead.dimensions[2] * 0.5, 1.0])
    u, v = np.round(project(calib, rear[None, :3])[0]).astype(int)
    assert frame.instance[v, u] == lead.id
    assert frame.depth[v, u] == pytest.approx(rear[2], rel=0.02)
    view = next(o for o in found.labels.objects if o.name == "lead").cameras["cam"]
    a0, b0, a1, b1 = view.amodal_box
    assert a0 <= x0 + 0.5 and b0 <= y0 + 0.5 and a1 >= x1 - 0.5 and b1 >= y1 - 0.5
    assert view.visibility == pytest.approx(1.0, abs=0.03)
    # the same scene without the lens: the car sits elsewhere, the rest of the rig alike
    plain = _capture("")
    assert plain.calibrations.cameras["cam"].distortion == ()
    assert not np.array_equal(plain.data["cam"].instance, frame.instance)


def test_distortion_reaches_the_calibration_and_the_exports():
    calib = CameraCalibration("c", 64, 48, intrinsics(64, 48, 90), np.eye(4), BARREL)
    data = calib.to_json()
    assert data["distortion"] == list(BARREL)
    assert CameraCalibration.from_json("c", data) == calib
    line = calib_text(calib, None).splitlines()[-1].split()
    assert line[0] == "D2:" and [float(v) for v in line[1:]] == pytest.approx(list(BARREL))
