"""The radar: Doppler from the relative motion, RCS from material and size, weather and faults."""

import math

import numpy as np
import pytest

from simgen.core.classes import class_id
from simgen.injectors import apply_injectors
from simgen.scenario.models import Radar, RadarDropout, Scenario
from simgen.scenario.sample import ScenarioInstance
from simgen.sensors.backends import radar_caster
from simgen.sensors.open3d.lidar import Body, local_mesh
from simgen.sensors.radar_model import THRESHOLD_DB, RadarConditions
from simgen.sensors.radar_weather import fog_db_per_km, rain_coefficients, rain_db_per_km
from simgen.sensors.rig import radar_calibration
from simgen.sensors.scene import Part, Placed, asset_placements


def _radar(**keys):
    spec = Radar(name="radar_front", type="radar", **({"false_alarms": 0, "ghost_rate": 0} | keys))
    return radar_caster()(radar_calibration(spec), [], spec)


def _box_body(instance_id=7, size=(4.5, 1.8, 1.5), cls="car"):
    import trimesh

    box = trimesh.creation.box(extents=size)
    box.apply_translation((0, 0, size[2] / 2))
    part = Part("box", np.asarray(box.vertices, float), np.asarray(box.faces, np.int32))
    return local_mesh([Placed(part, np.eye(4), instance_id, class_id(cls), (1, 1, 1), 0.5)])


def _pose(x, y, yaw=0.0):
    out = np.eye(4)
    out[:2, :2] = [[math.cos(yaw), -math.sin(yaw)], [math.sin(yaw), math.cos(yaw)]]
    out[:3, 3] = (x, y, 0.0)
    return out


SENSOR = _pose(0.0, 0.0)
SENSOR[2, 3] = 0.6


def test_radial_velocity_is_the_projected_relative_velocity_within_the_noise():
    std = 0.4
    radar = _radar(noise={"velocity_std": std, "azimuth_std": 0.02, "range_std": 0.05})
    ego_v = np.array([20.0, 0.0, 0.0])
    rng = np.random.default_rng(3)
    residuals = []
    for scan in range(60):
        position = (rng.uniform(25, 80), rng.uniform(-3, 3))
        velocity = np.array([rng.uniform(-10, 30), rng.uniform(-2, 2), 0.0])
        body = Body(7, _box_body(), _pose(*position), velocity, 0.0)
        targets = radar.capture(SENSOR, ego_v, [body], RadarConditions(), rng)
        mine = targets[targets["instance"] == 7]
        assert len(mine), f"scan {scan}: the car at {position} is not detected"
        los = np.c_[mine["x"], mine["y"], mine["z"]] / mine["range"][:, None]
        residuals += list(mine["vr"] - los @ (velocity - ego_v))
        # over ground: the radar's own motion removed
        assert np.allclose(mine["vr_comp"], mine["vr"] + los @ ego_v, atol=0.02)
    r = np.array(residuals)
    assert len(r) > 100
    assert abs(r.mean()) < 4 * std / math.sqrt(len(r))
    assert 0.85 * std < r.std() < 1.15 * std


def test_a_static_wall_ahead_closes_at_the_ego_speed():
    radar = _radar(noise={"velocity_std": 0.0, "azimuth_std": 0.0, "range_std": 0.0})
    wall = Body(3, _box_body(3, (0.5, 6.0, 2.0), "barrier"), _pose(40.0, 0.0), np.zeros(3), 0.0)
    targets = radar.capture(
        SENSOR, np.array([15.0, 0, 0]), [wall], RadarConditions(), np.random.default_rng(0)
    )
    mine = targets[targets["instance"] == 3]
    cos = mine["x"] / mine["range"]
    assert np.allclose(mine["vr"], -15.0 * cos, atol=0.02) and np.allclose(
        mine["vr_comp"], 0, atol=0.02
    )
    assert np.all(
        np.abs(mine["range"] * np.cos(mine["azimuth"]) * np.cos(mine["elevation"]) - 39.75) < 1.0
    )


