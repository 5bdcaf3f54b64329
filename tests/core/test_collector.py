"""The world and the rig are hidden from the cyclic collector while a variant renders, and
handed back when it ends."""

import gc
import weakref

from simgen.core.collector import long_lived, timed_collections
from simgen.pipeline.capture import capture
from simgen.scenario import parse_scenario, sample
from tests.labels.test_visibility import HEAD


class Node:
    """A cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _cycle() -> weakref.ref:
    node = Node()
    ref = weakref.ref(node)
    del node
    return ref


def test_objects_from_before_the_block_are_collected_only_after_it():
    gone = _cycle()  # garbage already: a cycle nobody holds
    with long_lived() as hidden:
        assert hidden and gc.get_freeze_count() > 1000
        gc.collect()
        assert gone() is not None  # frozen with everything else
        fresh = _cycle()
        gc.collect()
        assert fresh() is None  # what the block makes is collected as usual
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None


def test_a_process_that_froze_its_own_objects_is_left_as_it_is():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with long_lived() as hidden:
            assert hidden is False
        assert gc.get_freeze_count() == frozen  # not thawed behind its back
    finally:
        gc.unfreeze()


def test_capture_freezes_the_rig_for_its_frames_only():
    instance = sample(parse_scenario(HEAD.replace("0.1", "0.2") + "  []\n").scenario, 0)
    counts = [gc.get_freeze_count() for _ in capture(instance, limit=2)]
    assert len(counts) == 2 and min(counts) > 10_000  # the world, the rig, the assets
    assert gc.get_freeze_count() == 0


def test_collections_are_timed_in_the_block_only():
    with timed_collections() as spent:
        gc.collect()
        gc.collect(0)
    assert spent.collections == 2 and spent.seconds > 0
    gc.collect()
    assert spent.collections == 2  # the clock is gone
