"""The worker entry: join the job, run the stage's function, leave the job cleanly.

Rank 0's return value is what the CLI prints; other ranks return ``None``.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Optional

from graphstorm_py.errors import ConfigError

__all__ = ["run_worker"]

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
    finally:
        shutdown_worker()
    return out if ctx.is_main else None
