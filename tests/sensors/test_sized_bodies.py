"""A road user given a ``size`` is that size for every consumer: its label box, its collision
box, the camera's and the lidar's meshes (scaled from its model about the box's bottom centre),
checked against the box by hand."""

import numpy as np
import pytest

from simgen.labels.derive import derive
from simgen.scenario import parse_scenario, sample
from simgen.sensors.appearance import Appearance
from simgen.sensors.scene import actor_placements
from simgen.sensors.suite import SensorSuite
from simgen.world.assets import load_catalog
from simgen.world.simulate import simulate
from tests.labels.test_visibility import HEAD, obj

SIZE = (6.0, 2.6, 2.5)  # the truck's own box is 8.575 x 2.8 x 3.3755
CAMERA_X = 20 + 1.5  # the ego stands at s = 20 with its camera 1.5 m ahead of its origin


def _capture(actor: str):
    instance = sample(parse_scenario(HEAD + actor).scenario, 0)
    states = simulate(instance)
    state = next(iter(states))
    with SensorSuite(instance, state.static) as suite:
        data = suite.capture(state).frames
        calibrations = suite.calibrations
        bodies = suite.bodies(state)
    states.close()
    return instance, state, data, calibrations, bodies


def _truck(size: tuple[float, float, float] | None) -> str:
    extra = "" if size is None else f", size: [{size[0]}, {size[1]}, {size[2]}]"
    return f"  - {{name: truck, model: truck, lane: 0, s: 40{extra}, behavior: [{{action: parked}}]}}\n"  # noqa: E501


@pytest.fixture(scope="module")
def sized():
    return _capture(_truck(SIZE))


def _world_vertices(parts) -> np.ndarray:
    return np.concatenate([p.part.vertices @ p.transform[:3, :3].T + p.transform[:3, 3]
                           for p in parts])  # fmt: skip


def test_the_label_box_is_the_given_size(sized):
    _, state, data, calibrations, _ = sized
    truck = state.actor("truck")
    assert truck.dimensions == SIZE
    box = obj(derive(state, data, calibrations), "truck").boxes.world
    assert box.size == SIZE
    assert box.center[0] == pytest.approx(40.0) and box.center[2] == pytest.approx(SIZE[2] / 2)


def test_camera_and_lidar_meshes_fill_the_given_box(sized):
    _, state, _, _, bodies = sized
    truck = state.actor("truck")
    lo = np.array([40 - SIZE[0] / 2, -5.25 - SIZE[1] / 2, 0.0])
    hi = np.array([40 + SIZE[0] / 2, -5.25 + SIZE[1] / 2, SIZE[2]])
    # (the catalog's dimensions are rounded to 0.1 mm)
    camera = _world_vertices(actor_placements(truck, Appearance({}, {})))
    assert camera.min(axis=0) == pytest.approx(lo, abs=1e-4)
    assert camera.max(axis=0) == pytest.approx(hi, abs=1e-4)
    (body,) = [b for b in bodies if b.instance_id == truck.id]
    lidar = body.mesh.vertices @ body.transform[:3, :3].T + body.transform[:3, 3]
    assert lidar.min(axis=0) == pytest.approx(lo, abs=1e-4)
    assert lidar.max(axis=0) == pytest.approx(hi, abs=1e-4)
    # the lidar's bounding sphere holds the scaled mesh (it culls bodies by it)
    centre = body.transform[:3, :3] @ body.mesh.center + body.transform[:3, 3]
    assert np.linalg.norm(lidar - centre, axis=1).max() <= body.mesh.radius + 1e-9


def _project(calibrations, state, world: np.ndarray) -> tuple[float, float, float, float]:
    cam = calibrations.cameras["cam"]
    camera_from_world = np.linalg.inv(state.ego.transform() @ cam.ego_from_camera)
    p = world @ camera_from_world[:3, :3].T + camera_from_world[:3, 3]
    uv = p @ cam.K.T
    uv = uv[:, :2] / uv[:, 2:]
    return (*uv.min(axis=0), *uv.max(axis=0))


