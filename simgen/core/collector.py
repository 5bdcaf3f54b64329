"""The cyclic garbage collector's share of a rendering process.

A variant's world, assets and sensor rig are some 300,000 Python objects that live as long as the
variant does, and every full collection walked all of them again: about 18 CPU-ms per frame of
the bench scene (timed with ``gc.callbacks``), to free almost nothing, since a frame's garbage
(arrays, labels) goes by reference counting. Frozen once the rig is built, they are out of the
collector's sight (2.8 ms per frame); thawed when the variant ends, they are collected as usual.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@contextmanager
def long_lived() -> Iterator[bool]:
    """Hide every object that exists now from the cyclic collector until the block ends
    (whether it did; counting them would walk them all, some 10 ms a variant). Nothing is
    collected first: garbage frozen with the rest is collected after the thaw, and freezing
    stays free. A process that froze its own objects (a forking server) is left as it is: it
    chose when to thaw them (False)."""
    if gc.get_freeze_count():  # cheap while nothing is frozen
        yield False
        return
    gc.freeze()
    try:
        yield True
    finally:
        gc.unfreeze()


@dataclass
class CollectionTime:
    """Wall time the cyclic collector held the interpreter, and how many collections ran."""

    seconds: float = 0.0
    collections: int = 0


@contextmanager
def timed_collections() -> Iterator[CollectionTime]:
    """Time every cyclic collection in the block, whichever thread triggers it (the bench's
    ``python gc`` stage): a collection holds the GIL, so its wall time is its CPU time."""
    spent = CollectionTime()
    began = [0.0]

    def clock(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            spent.seconds += time.perf_counter() - began[0]
            spent.collections += 1

    gc.callbacks.append(clock)
    try:
        yield spent
    finally:
        gc.callbacks.remove(clock)