def _rcs_dbsm(model, distance=30.0):
    radar = _radar(noise={"velocity_std": 0.0, "azimuth_std": 0.0, "range_std": 0.0})
    body = Body(5, local_mesh(asset_placements(model)), _pose(distance, 0.0), np.zeros(3), 0.0)
    t = radar.capture(SENSOR, np.zeros(3), [body], RadarConditions(), np.random.default_rng(0))
    mine = t[t["instance"] == 5]
    return 10 * math.log10(np.sum(10 ** (mine["rcs"] / 10))), mine


def test_rcs_of_a_truck_exceeds_a_cars_and_a_pedestrians():
    truck, _ = _rcs_dbsm("truck")
    car, _ = _rcs_dbsm("sedan")
    person, _ = _rcs_dbsm("pedestrian")
    assert truck > car > person + 10
    assert 5 < car < 20 and -15 < person < 3  # measured automotive RCS ranges at 77 GHz


def test_a_metal_plate_seen_face_on_reflects_more_than_at_a_grazing_angle():
    radar = _radar(noise={"velocity_std": 0.0, "azimuth_std": 0.0, "range_std": 0.0})
    plate = _box_body(9, (0.1, 2.0, 1.5))
    totals = []
    for yaw in (0.0, math.radians(70)):
        body = Body(9, plate, _pose(30, 0, yaw), np.zeros(3), 0.0)
        t = radar.capture(SENSOR, np.zeros(3), [body], RadarConditions(), np.random.default_rng(0))
        totals.append(np.sum(10 ** (t["rcs"][t["instance"] == 9] / 10)))
    assert totals[0] > 5 * totals[1]


def test_rain_and_fog_cost_the_itu_attenuation_and_fog_far_less_than_for_lidar():
    k, alpha = rain_coefficients(80.0)  # ITU-R P.838-3 lists kH 1.1704, alphaH 0.7115 at 80 GHz
    assert k == pytest.approx(1.1704, abs=2e-3) and alpha == pytest.approx(0.7115, abs=2e-3)
    k30, a30 = rain_coefficients(30.0)  # and 0.2403, 0.9485 at 30 GHz
    assert k30 == pytest.approx(0.2403, abs=1e-3) and a30 == pytest.approx(0.9485, abs=1e-3)
    radar = _radar(noise={"velocity_std": 0.0, "azimuth_std": 0.0, "range_std": 0.0})
    body = Body(5, _box_body(5), _pose(60, 0), np.zeros(3), 0.0)
    dry = radar.capture(SENSOR, np.zeros(3), [body], RadarConditions(), np.random.default_rng(0))
    wet = radar.capture(
        SENSOR, np.zeros(3), [body], RadarConditions(rain_mmh=50.0), np.random.default_rng(0)
    )
    d, w = dry[dry["instance"] == 5], wet[wet["instance"] == 5]
    expected = 2 * d["range"] * rain_db_per_km(50.0) / 1000
    assert np.allclose(d["snr"][: len(w)] - w["snr"], expected[: len(w)], atol=1e-3)
    # dense fog (100 m visibility): about 0.35 dB/km for the radar, 2 alpha r for the lidar
    fog = 3.0 / 100.0
    radar_db = 2 * 100 * fog_db_per_km(fog) / 1000
    lidar_db = 10 * math.log10(math.exp(2 * fog * 100))
    assert radar_db < 0.1 and lidar_db > 25


def test_weak_targets_drop_below_the_threshold_far_away():
    radar = _radar(noise={"velocity_std": 0.0, "azimuth_std": 0.0, "range_std": 0.0})
    near, _ = _rcs_dbsm("pedestrian", 30.0)
    assert near > -15  # seen at 30 m
    body = Body(5, local_mesh(asset_placements("pedestrian")), _pose(200, 0), np.zeros(3), 0.0)
    far = radar.capture(SENSOR, np.zeros(3), [body], RadarConditions(), np.random.default_rng(0))
    assert not np.any(far["instance"] == 5)
    assert np.all(far["snr"] >= THRESHOLD_DB)


