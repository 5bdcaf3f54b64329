"""OpenSCENARIO's transition dynamics: how a value moves from its start to its target.

A shape maps progress p in [0, 1] to the fraction of the change done: step (all at once),
linear (p), cubic (the smoothstep 3p^2 - 2p^3) and sinusoidal ((1 - cos(pi p)) / 2). The
dimension says what p runs over: time (value: seconds), distance (value: metres) or rate (value:
the change per second at its steepest, as esmini reads it: linear |d| / rate, cubic
3|d| / (2 rate), sinusoidal pi |d| / (2 rate) seconds).
"""

from __future__ import annotations

import math

from simgen.scenario.storyboard import Shape, TransitionDynamics

PEAK_SLOPE = {"linear": 1.0, "cubic": 1.5, "sinusoidal": math.pi / 2, "step": 0.0}


def shape_fraction(shape: Shape, p: float) -> float:
    """The fraction of the change done at progress ``p`` (clipped to [0, 1])."""
    if shape == "step":
        return 1.0
    p = min(1.0, max(0.0, p))
    if shape == "linear":
        return p
    if shape == "cubic":
        return p * p * (3.0 - 2.0 * p)
    return (1.0 - math.cos(math.pi * p)) / 2.0


def rate_duration(shape: Shape, change: float, rate: float) -> float:
    """Seconds a change takes when ``rate`` is its steepest slope (units per second)."""
    if shape == "step" or change == 0.0:
        return 0.0
    if rate <= 0:
        raise ValueError("a transition by rate needs a rate above 0")
    return PEAK_SLOPE[shape] * abs(change) / rate


def speed_duration(dynamics: TransitionDynamics, v0: float, v1: float) -> float:
    """Seconds a speed change takes. By distance: every shape's mean fraction is 1/2, so the
    change covers ``value`` metres in 2 value / (v0 + v1) seconds (value over the mean speed)."""
    if dynamics.shape == "step":
        return 0.0
    if dynamics.dimension == "time":
        return dynamics.value
    if dynamics.dimension == "rate":
        return rate_duration(dynamics.shape, v1 - v0, dynamics.value)
    mean = (v0 + v1) / 2.0
    if mean <= 0:
        raise ValueError("a speed change by distance needs a speed above 0")
    return dynamics.value / mean


def peak_acceleration_duration(shape: Shape, change: float, max_acc: float) -> float:
    """Seconds a lateral move of ``change`` metres takes when its acceleration peaks at
    ``max_acc``: cubic 6|d|/T^2, sinusoidal pi^2 |d| / (2 T^2); linear is timed as cubic."""
    if shape == "step" or change == 0.0:
        return 0.0
    if shape == "sinusoidal":
        return math.pi * math.sqrt(abs(change) / (2.0 * max_acc))
    return math.sqrt(6.0 * abs(change) / max_acc)
