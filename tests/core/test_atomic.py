"""Atomic writes: whole files or none, and big frames streamed past the page cache."""

import numpy as np

from simgen.core import atomic
from simgen.core.atomic import STREAM_MIN_BYTES, write_bytes_atomic


def test_streamed_files_are_whole_and_only_big_ones_are_dropped_from_the_cache(
    tmp_path, monkeypatch
):
    dropped = []
    real = atomic.drop_cached
    monkeypatch.setattr(atomic, "drop_cached", lambda fd: (dropped.append(fd), real(fd)))
    big = np.arange(STREAM_MIN_BYTES // 4 + 3, dtype=np.uint32)
    header = b"head"
    write_bytes_atomic(tmp_path / "big.bin", [header, memoryview(big)], durable=False, stream=True)
    assert (tmp_path / "big.bin").read_bytes() == header + big.tobytes()
    assert len(dropped) == 1
    write_bytes_atomic(tmp_path / "small.bin", b"x" * 1000, durable=False, stream=True)
    write_bytes_atomic(tmp_path / "plain.bin", big.tobytes(), durable=False)
    write_bytes_atomic(tmp_path / "durable.bin", big.tobytes(), stream=True)  # fsync instead
    assert len(dropped) == 1
    assert (tmp_path / "small.bin").read_bytes() == b"x" * 1000
    assert (tmp_path / "durable.bin").read_bytes() == big.tobytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "big.bin",
        "durable.bin",
        "plain.bin",
        "small.bin",
    ]  # no temporary file left behind
