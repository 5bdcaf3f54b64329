"""The box bounds the lidar culls road users by hold every point of each body, and are tighter
than its sphere where a body is seen end on."""

import math

import numpy as np
import trimesh

from simgen.sensors.open3d.lidar import Body, LocalMesh, Moving


def _mesh(size: tuple[float, float, float], shift: tuple[float, float, float]) -> LocalMesh:
    box = trimesh.creation.box(extents=size)
    box.apply_translation(shift)
    n = len(box.faces)
    lo, hi = box.vertices.min(axis=0), box.vertices.max(axis=0)
    return LocalMesh(
        box.vertices.astype(np.float64),
        box.faces.astype(np.uint32),
        np.full(n, 7, np.uint8),
        np.full(n, 0.5, np.float32),
        float(np.linalg.norm(hi - lo) / 2),
        (lo + hi) / 2,
    )


def _pose(yaw: float, at: tuple[float, float, float], pitch: float = 0.0) -> np.ndarray:
    c, s = math.cos(yaw), math.sin(yaw)
    cp, sp = math.cos(pitch), math.sin(pitch)
    pose = np.eye(4)
    pose[:3, :3] = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]) @ np.array(
        [[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]]
    )
    pose[:3, 3] = at
    return pose


def test_every_point_of_a_moving_body_lies_within_its_bounds():
    rng = np.random.default_rng(7)
    bodies, samples = [], []
    for i in range(40):
        size = tuple(rng.uniform(0.4, 12.0, 3) * (1.0, 0.3, 0.3))
        mesh = _mesh(size, tuple(rng.uniform(-1.0, 1.0, 3)))
        start = _pose(rng.uniform(-math.pi, math.pi), (*rng.uniform(-40.0, 40.0, 2), 0.0))
        body = Body(i + 1, mesh, start, rng.uniform(-20.0, 20.0, 3) * (1, 1, 0.1),
                    float(rng.uniform(-1.0, 1.0)))  # fmt: skip
        bodies.append(body)
        samples.append(rng.uniform(0.0, 1.0, (500, 3)) * (mesh.corners[7] - mesh.corners[0]))
    moving = Moving.of(bodies)
    for tau in (0.0, 0.04, 0.09):
        sensor = _pose(0.3, (1.0, -2.0, 1.9), pitch=0.02)
        boxed = moving.boxes(tau, sensor)
        for k, body in enumerate(bodies):
            pose = body.pose_at(tau)
            points = (samples[k] + body.mesh.corners[0]) @ pose[:3, :3].T + pose[:3, 3]
            local = (points - sensor[:3, 3]) @ sensor[:3, :3]
            elevation = np.arctan2(local[:, 2], np.hypot(local[:, 0], local[:, 1]))
            assert boxed.low[k] - 1e-9 <= elevation.min()
            assert elevation.max() <= boxed.high[k] + 1e-9
            centre = np.array([math.atan2(local[:, 1].mean(), local[:, 0].mean())])
            larger, smaller = (a[k] for a in boxed.azimuths(np.repeat(centre, len(bodies))))
            turn = (np.arctan2(local[:, 1], local[:, 0]) - centre + math.pi) % (2 * math.pi)
            turn -= math.pi
            assert -smaller - 1e-9 <= turn.min() and turn.max() <= larger + 1e-9


def test_a_car_seen_end_on_spans_a_fraction_of_its_sphere():
    car = _mesh((4.6, 1.8, 1.45), (0.0, 0.0, 0.725))
    body = Body(1, car, _pose(0.0, (20.0, 0.0, 0.0)), np.zeros(3), 0.0)
    sensor = _pose(0.0, (0.0, 0.0, 1.9))
    boxed = Moving.of([body]).boxes(0.0, sensor)
    larger, smaller = boxed.azimuths(np.zeros(1))
    sphere = math.asin(car.radius / 20.0)
    # the rear, 1.8 m wide, 17.7 m ahead: half an angle of atan(0.9 / 17.7)
    assert math.isclose(larger[0], math.atan2(0.9, 17.7), rel_tol=1e-9)
    assert larger[0] == smaller[0] < sphere / 2
    # from the roof's far corner (1.45 m, below the sensor) down to the rear's foot
    assert math.isclose(boxed.high[0], math.atan2(1.45 - 1.9, math.hypot(22.3, 0.9)), rel_tol=1e-9)
    assert math.isclose(boxed.low[0], math.atan2(-1.9, 17.7), rel_tol=1e-9)
