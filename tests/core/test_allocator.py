"""A rendering process keeps its large arrays' pages from one frame to the next."""

import subprocess
import sys

import pytest

# four 11 MB arrays (flow images) made, filled and freed together 20 times: minor page faults
# per round
SCRIPT = """
import resource, sys
import numpy as np
from simgen.core.allocator import keep_frame_memory
tuned = keep_frame_memory()
faults = []
for _ in range(20):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    images = [np.ones((720, 1280, 3), np.float32) for _ in range(4)]
    del images
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(tuned, sorted(faults)[10])
"""


def _median_faults(env: dict[str, str]) -> tuple[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, env=env
    )
    tuned, faults = done.stdout.split()
    return tuned, int(faults)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_frames_reuse_the_pages_of_freed_arrays(monkeypatch):
    import os

    env = {k: v for k, v in os.environ.items() if k != "SIMGEN_SYSTEM_MALLOC"}
    tuned, kept = _median_faults(env)
    assert tuned == "True"
    plain, faulted = _median_faults({**env, "SIMGEN_SYSTEM_MALLOC": "1"})
    assert plain == "False"
    pages = 4 * 720 * 1280 * 3 * 4 // 4096
    assert faulted >= pages // 10  # glibc gives much of it back each round, to fault in again
    assert kept <= pages // 100  # kept: next to nothing to fault in
