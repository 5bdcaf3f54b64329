"""A variant folder's life: attempts, stale and chunk folders are never read as variants; commit
moves a folder into place once; leftovers are cleaned; every name is made in one place."""

import os
import shutil
from dataclasses import replace

import pytest

from simgen.dataset.layout import MANIFEST, Manifest, json_bytes
from simgen.dataset.lifecycle import (
    chunk_directory,
    chunks_directory,
    clean_leftovers,
    commit,
    is_attempt,
    is_committed,
    is_complete,
    join_chunks,
    partial_directory,
    stale_directory,
    variant_directory,
)
from simgen.dataset.reader import open_dataset
from simgen.dataset.verify import verify


def request(folder):
    return Manifest.from_json((folder / MANIFEST).read_bytes()).request()


@pytest.fixture
def copy(dataset, tmp_path):
    """A private copy of the rendered dataset, free to change."""
    root = tmp_path / "ds"
    shutil.copytree(dataset, root)
    return root


def test_names_are_made_and_recognised_here(tmp_path):
    directory = variant_directory(tmp_path, "cut_in", 7)
    assert directory == tmp_path / "cut_in" / "0007"
    partial = partial_directory(directory)
    assert partial.parent == directory.parent
    assert partial.name.startswith(f"0007.partial-{os.getpid()}-") and is_attempt(partial.name)
    assert partial != partial_directory(directory)  # every attempt has its own folder
    stale = stale_directory(directory)
    assert stale.name.startswith("0007.stale-") and is_attempt(stale.name)
    chunk = chunk_directory(directory, (4, 8))
    assert chunk == tmp_path / "cut_in" / "0007.chunks" / "000004-000008"
    assert chunk.parent == chunks_directory(directory)
    assert is_attempt(partial_directory(chunk).name)
    assert not is_attempt("0007") and not is_attempt("0007.chunks")
    assert is_committed(directory, tmp_path)
    for folder in (partial, stale, chunk, partial_directory(chunk)):
        assert not is_committed(folder, tmp_path), folder
    assert is_committed(tmp_path, tmp_path)  # a variant folder opened as the root


def test_attempt_stale_and_chunk_folders_are_not_variants(copy):
    """A failed attempt, a folder moved aside and a committed chunk all hold a full manifest;
    readers, verify and exports see each variant once."""
    variant = copy / "read" / "0000"
    shutil.copytree(variant, copy / "read" / "0000.partial-123-abcd")
    shutil.copytree(variant, copy / "read" / "0001.stale-0badf00d")
    shutil.copytree(variant, chunk_directory(variant, (0, 2)))
    shutil.copytree(variant, partial_directory(chunk_directory(variant, (2, 4))))
    assert len(list(copy.rglob(MANIFEST))) == 6
    ds = open_dataset(copy)
    assert [(v.scenario, v.variant) for v in ds] == [("read", 0), ("read", 1)]
    assert [v.root for v in ds] == [copy / "read" / "0000", copy / "read" / "0001"]
    report = verify(copy)
    assert report.ok and report.variants == 2


def test_commit_moves_a_finished_folder_into_place_once(copy):
    directory = copy / "read" / "0000"
    expected = request(directory)
    target = copy / "read" / "0005"
    first = partial_directory(target)
    shutil.copytree(directory, first)
    commit(first, target, expected)
    assert not first.exists() and is_complete(target, expected)
    # a second attempt of the same request is dropped: the first commit stays
    second = partial_directory(target)
    shutil.copytree(directory, second)
    (second / "marker").write_text("second")
    commit(second, target, expected)
    assert not second.exists() and not (target / "marker").exists()
    # an outdated folder (another frame count) is replaced, and nothing is left beside it
    newer = dict(expected, frame_count=expected["frame_count"] + 1)
    third = partial_directory(target)
    shutil.copytree(directory, third)
    manifest = Manifest.from_json((third / MANIFEST).read_bytes())
    (third / MANIFEST).write_bytes(json_bytes(replace(manifest, frame_count=3).to_json()))
    commit(third, target, newer)
    assert is_complete(target, newer) and not third.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["0000", "0001", "0005"]


def test_clean_leftovers_removes_attempts_only(copy):
    directory = copy / "read" / "0000"
    chunk = chunk_directory(directory, (0, 2))
    shutil.copytree(directory, chunk)
    leftovers = [
        partial_directory(directory),
        stale_directory(directory),
        partial_directory(chunk_directory(directory, (2, 4))),
    ]
    for folder in leftovers:
        folder.mkdir(parents=True)
    assert clean_leftovers(directory) == 2  # partial attempts, the stale folder not counted
    assert not any(f.exists() for f in leftovers)
    assert (chunk / MANIFEST).exists() and (directory / MANIFEST).exists()
    assert (copy / "read" / "0001" / MANIFEST).exists()


def split_into_chunks(variant, target):
    """Chunks (0, 1) and (1, 2) of ``variant``'s two frames, as two chunk renders commit them."""
    manifest = Manifest.from_json((variant / MANIFEST).read_bytes())
    for frame, frames in enumerate(((0, 1), (1, 2))):
        folder = chunk_directory(target, frames)
        mine = {rel: h for rel, h in manifest.files.items() if f"{1 - frame:06d}" not in rel}
        for rel in mine:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(variant / rel, folder / rel)
        chunk = replace(manifest, frames=manifest.frames[frame : frame + 1], files=mine)
        (folder / MANIFEST).write_bytes(json_bytes(chunk.to_json()))


def test_joined_chunks_are_the_bytes_of_the_whole_variant(copy):
    whole = copy / "read" / "0000"
    expected = request(whole)
    target = copy / "read" / "0009"
    split_into_chunks(whole, target)
    assert not join_chunks(target, expected, 2, [(0, 1)])  # not every chunk was planned here
    shutil.rmtree(chunk_directory(target, (1, 2)))
    assert not join_chunks(target, expected, 2, [(0, 1), (1, 2)])  # a chunk is missing
    assert not target.exists()
    split_into_chunks(whole, target)
    assert join_chunks(target, expected, 2, [(1, 2), (0, 1)])
    assert (target / MANIFEST).read_bytes() == (whole / MANIFEST).read_bytes()
    for rel in Manifest.from_json((whole / MANIFEST).read_bytes()).files:
        assert (target / rel).read_bytes() == (whole / rel).read_bytes()
    assert not chunks_directory(target).exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["0000", "0001", "0009"]
