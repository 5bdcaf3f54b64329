"""World injectors act through physics and behaviour: checked on the simulated world."""

import math

import numpy as np
import pytest

from simgen.injectors import REGISTRY, InjectorError, apply_injectors
from simgen.injectors.base import Edit
from simgen.pipeline.capture import capture
from simgen.scenario import load_scenario, parse_scenario, sample
from simgen.scenario.models import Scenario
from simgen.world.simulate import simulate
from tests.conftest import ROOT, shrink

BASE = """
version: 1
name: w
seed: 5
duration: {duration}
frame_rate: 10
road: {{length: 300, lanes: 2, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}}
ego:
  lane: 0
  s: 20
  speed: 10
  behavior: [{{action: lane_follow, speed: 10}}]
actors:
  - {{name: lead, model: sedan, lane: 0, s: 50, speed: 10, behavior: [{{action: lane_follow}}]}}
  - {{name: side, model: suv, lane: 1, s: 38, speed: 12}}
injectors: [{inject}]
"""


def run(inject: str, duration: float = 5.0):
    text = BASE.format(inject=inject, duration=duration)
    instance = apply_injectors(sample(parse_scenario(text).scenario, 0))
    return instance, list(simulate(instance))


def test_crash_is_one_collision_with_crashed_flags_and_vehicles_off_their_paths():
    _, planned = run("")
    _, states = run("{type: crash, actor: side, target: lead, at: 1.0}")
    events = [e for s in states for e in s.events]
    assert len(events) == 1 and set(events[0].actors) == {"side", "lead"}
    assert events[0].time > 1.0 and events[0].impulse > 1000
    end, calm = states[-1], planned[-1]
    for name in ("side", "lead"):
        assert end.actor(name).crashed and not end.actor(name).controlled
        gone = math.dist(end.actor(name).position[:2], calm.actor(name).position[:2])
        assert gone > 5.0, name  # nowhere near where its plan would have taken it
    assert not end.ego.crashed


def test_crash_without_names_picks_the_nearest_pair_ahead():
    _, states = run("{type: crash, at: 1.0}")
    events = [e for s in states for e in s.events]
    assert len(events) == 1 and set(events[0].actors) == {"side", "lead"}


def test_sudden_brake_decelerates_the_lead_at_the_given_rate():
    _, states = run("{type: sudden_brake, at: 1.0, decel: 8}")
    speeds = [s.actor("lead").speed for s in states]
    assert speeds[9] == pytest.approx(10.0, abs=0.05)
    assert (speeds[11] - speeds[12]) / 0.1 == pytest.approx(8.0, abs=0.3)
    assert speeds[-1] < 0.01


def test_cut_in_ends_in_the_ego_lane_the_gap_ahead():
    instance, states = run("{type: cut_in, gap: 6, at: 0.5, duration: 1.0}", duration=2.0)
    cutter = next(a.name for a in instance.scenario.actors if a.name.startswith("cutter"))
    end = states[15]
    assert end.actor(cutter).position[1] == pytest.approx(end.ego.position[1], abs=0.05)
    gap = end.actor(cutter).position[0] - end.ego.position[0] - 4.62
    assert 3.0 < gap < 9.0


def test_cut_in_from_a_taken_place_is_done_by_the_car_already_there():
    """The spot gap metres ahead in the next lane already holds a car (``side`` moved there):
    a second car spawned on it crashed at t = 0; the one there cuts in instead."""
    text = BASE.format(inject="{type: cut_in, gap: 6, at: 0.5, duration: 1.0}", duration=2.0)
    text = text.replace("lane: 1, s: 38", "lane: 1, s: 31")
    instance = apply_injectors(sample(parse_scenario(text).scenario, 0))
    assert [a.name for a in instance.scenario.actors] == ["lead", "side"]
    states = list(simulate(instance))
    assert not [e for s in states for e in s.events]
    end = states[15]
    assert end.actor("side").position[1] == pytest.approx(end.ego.position[1], abs=0.05)


def test_wrong_way_stalled_and_debris_are_where_they_should_be():
    instance, states = run(
        "{type: wrong_way, ahead: 100, speed: 12}, {type: stalled_vehicle, ahead: 60},"
        " {type: debris, ahead: 80, count: 4, spread: 5}",
        duration=1.0,
    )
    names = [a.name for a in instance.scenario.actors]
    ghost = next(n for n in names if n.startswith("ghost"))
    stalled = next(n for n in names if n.startswith("stalled"))
    pieces = [n for n in names if n.startswith("debris")]
    first, last = states[0], states[-1]
    assert last.actor(ghost).velocity[0] == pytest.approx(-12.0, abs=0.1)
    assert abs(first.actor(ghost).position[1] - first.ego.position[1]) < 0.01
    assert last.actor(stalled).speed == 0.0
    assert first.actor(stalled).position[0] == pytest.approx(80.0)
    assert len(pieces) == 4
    for p in pieces:
        x, y, _ = first.actor(p).position
        assert 100.0 <= x <= 105.0 and abs(y - first.ego.position[1]) <= 1.3


def test_accident_scene_wrecks_are_crashed_and_turned_across_the_lanes():
    _, states = run("{type: accident_scene, ahead: 40, vehicles: 2, debris: 3}", 1.0)
    wrecks = [a for a in states[0].actors if a.name.startswith("wreck")]
    assert len(wrecks) == 2
    assert {round(w.position[1], 2) for w in wrecks} == {-5.25, -1.75}  # both lanes
    for w in wrecks:
        assert w.crashed and w.speed == 0.0 and abs(w.yaw) > math.radians(1)
    assert sum(a.name.startswith("debris") for a in states[0].actors) == 3


