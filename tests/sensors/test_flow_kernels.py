"""The optical flow's compiled loops against the geometry they stand for, computed in float64,
and against each other (the pinhole pass and the general path give the same bits)."""

import numpy as np

from simgen.sensors import flow_kernels as kernels
from simgen.sensors.flow import NEAREST, TOLERANCE

H, W = 48, 64


def _scene() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A camera 5 m above a ground plane looking down at it, moving 0.2 m sideways and 0.1 m
    down between frames; a box nearer the camera in the target frame hides part of the plane.
    Returns the 3x4 terms, the source inverse depth, the pixels that show the plane, and the
    target inverse depth."""
    f, cx, cy = 50.0, W / 2, H / 2
    K = np.array([[f, 0, cx], [0, f, cy], [0, 0, 1.0]])
    # a plane Z = 5 + 0.02 X in the source camera: inverse depth is affine in the pixel
    cols = np.broadcast_to(np.arange(W), (H, W))
    x = (cols - cx) / f
    source_inverse = ((1 - 0.02 * x) / 5.0).astype(np.float32)
    motion = np.eye(4)
    motion[:3, 3] = (-0.2, 0.0, -0.1)  # the target camera from the source camera
    m = K @ motion[:3]  # (U, V, W) of a source point (X, Y, Z, 1)
    # terms in (column, row, inverse depth, 1): the point is ((c - cx) / f, (r - cy) / f, 1) / s
    terms = m[:, [0, 1, 3, 2]].copy()
    terms[:, 3] -= terms[:, 0] * cx / f + terms[:, 1] * cy / f
    terms[:, 0] /= f
    terms[:, 1] /= f
    # the target camera sees the plane at X' = X - 0.2, Z' = Z - 0.1: Z' = 4.904 + 0.02 X'
    z_plane = (5.0 - 0.1 + 0.02 * 0.2) / (1 - 0.02 * x)  # x: the target pixel's ray here
    target_inverse = (1.0 / z_plane).astype(np.float32)
    target_inverse[10:20, 30:40] = 1 / 2.0  # a box at 2 m hides the plane there
    still = np.ones((H, W), bool)
    still[:3] = False  # the sky
    return terms.astype(np.float32), source_inverse, still, target_inverse


def _pinhole(terms: np.ndarray, inverse: np.ndarray, still: np.ndarray, target: np.ndarray):
    """The pinhole pass over the ``still`` pixels, the others an object without a slot."""
    flow = np.full((H, W, 3), np.nan, np.float32)  # every pixel written
    instance = np.where(still, 0, 3).astype(np.uint16)
    slots = np.array([0, 1, -1, -1], np.int32)  # object 1 is not in the image
    moved = terms + np.float32(1.0)
    kernels.pinhole_flow(
        np.stack([terms, moved]), slots, inverse, instance, target, TOLERANCE, NEAREST, flow
    )
    return flow


def _general(m: np.ndarray, inverse: np.ndarray, mask: np.ndarray, target: np.ndarray):
    """The flow of the ``mask`` pixels by the general path: gathered, projected, checked."""
    rows, cols = np.nonzero(mask)
    a, b = cols.astype(np.float32), rows.astype(np.float32)
    u, v, iz = (np.empty(len(a), np.float32) for _ in range(3))
    kernels.project(m, a, b, inverse[mask], u, v, iz)
    out = np.empty((len(a), 3), np.float32)
    kernels.flow_at(u, v, iz, a, b, target, TOLERANCE, NEAREST, out)
    return out


def test_pinhole_pass_equals_the_general_path_bit_for_bit():
    terms, inverse, still, target = _scene()
    dense = _pinhole(terms, inverse, still, target)
    assert np.array_equal(dense[still], _general(terms, inverse, still, target))
    assert not dense[~still].any()  # pixels without a slot: no flow, invalid


def test_pinhole_pass_takes_each_object_through_its_own_matrix():
    """Two objects and the sky in one pass: each object's pixels get what the general path
    gives them with that object's matrix; beyond the slots an object has no flow."""
    terms, inverse, _, target = _scene()
    inverse = inverse.copy()
    inverse[:2] = 0  # the sky
    instance = np.zeros((H, W), np.uint16)
    instance[20:30, 10:30] = 2  # a road user moving its own way
    instance[40:, :8] = 9  # past the slots
    moved = terms.copy()
    moved[:, 3] += np.float32(0.7)  # its own motion: shifted in the target image
    slots = np.array([0, -1, 1], np.int32)
    flow = np.full((H, W, 3), np.nan, np.float32)
    kernels.pinhole_flow(
        np.stack([terms, moved]), slots, inverse, instance, target, TOLERANCE, NEAREST, flow
    )
    for object_id, m in ((0, terms), (2, moved)):
        mask = (instance == object_id) & (inverse > 0)
        assert np.array_equal(flow[mask], _general(m, inverse, mask, target))
    assert not flow[instance == 9].any() and not flow[:2].any()
    assert not np.isnan(flow).any()


def test_flow_is_the_float64_projection_and_occlusion_invalidates():
    terms, inverse, still, target = _scene()
    flow = _pinhole(terms, inverse, still, target)
    rows, cols = np.mgrid[:H, :W]
    t = terms.astype(np.float64)
    s = inverse.astype(np.float64)
    big = [t[i, 0] * cols + t[i, 1] * rows + t[i, 2] * s + t[i, 3] for i in range(3)]
    u, v = big[0] / big[2], big[1] / big[2]
    np.testing.assert_allclose(flow[still][:, 0], (u - cols)[still], atol=2e-3)
    np.testing.assert_allclose(flow[still][:, 1], (v - rows)[still], atol=2e-3)
    valid = flow[..., 2] == 1
    inside = (u > -0.5) & (u < W - 0.5) & (v > -0.5) & (v < H - 0.5) & still
    ui, vi = np.rint(u).astype(int).clip(0, W - 1), np.rint(v).astype(int).clip(0, H - 1)
    hidden = (np.abs(ui - 35) <= 6) & (np.abs(vi - 15) <= 6)  # lands on or next to the box
    assert not (valid & ~inside).any()  # leaving the image: invalid
    assert valid[inside & ~hidden].all()  # the plane seen again: valid
    boxed = (ui >= 31) & (ui <= 38) & (vi >= 11) & (vi <= 18)
    assert boxed.sum() > 30 and not valid[boxed & inside].any()  # hidden by the box: invalid


def test_points_behind_or_at_infinity_have_no_flow_and_read_nothing_outside():
    terms = np.zeros((3, 4), np.float32)
    terms[0, 3] = 1e30  # u far outside the image
    terms[1, 3] = -1e30
    terms[2, 0] = 1.0  # W = a: 1 / Z is s / a
    a = np.array([0.0, -1.0, 0.5, 2.0], np.float32)  # at infinity, behind, ahead, ahead
    s = np.full(4, 0.5, np.float32)
    u, v, iz = (np.empty(4, np.float32) for _ in range(3))
    kernels.project(terms, a, a, s, u, v, iz)
    assert np.isinf(iz[0]) and iz[1] < 0 and iz[2] > 0 and iz[3] > 0
    out = np.full((4, 3), 7.0, np.float32)
    zeros = np.zeros(4, np.float32)
    kernels.flow_at(u, v, iz, zeros, zeros, np.ones((H, W), np.float32), TOLERANCE, NEAREST, out)
    assert not out[:, 2].any()  # none valid: far outside the image
    assert (out[:2, :2] == 0).all()  # not ahead: no flow
    assert (np.abs(out[2:, 0]) > 1e29).all()  # ahead: the flow to where it lands
