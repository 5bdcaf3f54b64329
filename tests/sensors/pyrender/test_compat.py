import numpy as np
import trimesh

from simgen.sensors.pyrender.compat import (
    MAX_POINT_LIGHTS,
    LightSource,
    import_pyrender,
    select_lights,
)


def test_mesh_bounds_work_on_numpy_2():
    pyrender = import_pyrender()
    mesh = pyrender.Mesh.from_trimesh(trimesh.creation.box((2.0, 4.0, 6.0)))
    np.testing.assert_allclose(mesh.bounds, [[-1, -2, -3], [1, 2, 3]])


def test_offscreen_depth_matches_geometry():
    """A unit cube 4 m in front of the camera: its front face is 3.5 m away at the centre pixel."""
    pyrender = import_pyrender()
    scene = pyrender.Scene(ambient_light=[0.3, 0.3, 0.3])
    scene.add(pyrender.Mesh.from_trimesh(trimesh.creation.box((1.0, 1.0, 1.0))))
    pose = np.eye(4)
    pose[2, 3] = 4.0
    scene.add(pyrender.PerspectiveCamera(yfov=1.0), pose=pose)
    renderer = pyrender.OffscreenRenderer(64, 48)
    try:
        _, depth = renderer.render(scene)
    finally:
        renderer.delete()
    assert abs(depth[24, 32] - 3.5) < 1e-3


def test_select_lights_keeps_nearest_per_kind():
    street = [LightSource("point", 100.0, (float(x), 0.0, 5.0)) for x in range(0, 100, 10)]
    sun = LightSource("directional", 3.0)
    chosen = select_lights([*street, sun], viewpoint=(42.0, 0.0, 1.5))
    points = [light for light in chosen if light.kind == "point"]
    assert len(points) == MAX_POINT_LIGHTS == 8
    assert sorted(light.position[0] for light in points) == [10.0, 20.0, 30.0, 40.0, 50.0, 60.0,
                                                             70.0, 80.0]  # fmt: skip
    assert sun in chosen


def test_eight_point_lights_each_light_their_own_pool():
    """A night street's lamps: eight point lights over a grey ground each light the ground
    under them (pyrender alone lights four and leaves the rest dark)."""
    pyrender = import_pyrender()
    scene = pyrender.Scene(ambient_light=[0.0, 0.0, 0.0], bg_color=[0, 0, 0, 1])
    ground = trimesh.creation.box((40.0, 4.0, 0.1))
    ground.apply_translation((0, 0, -0.05))
    material = pyrender.MetallicRoughnessMaterial(baseColorFactor=[0.5, 0.5, 0.5, 1.0])
    scene.add(pyrender.Mesh.from_trimesh(ground, material=material))
    xs = [-14.0 + 4.0 * i for i in range(8)]
    for x in xs:
        pose = np.eye(4)
        pose[:3, 3] = (x, 0.0, 0.5)
        scene.add(pyrender.PointLight(color=[1.0, 1.0, 1.0], intensity=2.0), pose=pose)
    pose = np.eye(4)
    pose[2, 3] = 40.0  # looking straight down
    scene.add(pyrender.OrthographicCamera(xmag=16.0, ymag=4.0), pose=pose)
    renderer = pyrender.OffscreenRenderer(320, 80)
    try:
        color, _ = renderer.render(scene)
    finally:
        renderer.delete()
    row = color[40, :, 0].astype(float)
    under = [row[round((x + 16.0) / 32.0 * 319)] for x in xs]
    between = [row[round((x + 2.0 + 16.0) / 32.0 * 319)] for x in xs[:-1]]
    assert min(under) > 3 * max(between) > 0, (under, between)


def test_lights_are_bound_in_an_order_of_their_own_not_of_their_addresses():
    """The shader sums lights in slot order; the same lights must fill the same slots whatever
    order (or memory address) they were created in, or a pixel can round differently."""
    pyrender = import_pyrender()
    positions = [(0.0, 0.0, 5.0), (10.0, 0.0, 5.0), (20.0, 0.0, 5.0), (5.0, 3.0, 5.0)]
    orders = []
    for arrangement in (positions, positions[::-1], positions[1:] + positions[:1]):
        scene = pyrender.Scene()
        for x, y, z in arrangement:
            pose = np.eye(4)
            pose[:3, 3] = (x, y, z)
            scene.add(pyrender.PointLight(intensity=10.0), pose=pose)
        scene.add(pyrender.DirectionalLight(intensity=2.0))
        orders.append([tuple(scene.get_pose(n)[:3, 3]) for n in scene.light_nodes])
    assert orders[0] == orders[1] == orders[2]


def test_nodes_outside_the_view_frustum_are_not_drawn():
    """A box in front of the camera is kept, one behind it and one far to the side are culled,
    one straddling the edge of the view is kept."""
    from simgen.sensors.pyrender.patches import in_view

    pyrender = import_pyrender()
    scene = pyrender.Scene()
    camera = scene.add(pyrender.PerspectiveCamera(yfov=1.0, znear=0.1, zfar=100.0))  # looks -z
    nodes = {}
    for name, centre in {
        "ahead": (0.0, 0.0, -10.0),
        "behind": (0.0, 0.0, 10.0),
        "aside": (40.0, 0.0, -10.0),
        "on the edge": (0.55 * 10.0 * 4 / 3, 0.0, -10.0),  # yfov 1 rad, aspect 4:3
    }.items():
        pose = np.eye(4)
        pose[:3, 3] = centre
        box = pyrender.Mesh.from_trimesh(trimesh.creation.box((1.0, 1.0, 1.0)))
        nodes[name] = scene.add(box, pose=pose)
    renderer = pyrender.OffscreenRenderer(64, 48)
    try:
        kept = in_view(renderer._renderer, scene, list(nodes.values()))
    finally:
        renderer.delete()
    assert scene.main_camera_node is camera
    assert {name for name, node in nodes.items() if node in kept} == {"ahead", "on the edge"}


def test_meshes_at_the_same_distance_are_drawn_in_the_order_they_were_added():
    """Where two surfaces coincide, the first drawn shows: nodes as far from the camera as each
    other are drawn in the order the camera added them (their number), never in the order of
    the scene's set of nodes, which follows their memory addresses from run to run."""
    from simgen.sensors.pyrender.patches import DRAW_ORDER

    pyrender = import_pyrender()
    corners = [(1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0)]  # all sqrt(102) m away
    drawn = []
    for arrangement in (corners, corners[::-1], corners[2:] + corners[:2]):
        scene = pyrender.Scene()
        scene.add(pyrender.PerspectiveCamera(yfov=1.0, znear=0.1, zfar=100.0))  # looks -z
        for x, y in arrangement:
            pose = np.eye(4)
            pose[:3, 3] = (x, y, -10.0)
            box = pyrender.Mesh.from_trimesh(trimesh.creation.box((0.5, 0.5, 0.5)))
            node = scene.add(box, pose=pose)
            setattr(node, DRAW_ORDER, corners.index((x, y)))
        renderer = pyrender.OffscreenRenderer(64, 48)
        try:
            nodes = renderer._renderer._sorted_mesh_nodes(scene)
        finally:
            renderer.delete()
        drawn.append([getattr(n, DRAW_ORDER) for n in nodes])
    assert drawn == [[0, 1, 2, 3]] * 3