def test_a_jaywalker_steps_out_from_behind_a_parked_van():
    scenario = load_scenario(ROOT / "scenarios/edge_cases/jaywalker_parked_van.yaml").scenario
    instance = apply_injectors(sample(shrink(scenario, 320, 180), 0))
    seen = []
    for found in capture(instance, limit=30):
        walker = next(o for o in found.labels.objects if o.name.startswith("jaywalker"))
        seen.append(walker.cameras["cam_front"].visibility)
    assert max(seen[:5]) < 0.2  # hidden by the van at first (a foot in stride may show)
    assert max(seen[15:]) > 0.8 and np.median(seen[20:]) > 0.8  # then in plain view


@pytest.mark.parametrize("radius", [None, -90.0])
def test_the_jaywalker_s_van_parks_at_the_kerb_whichever_lane_the_ego_drives_in(radius):
    """Three lanes, the ego in the middle one: the van stands right of the kerb-side lane (a
    car in it passes clear), not in that lane beside the ego; on a tight right-hand bend the
    walker still stands clear past its front (along the inside, the road's metres are short)."""
    road = "{length: 300, lanes: 3, oncoming_lanes: 1, lane_width: 3.5, sidewalk_width: 2.5}"
    if radius is not None:
        road = road.replace("{", f"{{type: curve, radius: {radius}, ", 1)
    text = BASE.format(inject="{type: jaywalker, ahead: 25, occluder: truck}", duration=0.1)
    text = text.replace(text[text.index("road:") : text.index("\nego:")], f"road: {road}")
    text = text.replace("  lane: 0\n  s: 20", "  lane: 1\n  s: 20")
    instance = apply_injectors(sample(parse_scenario(text).scenario, 0))
    van = next(a for a in instance.scenario.actors if a.name.startswith("parked_van"))
    walker = next(a for a in instance.scenario.actors if a.name.startswith("jaywalker"))
    kerb_lane_centre, truck_width, sedan_width = -2.5 * 3.5, 2.8, 2.02  # lane 0
    # its road-side edge clear of a sedan in the kerb-side lane, by 0.2 m and the clearance
    assert float(van.offset) + truck_width / 2 <= kerb_lane_centre - sedan_width / 2 - 0.2
    assert float(van.offset) + truck_width / 2 > kerb_lane_centre - sedan_width / 2 - 1.0
    assert float(walker.s) - float(van.s) >= 8.575 / 2 + 0.6  # past its front bumper
    first = next(iter(simulate(instance)))
    assert not first.events  # nobody starts inside anybody


def test_a_stalled_car_asked_for_where_the_lead_drives_stands_at_the_nearest_free_place():
    """``lead`` starts 30 m ahead of the ego in its lane at 10 m/s; a stalled car asked for
    there would start inside it (a crash at t = 0), and one just ahead of it would be hit at
    once. It stands at the nearest place, in 1 m steps, clear of the lead's box by 0.3 m and
    of where the lead goes in two seconds: just behind it, in the ego's way (edge cases are)."""
    instance, states = run("{type: stalled_vehicle, ahead: 30}", duration=3.0)
    stalled = next(a for a in instance.scenario.actors if a.name.startswith("stalled"))
    lead = next(a for a in instance.scenario.actors if a.name == "lead")
    gap = float(lead.s) - float(stalled.s)
    least = 4.6 + 0.3  # sedan boxes, the clearance
    assert least < gap <= least + 1.0 + 0.35  # 1 m steps; a heading of up to 6 degrees
    assert not [e for s in states for e in s.events]  # the lead drives off, the ego brakes


def test_no_room_on_the_road_for_what_an_injector_adds_is_an_error_that_says_so():
    """Two jaywalkers behind parked vehicles 15 m ahead, where the road ends 23 m ahead: the
    second has no room before the end nor between the ego and the first, and is refused
    rather than put inside the first."""
    inject = "{type: jaywalker, ahead: 15, occluder: truck}, {type: jaywalker, ahead: 15}"
    text = BASE.format(inject=inject, duration=1.0).replace("length: 300", "length: 44")
    text = text[: text.index("actors:")] + "actors: []\n" + text[text.index("injectors:") :]
    with pytest.raises(InjectorError, match=r"injectors\[1\] \(jaywalker\): no free place for "):
        apply_injectors(sample(parse_scenario(text).scenario, 0))
    alone = text.replace(", {type: jaywalker, ahead: 15}", "")
    assert len(apply_injectors(sample(parse_scenario(alone).scenario, 0)).scenario.actors) == 2


def test_a_road_user_an_injector_puts_inside_another_is_refused(monkeypatch):
    """The last check after every injector: one that placed a car on the ego (as cut_in,
    stalled_vehicle and others did before they looked) is an error, not a crash at t = 0."""

    def onto_the_ego(edit: Edit, inj) -> Scenario:
        return edit.with_actors(edit.spawn("careless", "sedan", edit.ego_a, lane=edit.ego_lane))

    monkeypatch.setitem(REGISTRY, "wrong_way", onto_the_ego)
    with pytest.raises(
        InjectorError, match=r"injectors\[0\] \(wrong_way\): careless_0 starts inside ego"
    ):
        run("{type: wrong_way}", duration=0.1)
