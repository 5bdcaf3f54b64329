"""Corner normals for smooth shading: soft folds averaged, creases kept."""

from __future__ import annotations

import math

import numpy as np
import trimesh

from simgen.sensors.smooth_shading import CREASE_DEGREES, corner_normals


def test_a_box_keeps_its_faces_normals():
    """Every fold of a box is 90 degrees, sharper than the crease: flat faces stay flat."""
    box = trimesh.creation.box(extents=(1.0, 2.0, 3.0))
    normals = corner_normals(box.vertices, box.faces)
    np.testing.assert_allclose(normals, np.repeat(box.face_normals, 3, axis=0), atol=1e-12)


def test_a_cylinders_side_is_rounded_and_its_caps_stay_flat():
    """16 sections fold 22.5 degrees apart: the side's corners get the radial normal (the true
    surface's), the caps (90 degrees away) keep +z and -z."""
    cylinder = trimesh.creation.cylinder(radius=0.3, height=2.0, sections=16)
    normals = corner_normals(cylinder.vertices, cylinder.faces)
    corners = cylinder.vertices[cylinder.faces.ravel()]
    face_z = np.repeat(cylinder.face_normals[:, 2], 3)
    side = np.abs(face_z) < 0.5
    radial = corners[side] * np.array([1.0, 1.0, 0.0])
    radial /= np.linalg.norm(radial, axis=1, keepdims=True)
    np.testing.assert_allclose(normals[side], radial, atol=1e-9)
    np.testing.assert_allclose(normals[~side][:, 2], np.sign(face_z[~side]), atol=1e-12)


def test_a_sphere_is_shaded_as_the_sphere_it_approximates():
    """On an icosphere each corner's normal is close to the true sphere's at that point, far
    closer than its face's normal is."""
    sphere = trimesh.creation.icosphere(subdivisions=2)
    normals = corner_normals(sphere.vertices, sphere.faces)
    true = sphere.vertices[sphere.faces.ravel()]
    true /= np.linalg.norm(true, axis=1, keepdims=True)
    smooth_error = np.degrees(np.arccos(np.clip(np.sum(normals * true, axis=1), -1, 1)))
    flat = np.repeat(sphere.face_normals, 3, axis=0)
    flat_error = np.degrees(np.arccos(np.clip(np.sum(flat * true, axis=1), -1, 1)))
    assert smooth_error.max() < 1.0 < flat_error.mean()


def test_the_crease_angle_decides_which_folds_are_averaged():
    """Two triangles folded by 30 degrees: averaged under a 40-degree crease (the mean of the
    two normals at the shared edge), kept apart under a 20-degree one."""
    fold = math.radians(30.0)
    vertices = np.array(
        [[0, 0, 0], [1, 0, 0], [0.5, 1, 0], [0.5, -math.cos(fold), math.sin(fold)]], float
    )
    faces = np.array([[0, 1, 2], [1, 0, 3]])
    mesh = trimesh.Trimesh(vertices, faces, process=False)
    soft = corner_normals(vertices, faces, crease_degrees=40.0)
    mean = mesh.face_normals.sum(axis=0) / np.linalg.norm(mesh.face_normals.sum(axis=0))
    np.testing.assert_allclose(soft[[0, 1, 3, 4]], np.tile(mean, (4, 1)), atol=1e-12)
    np.testing.assert_allclose(soft[2], mesh.face_normals[0], atol=1e-12)  # its own vertex
    sharp = corner_normals(vertices, faces, crease_degrees=20.0)
    np.testing.assert_allclose(sharp, np.repeat(mesh.face_normals, 3, axis=0), atol=1e-12)
    assert 20.0 < 30.0 < CREASE_DEGREES


def test_no_faces_and_degenerate_faces():
    assert corner_normals(np.zeros((0, 3)), np.zeros((0, 3), int)).shape == (0, 3)
    line = np.array([[0, 0, 0], [1, 0, 0], [2, 0, 0]], float)  # a face of no area
    assert np.isfinite(corner_normals(line, np.array([[0, 1, 2]]))).all()


def test_a_persons_limbs_are_shaded_round_and_a_shoes_sole_stays_flat():
    """A limb is a ring of eight facets (folds of 45 degrees): under the body's crease each
    corner of its side faces takes the round limb's own direction around the axis, where its
    facet's normal is up to 22.5 degrees off it; the sole under a shoe (a right angle to its
    sides) keeps facing down. A car's parts keep the general crease."""
    from simgen.sensors.scene import asset_parts
    from simgen.sensors.smooth_shading import BODY_CREASE_DEGREES

    parts = asset_parts("pedestrian")
    arm = parts["top.upper_arm_l"]
    assert arm.crease == BODY_CREASE_DEGREES > 45.0 > CREASE_DEGREES
    mesh = trimesh.Trimesh(arm.vertices, arm.faces, process=False)
    centred = arm.vertices - arm.vertices.mean(axis=0)
    axis = np.linalg.svd(centred, full_matrices=False)[2][0]  # the limb's long axis
    side = np.repeat(np.abs(mesh.face_normals @ axis) < 0.3, 3)  # not the rounded ends
    corners = centred[arm.faces.ravel()][side]
    radial = corners - np.outer(corners @ axis, axis)
    radial /= np.linalg.norm(radial, axis=1, keepdims=True)

    def around(normals: np.ndarray) -> float:
        """The largest angle, around the axis, between a normal and the radial direction."""
        flat = normals - np.outer(normals @ axis, axis)
        flat /= np.linalg.norm(flat, axis=1, keepdims=True)
        return float(np.degrees(np.arccos(np.clip(np.sum(flat * radial, axis=1), -1, 1))).max())

    facets = np.repeat(mesh.face_normals, 3, axis=0)[side]
    assert around(arm.corner_normals[side]) < 2.0 < 20.0 < around(facets)

    shoe = parts["shoes.foot_l"]
    mesh = trimesh.Trimesh(shoe.vertices, shoe.faces, process=False)
    sole = np.repeat(mesh.face_normals[:, 2] < -0.99, 3)
    assert sole.any()
    down = np.tile([0.0, 0.0, -1.0], (int(sole.sum()), 1))
    np.testing.assert_allclose(shoe.corner_normals[sole], down, atol=1e-5)
    assert {p.crease for p in asset_parts("sedan").values()} == {CREASE_DEGREES}
