"""The C allocator's settings for a rendering process.

Every frame allocates and frees the same large NumPy arrays (images of 1-11 MB, point clouds).
glibc's malloc serves each of them with a fresh ``mmap`` and returns it with ``munmap`` when it
is freed, so every frame faults every page of them in again: a few microseconds per 4 KiB page,
about a tenth of a frame's CPU on the bench scene. Keeping blocks up to 32 MiB in the heap, and
freed memory in the process, lets the next frame reuse pages already mapped (`simgen bench`:
about 8 % less CPU per frame, about 5 % more peak memory).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from functools import cache

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest: blocks below it come from the heap
TRIM_THRESHOLD = 512 * 1024 * 1024  # freed memory kept before any is given back
OPT_OUT = "SIMGEN_SYSTEM_MALLOC"  # set (to anything) to leave the allocator as it is


@cache
def keep_frame_memory() -> bool:
    """Set glibc's malloc to keep large blocks for reuse, once per process; whether it is set.
    Nothing happens on other C libraries or with ``SIMGEN_SYSTEM_MALLOC`` in the environment."""
    done = False
    if sys.platform.startswith("linux") and not os.environ.get(OPT_OUT):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            mallopt = libc.mallopt
        except (OSError, AttributeError):  # musl and others have no mallopt
            mallopt = None
        if mallopt is not None:
            mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
            mallopt.restype = ctypes.c_int
            done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
                mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
            )
    return done
