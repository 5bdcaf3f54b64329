"""Reading one element of an OpenSCENARIO file: attributes with their parameters and
expressions resolved, errors at ``file:line``, and what lenient mode skipped.

A ``Ctx`` is the file being read and the parameters in scope; a catalog entry or a story gets a
child context with its own declarations on top.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from lxml import etree

from simgen.importers.openscenario.errors import ExpressionError, XoscError
from simgen.importers.openscenario.expressions import Value, evaluate

Element = etree._Element
_MISSING: Any = object()


T = TypeVar("T")
R = TypeVar("R")


def kept(build: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``build`` of each item, leaving out the ones the importer skipped (it warned already)."""
    out = []
    for item in items:
        try:
            out.append(build(item))
        except Skipped:
            continue
    return out


class Skipped(Exception):
    """Lenient mode skipped an unsupported element; whatever holds it drops it."""


@dataclass
class Report:
    """What an import says besides the scenario: notes (mappings, defaults taken) and warnings
    (what lenient mode skipped)."""

    lenient: bool = False
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)


def read_xml(path: Path, file: str | None = None) -> Element:
    """The root element of an XML file (lxml keeps each element's line)."""
    name = file or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise XoscError(name, None, f"cannot read the file: {exc.strerror}") from None
    try:
        parser = etree.XMLParser(remove_comments=True, resolve_entities=False, no_network=True)
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        raise XoscError(name, line, f"not well-formed XML: {exc.msg}") from None


def children(el: Element) -> list[Element]:
    """Child elements (comments and processing instructions left out)."""
    return [c for c in el if isinstance(c.tag, str)]


@dataclass
class Ctx:
    file: str
    params: dict[str, Value]
    report: Report

    @property
    def directory(self) -> Path:
        return Path(self.file).parent

    def child(self, params: dict[str, Value] | None = None, file: str | None = None) -> Ctx:
        return Ctx(file or self.file, {**self.params, **(params or {})}, self.report)

    # --- errors ------------------------------------------------------------------------------

    def error(self, el: Element | None, message: str) -> XoscError:
        return XoscError(self.file, None if el is None else el.sourceline, message)

    def unsupported(self, el: Element, why: str = "") -> Skipped:
        """An element outside the supported subset: raises its error, or (lenient) records a
        warning and returns ``Skipped`` for the caller to raise, so that what holds the element
        is dropped."""
        message = f"<{el.tag}>: not supported{f' ({why})' if why else ''}"
        if not self.report.lenient:
            raise self.error(el, message)
        self.report.warnings.append(f"{self.file}:{el.sourceline}: {message}: skipped")
        return Skipped(message)

    # --- attributes --------------------------------------------------------------------------

    def resolve(self, el: Element, name: str, raw: str) -> Value:
        """An attribute's text with ``$param`` and ``${expression}`` resolved."""
        text = raw.strip()
        try:
            if text.startswith("${") and text.endswith("}"):
                return evaluate(text[2:-1], self.params)
            if text.startswith("$"):
                key = text[1:]
                if key not in self.params:
                    known = ", ".join(sorted(self.params)) or "none declared"
                    raise ExpressionError(f"unknown parameter '{key}' (known: {known})")
                return self.params[key]
        except ExpressionError as exc:
            raise self.error(el, f'<{el.tag} {name}="{raw}">: {exc}') from None
        return raw

    def value(self, el: Element, name: str, default: Any = _MISSING) -> Any:
        raw = el.get(name)
        if raw is None:
            if default is _MISSING:
                raise self.error(el, f"<{el.tag}>: missing attribute '{name}'")
            return default
        return self.resolve(el, name, raw)

    def text(self, el: Element, name: str, default: Any = _MISSING) -> Any:
        value = self.value(el, name, default)
        if value is None or value is default:
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def label(self, el: Element, name: str, default: Any = _MISSING) -> Any:
        """A name: like ``text``, but an expression that does not evaluate (esmini joins
        strings in names, which the standard does not define) is kept as written, with a note."""
        raw = el.get(name)
        if raw is not None and raw.strip().startswith("${"):
            try:
                return self.text(el, name)
            except XoscError as exc:
                self.report.note(f"{exc}: the name is kept as written")
                return raw
        return self.text(el, name, default)

    def num(self, el: Element, name: str, default: Any = _MISSING) -> Any:
        value = self.value(el, name, default)
        if value is None or value is default:
            return value
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise self.error(el, f"<{el.tag}>: '{name}' must be a number, got '{value}'") from None
        if not math.isfinite(number):
            raise self.error(el, f"<{el.tag}>: '{name}' must be finite, got '{value}'")
        return number

    def int(self, el: Element, name: str, default: Any = _MISSING) -> Any:
        number = self.num(el, name, default)
        if number is None or number is default:
            return number
        if not float(number).is_integer():
            raise self.error(el, f"<{el.tag}>: '{name}' must be an integer, got {number:g}")
        return int(number)

    def bool(self, el: Element, name: str, default: Any = _MISSING) -> Any:
        value = self.value(el, name, default)
        if value is None or value is default or isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise self.error(el, f"<{el.tag}>: '{name}' must be true or false, got '{value}'")

    def choice(
        self, el: Element, name: str, options: dict[str, str], default: Any = _MISSING
    ) -> Any:
        value = self.value(el, name, default)
        if value is None or value is default:
            return value
        if str(value) not in options:
            expected = ", ".join(options)
            raise self.error(el, f"<{el.tag}>: '{name}' = '{value}' (expected one of {expected})")
        return options[str(value)]

    # --- structure ---------------------------------------------------------------------------

    def one(self, el: Element, tag: str | None = None) -> Element:
        """The one child element (of ``tag``), or an error naming what is missing."""
        found = [c for c in children(el) if tag is None or c.tag == tag]
        if not found:
            raise self.error(el, f"<{el.tag}>: missing <{tag or 'child element'}>")
        return found[0]

    def maybe(self, el: Element, tag: str) -> Element | None:
        return next((c for c in children(el) if c.tag == tag), None)

    def all(self, el: Element, tag: str) -> list[Element]:
        return [c for c in children(el) if c.tag == tag]
