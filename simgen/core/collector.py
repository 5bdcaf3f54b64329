"""The cyclic garbage collector's share of a rendering process.

A rendering process holds some 290,000 Python objects, nearly all of them modules, functions and
types from its imports, and every full collection walks all of them. Two rules keep that walk
rare:
- while a variant renders, everything that exists once its rig is built (imports, world, assets,
  rig) is frozen, out of the collector's sight: full collections during its frames had cost
  about 18 CPU-ms a frame on the bench scene (timed with ``gc.callbacks``), to free almost
  nothing, since a frame's garbage (arrays, labels) goes by reference counting;
- the process stays frozen from one variant to the next and is thawed every ``THAW_EVERY``
  variants: a thaw hands all 290,000 back and the full collection that follows costs about
  170 ms on the project's machine, while a variant leaves some 4,000-6,000 objects in reference
  cycles (trimesh's meshes and their caches, about 1 MB) for it to free. Frozen objects that
  lose their last reference are freed as usual; only those cycles wait for the thaw.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

THAW_EVERY = 8  # variants between two thaws: at most 8 variants' cycles (some 8 MB) held


@dataclass
class _Freezer:
    """This process's freeze, when it is ours: variants rendered since the last thaw."""

    ours: bool = False
    variants: int = 0


_FREEZER = _Freezer()


@contextmanager
def long_lived() -> Iterator[bool]:
    """Hide every object that exists now from the cyclic collector, for this block and, unless
    it is the ``THAW_EVERY``-th since the last thaw, for the blocks after it (``thaw`` ends it
    sooner). Nothing is collected first: garbage frozen with the rest is collected after the
    thaw, and freezing stays free. A process that froze its own objects (a forking server) is
    left as it is: it chose when to thaw them (False)."""
    if gc.get_freeze_count() and not _FREEZER.ours:  # cheap while nothing is frozen
        yield False
        return
    gc.freeze()
    _FREEZER.ours = True
    try:
        yield True
    finally:
        _FREEZER.variants += 1
        if _FREEZER.variants >= THAW_EVERY:
            thaw()


def thaw() -> None:
    """Hand what ``long_lived`` froze back to the collector (a process about to hold on to
    other objects for long, or a test); a freeze that is not ours is left alone."""
    if _FREEZER.ours:
        gc.unfreeze()
    _FREEZER.ours, _FREEZER.variants = False, 0


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
