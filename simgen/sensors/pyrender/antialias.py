"""A multisampled colour pass, for cameras that ask for anti-aliased edges (``antialias``).

simgen renders into single-sampled buffers (``patches.single_sample``): the labels and depth
must be one surface's per pixel, and the camera model's optics blur softens edges as a lens
does. What a blur cannot restore is coverage: a pole or a distant car's edge thinner than a
pixel is drawn whole or not at all, and steps along every slanted edge. A camera with
``antialias`` draws its colour pass into buffers of ``SAMPLES`` samples a pixel (the resolve
averages them); its labels and depth come from the single-sampled label pass, as exact as
without. On a CPU the colour pass costs more (llvmpipe shades each sample's coverage); on a
GPU, little.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simgen.sensors.pyrender.patches import patch_error, render_color, require_fields

SAMPLES = 4
_NAME = "antialias"


@dataclass(frozen=True)
class _Target:
    """A multisampled framebuffer and its two renderbuffers, the size of pyrender's own."""

    framebuffer: int
    buffers: tuple[int, int]
    size: tuple[int, int]
    samples: int


def _create(width: int, height: int, samples: int) -> _Target:
    from OpenGL import GL

    color, depth = (int(b) for b in GL.glGenRenderbuffers(2))
    for buffer, storage in ((color, GL.GL_RGBA8), (depth, GL.GL_DEPTH_COMPONENT24)):
        GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, buffer)
        # OpenGL's own call: pyrender's module name is the single-sampling one
        GL.glRenderbufferStorageMultisample(GL.GL_RENDERBUFFER, samples, storage, width, height)
    framebuffer = int(GL.glGenFramebuffers(1))
    GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, framebuffer)
    GL.glFramebufferRenderbuffer(
        GL.GL_DRAW_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0, GL.GL_RENDERBUFFER, color
    )
    GL.glFramebufferRenderbuffer(
        GL.GL_DRAW_FRAMEBUFFER, GL.GL_DEPTH_ATTACHMENT, GL.GL_RENDERBUFFER, depth
    )
    status = GL.glCheckFramebufferStatus(GL.GL_DRAW_FRAMEBUFFER)
    if status != GL.GL_FRAMEBUFFER_COMPLETE:
        _delete(_Target(framebuffer, (color, depth), (width, height), samples))
        raise patch_error(_NAME, f"a {samples}-sample framebuffer is incomplete ({status})")
    return _Target(framebuffer, (color, depth), (width, height), samples)


def _delete(target: _Target) -> None:
    from OpenGL import GL

    GL.glDeleteFramebuffers(1, [target.framebuffer])
    GL.glDeleteRenderbuffers(2, list(target.buffers))


def _target(renderer: Any, samples: int) -> _Target:
    """The renderer's multisampled framebuffer, made on first use and when its size changes."""
    size = tuple(renderer._main_fb_dims)
    held: _Target | None = renderer.__dict__.get("_simgen_multisampled")
    if held is not None and (held.size, held.samples) == (size, samples):
        return held
    if held is not None:
        _delete(held)
    made = renderer._simgen_multisampled = _create(size[0], size[1], samples)
    return made


def render_antialiased(
    offscreen: Any, scene: object, flags: int, samples: int = SAMPLES
) -> np.ndarray:
    """The colour pass drawn into ``samples`` samples a pixel and resolved: pyrender's own pass,
    pointed at the multisampled framebuffer in place of its single-sampled one."""
    require_fields(offscreen, ("_renderer", "_platform"), _NAME)
    inner = offscreen._renderer
    require_fields(inner, ("_main_fb_ms", "_main_fb_dims", "_configure_main_framebuffer"), _NAME)
    offscreen._platform.make_current()
    inner._configure_main_framebuffer()  # pyrender's buffers first: the size comes from them
    single = inner._main_fb_ms
    inner._main_fb_ms = _target(inner, samples).framebuffer
    try:
        return render_color(offscreen, scene, flags)
    finally:
        inner._main_fb_ms = single


def release(offscreen: Any) -> None:
    """Delete the multisampled framebuffer, if one was made (before the context goes)."""
    inner = getattr(offscreen, "_renderer", None)
    held = None if inner is None else inner.__dict__.pop("_simgen_multisampled", None)
    if held is not None:
        offscreen._platform.make_current()
        _delete(held)
