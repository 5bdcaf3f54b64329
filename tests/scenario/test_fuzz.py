"""Mutated scenarios never crash the loader or the sampler: they load, or fail with Issues."""

import copy
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simgen.scenario import SamplingError, ScenarioError, parse_scenario, sample
from tests.conftest import SCENARIOS

VALID = [yaml.safe_load(p.read_text()) for p in SCENARIOS]

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(-5, 5), max_size=4),
    st.dictionaries(
        st.sampled_from(["uniform", "normal", "choice", "x", "type"]), st.integers(), max_size=2
    ),
    st.just({"uniform": [5, 1]}),
    st.just({"choice": []}),
    st.just({"relative_to": "nobody"}),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _set(doc: Any, path: tuple, value: Any, delete: bool) -> Any:
    if not path:
        return value
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


@st.composite
def mutated(draw: st.DrawFn) -> str:
    doc = copy.deepcopy(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["delete", "junk", "swap"]))
        if op == "delete" and path:
            doc = _set(doc, path, None, delete=True)
        elif op == "swap":
            other = draw(st.sampled_from(paths))
            donor: Any = doc
            for part in other:
                donor = donor[part]
            doc = _set(doc, path, copy.deepcopy(donor), delete=False)
        else:
            doc = _set(doc, path, copy.deepcopy(draw(JUNK)), delete=False)
    return yaml.safe_dump(doc, sort_keys=False)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_never_raise_unexpected_exceptions(text: str):
    try:
        loaded = parse_scenario(text, "mutant.yaml")
    except ScenarioError as exc:
        assert exc.issues
        for issue in exc.issues:
            assert str(issue).startswith("mutant.yaml:")
            assert issue.mark.line >= 1 and issue.mark.col >= 1
        return
    try:
        sample(loaded.scenario, 0, max_tries=20)
    except SamplingError as exc:
        assert exc.message


@settings(deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises_unexpected_exceptions(text: str):
    try:
        parse_scenario(text, "junk.yaml")
    except ScenarioError as exc:
        assert exc.issues


def test_randomize_beside_a_sun_that_is_not_a_mapping_is_a_positioned_error():
    """Found by the mutation fuzzer: ``randomize: true`` merged its sun ranges into ``sun: 1``
    and raised a TypeError instead of naming the key."""
    text = "version: 1\nname: t\nduration: 1\nenvironment:\n  sun: 1\n  randomize: true\n"
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "sun.yaml")
    assert "sun.yaml:5:" in str(err.value) and "environment.sun" in str(err.value)
