"""``simgen verify``: every file of every variant against the hashes in its manifest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from simgen.dataset.layout import MANIFEST
from simgen.dataset.reader import open_dataset


@dataclass
class Report:
    variants: int = 0
    files: int = 0
    missing: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.corrupt or self.extra)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(root: str | Path) -> Report:
    report = Report()
    for variant in open_dataset(root):
        report.variants += 1
        listed = variant.manifest.files
        for rel, digest in listed.items():
            path = variant.root / rel
            report.files += 1
            if not path.is_file():
                report.missing.append(str(path))
            elif _sha256(path) != digest:
                report.corrupt.append(str(path))
        for path in sorted(variant.root.rglob("*")):
            rel = path.relative_to(variant.root).as_posix()
            if path.is_file() and rel not in listed and rel not in (MANIFEST, "overview.png"):
                report.extra.append(str(path))
    return report
