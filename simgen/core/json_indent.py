"""``json.dumps(data, indent=N, sort_keys=True)``'s exact text at the speed of its C encoder.

Python's JSON encoder is written in C only for compact output: with ``indent`` it falls back to
its pure-Python encoder, four times slower (a frame's labels, 60 kB, took 4.3 ms of a writer
thread's time). Here the C encoder writes the compact form with the separators the indented
form uses (``,`` and ``: ``), and one compiled pass over its bytes breaks the lines and indents
them, outside strings, where the Python encoder does: after ``[`` ``{`` and ``,``, and before
``]`` ``}``; an empty container stays ``[]`` or ``{}``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from simgen.core.jit import kernel

_QUOTE, _BACKSLASH, _COMMA, _NEWLINE, _SPACE = (ord(c) for c in '"\\,\n ')
_OPEN = (ord("["), ord("{"))
_CLOSE = (ord("]"), ord("}"))


def dumps_indented(data: Any, indent: int = 1) -> str:
    """``json.dumps(data, indent=indent, sort_keys=True)``, character for character."""
    compact = json.dumps(data, sort_keys=True, separators=(",", ": ")).encode("ascii")
    source = np.frombuffer(compact, np.uint8)
    out = np.empty(_indented_size(source, indent), np.uint8)
    _indent_into(source, indent, out)
    return out.tobytes().decode("ascii")


@kernel
def _indented_size(text: np.ndarray, indent: int) -> int:
    """The length ``_indent_into`` writes."""
    return _walk(text, indent, np.empty(0, np.uint8), False)


@kernel
def _indent_into(text: np.ndarray, indent: int, out: np.ndarray) -> None:
    _walk(text, indent, out, True)


@kernel
def _walk(text: np.ndarray, indent: int, out: np.ndarray, write: bool) -> int:
    """Copy ``text`` (compact JSON, ASCII: ``ensure_ascii`` escapes the rest) into ``out`` with
    line breaks and indentation (only counted where ``write`` is false); returns the length."""
    n = text.size
    at = 0
    depth = 0
    inside = False  # within a string
    i = 0
    while i < n:
        c = text[i]
        if inside:
            if write:
                out[at] = c
            at += 1
            if c == _BACKSLASH:  # the escaped character is copied as it is
                i += 1
                if write:
                    out[at] = text[i]
                at += 1
            elif c == _QUOTE:
                inside = False
            i += 1
            continue
        if c == _QUOTE:
            inside = True
        if (c == _OPEN[0] or c == _OPEN[1]) and i + 1 < n and text[i + 1] == c + 2:
            if write:  # "[]" or "{}": ']' and '}' are '[' and '{' plus two in ASCII
                out[at] = c
                out[at + 1] = c + 2
            at += 2
            i += 2
            continue
        closing = c == _CLOSE[0] or c == _CLOSE[1]
        if closing:
            depth -= 1
            at = _line(out, at, depth * indent, write)
        if write:
            out[at] = c
        at += 1
        if c == _OPEN[0] or c == _OPEN[1]:
            depth += 1
            at = _line(out, at, depth * indent, write)
        elif c == _COMMA:
            at = _line(out, at, depth * indent, write)
        i += 1
    return at


@kernel
def _line(out: np.ndarray, at: int, spaces: int, write: bool) -> int:
    """A line break and ``spaces`` spaces at ``at``; returns the position after them."""
    if write:
        out[at] = _NEWLINE
        for k in range(spaces):
            out[at + 1 + k] = _SPACE
    return at + 1 + spaces
