"""A variant folder's life, from the folder it is written in to the one readers see.

    OUT/<scenario>/<variant:04d>/                          committed: readers see only these
    OUT/<scenario>/<variant:04d>.partial-<pid>-<8 hex>/    one attempt being written
    OUT/<scenario>/<variant:04d>.stale-<8 hex>/            an outdated variant being removed
    OUT/<scenario>/<variant:04d>.chunks/<first:06d>-<stop:06d>/
                                                           a committed chunk of frames (with a
                                                           full manifest) awaiting its join;
                                                           chunks have attempts of their own

Every attempt writes into its own partial folder, so two attempts (a retried task) never mix
their files, and is moved into place whole by ``commit``: no half-written or outdated variant is
ever visible under a final name. Every name is made and recognised here, and nowhere else.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from simgen.dataset.layout import MANIFEST, Manifest
from simgen.dataset.writer import sync_directory, sync_tree, write_manifest

Request = dict[str, Any]  # what makes two renders the same (``Manifest.request``)
FrameRange = tuple[int, int]  # frames [first, stop) of a variant

CHUNKS = ".chunks"
PARTIAL = ".partial-"
STALE = ".stale-"
_ATTEMPT = re.compile(r"\.(partial-\d+-[0-9a-f]+|stale-[0-9a-f]+)$")


def variant_directory(root: str | Path, scenario: str, variant: int) -> Path:
    """The committed folder of one (scenario, variant) below a dataset root."""
    return Path(root) / scenario / f"{variant:04d}"


def partial_directory(target: Path) -> Path:
    """A fresh folder, beside ``target``, for one attempt at writing it."""
    return target.with_name(f"{target.name}{PARTIAL}{os.getpid()}-{uuid.uuid4().hex[:8]}")


def stale_directory(directory: Path) -> Path:
    """Where an outdated committed folder is moved aside before it is removed."""
    return directory.with_name(f"{directory.name}{STALE}{uuid.uuid4().hex[:8]}")


def chunks_directory(directory: Path) -> Path:
    """The folder holding a chunked variant's committed chunks until they are joined."""
    return directory.with_name(f"{directory.name}{CHUNKS}")


def chunk_directory(directory: Path, frames: FrameRange) -> Path:
    """Where one chunk of a long variant is committed until the chunks are joined."""
    return chunks_directory(directory) / f"{frames[0]:06d}-{frames[1]:06d}"


def is_attempt(name: str) -> bool:
    """Whether a folder name is a partial attempt or a stale folder being removed."""
    return _ATTEMPT.search(name) is not None


def is_committed(folder: Path, root: Path) -> bool:
    """Whether ``folder`` (below ``root``) is a variant readers may see: not an attempt, not a
    folder moved aside, not a chunk or anything inside one."""
    parts = folder.relative_to(root).parts
    return not any(is_attempt(part) or part.endswith(CHUNKS) for part in parts)


def is_complete(directory: Path, request: Request) -> bool:
    """A variant (or chunk) is done when its manifest exists and was made with ``request``."""
    try:
        manifest = Manifest.from_json((directory / MANIFEST).read_bytes())
    except (OSError, ValueError):  # pydantic's ValidationError is a ValueError
        return False
    return manifest.complete and manifest.request() == request


def is_complete_chunk(directory: Path, request: Request, frames: FrameRange) -> bool:
    """A chunk is done when its variant is, or its own folder holds exactly its frames."""
    if is_complete(directory, request):
        return True
    folder = chunk_directory(directory, frames)
    if not is_complete(folder, request):
        return False
    manifest = Manifest.from_json((folder / MANIFEST).read_bytes())
    return [f.frame for f in manifest.frames] == list(range(*frames))


def commit(partial: Path, directory: Path, request: Request) -> None:
    """Move a finished variant into place, once: an outdated one is moved aside and removed;
    when another attempt committed the same request first, this one is dropped."""
    if is_complete(directory, request):
        shutil.rmtree(partial, ignore_errors=True)
        return
    if directory.exists():
        stale = stale_directory(directory)
        with contextlib.suppress(FileNotFoundError):
            directory.rename(stale)
        shutil.rmtree(stale, ignore_errors=True)
    try:
        partial.rename(directory)  # rename(2) refuses a non-empty target: one commit wins
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST) or not is_complete(directory, request):
            raise
        shutil.rmtree(partial, ignore_errors=True)
    sync_directory(directory.parent)


def join_chunks(
    directory: Path, request: Request, frame_count: int, chunks: list[FrameRange]
) -> bool:
    """Make the variant of its committed chunks, once all are there: their files move into one
    folder with one manifest, byte for byte what an unchunked render writes, committed like a
    variant. Returns whether the variant is complete."""
    if is_complete(directory, request):
        shutil.rmtree(chunks_directory(directory), ignore_errors=True)
        return True
    ordered = sorted(chunks)
    covered = [f for first, stop in ordered for f in range(first, stop)]
    if covered != list(range(frame_count)):
        return False  # not every chunk was planned here: another run joins them
    if not all(is_complete_chunk(directory, request, c) for c in ordered):
        return False
    partial = partial_directory(directory)
    manifests = []
    for frames in ordered:
        folder = chunk_directory(directory, frames)
        manifest = Manifest.from_json((folder / MANIFEST).read_bytes())
        manifests.append(manifest)
        for rel in manifest.files:
            target = partial / rel
            if not target.exists():  # calibration.json and classes.json come with every chunk
                target.parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).rename(target)
    files = {rel: h for m in manifests for rel, h in m.files.items()}
    joined = replace(
        manifests[0],
        frames=tuple(f for m in manifests for f in m.frames),
        files=dict(sorted(files.items())),
    )
    sync_tree(partial, list(files))
    write_manifest(partial, joined)
    commit(partial, directory, request)
    shutil.rmtree(chunks_directory(directory), ignore_errors=True)
    return True


def clean_leftovers(directory: Path) -> int:
    """Remove the attempts a killed run left beside a variant's folder and among its chunks;
    returns how many partial attempts there were."""
    removed = 0
    chunks = chunks_directory(directory)
    for leftover in [*directory.parent.glob(f"{directory.name}.*"), *chunks.glob("*")]:
        if is_attempt(leftover.name):
            shutil.rmtree(leftover, ignore_errors=True)
            removed += PARTIAL in leftover.name
    return removed
