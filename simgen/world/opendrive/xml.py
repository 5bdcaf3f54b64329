"""Reading XML elements: typed attributes that fail with the file and line, unsupported kinds.

lxml keeps every element's ``sourceline``; every number or id read through ``Source`` names it
when it is missing or malformed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from simgen.world.opendrive.errors import OpenDriveError

Element = etree._Element

# Elements read, or pure metadata that cannot change what is built (a road's type and speed,
# a lane's material, access, rule and visibility, vendor userData); every other kind is
# reported once as unsupported and skipped.
KNOWN = frozenset(
    [
        "OpenDRIVE",
        "header",
        "geoReference",
        "offset",
        "userData",
        "road",
        "link",
        "predecessor",
        "successor",
        "neighbor",
        "type",
        "speed",
        "planView",
        "geometry",
        "line",
        "arc",
        "spiral",
        "poly3",
        "paramPoly3",
        "elevationProfile",
        "elevation",
        "lateralProfile",
        "superelevation",
        "lanes",
        "laneOffset",
        "laneSection",
        "left",
        "center",
        "right",
        "lane",
        "width",
        "height",
        "roadMark",
        "objects",
        "object",
        "repeat",
        "outlines",
        "outline",
        "cornerRoad",
        "cornerLocal",
        "markings",
        "marking",
        "cornerReference",
        "validity",
        "signals",
        "signal",
        "signalReference",
        "controller",
        "control",
        "junction",
        "connection",
        "laneLink",
        "priority",
        "material",
        "access",
        "rule",
        "visibility",
        "surface",
        "dependency",
        "reference",
        "positionRoad",
        "positionInertial",
        "sway",
        "explicit",
    ]
)
IGNORED_SUBTREES = frozenset({"userData", "geoReference"})


@dataclass
class Source:
    """One file being read: its name for messages and the unsupported kinds seen so far."""

    path: Path
    unsupported: dict[str, str] = field(default_factory=dict)  # kind -> "FILE:LINE: kind"

    def error(self, el: Element | None, message: str) -> OpenDriveError:
        return OpenDriveError(str(self.path), None if el is None else el.sourceline, message)

    def skip(self, el: Element, kind: str | None = None) -> None:
        """Record an unsupported element kind (first occurrence only)."""
        kind = kind or str(el.tag)
        self.unsupported.setdefault(kind, f"{self.path}:{el.sourceline}: {kind}")

    def parse(self) -> Element:
        try:
            root = etree.parse(str(self.path), etree.XMLParser(resolve_entities=False)).getroot()
        except etree.XMLSyntaxError as err:
            line = err.position[0] if err.position else err.lineno
            raise OpenDriveError(str(self.path), line, f"broken XML: {err.msg}") from None
        except OSError as err:
            raise OpenDriveError(str(self.path), None, f"cannot read: {err}") from None
        if root.tag != "OpenDRIVE":
            raise self.error(root, f"root element is <{root.tag}>, expected <OpenDRIVE>")
        self._scan(root)
        return root

    def _scan(self, el: Element) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue  # comments, processing instructions
            if child.tag in IGNORED_SUBTREES:
                continue
            if child.tag not in KNOWN:
                self.skip(child)
                continue
            self._scan(child)

    def num(self, el: Element, name: str, default: float | None = None) -> float:
        raw = el.get(name)
        if raw is None or raw.strip() == "":
            if default is None:
                raise self.error(el, f"<{el.tag}> needs the number attribute '{name}'")
            return default
        try:
            value = float(raw)
        except ValueError:
            raise self.error(el, f"<{el.tag}> {name}='{raw}' is not a number") from None
        if not math.isfinite(value):
            raise self.error(el, f"<{el.tag}> {name}='{raw}' is not a finite number")
        return value

    def text(self, el: Element, name: str, default: str | None = None) -> str:
        raw = el.get(name)
        if raw is None:
            if default is None:
                raise self.error(el, f"<{el.tag}> needs the attribute '{name}'")
            return default
        return raw.strip()

    def integer(self, el: Element, name: str, default: int | None = None) -> int:
        raw = el.get(name)
        if raw is None and default is not None:
            return default
        value = self.num(el, name)
        if value != int(value):
            raise self.error(el, f"<{el.tag}> {name}='{raw}' is not an integer")
        return int(value)