def _scan(conditions, rng_seed=0, **keys):
    radar = _radar(**keys)
    bodies = [
        Body(10 + i, _box_body(10 + i), _pose(30 + 8 * i, -4 + 4 * (i % 3)), np.zeros(3), 0.0)
        for i in range(6)
    ]
    return radar.capture(SENSOR, np.array([10.0, 0, 0]), bodies, conditions,
                         np.random.default_rng(rng_seed))  # fmt: skip


def test_blockage_removes_the_covered_sector_and_weakens_nothing_else():
    clear = _scan(RadarConditions(), preset="ars408_near")
    blocked = _scan(RadarConditions(blocked=((0.0, 60.0, 60.0),)), preset="ars408_near")
    left = np.degrees(blocked["azimuth"]) >= 0.5
    assert not np.any(left & (blocked["instance"] > 0))
    assert np.any(np.degrees(clear["azimuth"]) > 0.5)
    right_clear = clear[np.degrees(clear["azimuth"]) < -0.5]
    right_blocked = blocked[np.degrees(blocked["azimuth"]) < -0.5]
    assert len(right_blocked) == len(right_clear)


def test_interference_raises_false_alarms_and_hides_weak_targets():
    clear = _scan(RadarConditions())
    jammed = _scan(RadarConditions(noise_rise=20.0, extra_false_alarms=40.0))
    assert np.sum(jammed["kind"] == 2) > 20 > np.sum(clear["kind"] == 2)
    assert np.sum(jammed["kind"] == 0) < np.sum(clear["kind"] == 0)
    assert np.all(jammed["snr"][jammed["kind"] == 0] >= THRESHOLD_DB)


def test_dropout_loses_the_given_fraction_of_targets():
    kept = [len(_scan(RadarConditions(dropout=0.7), seed)) for seed in range(20)]
    full = [len(_scan(RadarConditions(), seed)) for seed in range(20)]
    assert np.sum(kept) / np.sum(full) == pytest.approx(0.3, abs=0.06)


def test_false_alarms_and_ghosts_belong_to_no_object():
    t = _scan(RadarConditions(), false_alarms=20.0, ghost_rate=1.0)
    artefacts = t[t["kind"] > 0]
    assert np.sum(t["kind"] == 1) > 0 and np.sum(t["kind"] == 2) > 5
    assert np.all(artefacts["instance"] == 0) and np.all(artefacts["semantic"] == 0)


def test_radar_faults_attach_to_radars_only():
    scenario = Scenario.model_validate(
        {
            "version": 1, "name": "x", "duration": 0.2,
            "ego": {"sensors": [
                {"name": "cam", "type": "camera"},
                {"name": "radar_front", "type": "radar"},
            ]},
            "injectors": [{"type": "radar_dropout", "probability": 0.3}, {"type": "frame_drop"}],
        }
    )  # fmt: skip
    out = apply_injectors(ScenarioInstance(variant=0, attempt=0, scenario=scenario))
    cam, radar = out.scenario.ego.sensors
    assert [f.type for f in radar.faults] == ["radar_dropout", "frame_drop"]
    assert [f.type for f in cam.faults] == ["frame_drop"]
    assert isinstance(radar.faults[0], RadarDropout)


def test_a_radar_fault_without_a_radar_is_an_error():
    from simgen.scenario.checks import check_scenario
    from simgen.scenario.limits import Limits

    scenario = Scenario.model_validate(
        {"version": 1, "name": "x", "duration": 0.2,
         "ego": {"sensors": [{"name": "cam", "type": "camera"}]},
         "injectors": [{"type": "radar_blockage"}]}
    )  # fmt: skip
    problems = check_scenario(scenario, Limits.none())
    assert [(p.path, p.message) for p in problems] == [
        (("injectors", 0, "type"), "radar_blockage needs a radar on the ego")
    ]
