"""The reference line: a chain of line, arc, spiral (clothoid), poly3 and paramPoly3 pieces.

Each piece starts at (x, y, hdg) at its ``s`` and is evaluated in closed form: arcs from their
centre, clothoids with Fresnel integrals (a spiral whose curvature does not change is an arc or a
line), paramPoly3 by its polynomials with p = ds (pRange arcLength) or ds / length (normalized),
poly3 by a fine arc-length table of its local curve.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.special import fresnel

Kind = Literal["line", "arc", "spiral", "poly3", "paramPoly3"]
_FLAT_SPIRAL = 1e-12  # |curvature change| * length^2 below this: an arc (error < 1e-9 m)


@dataclass(frozen=True, eq=False)
class Piece:
    s: float
    x: float
    y: float
    hdg: float
    length: float
    kind: Kind
    params: tuple[float, ...] = ()  # arc: (k,); spiral: (k0, k1); poly3: (a, b, c, d);
    # paramPoly3: (aU, bU, cU, dU, aV, bV, cV, dV, normalized)

    def local(self, ds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(u, v, heading change) at distances ``ds`` from the start, in the piece's frame."""
        if self.kind == "line":
            return ds, np.zeros_like(ds), np.zeros_like(ds)
        if self.kind == "arc":
            return _arc(ds, self.params[0])
        if self.kind == "spiral":
            return _spiral(ds, self.params[0], self.params[1], self.length)
        if self.kind == "poly3":
            return _poly3(ds, self.params, self.length)
        return _param_poly3(ds, self.params, self.length)

    def point(self, ds: float) -> tuple[float, float, float]:
        """World x, y, heading at one distance from the start, in plain Python where the piece
        has a closed form (the world asks for one point per plan and physics step)."""
        if self.kind == "line" or (self.kind == "arc" and self.params[0] == 0.0):
            u, v, dh = ds, 0.0, 0.0
        elif self.kind == "arc":
            k = self.params[0]
            u, v, dh = math.sin(k * ds) / k, (1.0 - math.cos(k * ds)) / k, k * ds
        elif self.kind == "paramPoly3":
            au, bu, cu, du, av, bv, cv, dv, normalized = self.params
            q = ds / self.length if normalized and self.length > 0 else ds
            u = au + q * (bu + q * (cu + q * du))
            v = av + q * (bv + q * (cv + q * dv))
            dh = math.atan2(bv + q * (2 * cv + 3 * q * dv), bu + q * (2 * cu + 3 * q * du))
        else:
            x, y, h = self.evaluate(np.array([ds]))[0]
            return float(x), float(y), float(h)
        c, s = math.cos(self.hdg), math.sin(self.hdg)
        return self.x + c * u - s * v, self.y + s * u + c * v, self.hdg + dh

    def evaluate(self, ds: np.ndarray) -> np.ndarray:
        """(N, 3) world x, y, heading."""
        u, v, dh = self.local(ds)
        c, s = np.cos(self.hdg), np.sin(self.hdg)
        return np.column_stack([self.x + c * u - s * v, self.y + s * u + c * v, self.hdg + dh])


def _arc(ds: np.ndarray, k: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if k == 0.0:
        return ds, np.zeros_like(ds), np.zeros_like(ds)
    a = k * ds
    return np.sin(a) / k, (1.0 - np.cos(a)) / k, a


def _spiral(
    ds: np.ndarray, k0: float, k1: float, length: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rate = (k1 - k0) / length if length > 0 else 0.0
    if abs(rate) * length * length < _FLAT_SPIRAL:
        return _arc(ds, k0)
    # heading(u) = k0 u + rate u^2 / 2 = rate/2 (u - u0)^2 - rate/2 u0^2, with u0 = -k0 / rate;
    # sigma = u - u0 = t * sqrt(pi / |rate|) turns the integral into Fresnel's C and S.
    u0 = -k0 / rate
    scale = np.sqrt(np.pi / abs(rate))
    sign = 1.0 if rate > 0 else -1.0
    s_a, c_a = fresnel(-u0 / scale)
    s_b, c_b = fresnel((ds - u0) / scale)
    dc, dsn = (c_b - c_a) * scale, sign * (s_b - s_a) * scale
    phase = -0.5 * rate * u0 * u0
    cp, sp = np.cos(phase), np.sin(phase)
    return cp * dc - sp * dsn, sp * dc + cp * dsn, k0 * ds + 0.5 * rate * ds * ds


def _poly3(
    ds: np.ndarray, p: tuple[float, ...], length: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b, c, d = p
    # u runs along the local x axis; find u for each arc length from a fine table
    grow = 1.5 * length + 1.0
    uu = np.linspace(0.0, grow, max(2000, int(grow * 20)))
    slope = b + 2 * c * uu + 3 * d * uu * uu
    speed = np.sqrt(1 + slope * slope)
    arc = np.concatenate([[0.0], np.cumsum(0.5 * (speed[1:] + speed[:-1]) * np.diff(uu))])
    u = np.interp(ds, arc, uu)
    v = a + u * (b + u * (c + u * d))
    return u, v, np.arctan(b + 2 * c * u + 3 * d * u * u)


def _param_poly3(
    ds: np.ndarray, p: tuple[float, ...], length: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    au, bu, cu, du, av, bv, cv, dv, normalized = p
    q = ds / length if normalized and length > 0 else ds
    u = au + q * (bu + q * (cu + q * du))
    v = av + q * (bv + q * (cv + q * dv))
    du_ = bu + q * (2 * cu + 3 * q * du)
    dv_ = bv + q * (2 * cv + 3 * q * dv)
    return u, v, np.arctan2(dv_, du_)


@dataclass(frozen=True, eq=False)
class ReferenceLine:
    pieces: tuple[Piece, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", np.array([p.s for p in self.pieces]))
        object.__setattr__(self, "_start_list", [p.s for p in self.pieces])

    def point(self, s: float) -> tuple[float, float, float]:
        """x, y, heading at one station (clamped to the pieces), as ``evaluate`` gives it."""
        starts: list[float] = self._start_list  # type: ignore[attr-defined]
        i = min(max(bisect_right(starts, s) - 1, 0), len(starts) - 1)
        piece = self.pieces[i]
        return piece.point(max(s - piece.s, 0.0))

    def evaluate(self, s: np.ndarray) -> np.ndarray:
        """(N, 3) x, y, heading at stations ``s`` (clamped to the pieces)."""
        s = np.atleast_1d(np.asarray(s, dtype=float))
        starts: np.ndarray = self._starts  # type: ignore[attr-defined]
        idx = np.clip(np.searchsorted(starts, s, side="right") - 1, 0, len(starts) - 1)
        out = np.empty((len(s), 3))
        for i in np.unique(idx):
            sel = idx == i
            piece = self.pieces[i]
            out[sel] = piece.evaluate(np.maximum(s[sel] - piece.s, 0.0))
        return out
