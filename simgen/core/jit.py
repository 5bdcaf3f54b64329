"""Compiled loops (numba) for the per-pixel work NumPy would do in many passes over memory.

A loop that visits each pixel once, keeping its intermediate values in registers, replaces a
dozen or more whole-array NumPy passes and their temporaries. Kernels are compiled on first use
and cached on disk (``__pycache__`` beside the module, or numba's cache folder where that is
read-only), so a process pays a few milliseconds to load them, and a machine compiles them
once. They release the GIL, so the writer's threads run them in parallel.

Arithmetic follows NumPy's: float32 stays float32 (every constant a kernel mixes in is cast
first: numba, like NumPy, would widen float32 with a Python float to float64), no fast-math
reordering, and division by zero gives inf or NaN as NumPy does (``error_model``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np

F = TypeVar("F", bound=Callable[..., Any])


def kernel(function: F) -> F:
    """Compile ``function`` with numba's nopython mode, cached on disk, without the GIL."""
    compiled: F = numba.njit(cache=True, nogil=True, error_model="numpy")(function)
    return compiled


def inline(function: F) -> F:
    """A helper that kernels call: compiled into each caller (numba would otherwise call it as
    a separate function for every pixel, which costs more than the helper's work). It should
    return scalars and not write into arrays: either costs reference counting at every pixel."""
    compiled: F = numba.njit(inline="always", error_model="numpy")(function)
    return compiled


@kernel
def _nothing(values: np.ndarray) -> int:
    return values.size


def warm() -> None:
    """Start numba in this process (half a second of CPU, once), as part of setting a
    rendering process up, rather than inside its first frame."""
    _nothing(np.zeros(1, np.uint8))
