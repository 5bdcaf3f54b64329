"""The one simulate -> capture -> derive loop: every frame's sensor data and labels, from one state.

Rendering a dataset, previews, galleries and the bench all run through it; it owns the simulation
and the sensor rig and closes both, however the caller stops.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass

from simgen.core.allocator import keep_frame_memory
from simgen.core.collector import long_lived
from simgen.core.jit import warm
from simgen.labels.derive import derive
from simgen.labels.lanes import FrameLanes, LaneRegion, derive_lanes
from simgen.labels.schema import FrameLabels
from simgen.scenario.sample import ScenarioInstance
from simgen.sensors.rig import Calibrations
from simgen.sensors.suite import SensorCapture, SensorData, SensorSuite
from simgen.world.simulate import simulate
from simgen.world.state import StaticWorld, WorldState

SuiteFactory = Callable[[ScenarioInstance, StaticWorld], SensorSuite]


@dataclass(frozen=True)
class Captured:
    state: WorldState
    sensors: SensorCapture
    labels: FrameLabels
    calibrations: Calibrations
    # seconds per stage of this frame: "physics", the sensors' stages, "labels"
    timings: dict[str, float]
    seconds: float  # the whole frame, physics to labels (more than its stages: glue, scene)
    lanes: FrameLanes | None = None  # when the scenario writes lane labels

    @property
    def data(self) -> dict[str, SensorData]:
        """Each sensor's frame as delivered (faults included)."""
        return self.sensors.frames

    def completed(self, earlier: dict[str, SensorData]) -> Captured:
        """This frame with the outputs the next frame completed (forward flow, scene flow)."""
        if not earlier:
            return self
        frames = {**self.sensors.frames, **earlier}
        return dataclasses.replace(self, sensors=dataclasses.replace(self.sensors, frames=frames))


def capture(
    instance: ScenarioInstance,
    limit: int | None = None,
    only: frozenset[int] | None = None,
    on_state: Callable[[WorldState], None] | None = None,
    suite: SuiteFactory = SensorSuite,
) -> Iterator[Captured]:
    """Frames 0..limit-1 (all by default) of an instance; ``only`` skips the sensors on others
    (the world still runs through them); ``on_state`` sees every state simulated; ``suite``
    builds the rig on the first captured state (the bench keeps it to time baselines with).

    When a sensor writes flow or scene flow (``SensorSuite.needs_next``), a frame is yielded
    once the next one is captured, which completes it; after the last one, the state that
    follows it in the simulation (if any) completes it, so a chunk of frames gets the files an
    unchunked render writes."""
    keep_frame_memory()  # frames reuse the pages of the last one's arrays
    warm()  # the compiled kernels' start-up is the process's, not its first frame's
    states = simulate(instance)
    wanted = instance.scenario.output.lane_labels()
    region = LaneRegion(wanted.ahead, wanted.behind, wanted.side) if wanted else None
    rig = None
    upcoming = 0  # the next state's frame: frames come in order from 0
    previous: WorldState | None = None  # the last state simulated
    following: WorldState | None = None  # the state after the last captured, once known
    pending: Captured | None = None  # a frame waiting for the next to complete it
    ended = False  # the simulation has no more states
    held = ExitStack()
    try:
        while limit is None or upcoming < limit:
            begin = time.perf_counter()
            state = next(states, None)
            physics = time.perf_counter() - begin
            if state is None:
                ended = True
                break
            upcoming = state.frame + 1
            if on_state is not None:
                on_state(state)
            if only is not None and state.frame not in only:
                if state.frame > max(only):
                    following = state
                    break
                previous = state
                continue
            if rig is None:
                rig = suite(instance, state.static)
                held.enter_context(long_lived())  # the world and the rig, until the end
            sensors = rig.capture(state, previous)
            previous = state
            start = time.perf_counter()
            labels = derive(state, sensors.truth(), rig.calibrations, sensors.faults)
            lanes = None
            if region is not None:
                pose = state.ego.transform()
                lanes = derive_lanes(state.static.lanes, pose, state.frame, state.time, region)
            end = time.perf_counter()
            stages = {"physics": physics, **sensors.timings, "labels": end - start}
            found = Captured(state, sensors, labels, rig.calibrations, stages, end - begin, lanes)
            if not rig.needs_next:
                yield found
                continue
            if pending is not None:
                yield pending.completed(sensors.earlier)
            pending = found
        if pending is not None and rig is not None:
            if following is None and not ended:
                following = next(states, None)
            yield pending.completed(rig.finish(following))
    finally:
        states.close()
        if rig is not None:
            rig.close()
        held.close()