def _mask_bounds(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.nonzero(mask)
    return cols.min(), rows.min(), cols.max() + 1, rows.max() + 1  # pixel edges


def test_silhouette_and_depth_match_the_given_box(sized):
    _, state, data, calibrations, _ = sized
    truck = state.actor("truck")
    mask = data["cam"].instance == truck.id
    seen = np.array(_mask_bounds(mask), dtype=float)
    # the rendered silhouette is the scaled mesh's projection (to the pixel) ...
    placed = actor_placements(truck, Appearance({}, {}))
    mesh = _project(calibrations, state, _world_vertices(placed))
    assert seen == pytest.approx(mesh, abs=1.0)
    # ... which fills the given box's projection within two pixels (mirrors stick out)
    xs, ys = (40 - SIZE[0] / 2, 40 + SIZE[0] / 2), (-5.25 - SIZE[1] / 2, -5.25 + SIZE[1] / 2)
    corners = np.array([[x, y, z] for x in xs for y in ys for z in (0, SIZE[2])])
    box = _project(calibrations, state, corners)
    assert seen == pytest.approx(box, abs=2.0)
    # the catalog's truck would be 11+ pixels taller on this canvas: the test can tell
    own = load_catalog()["truck"].dimensions
    assert _project(calibrations, state, corners * [1, 1, own[2] / SIZE[2]])[1] < box[1] - 5
    # the rear face stands at x = 40 - 6 / 2: depth along the optical axis from the camera
    rear = 40 - SIZE[0] / 2 - CAMERA_X
    assert float(data["cam"].depth[mask].min()) == pytest.approx(rear, abs=0.01)


def test_lidar_returns_lie_on_the_given_box(sized):
    _, state, data, _, _ = sized
    truck = state.actor("truck")
    points = data["lidar"][data["lidar"]["instance"] == truck.id]
    assert len(points) > 20
    ego = state.ego.position  # the lidar: 1.9 m above the ego's origin, axes the world's
    xyz = np.stack([points["x"] + ego[0], points["y"] + ego[1], points["z"] + 1.9], axis=1)
    x, y = xyz[:, 0] - 40, xyz[:, 1] + 5.25
    assert x.min() == pytest.approx(-SIZE[0] / 2, abs=0.02)  # the rear face, seen from behind
    assert np.abs(y).max() <= SIZE[1] / 2 + 0.01
    assert xyz[:, 2].max() <= SIZE[2] + 0.01


def test_a_person_scales_uniformly_by_the_height():
    size = "[0.5, 0.5, 2.2]"
    line = "  - {{name: walker, model: pedestrian, s: 40, offset: -9.0{}, behavior: [{{action: parked}}]}}\n"  # noqa: E501
    _, plain, data, calibrations, _ = _capture(line.format(""))
    _, tall, data_t, calibrations_t, _ = _capture(line.format(f", size: {size}"))
    h = 2.2 / load_catalog()[plain.actor("walker").model].dimensions[2]
    assert tall.actor("walker").scale == pytest.approx((h, h, h))
    box = obj(derive(plain, data, calibrations), "walker").boxes.world
    box_t = obj(derive(tall, data_t, calibrations_t), "walker").boxes.world
    assert box_t.size == pytest.approx(tuple(v * h for v in box.size), rel=1e-9)
    # world joints: the same pose on the same feet (on the sidewalk), every height times h
    ground = plain.actor("walker").position[2]
    assert tall.actor("walker").position[2] == ground
    joints = np.array(obj(derive(plain, data, calibrations), "walker").joints)
    joints_t = np.array(obj(derive(tall, data_t, calibrations_t), "walker").joints)
    assert joints_t[:, 2] - ground == pytest.approx((joints[:, 2] - ground) * h, abs=1e-6)
