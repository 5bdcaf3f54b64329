from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "standards" / "esmini" / "xodr"
if not CORPUS.is_dir():  # a worktree beside /work/main: the corpus lives in /work/shared
    CORPUS = Path("/work/shared/standards/esmini/xodr")


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The esmini OpenDRIVE corpus (test material only); tests skip where it is absent."""
    if not CORPUS.is_dir():
        pytest.skip("the esmini OpenDRIVE corpus is not on this machine")
    return CORPUS
