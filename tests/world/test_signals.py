"""Traffic lights: phase timing by hand arithmetic, and road users that obey them in the world."""

import math

import pytest

from simgen.injectors import apply_injectors
from simgen.scenario import parse_scenario, sample
from simgen.scenario.models import SignalFaultSpec, Signals
from simgen.world.road import RoadGeometry
from simgen.world.road_signals import road_signals, stop_line_s
from simgen.world.signal_layout import ControllerPlacement
from simgen.world.signals import PEDESTRIAN, THREE_LAMP, SignalSystem, light_state, timings
from simgen.world.simulate import simulate

# green 4, yellow 2, all-red 1: a turn is 7 s; two controllers: red 7 + 1 = 8 s, cycle 14 s
SIGNALS = {"type": "traffic_lights", "cycle": {"green": 4, "yellow": 2, "all_red": 1}}
JUNCTION = (ControllerPlacement("ns", (), 0), ControllerPlacement("ew", (), 1))


def test_two_controllers_interleave_with_an_all_red():
    t = timings(JUNCTION, Signals.model_validate(SIGNALS))
    ns, ew = t["ns"], t["ew"]
    assert (ns.green, ns.yellow, ns.red, ns.cycle) == (4, 2, 8, 14)
    expected = {  # time: (ns, ew)
        0.0: ("green", "red"), 3.9: ("green", "red"), 4.0: ("yellow", "red"),
        5.9: ("yellow", "red"), 6.5: ("red", "red"),  # the all-red clearance
        7.0: ("red", "green"), 11.0: ("red", "yellow"), 13.5: ("red", "red"),
        14.0: ("green", "red"), 28.5: ("green", "red"),
    }  # fmt: skip
    for time, states in expected.items():
        assert (ns.state(time), ew.state(time)) == states, time
    for k in range(280):  # never green (or yellow) on both at once
        time = k * 0.1
        assert "red" in (ns.state(time), ew.state(time)), time


def test_offset_explicit_red_and_per_controller_timing():
    config = Signals.model_validate(
        {**SIGNALS, "offset": 3, "controllers": {"ew": {"cycle": {"green": 10, "yellow": 3,
                                                                  "red": 7}, "offset": 0}}}
    )  # fmt: skip
    t = timings(JUNCTION, config)
    assert t["ns"].state(0.0) == "green" and t["ns"].state(1.0) == "yellow"  # 3 s in already
    ew = t["ew"]
    assert ew.cycle == 20 and ew.state(9.9) == "green" and ew.state(12.0) == "yellow"
    assert ew.state(13.0) == "red" and ew.state(20.0) == "green"


def test_pedestrian_light_ends_before_the_parallel_green():
    t = timings(JUNCTION, Signals.model_validate({**SIGNALS, "cycle": {"green": 20}}))["ns"]
    # green 20 s: the walk signal lasts 20 - 5 = 15 s, then red while vehicles still have green
    assert light_state(t, PEDESTRIAN, 0.0, None) == ("green", "green")
    assert light_state(t, PEDESTRIAN, 14.9, None) == ("green", "green")
    assert light_state(t, PEDESTRIAN, 15.1, None) == ("red", "red")
    assert light_state(t, THREE_LAMP, 15.1, None) == ("green", "green")


def test_faults_flash_yellow_or_go_dark():
    t = timings(JUNCTION, Signals.model_validate(SIGNALS))["ns"]
    flash = SignalFaultSpec(controller="ns", mode="flashing_yellow", at=2.0)
    assert light_state(t, THREE_LAMP, 2.2, flash) == ("flashing_yellow", "yellow")
    assert light_state(t, THREE_LAMP, 2.7, flash) == ("flashing_yellow", None)  # 1 Hz
    assert light_state(t, THREE_LAMP, 3.1, flash) == ("flashing_yellow", "yellow")
    assert light_state(t, PEDESTRIAN, 3.1, flash) == ("off", None)
    dark = SignalFaultSpec(mode="off", at=0.0)
    assert light_state(t, THREE_LAMP, 1.0, dark) == ("off", None)


SCENE = """
version: 1
name: t
seed: 1
duration: {duration}
frame_rate: 10
road:
  type: intersection
  arm_length: 60
  lanes: 2
  oncoming_lanes: 2
  lane_width: 3.25
  sidewalk_width: 3.0
  signals: {{type: traffic_lights, cycle: {{green: 4, yellow: 2, all_red: 1}}, offset: 7}}
ego: {{model: sedan, arm: south, lane: 1, s: 5, speed: 0, behavior: [{{action: parked}}]}}
actors:
  - {{name: car, model: sedan, arm: south, lane: 0, s: 20, speed: 10}}
{extra}
injectors: {injectors}
"""


