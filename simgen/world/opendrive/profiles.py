"""Piecewise cubic profiles along s: elevation, superelevation, laneOffset, lane widths.

Each record holds from its start to the next record's start:
``f(s) = a + b*ds + c*ds^2 + d*ds^3`` with ``ds = s - start``.
"""

from __future__ import annotations

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

    def value(self, s: float) -> float:
        return float(self(s))

    def slope(self, s: np.ndarray | float) -> np.ndarray:
        s = np.asarray(s, dtype=float)
        i = self._index(s)
        ds = s - self.starts[i]
        _, b, c, d = self.coeffs[i].T if s.ndim else self.coeffs[i]
        return b + ds * (2 * c + 3 * ds * d)


ZERO = Poly3Profile(np.zeros(1), np.zeros((1, 4)))
