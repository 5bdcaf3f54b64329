"""The ${...} evaluator against hand arithmetic, and what it refuses."""

import math

import pytest

from simgen.importers.openscenario.errors import ExpressionError
from simgen.importers.openscenario.expressions import evaluate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$EgoSpeed / 3.6", 30.0),  # cut-in.xosc: 108 km/h
        ("2 + 3 * 4", 14.0),
        ("(2 + 3) * 4", 20.0),
        ("-2 * -3", 6.0),
        ("7 % 3", 1.0),
        ("-7 % 3", -1.0),  # C's fmod: the sign of the dividend
        ("10 - 4 - 3", 3.0),  # left associative
        ("16 / 4 / 2", 2.0),
        ("round(2.5) + round(-2.5)", 0.0),  # half away from zero
        ("floor(-1.5) + ceil(1.2)", 0.0),
        ("sqrt(16) + pow(2, 10)", 1028.0),
        ("max($EgoSpeed, 200) - min(1, 2)", 199.0),
        ("abs(-4) * sign(-3)", -4.0),
        ("1.5e2 + .5", 150.5),
    ],
)
def test_values(text, expected):
    assert evaluate(text, {"EgoSpeed": 108.0}) == pytest.approx(expected)


def test_trigonometry_in_radians():
    assert evaluate("sin(asin(0.5)) + cos(0) + atan(1)", {}) == pytest.approx(1.5 + math.pi / 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 < 2 and 3 >= 3", True),
        ("not (1 == 1) or 2 != 2", False),
        ("$Flag && true", True),
        ("!$Flag || 1 <= 0", False),
        ("2 + 1 > 2", True),  # arithmetic binds tighter than comparison
    ],
)
def test_booleans(text, expected):
    assert evaluate(text, {"Flag": True}) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("$Missing + 1", "unknown parameter 'Missing'"),
        ("1 / 0", "division by zero"),
        ("__import__('os')", "unexpected"),
        ("eval(1)", "unknown function or name 'eval'"),
        ("(1 + 2", "expected ')'"),
        ("1 +", "ends too early"),
        ("pow(2)", "takes 2 argument"),
        ("sqrt(-1)", "sqrt"),
        ("1 ; 2", "unexpected"),
        ("'abc'", "unexpected"),
    ],
)
def test_errors(text, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        evaluate(text, {})
