"""The worker entry: join the job, run the stage's function, leave the job cleanly.

Rank 0's return value is what the CLI prints; other ranks return ``None``.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from typing import Any, Callable, NoReturn, Optional

from graphstorm_py.errors import ConfigError

__all__ = ["run_worker", "PEER_LOST_EXIT"]

log = logging.getLogger(__name__)


def run_worker(args, graph_path: Optional[str], device, body: Callable[[Any, str], Any]) -> Any:
    from graphstorm_py.distributed.rendezvous import init_worker, shutdown_worker
    from graphstorm_py.graph import GraphDataset

    started = time.time()
    if not graph_path:
        raise ConfigError("no graph given: pass --part-config GRAPH_DIR (or set part_config)")
    ds = GraphDataset.open(graph_path)
    ctx = init_worker(ds.meta, graph_path, transport=args.graph_transport, timeout_s=args.dist_timeout,
                      device=device, cache_mb=getattr(args, "dist_cache_mb", 0.0))
    ctx.started_at = started
    ctx.prefetch = getattr(args, "dist_prefetch", "on") == "on"
    ctx.sparse_embed = getattr(args, "dist_sparse_embed", "sharded")
    try:
        out = body(ctx, graph_path)
    except BaseException as exc:
        if ctx.world_size > 1 and not os.environ.get(RAY_WORKER_ENV):
            _leave_now(exc, ctx.rank, ctx.world_size)
        shutdown_worker()
        raise
    shutdown_worker()
    return out if ctx.is_main else None


#: gloo's messages when the other end of a collective went away
_PEER_GONE = ("Connection reset by peer", "Connection closed by peer", "Broken pipe")

#: a worker that only lost a peer exits with this code, so that the launcher reports the peer's
#: failure (the cause) rather than this one (its consequence) when both end at the same moment
PEER_LOST_EXIT = 4

#: set by the Ray Train worker function: Ray must see the exception (FailureConfig, exit codes)
RAY_WORKER_ENV = "GS_RAY_WORKER"


def _leave_now(exc: BaseException, rank: int, world: int) -> NoReturn:
    """Exit this worker at once with the CLI's exit code.

    A failure on one rank must not wait for its peers: destroying the process group, or a prefetch
    thread blocked in a collective, would keep it alive until ``--dist-timeout``. The launcher (or
    torchrun) sees the exit, stops the other workers and names this rank.
    """
    from graphstorm_py.errors import GSError

    if isinstance(exc, GSError):
        print(f"error: {exc}", file=sys.stderr)
        code = exc.exit_code
    elif isinstance(exc, SystemExit):
        code = exc.code if isinstance(exc.code, int) else 1
    elif isinstance(exc, KeyboardInterrupt):
        code = 130
    elif any(m in str(exc) for m in _PEER_GONE):       # a consequence of another rank's failure, not a cause
        print(f"error: rank {rank} lost a peer worker: {str(exc).splitlines()[0][:300]}", file=sys.stderr)
        code = PEER_LOST_EXIT
    else:
        traceback.print_exception(exc)
        code = 1
    print(f"worker rank {rank} of {world} stopped (exit {code})", file=sys.stderr)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
