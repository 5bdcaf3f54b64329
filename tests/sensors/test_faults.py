"""The faults every sensor shares: decided and delivered in one place."""

import numpy as np

from simgen.scenario.models import Blackout, FrameDrop, StuckFrame
from simgen.sensors.faults import FrameFault, Held, frame_fault, other_faults, repeats_frames


def drop(p: float) -> FrameDrop:
    return FrameDrop(type="frame_drop", probability=p)


STUCK = StuckFrame(type="stuck_frame")
BLACK = Blackout(type="blackout")


def test_a_frame_is_dropped_when_a_draw_falls_below_a_probability():
    assert frame_fault([drop(0.3)], lambda: 0.29) == FrameFault(dropped=True)
    assert frame_fault([drop(0.3)], lambda: 0.3) == FrameFault()
    assert frame_fault([BLACK, STUCK], lambda: 0.0) == FrameFault(stuck=True)


def test_draws_stop_at_the_first_drop_and_are_only_taken_for_drops():
    draws = iter([0.9, 0.1, 0.0])
    taken = []

    def draw() -> float:
        taken.append(next(draws))
        return taken[-1]

    fault = frame_fault([BLACK, drop(0.5), drop(0.5), drop(0.5)], draw)
    assert fault.dropped and taken == [0.9, 0.1]
    taken.clear()
    frame_fault([BLACK, STUCK], draw)
    assert taken == []


def test_fault_names_come_after_the_sensors_own():
    assert FrameFault(True, True).names() == ("frame_drop", "stuck_frame")
    assert FrameFault().names() == ()
    assert other_faults([BLACK, drop(1.0), STUCK]) == [BLACK]
    assert repeats_frames([BLACK, STUCK]) and not repeats_frames([BLACK, drop(1.0)])


def test_a_stuck_sensor_repeats_its_last_delivery_and_a_drop_delivers_the_lost_frame():
    held: Held[np.ndarray] = Held(lambda points: points[:0])
    first, second, third = np.arange(3), np.arange(4), np.arange(5)
    assert held.deliver("lidar", first, FrameFault()) is first
    assert held.deliver("lidar", second, FrameFault(stuck=True)) is first
    assert len(held.deliver("lidar", third, FrameFault(dropped=True, stuck=True))) == 0
    assert held.deliver("other", second, FrameFault(stuck=True)) is second  # nothing held yet
    assert held.deliver("other", third, FrameFault(stuck=True)) is second


def test_a_dropped_frame_is_not_what_a_stuck_sensor_repeats():
    held: Held[str] = Held()
    held.deliver("cam", "before", FrameFault())
    assert held.deliver("cam", "black", FrameFault(dropped=True)) == "black"
    assert held.deliver("cam", "later", FrameFault(stuck=True)) == "before"
