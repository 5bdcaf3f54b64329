"""The thread share a pool gives each worker, read back in the worker."""

from simgen.batch.executors import thread_caps
from simgen.core.cpu import SHARE_VARIABLE, thread_share, usable_cores


def test_a_workers_share_is_what_the_pool_set_and_all_cores_otherwise(monkeypatch):
    monkeypatch.delenv(SHARE_VARIABLE, raising=False)
    monkeypatch.delenv("SIMGEN_WORKER_THREADS", raising=False)
    assert thread_share() == usable_cores()
    caps = thread_caps(workers=usable_cores())  # one worker per core: one thread each
    assert caps[SHARE_VARIABLE] == caps["LP_NUM_THREADS"] == "1"
    monkeypatch.setenv(SHARE_VARIABLE, caps[SHARE_VARIABLE])
    assert thread_share() == 1
    monkeypatch.setenv(SHARE_VARIABLE, "garbage")
    assert thread_share() == usable_cores()
