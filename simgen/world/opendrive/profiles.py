"""Piecewise cubic profiles along s: elevation, superelevation, laneOffset, lane widths.

Each record holds from its start to the next record's start:
``f(s) = a + b*ds + c*ds^2 + d*ds^3`` with ``ds = s - start``.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Poly3Profile:
    starts: np.ndarray  # (n,) ascending
    coeffs: np.ndarray  # (n, 4): a, b, c, d

    @staticmethod
    def of(records: list[tuple[float, float, float, float, float]]) -> Poly3Profile:
        """From (start, a, b, c, d) records; order kept stable for equal starts (last wins)."""
        if not records:
            return ZERO
        ordered = sorted(records, key=lambda r: r[0])
        arr = np.asarray(ordered, dtype=float)
        return Poly3Profile(arr[:, 0], arr[:, 1:])

    def _index(self, s: np.ndarray) -> np.ndarray:
        return np.clip(np.searchsorted(self.starts, s, side="right") - 1, 0, len(self.starts) - 1)

    def __call__(self, s: np.ndarray | float) -> np.ndarray:
        s = np.asarray(s, dtype=float)
        i = self._index(s)
        ds = s - self.starts[i]
        a, b, c, d = self.coeffs[i].T if s.ndim else self.coeffs[i]
        return a + ds * (b + ds * (c + ds * d))

    def __post_init__(self) -> None:  # plain lists for the scalar path the world steps with
        object.__setattr__(self, "_start_list", self.starts.tolist())
        object.__setattr__(self, "_coeff_list", self.coeffs.tolist())

    def value(self, s: float) -> float:
        """The profile at one station, in plain Python: a plan asks for it every physics step."""
        starts: list[float] = self._start_list  # type: ignore[attr-defined]
        i = min(max(bisect_right(starts, s) - 1, 0), len(starts) - 1)
        a, b, c, d = self._coeff_list[i]  # type: ignore[attr-defined]
        ds = s - starts[i]
        return float(a + ds * (b + ds * (c + ds * d)))

    def slope(self, s: np.ndarray | float) -> np.ndarray:
        s = np.asarray(s, dtype=float)
        i = self._index(s)
        ds = s - self.starts[i]
        _, b, c, d = self.coeffs[i].T if s.ndim else self.coeffs[i]
        return b + ds * (2 * c + 3 * ds * d)


ZERO = Poly3Profile(np.zeros(1), np.zeros((1, 4)))
