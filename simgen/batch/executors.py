"""Executors run shards and report what happens, behind one small interface, chosen by name.

- ``inline``: this process, one shard after another (``--workers 1``: no start-up cost; a crash
  in native code ends the run).
- ``local``: a pool of worker processes (spawned, each with its own world and GL context),
  recycled every ``recycle`` shards so that memory stays flat. A worker that dies (OOM,
  ``kill -9``, a segfault) fails only the shard it was rendering, which is retried.
- ``ray``: Ray tasks with retries, on a local Ray or an existing cluster (``pip install
  simgen[ray]``); outputs go to the shared output path.

This module imports nothing heavy: worker processes import the renderer themselves.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Protocol

from simgen.batch.shards import ShardResult, ShardSpec
from simgen.core.cpu import SHARE_VARIABLE, usable_cores


@dataclass(frozen=True)
class Event:
    kind: str  # started | frames | done | retry | failed
    shard: str
    frames: int = 0
    result: ShardResult | None = None
    error: str = ""


Report = Callable[[Event], None]


class ExecutorError(RuntimeError):
    """An executor that cannot be had: an unknown name, or Ray not installed."""


@dataclass
class Outcome:
    results: dict[str, ShardResult] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # shard id -> last error
    retries: int = 0


class Executor(Protocol):
    def run(self, shards: list[ShardSpec], retries: int, report: Report) -> Outcome: ...


def thread_caps(workers: int) -> dict[str, str]:
    """Renderer and math threads per worker, so that N workers do not oversubscribe N cores
    (``SIMGEN_WORKER_THREADS`` overrides the share). Set before the worker imports anything:
    OpenMP (Open3D), BLAS, numexpr and llvmpipe read them once, at import or context creation;
    the worker caps OpenCV itself (``limit_threads``)."""
    per = os.environ.get("SIMGEN_WORKER_THREADS") or str(max(1, usable_cores() // max(1, workers)))
    names = (
        SHARE_VARIABLE,
        "LP_NUM_THREADS",
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "NUMEXPR_MAX_THREADS",
        "OPENCV_FOR_THREADS_NUM",
    )
    return dict.fromkeys(names, per)


def _short(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


class InlineExecutor:
    def run(self, shards: list[ShardSpec], retries: int, report: Report) -> Outcome:
        from simgen.batch.shards import run_shard

        outcome = Outcome()
        for spec in shards:
            for attempt in range(retries + 1):
                report(Event("started", spec.id))
                try:
                    result = run_shard(spec, lambda n, s=spec.id: report(Event("frames", s, n)))
                except Exception as exc:  # a shard's failure is reported, the batch goes on
                    if attempt < retries:
                        outcome.retries += 1
                        report(Event("retry", spec.id, error=_short(exc)))
                        continue
                    outcome.failures[spec.id] = _short(exc)
                    report(Event("failed", spec.id, error=_short(exc)))
                else:
                    outcome.results[spec.id] = result
                    report(Event("done", spec.id, result=result))
                break
        return outcome


def _worker(conn: Connection, recycle: int) -> None:
    """A worker process: render the shards it is sent, report frames and results."""
    from simgen.batch.shards import run_shard
    from simgen.core.cpu import limit_threads, thread_share

    limit_threads(thread_share())

    for _ in range(recycle):
        try:
            spec = conn.recv()
        except EOFError:
            return
        if spec is None:
            return
        try:
            result = run_shard(spec, lambda n, s=spec.id: conn.send(("frames", s, n)))
            conn.send(("done", spec.id, result))
        except Exception as exc:
            conn.send(("error", spec.id, _short(exc)))


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set variables for a child process started inside (spawned children copy them)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class _Slot:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    shard: ShardSpec | None = None
    sent: int = 0  # shards sent: a worker takes ``recycle`` of them, then exits


class LocalExecutor:
    def __init__(self, workers: int, recycle: int = 8) -> None:
        self.workers = max(1, workers)
        self.recycle = max(1, recycle)
        self.pids: set[int] = set()  # live worker processes, for tests and tools
        self.rendering: dict[str, int] = {}  # shard id -> pid of the worker rendering it

    def _start(self) -> _Slot:
        context = multiprocessing.get_context("spawn")  # no fork: GL and threads do not survive it
        parent, child = context.Pipe()
        with _environment(thread_caps(self.workers)):
            process = context.Process(target=_worker, args=(child, self.recycle), daemon=True)
            process.start()
        child.close()
        assert process.pid is not None
        self.pids.add(process.pid)
        return _Slot(process, parent)

    def run(self, shards: list[ShardSpec], retries: int, report: Report) -> Outcome:
        outcome = Outcome()
        queue = deque(shards)
        attempts: dict[str, int] = {}
        slots: list[_Slot] = []

        def failed(spec: ShardSpec, error: str) -> None:
            attempts[spec.id] = attempts.get(spec.id, 0) + 1
            if attempts[spec.id] <= retries:
                outcome.retries += 1
                queue.append(spec)
                report(Event("retry", spec.id, error=error))
            else:
                outcome.failures[spec.id] = error
                report(Event("failed", spec.id, error=error))

        try:
            while queue or any(s.shard is not None for s in slots):
                while len(slots) < min(
                    self.workers, len(queue) + sum(s.shard is not None for s in slots)
                ):
                    slots.append(self._start())
                for slot in slots:
                    # a worker that has had its share exits by itself: never send it another
                    if slot.shard is None and queue and slot.sent < self.recycle:
                        slot.sent += 1
                        slot.shard = queue.popleft()
                        self.rendering[slot.shard.id] = slot.process.pid or -1
                        try:
                            slot.conn.send(slot.shard)
                            report(Event("started", slot.shard.id))
                        except (BrokenPipeError, OSError):
                            queue.appendleft(slot.shard)  # the worker is gone: a new one takes it
                            slot.shard = None
                ready = wait([s.conn for s in slots] + [s.process.sentinel for s in slots])
                for slot in list(slots):
                    while slot.conn in ready and slot.conn.poll():
                        try:
                            kind, shard, payload = slot.conn.recv()
                        except (EOFError, OSError):
                            break
                        if kind == "frames":
                            report(Event("frames", shard, frames=payload))
                        elif kind == "done":
                            outcome.results[shard] = payload
                            report(Event("done", shard, result=payload))
                            slot.shard = None
                        else:
                            spec, slot.shard = slot.shard, None
                            assert spec is not None
                            failed(spec, payload)
                    if slot.process.sentinel in ready or not slot.process.is_alive():
                        slot.process.join()
                        self.pids.discard(slot.process.pid or -1)
                        if slot.shard is not None:  # it died while rendering
                            code = slot.process.exitcode
                            how = (
                                f"signal {-code}"
                                if code is not None and code < 0
                                else f"exit {code}"
                            )
                            failed(slot.shard, f"worker died ({how}) while rendering it")
                        slot.conn.close()
                        slots.remove(slot)
        finally:
            for slot in slots:
                with contextlib.suppress(OSError):
                    slot.conn.send(None)
                slot.process.join(timeout=5)
                if slot.process.is_alive():
                    slot.process.kill()
                    slot.process.join()
            self.pids.clear()
        return outcome


class RayExecutor:
    def __init__(self, workers: int, address: str | None = None) -> None:
        self.workers = max(1, workers)
        self.address = address

    def run(self, shards: list[ShardSpec], retries: int, report: Report) -> Outcome:
        try:
            import ray
        except ImportError:
            raise ExecutorError(
                "the ray executor needs Ray: pip install 'simgen[ray]' (or pip install ray)"
            ) from None
        from simgen.batch.shards import run_shard

        started_here = not ray.is_initialized()
        if started_here:
            ray.init(
                address=self.address,
                num_cpus=None if self.address else self.workers,
                include_dashboard=False,
                log_to_driver=False,
                runtime_env={"env_vars": thread_caps(self.workers)},
            )
        task = ray.remote(num_cpus=1, max_retries=retries, retry_exceptions=True)(run_shard)
        outcome = Outcome()
        try:
            pending = {task.remote(spec): spec for spec in shards}
            for spec in shards:
                report(Event("started", spec.id))
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                spec = pending.pop(done[0])
                try:
                    result = ray.get(done[0])
                except Exception as exc:  # Ray retried it; it still failed
                    outcome.failures[spec.id] = _short(exc).splitlines()[-1]
                    report(Event("failed", spec.id, error=outcome.failures[spec.id]))
                else:
                    outcome.results[spec.id] = result
                    report(Event("frames", spec.id, frames=result.frames))
                    report(Event("done", spec.id, result=result))
        finally:
            if started_here:
                ray.shutdown()
        return outcome


def executor(name: str, workers: int, address: str | None = None) -> Executor:
    if name == "ray":
        return RayExecutor(workers, address)
    if name != "local":
        raise ExecutorError(f"unknown executor '{name}'; expected local or ray")
    return InlineExecutor() if workers == 1 else LocalExecutor(workers)
