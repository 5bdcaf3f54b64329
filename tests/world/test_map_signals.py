"""Traffic lights of an OpenDRIVE map: states that cycle, lamps that show them, cars that obey."""

from pathlib import Path

import numpy as np
import pytest

from simgen.pipeline.capture import capture
from simgen.scenario import parse_scenario, sample
from simgen.world.map_road import MapGeometry, load_map
from tests.labels.test_signal_labels import HUES, hue_at, lamp_pixel

XODR = Path(__file__).resolve().parents[3] / "shared" / "standards" / "esmini" / "xodr"
MAP = XODR / "fabriksgatan_traffic_lights.xodr"
STOP_S = 109.0  # signal 1 stands at s = 109 of road 3, for traffic along +s (orientation "+")

# signal 1's controller: green 5 s, yellow 2 s, red 11 s; 8 s into its cycle at t = 0, so red
# until t = 10 s, then green until 15 s
SCENE = f"""version: 1
name: map_lights
duration: 14.0
frame_rate: 2
road:
  type: opendrive
  file: '{MAP}'
  signals:
    type: traffic_lights
    cycle: {{green: 5, yellow: 2, red: 11}}
    controllers: {{signal_1: {{offset: 8}}}}
environment: {{sun: {{elevation: 40, azimuth: 180}}}}
ego:
  road: "3"
  lane: -1
  s: 62
  speed: 8
  sensors:
    - {{name: cam, type: camera, width: 800, height: 450, fov: 60, mount: {{xyz: [1.5, 0, 1.5]}},
       outputs: [rgb, semantic, instance]}}
"""


@pytest.mark.skipif(not MAP.is_file(), reason="the esmini corpus is not here")
def test_a_maps_lights_cycle_show_their_state_and_stop_the_car_at_red():
    geom = MapGeometry(load_map(MAP))
    instance = sample(parse_scenario(SCENE).scenario, 0)
    states, fronts, speeds = [], [], []
    checked = 0
    for found in capture(instance):
        state = found.state
        light = next(s for s in state.signals if s.placement.id == "1")
        states.append(light.state)
        ego = state.ego
        s, _ = geom.to_road(ego.position[0], ego.position[1], "3")
        fronts.append(STOP_S - (s + ego.dimensions[0] / 2))
        speeds.append(ego.speed)
        # the lamp that the label says is lit glows in its colour in the camera
        label = next(o for o in found.labels.objects if o.signal and o.signal.source_id == "1")
        assert label.signal.state == light.state and label.semantic_class == "traffic_light"
        view = label.cameras.get("cam")
        if view is None or view.visible_pixels < 60 or fronts[-1] < 4.0:
            continue  # out of view once the car is under it
        calib = found.calibrations.cameras["cam"]
        u, v = lamp_pixel(light.placement, light.lit, calib, ego.transform())
        if not (3 <= u < calib.width - 3 and 3 <= v < calib.height - 3):
            continue  # the head has left the picture over the top as the car drew near
        checked += 1
        hue, value = hue_at(found.data["cam"].rgb, u, v)
        lo, hi = HUES[light.lit]
        assert lo <= hue <= hi or (light.lit == "red" and hue >= 170), (state.time, hue)
        assert value > 180
    assert checked >= 8  # lamps seen red while approaching, and green when starting off
    # frames every 0.5 s: red until 10 s, then green
    assert states == ["red"] * 20 + ["green"] * 8
    assert speeds[19] < 0.5 and 0.5 <= fronts[19] <= 3.0  # stopped before the line at 9.5 s
    assert min(fronts[:20]) >= 0.5  # never over it at red
    assert speeds[-1] > 2.0 and fronts[-1] < 0.0  # moving off after the green, over the line
    assert np.all(np.diff(fronts[20:]) < 0)  # and keeps going


SIGNS = XODR / "straight_500m_signs.xodr"


@pytest.mark.skipif(not SIGNS.is_file(), reason="the esmini corpus is not here")
def test_a_maps_signs_render_with_their_codes_in_the_labels():
    placements, _ = load_map(SIGNS).signal_layout()
    text = SCENE.replace(str(MAP), str(SIGNS)).replace("duration: 14.0", "duration: 0.5")
    text = text.replace('road: "3"', 'road: "1"').replace("s: 62", "s: 40")
    text = text.split("  signals:")[0] + "environment:" + text.split("environment:")[1]
    found = next(capture(sample(parse_scenario(text).scenario, 0)))
    signs = {o.signal.source_id: o for o in found.labels.objects if o.signal}
    assert set(signs) == {p.id for p in placements}  # all 19, each under its file id
    for p in placements:
        label = signs[p.id]
        assert label.semantic_class == "traffic_sign" and label.signal.state is None
        assert (label.signal.code, label.signal.subtype) == (p.code, p.subtype)
        # the plate's box: its size and place in the file (the plate's bottom at zOffset 1.7)
        box = label.boxes.world
        assert box.size[1] == pytest.approx(p.width) and box.size[2] == pytest.approx(p.height)
        assert box.center[0] == pytest.approx(p.position[0], abs=0.1)
        assert box.center[2] == pytest.approx(p.position[2] + p.height / 2, abs=0.01)
    # the ego at s = 40 on lane -1 (towards +x) sees the faces of the signs for its direction
    # between 80 and 160 m, and none of the backs of those for the other direction
    facing = {p.id for p in placements if p.direction == 1 and 40 < p.s <= 160}
    assert facing == {"12", "13", "2", "3", "14", "14#150"}
    for sid in facing:
        view = signs[sid].cameras.get("cam")
        assert view is not None and view.visible_pixels > 8 and view.visibility > 0.5, sid


@pytest.mark.skipif(not MAP.is_file(), reason="the esmini corpus is not here")
def test_a_pedestrian_waits_for_the_maps_walk_signal():
    """Signal 3 is a pedestrian light at s = 109 of road 3. No controller switches the file's
    lights, so each vehicle light gets a turn of its own and the pedestrian lights share the
    last one: under the default timing (green 20 s, yellow 3 s, all-red 1 s) light 1 is green
    from 0 to 20 s and the pedestrians walk from 24 s (their green) to 39 s (5 s before its
    end). A pedestrian who asks to cross at 2 s waits on the sidewalk until 24 s."""
    from simgen.world.simulate import simulate

    text = f"""version: 1
name: walker
duration: 30.0
frame_rate: 2
road: {{type: opendrive, file: '{MAP}'}}
ego: {{road: "3", lane: -1, s: 20, speed: 0, behavior: [{{action: parked}}]}}
actors:
  - name: walker
    model: pedestrian
    road: "3"
    lane: -3
    s: 108
    behavior: [{{at: 2.0, action: cross, speed: 1.4}}]
"""
    geom = MapGeometry(load_map(MAP))
    states = list(simulate(sample(parse_scenario(text).scenario, 0)))
    lateral = []
    for state in states:
        walker = state.actor("walker")
        lateral.append(geom.to_road(walker.position[0], walker.position[1], "3")[1])
        light = next(s for s in state.signals if s.placement.id == "3")
        assert light.state == ("green" if 24.0 <= state.time < 39.0 else "red"), state.time
        vehicles = next(s for s in state.signals if s.placement.id == "1")
        if vehicles.state == "green":
            assert light.state == "red"  # never both
    waiting = [t for s, t in zip(states, lateral, strict=True) if 2.0 <= s.time < 24.0]
    assert max(waiting) - min(waiting) < 0.05 and min(waiting) < -3.8  # still on its sidewalk
    assert lateral[-1] > -3.5  # crossing once the walk signal is on
