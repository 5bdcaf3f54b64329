"""The compiled indenter writes ``json.dumps(indent=..., sort_keys=True)``'s text exactly."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from simgen.core.json_indent import dumps_indented

# JSON's values, with the strings that could fool an indenter: brackets, commas, quotes,
# backslashes and colons inside them, and text that ``ensure_ascii`` escapes
TEXT = st.text(alphabet=st.sampled_from(list('ab[]{},:" \\\n\té€😀')), max_size=8)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from([0, 1, 2, 4]))
def test_indented_text_is_json_dumps_text(data: object, indent: int):
    assert dumps_indented(data, indent) == json.dumps(data, indent=indent, sort_keys=True)


def test_empty_and_nested_containers_and_a_bare_value():
    for data in ([], {}, [[]], {"a": {}}, [{}, [], [[], {}]], "x", 1.5, None, math.inf):
        assert dumps_indented(data) == json.dumps(data, indent=1, sort_keys=True)


def test_a_frames_labels_read_back_are_written_as_before():
    labels = {
        "objects": [
            {"boxes": {"ego": {"center": [1.0, -2.5, 0.725], "yaw": 0.0}}, "name": "car_00"},
            {"boxes": {}, "id": 3, "lidar_points": {}, "name": 'say "hi", [ok]'},
        ],
        "events": [],
        "frame": 7,
    }
    text = dumps_indented(labels)
    assert json.loads(text) == labels
    assert text == json.dumps(labels, indent=1, sort_keys=True)
