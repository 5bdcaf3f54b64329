"""Every injector acts on every example scenario: one tiny frame each, and the same twice."""

import hashlib
import re

import numpy as np
import pytest

from simgen.injectors import MODELS, REGISTRY, InjectorError, apply_injectors
from simgen.pipeline.capture import capture
from simgen.scenario import load_scenario, sample
from simgen.scenario.models import Scenario
from tests.conftest import EDGE_CASES, ROOT, SCENARIOS, shrink

PARAMETERS = {"lidar_beam_dropout": {"rings": [1]}}
# what a map may lack for an injector: a lane beside the ego's its way, a sign ahead of it
MAP_LACKS = {
    "cut_in": r"road \S+ has no lane beside the ego's lane -?\d+ carrying traffic its way",
    "occluded_sign": r"the map has no sign on the ego's right ahead of it on road \S+",
}


def injector(kind: str):
    return MODELS[kind].model_validate({"type": kind, **PARAMETERS.get(kind, {})})


def test_every_type_of_the_format_is_registered_and_in_an_edge_case():
    assert set(REGISTRY) == set(MODELS)
    used = {i.type for path in EDGE_CASES for i in load_scenario(path).scenario.injectors}
    used |= {
        f.type for path in EDGE_CASES for s in load_scenario(path).scenario.ego.sensors
        for f in s.faults
    }  # fmt: skip
    assert used == set(MODELS)
    assert len(EDGE_CASES) >= 12


def test_the_edge_case_suite_lists_every_edge_case_with_fixed_seeds():
    from simgen.scenario.suite import load_suite

    suite, loaded = load_suite(ROOT / "scenarios/suites/edge_cases.yaml")
    assert {s.scenario.name for s in loaded} == {p.stem for p in EDGE_CASES}
    assert [s.scenario.seed for s in loaded] == [e.seed for e in suite.scenarios]


def _one_frame(scenario: Scenario):
    instance = apply_injectors(sample(shrink(scenario), 0))
    (found,) = capture(instance, limit=1)
    return instance, found


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_injector_composes_with_every_example(path):
    base = load_scenario(path).scenario
    has_radar = any(s.type == "radar" for s in base.ego.sensors)
    has_lidar = any(s.type == "lidar" for s in base.ego.sensors)
    for kind in MODELS:
        if kind.startswith("radar_") and not has_radar:
            continue  # a radar fault without a radar is an error (tests/sensors/test_radar.py)
        if kind.startswith("lidar_") and not has_lidar:
            continue  # as is a lidar fault without a lidar
        scenario = base.model_copy(update={"injectors": [*base.injectors, injector(kind)]})
        try:
            instance, found = _one_frame(scenario)
        except InjectorError as exc:  # only where a map lacks what the injector needs
            if kind in {i.type for i in base.injectors} and "no free place" in str(exc):
                continue  # a second of the same where the road has room for one
            assert base.road.type == "opendrive" and kind in MAP_LACKS, (kind, exc)
            assert re.search(MAP_LACKS[kind], str(exc)), exc
            continue
        assert kind in {i.type for i in instance.applied}, kind
        assert not instance.scenario.injectors
        assert found.labels.frame == 0


def _digest(found) -> str:
    h = hashlib.sha256()
    for name in sorted(found.data):
        value = found.data[name]
        arrays = [value] if isinstance(value, np.ndarray) else [
            a for a in (value.rgb, value.depth, value.instance, value.semantic) if a is not None
        ]  # fmt: skip
        for a in arrays:
            h.update(np.ascontiguousarray(a).tobytes())
    h.update(repr(found.labels.to_json()).encode())
    return h.hexdigest()


def test_injected_renders_are_byte_identical():
    scenario = load_scenario(ROOT / "scenarios/edge_cases/camera_faults.yaml").scenario
    scenario = scenario.model_copy(
        update={"injectors": [*scenario.injectors, injector("rain"), injector("fog"),
                              injector("accident_scene"), injector("frame_drop")]}
    )  # fmt: skip
    first = [_digest(f) for f in capture(apply_injectors(sample(shrink(scenario), 1)), limit=3)]
    again = [_digest(f) for f in capture(apply_injectors(sample(shrink(scenario), 1)), limit=3)]
    assert first == again
    other = [_digest(f) for f in capture(apply_injectors(sample(shrink(scenario), 2)), limit=3)]
    assert other != first
