import math

import pytest

from simgen.scenario import SamplingError, load_scenario, parse_scenario, sample
from simgen.scenario.sample import requirement_failure, start_xy
from tests.conftest import ROOT

HIGHWAY = ROOT / "scenarios" / "highway_cut_in.yaml"


def test_same_variant_twice_is_identical():
    scenario = load_scenario(HIGHWAY).scenario
    first, second = sample(scenario, 3), sample(scenario, 3)
    assert first == second
    assert first.model_dump_json() == second.model_dump_json()


def test_identical_across_fresh_loads():
    a = sample(load_scenario(HIGHWAY).scenario, 5)
    b = sample(load_scenario(HIGHWAY).scenario, 5)
    assert a.model_dump_json() == b.model_dump_json()


def test_variants_differ_where_distributions_exist_and_agree_elsewhere():
    scenario = load_scenario(HIGHWAY).scenario
    instances = [sample(scenario, v).scenario for v in range(scenario.variants)]
    elevations = {i.environment.sun.elevation for i in instances}
    cutter_s = {i.actors[0].s for i in instances}
    assert len(elevations) == len(instances)
    assert len(cutter_s) == len(instances)
    # fixed values stay fixed
    assert {i.ego.speed for i in instances} == {20.0}
    assert {i.actors[1].s for i in instances} == {instances[0].ego.s + 35}


def test_sampled_values_respect_their_distributions():
    scenario = load_scenario(HIGHWAY).scenario
    for v in range(scenario.variants):
        inst = sample(scenario, v).scenario
        assert 10 <= inst.environment.sun.elevation <= 60
        assert 3.3 <= inst.road.lane_width <= 3.75
        assert inst.actors[2].model in {"sedan", "suv", "motorcycle"}
        offset = inst.actors[0].s - inst.ego.s
        assert 8 <= offset <= 15  # uniform [8, 15] relative to the ego


def test_relative_positions_resolve_in_dependency_order():
    text = """
version: 1
name: chain
duration: 1
ego: {s: 10}
actors:
  - {name: c, model: sedan, lane: 0, s: {relative_to: b, offset: 5}}
  - {name: b, model: sedan, lane: 0, s: {relative_to: a, offset: 7}}
  - {name: a, model: sedan, lane: 0, s: {relative_to: ego, offset: 20}}
"""
    inst = sample(parse_scenario(text).scenario, 0).scenario
    assert [a.s for a in inst.actors] == [42.0, 37.0, 30.0]


def test_require_is_met_by_rejection():
    text = """
version: 1
name: gap
duration: 1
variants: 30
ego: {s: 20, lane: 0}
actors:
  - {name: a, model: sedan, lane: 0, s: {relative_to: ego, offset: {uniform: [0, 40]}}}
require:
  - {distance: [ego, a], above: 30}
"""
    scenario = parse_scenario(text).scenario
    attempts = []
    for v in range(scenario.variants):
        inst = sample(scenario, v)
        assert inst.scenario.actors[0].s - inst.scenario.ego.s > 30
        attempts.append(inst.attempt)
    assert max(attempts) > 0  # some variants needed redraws (P(accept) = 1/4)


def test_unsatisfiable_require_raises_a_positioned_error():
    text = """
version: 1
name: never
duration: 1
ego: {s: 20}
actors:
  - {name: a, model: sedan, lane: 0, s: {relative_to: ego, offset: {uniform: [5, 10]}}}
require:
  - {min_gap: 1}
  - {distance: [ego, a], above: 50}
"""
    with pytest.raises(SamplingError) as err:
        sample(parse_scenario(text).scenario, 0, max_tries=50)
    assert err.value.path == ("require", 1)
    assert "50 draws" in err.value.message


def test_draws_are_stable_when_other_values_change():
    """Each distribution has its own stream: editing one key leaves the other draws alone."""
    base = """
version: 1
name: stable
duration: 1
variants: 4
environment: {sun: {elevation: {uniform: [0, 90]}, azimuth: {uniform: [0, 360]}}}
ego: {speed: SPEED}
"""
    one = parse_scenario(base.replace("SPEED", "{uniform: [1, 2]}")).scenario
    two = parse_scenario(base.replace("SPEED", "5")).scenario
    for v in range(4):
        assert sample(one, v).scenario.environment == sample(two, v).scenario.environment


def test_out_of_range_variant():
    scenario = load_scenario(HIGHWAY).scenario
    with pytest.raises(SamplingError, match=r"variants 0\.\.19"):
        sample(scenario, 20)


def test_normal_draws_outside_bounds_are_redrawn():
    text = """
version: 1
name: clipped
duration: 1
variants: 50
environment: {rain: {normal: [0.05, 0.2]}}
ego: {}
"""
    scenario = parse_scenario(text).scenario
    rains = [sample(scenario, v).scenario.environment.rain for v in range(50)]
    assert all(0 <= r <= 1 for r in rains)
    assert min(rains) < 0.05 < max(rains)


def test_start_positions_follow_the_lane_layout():
    text = """
version: 1
name: layout
duration: 1
road: {lanes: 3, oncoming_lanes: 2, lane_width: 3.5}
ego: {lane: 0, s: 10}
actors:
  - {name: a, model: sedan, lane: -2, s: 10}
  - {name: b, model: pedestrian, offset: 9.0, s: 10}
require:
  - {distance: [ego, a], above: 13.9, below: 14.1}
"""
    inst = sample(parse_scenario(text).scenario, 0).scenario
    assert start_xy(inst, inst.ego) == (10.0, -8.75)
    assert start_xy(inst, inst.actors[0]) == (10.0, 5.25)
    assert start_xy(inst, inst.actors[1]) == (10.0, 9.0)
    assert requirement_failure(inst, inst.require[0]) is None
    assert math.isclose(math.dist(start_xy(inst, inst.ego), start_xy(inst, inst.actors[0])), 14.0)


ROAD_USERS = """
version: 1
name: starts
duration: 1
variants: 12
ego: {lane: 0, s: 20}
actors:
"""


def test_a_road_user_placed_inside_another_is_an_error_at_its_key():
    """Two boxes that overlap where they start would crash in the first physics step."""
    text = ROAD_USERS + "  - {name: parked, model: van, lane: 0, s: 23}\n"
    with pytest.raises(SamplingError) as err:
        sample(parse_scenario(text).scenario, 0)
    assert err.value.path == ("actors", 0)
    assert "parked starts inside ego" in err.value.message
    # centres 6 m apart, the half lengths of a sedan (4.6 m) and a van (5.3 m) 4.95: clear
    clear = ROAD_USERS + "  - {name: parked, model: van, lane: 0, s: 26}\n"
    assert sample(parse_scenario(clear).scenario, 0).attempt == 0


def test_a_drawn_start_inside_another_is_drawn_again_and_people_may_stand_together():
    from simgen.world.start import start_overlaps

    text = ROAD_USERS + (
        "  - {name: ahead, model: sedan, lane: 0, s: {uniform: [21, 32]}}\n"
        "  - {name: a, model: pedestrian, offset: -6, s: 30}\n"
        "  - {name: b, model: child, offset: -6.2, s: 30.1}\n"
    )
    scenario = parse_scenario(text).scenario
    instances = [sample(scenario, v) for v in range(scenario.variants)]
    assert max(i.attempt for i in instances) > 0  # some draws put ahead inside the ego
    for instance in instances:
        assert start_overlaps(instance) == []  # the two people touch, and may
        gap = instance.scenario.actors[0].s - 20.0
        assert gap > 4.6  # two sedans' half lengths (their collision boxes): apart
