"""Articulated people: the gait follows the distance walked, feet stay on the ground, and the
label box fits the pose of the frame."""

import dataclasses

import numpy as np
import pytest

from simgen.sensors.pose import PHASES, PoseKey, joint_angles, step_frequency
from simgen.sensors.scene import actor_pose, posed_extent, posed_parts
from simgen.world.assets import load_catalog
from simgen.world.state import ActorState, LightState


def walker(speed: float, travelled: float, model: str = "pedestrian") -> ActorState:
    return ActorState(
        id=3, name="p", model=model, kind="pedestrian", semantic_class="person",
        position=(0.0, 0.0, 0.0), rotation=(0.0, 0.0, 0.0, 1.0), velocity=(speed, 0.0, 0.0),
        angular_velocity=(0.0, 0.0, 0.0), dimensions=load_catalog()[model].dimensions,
        lights=LightState(False, False), controlled=True, crashed=False, travelled=travelled,
    )  # fmt: skip


def test_phase_advances_with_distance_so_feet_do_not_slide():
    speed = 1.4
    stride = 2 * speed / step_frequency(speed)
    a = actor_pose(walker(speed, 0.0))
    half = actor_pose(walker(speed, stride / 2))
    full = actor_pose(walker(speed, stride))
    assert a.mode == "walk" and (half.phase - a.phase) % PHASES == PHASES // 2
    assert full.phase == a.phase
    assert 1.3 < stride < 1.7  # adult walking stride at 1.4 m/s (two steps)
    assert actor_pose(walker(0.0, 5.0)).mode == "stand"


def test_legs_and_arms_swing_in_opposition():
    angles = joint_angles(PoseKey("walk", 0, 24))
    assert angles["thigh_r"][0] > 20 and angles["thigh_l"][0] < -5
    assert angles["upper_arm_r"][0] < 0 < angles["upper_arm_l"][0]


def test_the_gait_at_a_normal_pace_is_winters():
    """At 1.4 m/s (a 24-degree straight-leg swing) the thigh flexes from about 10 degrees
    behind the vertical at toe-off to about 30 ahead at heel strike, and the knee folds to about
    60 degrees in early swing (Winter, Biomechanics and Motor Control of Human Movement)."""
    strides = [joint_angles(PoseKey("walk", p, 24)) for p in range(PHASES)]
    thigh = [a["thigh_r"][0] for a in strides]
    knee = [-a["shin_r"][0] for a in strides]
    assert 25 < max(thigh) < 35 and -15 < min(thigh) < -5
    assert 55 < max(knee) < 70 and min(knee) < 6
    # the knee is at its most folded while the thigh swings forward, past toe-off
    assert 0.6 < knee.index(max(knee)) / PHASES < 0.8


@pytest.mark.parametrize("phase", range(0, PHASES, 5))
def test_posed_body_stands_on_the_ground_and_its_box_is_its_extent(phase):
    key = PoseKey("walk", phase, 24)
    vertices = np.concatenate([p.vertices for p in posed_parts("pedestrian", key).values()])
    assert vertices[:, 2].min() == pytest.approx(0.0, abs=1e-9)
    (dx, dy), size = posed_extent("pedestrian", key)
    lo, hi = vertices.min(0), vertices.max(0)
    assert size == pytest.approx(tuple(hi - lo), abs=1e-4)
    assert (dx, dy) == pytest.approx(tuple((lo + hi)[:2] / 2), abs=1e-4)


def test_stride_opens_the_box_along_the_walk():
    stand = posed_extent("pedestrian", PoseKey("stand", 0, 0))[1]
    stride = max(posed_extent("pedestrian", PoseKey("walk", p, 24))[1][0] for p in range(PHASES))
    assert stride > stand[0] + 0.4  # feet apart mid-stride
    assert posed_extent("sedan", None)[1] == load_catalog()["sedan"].dimensions


def test_rigid_actors_are_not_posed():
    car = dataclasses.replace(walker(5.0, 10.0), model="sedan")
    assert actor_pose(car) is None


def rider(travelled: float, model: str = "bicycle") -> ActorState:
    return dataclasses.replace(walker(5.0, travelled, model), kind="cyclist", semantic_class=model)


def test_wheels_turn_by_the_distance_rolled_and_the_crank_through_the_gear():
    from simgen.sensors.pose import GEAR, RIDE_PHASES, WHEEL_STEPS

    entry = load_catalog()["bicycle"]
    radius = entry.skeleton["wheel_front"].pivot[2]
    turn = 2 * np.pi * radius
    start = actor_pose(rider(0.0))
    assert start.mode == "ride"
    # an eighth of a turn moves a 4-spoke wheel by exactly one spoke interval
    assert actor_pose(rider(turn / 8)).amplitude == start.amplitude
    assert actor_pose(rider(turn / 16)).amplitude == (start.amplitude + WHEEL_STEPS // 2) % 12
    # one crank turn takes GEAR wheel turns
    assert actor_pose(rider(turn * GEAR / 2)).phase == (start.phase + RIDE_PHASES // 2) % 24


@pytest.mark.parametrize("phase", range(0, 24, 4))
def test_the_riders_feet_stay_on_the_pedals(phase):
    from simgen.sensors.pose import CRANK_RADIUS, bone_transforms

    entry = load_catalog()["bicycle"]
    key = PoseKey("ride", phase, 0)
    bones = bone_transforms(entry, key)
    crank = np.array(entry.skeleton["crank"].pivot)
    theta = 2 * np.pi * phase / 24
    for side, offset in (("r", np.pi), ("l", 0.0)):
        ankle = bones[f"foot_{side}"] @ np.array([*entry.skeleton[f"foot_{side}"].pivot, 1.0])
        pedal = crank + CRANK_RADIUS * np.array([np.sin(theta + offset), 0, np.cos(theta + offset)])
        assert ankle[[0, 2]] == pytest.approx(pedal[[0, 2]] + (0.0, 0.07), abs=0.01)


@pytest.mark.parametrize(
    ("model", "key"),
    [("pedestrian", PoseKey("walk", 7, 24)), ("motorcycle", PoseKey("ride", 5, 3))],
)
def test_a_posed_parts_corner_normals_are_its_rest_normals_turned(model, key):
    """A pose moves every part rigidly: its corner normals, turned from the rest part's, are
    those the shading would find again from the posed vertices (creases and all)."""
    from simgen.sensors.scene import asset_parts
    from simgen.sensors.smooth_shading import corner_normals

    for name, posed in posed_parts(model, key).items():
        found = corner_normals(posed.vertices.astype(np.float32), posed.faces, posed.crease)
        np.testing.assert_allclose(posed.corner_normals, found, atol=5e-5, err_msg=name)
        rest = asset_parts(model)[name]
        assert posed.faces is rest.faces
        assert posed.crease == rest.crease
