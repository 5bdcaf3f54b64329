"""Batch rendering: shards planned from scenario and suite files, run by an executor (a local
process pool by default, Ray for clusters), resumed from what is complete, verified by hash."""

from simgen.batch.executors import Event, Executor, executor, usable_cores
from simgen.batch.run import Summary, run_batch
from simgen.batch.shards import ShardResult, ShardSpec, plan_shards, run_shard

__all__ = [
    "Event",
    "Executor",
    "ShardResult",
    "ShardSpec",
    "Summary",
    "executor",
    "plan_shards",
    "run_batch",
    "run_shard",
    "usable_cores",
]
