"""The silhouette rasteriser and the mask boxes, against hand arithmetic on a cube and masks."""

import numpy as np
import trimesh

from simgen.labels.derive import mask_boxes
from simgen.labels.visibility import NEAR, amodal_box, convex_pieces, silhouette_pixels

K = np.array([[100.0, 0.0, 100.0], [0.0, 100.0, 100.0], [0.0, 0.0, 1.0]])
SIZE = 200


def cube(centre: tuple[float, float, float], side: float) -> tuple[np.ndarray, np.ndarray]:
    box = trimesh.creation.box(extents=(side, side, side))
    return np.asarray(box.vertices) + centre, np.asarray(box.faces)


def test_a_cube_facing_the_camera_covers_its_projected_square():
    # a 2 m cube whose near face is 9 m away: that face spans 2 * 100 / 9 = 22.2 px a side
    vertices, faces = cube((0.0, 0.0, 10.0), 2.0)
    side = 2 * 100 / 9
    pieces = convex_pieces(vertices, faces)
    assert len(pieces) == 1 and pieces[0].convex
    with_pieces = silhouette_pixels(K, vertices, faces, SIZE, SIZE, pieces=pieces)
    triangles = silhouette_pixels(K, vertices, faces, SIZE, SIZE)
    assert abs(with_pieces - side**2) <= 4 * side  # within a pixel along the edges
    assert abs(triangles - with_pieces) <= 2 * side


def test_pieces_behind_the_near_plane_fall_back_to_clipped_triangles():
    # two cubes: one in front, one straddling the near plane (drawn from its clipped faces)
    a, fa = cube((0.0, 0.0, 10.0), 2.0)
    b, fb = cube((0.3, 0.0, NEAR), 0.4)
    vertices, faces = np.r_[a, b], np.r_[fa, fb + len(a)]
    pieces = convex_pieces(vertices, faces)
    assert len(pieces) == 2
    both = silhouette_pixels(K, vertices, faces, SIZE, SIZE, pieces=pieces)
    front_only = silhouette_pixels(K, a, fa, SIZE, SIZE, pieces=convex_pieces(a, fa))
    # the straddling cube's clipped faces start at u = 100 + 100 * 0.1 / 0.3 = 133, right of
    # the front cube's 78..122: they add pixels of their own
    assert both > front_only
    assert both == silhouette_pixels(K, vertices, faces, SIZE, SIZE)


def test_amodal_box_of_corners_all_in_front_and_all_behind():
    corners = np.array(
        [[x, y, z] for z in (4.0, 6.0) for x, y in ((1, 1), (1, -1), (-1, -1), (-1, 1))], float
    )
    box, truncation = amodal_box(K, corners, SIZE, SIZE)
    assert box == (75.0, 75.0, 125.0, 125.0) and truncation == 0.0  # 100 -+ 100 * 1 / 4
    behind = corners * [1, 1, -1]
    assert amodal_box(K, behind, SIZE, SIZE) == (None, 1.0)


def test_mask_boxes_give_each_ids_tight_box_and_pixel_count():
    mask = np.zeros((40, 60), np.uint16)
    mask[5:10, 20:30] = 3  # 5 x 10 = 50 px
    mask[12:20, 2:4] = 7  # an L: 8 x 2 + 2 x 6 = 28 px
    mask[18:20, 4:10] = 7
    mask[6:8, 22:24] = 0  # a hole in id 3: 46 px
    assert mask_boxes(mask) == {3: ((20, 5, 29, 9), 46), 7: ((2, 12, 9, 19), 28)}


def test_a_piece_is_convex_only_when_closed_and_filling_its_hull():
    cube_v, cube_f = cube((0.0, 0.0, 10.0), 2.0)
    # a ball with one corner pushed in towards its centre: closed, not convex
    dented = trimesh.creation.icosphere(subdivisions=1)
    dented.vertices[0] *= 0.3
    plate = trimesh.creation.box(extents=(2.0, 2.0, 0.1))
    top = plate.faces[plate.face_normals[:, 2] > 0.5]  # the top of a plate alone: open
    shift = np.array([5.0, 0.0, 0.0])
    vertices = np.r_[cube_v, dented.vertices + shift, plate.vertices - shift]
    faces = np.r_[cube_f, dented.faces + len(cube_v), top + len(cube_v) + len(dented.vertices)]
    pieces = convex_pieces(vertices, faces)
    assert [p.convex for p in pieces] == [True, False, False]
    assert dented.is_watertight and dented.volume < 0.99 * dented.convex_hull.volume
