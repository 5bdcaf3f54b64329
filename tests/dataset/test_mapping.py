"""mapping.json: one type for the exports that write it and the evaluation that reads it."""

import pytest

from simgen.dataset.mapping import MappedFrame, MappedSequence, read_mapping, write_mapping
from simgen.dataset.reader import DatasetError


def test_a_written_mapping_reads_back_and_keeps_its_bytes(tmp_path):
    frames = [MappedFrame(0, "cut_in", 0, 0), MappedFrame(1, "cut_in", 2, 5)]
    write_mapping(tmp_path, frames)
    assert (tmp_path / "mapping.json").read_text() == (
        '[\n {\n  "frame": 0,\n  "index": 0,\n  "scenario": "cut_in",\n  "variant": 0\n },\n'
        ' {\n  "frame": 5,\n  "index": 1,\n  "scenario": "cut_in",\n  "variant": 2\n }\n]\n'
    )
    assert read_mapping(tmp_path / "mapping.json", MappedFrame) == frames
    sequences = [MappedSequence(0, "a", 1), MappedSequence(1, "b", 0)]
    write_mapping(tmp_path, sequences)
    assert read_mapping(tmp_path / "mapping.json", MappedSequence) == sequences


def test_a_bad_mapping_names_the_file_entry_and_key(tmp_path):
    path = tmp_path / "mapping.json"
    with pytest.raises(DatasetError, match=r"mapping\.json: cannot read"):
        read_mapping(path, MappedFrame)
    path.write_text('[{"index": 0, "scenario": "a", "variant": 0, "frame": 0},\n'
                    ' {"index": 1, "scenario": "a", "variant": 0}]')  # fmt: skip
    with pytest.raises(DatasetError, match=r"mapping\.json: 1\.frame: Field required"):
        read_mapping(path, MappedFrame)
    write_mapping(tmp_path, [MappedSequence(0, "a", 1)])  # a tracking export's mapping
    with pytest.raises(DatasetError, match=r"0\.index: Field required"):
        read_mapping(path, MappedFrame)
