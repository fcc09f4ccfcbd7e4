"""Join a job: read the worker's identity from the environment and set up the process groups.

Two ways in, one worker:

* the local launcher (``--num-trainers N``) sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` and
  ``GS_RDZV_FILE``, a file in the run's private temp folder: a ``file://`` rendezvous, so
  no port is fixed and several jobs on one machine never meet;
* ``torchrun`` sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and
  ``MASTER_PORT``: the ``env://`` rendezvous of a multi-machine job.

:func:`init_worker` makes the default group (gloo on CPU, nccl on CUDA; DDP gradients) and a
dedicated gloo *graph group* (sampling requests, feature rows, barriers). Both time out after
``timeout_s`` (default 300 s; gloo's own default is 30 minutes).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from typing import Optional

import torch
import torch.distributed as dist

from graphstorm_py import io
from graphstorm_py.distributed.context import DistContext, set_context
from graphstorm_py.distributed.partition_map import PartitionMap
from graphstorm_py.errors import ConfigError

__all__ = ["worker_env", "init_worker", "shutdown_worker", "DEFAULT_TIMEOUT_S"]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 300.0


def worker_env() -> Optional[dict]:
    """``{rank, world_size, local_rank, init_method}`` when this process is a worker of a job, else None."""
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        return None
    try:
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        local = int(os.environ.get("LOCAL_RANK", rank))
    except ValueError:
        raise ConfigError(f"RANK={os.environ['RANK']!r} / WORLD_SIZE={os.environ['WORLD_SIZE']!r} "
                          "must be integers") from None
    if not 0 <= rank < world:
        raise ConfigError(f"RANK={rank} must be in [0, WORLD_SIZE={world})")
    rdzv = os.environ.get("GS_RDZV_FILE")
    if dist.is_available() and dist.is_initialized():     # Ray Train made the default group already
        init = "existing"
    elif rdzv:
        init = "file://" + rdzv
    elif "MASTER_ADDR" in os.environ and "MASTER_PORT" in os.environ:
        init = "env://"
    else:
        raise ConfigError("RANK and WORLD_SIZE are set but neither MASTER_ADDR/MASTER_PORT (torchrun) nor "
                          "GS_RDZV_FILE (gs-train --num-trainers) says where the workers meet")
    return {"rank": rank, "world_size": world, "local_rank": local, "init_method": init}


def _resolve_transport(transport: str, graph_path: str, world: int, group) -> str:
    if transport == "collective":
        return "collective"
    hosts = [None] * world
    dist.all_gather_object(hosts, socket.gethostname(), group=group)
    one_host = len(set(hosts)) == 1
    return "local" if one_host and not io.is_remote(graph_path) else "collective"


def init_worker(meta, graph_path: str, *, transport: str = "auto", timeout_s: float = DEFAULT_TIMEOUT_S,
                device: str = "cpu", env: Optional[dict] = None, cache_mb: float = 0.0) -> DistContext:
    """Join the job described by the environment; returns (and installs) the worker's context."""
    env = env or worker_env()
    if env is None:
        raise ConfigError("not a distributed worker: RANK/WORLD_SIZE are not set")
    pmap = PartitionMap(meta, env["world_size"])      # a bad partition count fails before any rendezvous
    timeout = datetime.timedelta(seconds=float(timeout_s))
    backend = "nccl" if str(device).startswith("cuda") else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(env["local_rank"])
    if not dist.is_initialized():
        dist.init_process_group(backend, init_method=env["init_method"], rank=env["rank"],
                                world_size=env["world_size"], timeout=timeout)
    group = dist.new_group(backend="gloo", timeout=timeout)
    resolved = _resolve_transport(transport, graph_path, env["world_size"], group)
    ctx = DistContext(env["rank"], env["world_size"], env["local_rank"], pmap, group, resolved, float(timeout_s),
                      float(cache_mb))
    set_context(ctx)
    log.info("worker rank %d of %d: partitions %s, graph transport %s", ctx.rank, ctx.world_size,
             list(pmap.parts(ctx.rank)), resolved)
    return ctx


def shutdown_worker() -> None:
    set_context(None)
    if dist.is_initialized():
        dist.destroy_process_group()