def run(duration: float = 10.0, extra: str = "", injectors: str = "[]"):
    text = SCENE.format(duration=duration, extra=extra, injectors=injectors)
    instance = apply_injectors(sample(parse_scenario(text).scenario, 0))
    return instance, list(simulate(instance))


def front_to_line(state, instance) -> float:
    """Metres from the car's front bumper to its stop line (negative: past it)."""
    geom = RoadGeometry(instance.scenario.road)
    car = state.actor("car")
    s, _ = geom.to_road(car.position[0], car.position[1], "south")
    return stop_line_s(geom) - (s + car.dimensions[0] / 2)


def test_a_car_stops_at_red_before_the_line_and_goes_at_green():
    # offset 7: the south approach (ns) is red from 0 to 7 s, then green
    instance, states = run()
    south = next(s for s in states[0].signals if s.placement.id == "south_main")
    assert south.state == "red" and south.lit == "red"
    at_six = states[60]
    assert at_six.actor("car").speed < 0.5  # IDM creeps up to its standstill gap
    assert 0.5 <= front_to_line(at_six, instance) <= 3.0
    assert min(front_to_line(s, instance) for s in states[:70]) >= 0.5  # never over it at red
    green = next(s for s in states[75].signals if s.placement.id == "south_main")
    assert green.state == "green"
    assert states[-1].actor("car").speed > 2.0  # moving off after the green at 7 s
    assert front_to_line(states[-1], instance) < 0.0


def test_a_red_light_runner_crosses_the_line_at_red():
    instance, states = run(duration=4.0, injectors="[{type: red_light_runner}]")
    assert not next(a for a in instance.scenario.actors if a.name == "car").obey_signals
    crossed = next(s for s in states if front_to_line(s, instance) < 0.0)
    light = next(s for s in crossed.signals if s.placement.id == "south_main")
    assert light.state == "red" and crossed.time < 7.0


def test_signal_fault_injector_flashes_the_lights():
    instance, states = run(duration=5.0, injectors="[{type: signal_fault, at: 1.0}]")
    before = {s.state for s in states[5].signals if s.placement.code == THREE_LAMP}
    after = {s.state for s in states[20].signals if s.placement.code == THREE_LAMP}
    walk = {s.state for s in states[20].signals if s.placement.code == PEDESTRIAN}
    assert before == {"red", "green"} and after == {"flashing_yellow"} and walk == {"off"}
    lit = [
        next(s.lit for s in st.signals if s.placement.id == "south_main") for st in states[10:30]
    ]
    assert lit.count("yellow") == 10 and lit.count(None) == 10  # half of each second
    # dark lights govern nobody: the car drives through
    assert front_to_line(states[-1], instance) < 0.0


def test_a_pedestrian_waits_for_the_walk_signal():
    # the crosswalk across the south arm goes with the ew controller: offset 7 makes its green
    # 0-4 s and 14-18 s; the walk signal ends min(5, green / 2) = 2 s before the green does
    geom_extent = 60 - 6.5
    crosswalk = geom_extent - 0.5 - 1.5
    extra = f"""  - name: walker
    model: pedestrian
    arm: south
    offset: -8.0
    s: {crosswalk}
    behavior: [{{at: 2.5, action: cross, direction: left, speed: 1.4}}]"""
    _, states = run(duration=16.0, extra=extra)
    walker = [s.actor("walker") for s in states]
    assert max(abs(w.position[1] - walker[0].position[1]) for w in walker[:140]) < 1e-6
    assert max(w.speed for w in walker[30:140]) == 0.0
    assert walker[-1].position[1] - walker[0].position[1] > 1.5  # walking from 14 s on


def test_stop_lines_and_heads_stand_where_the_layout_says():
    instance = sample(
        parse_scenario(SCENE.format(duration=1, extra="", injectors="[]")).scenario, 0
    )
    geom = RoadGeometry(instance.scenario.road)
    layout = road_signals(geom, instance.scenario.road)
    # per arm: a main and a mast head, two pedestrian heads; 4 arms
    assert len(layout.signals) == 16
    main = next(p for p in layout.signals if p.id == "south_main")
    # the south arm heads +x: its lights face -x, stand right of the lanes at the stop line
    assert math.isclose(abs(main.yaw), math.pi, abs_tol=1e-9)
    assert main.position[1] < geom.right_edge and main.position[2] == pytest.approx(2.4 + 0.15)
    assert main.s == pytest.approx(53.5 - 4.5) and main.lanes == (0, 1)
    mast = next(p for p in layout.signals if p.id == "south_mast")
    assert geom.right_edge < mast.position[1] < 0.0  # over the approach lanes
    system = SignalSystem(
        layout.signals, timings(layout.controllers, instance.scenario.road.signals), (), 3
    )  # type: ignore[arg-type]
    ids = [s.id for s in system.states(0.0)]
    assert ids == list(range(3, 19))
