"""The compatibility fixes pyrender 0.1.45 (its last release) needs to load and to light a scene
at all; ``patches`` holds the patches of its internals that make frames cheaper and
deterministic, each checked against pyrender's version.

- It pins ``PyOpenGL==3.1.0``. That version renders headless through EGL on Mesa llvmpipe on
  Python 3.11, so there the pin is kept (pyproject pins pyrender itself) rather than fought with
  ``--no-deps``. On Python 3.12+ PyOpenGL 3.1.0 fails at the first GL call (ctypes changed), so
  pyproject takes the fork pyrender-maintained there: the same import name, renderer and
  shaders, with a current PyOpenGL (the default scenario renders byte-identical to 3.11).
- It uses ``np.infty``, which NumPy 2 removed; ``Mesh.bounds`` and shadow rendering fail on it.
- It allows at most 4 lights of each type (8 point lights, patched); ``select_lights`` keeps
  the most relevant ones.
- It must know the OpenGL platform before its first import; headless EGL is the default here.
- It imports pyglet (for its viewer), which wants X libraries unless told it is headless.
"""

from __future__ import annotations

import importlib
import math
import os
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

import numpy as np

from simgen.sensors.pyrender.patches import MAX_POINT_LIGHTS, apply_patches

MAX_LIGHTS_PER_TYPE = 4

LightKind = Literal["directional", "point", "spot"]


class RendererUnavailable(RuntimeError):
    """pyrender or its OpenGL platform cannot be loaded on this machine."""


def import_pyrender() -> ModuleType:
    """pyrender, imported after the NumPy 2 and headless-platform fixes are in place, with
    its patches applied (``PatchError`` when one no longer fits)."""
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    # pyrender imports pyglet for its viewer; without this, pyglet looks for X libraries at
    # import and fails on servers that have none (seen on a GPU machine without libXrender)
    os.environ.setdefault("PYGLET_HEADLESS", "true")
    if not hasattr(np, "infty"):
        np.infty = np.inf  # type: ignore[attr-defined]
    try:
        pyrender = importlib.import_module("pyrender")
    except Exception as exc:  # pragma: no cover - depends on the machine's GL stack
        raise RendererUnavailable(
            f"cannot load pyrender (PYOPENGL_PLATFORM={os.environ['PYOPENGL_PLATFORM']}): {exc}. "
            "Headless rendering needs EGL and Mesa (Debian/Ubuntu: apt-get install libegl1 "
            "libegl-mesa0 libgl1-mesa-dri)."
        ) from exc
    apply_patches()
    return pyrender


@dataclass(frozen=True)
class LightSource:
    kind: LightKind
    intensity: float
    position: tuple[float, float, float] = (0.0, 0.0, 0.0)
    direction: tuple[float, float, float] = (1.0, 0.0, 0.0)  # where a spot light points

    def relevance(self, viewpoint: tuple[float, float, float]) -> float:
        """Light reaching the viewpoint: directional lights are everywhere, others fall off."""
        if self.kind == "directional":
            return math.inf if self.intensity > 0 else 0.0
        return self.intensity / (1.0 + math.dist(self.position, viewpoint) ** 2)


def select_lights(
    lights: list[LightSource],
    viewpoint: tuple[float, float, float],
    max_per_type: int = MAX_LIGHTS_PER_TYPE,
    max_points: int = MAX_POINT_LIGHTS,
) -> list[LightSource]:
    """The most relevant lights of each kind (``max_points`` point lights, ``max_per_type`` of
    the others), in a stable order."""
    chosen: list[LightSource] = []
    for kind in ("directional", "point", "spot"):
        of_kind = [(i, light) for i, light in enumerate(lights) if light.kind == kind]
        of_kind.sort(key=lambda item: (-item[1].relevance(viewpoint), item[0]))
        chosen += [light for _, light in of_kind[: max_points if kind == "point" else max_per_type]]
    return chosen
