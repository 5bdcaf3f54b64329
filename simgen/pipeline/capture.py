"""The one simulate -> capture -> derive loop: every frame's sensor data and labels, from one state.

Rendering a dataset, previews and galleries all run through it; it owns the simulation and the
sensor rig and closes both, however the caller stops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from simgen.labels.derive import derive
from simgen.labels.schema import FrameLabels
from simgen.scenario.sample import ScenarioInstance
from simgen.sensors.frames import CameraFrame
from simgen.sensors.rig import Calibrations
from simgen.sensors.suite import SensorSuite
from simgen.world.simulate import simulate
from simgen.world.state import WorldState


@dataclass(frozen=True)
class Captured:
    state: WorldState
    data: dict[str, CameraFrame | np.ndarray]  # per sensor
    labels: FrameLabels
    calibrations: Calibrations


def capture(
    instance: ScenarioInstance,
    limit: int | None = None,
    only: frozenset[int] | None = None,
    on_state: Callable[[WorldState], None] | None = None,
) -> Iterator[Captured]:
    """Frames 0..limit-1 (all by default) of an instance; ``only`` skips the sensors on others
    (the world still runs through them); ``on_state`` sees every state simulated."""
    states = simulate(instance)
    suite = None
    try:
        for state in states:
            if limit is not None and state.frame >= limit:
                break
            if on_state is not None:
                on_state(state)
            if only is not None and state.frame not in only:
                if state.frame > max(only):
                    break
                continue
            if suite is None:
                suite = SensorSuite(instance, state.static)
            data = suite.capture(state)
            # labels describe the world: points are counted in the sweeps as cast, even when a
            # fault delivers a stale or an empty one (the labels' faults say so)
            labels = derive(state, {**data, **suite.exact}, suite.calibrations, suite.faults)
            yield Captured(state, data, labels, suite.calibrations)
    finally:
        states.close()
        if suite is not None:
            suite.close()
