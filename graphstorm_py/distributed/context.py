"""The state of one distributed worker: who it is, what it owns, how it talks to its peers.

A worker process has exactly one :class:`DistContext`, made by
:func:`graphstorm_py.distributed.rendezvous.init_worker` and handed to the pieces that need it
(sampler, store, trainer). :func:`current_context` returns it, or ``None`` in a one-process run.

Transports (``--graph-transport``):

* ``collective``: structure and feature rows of other ranks' partitions travel over
  ``all_to_all_single`` on the gloo graph group, whatever the hosts.
* ``auto``: when every worker runs on one host and the dataset is on a local disk, each worker
  memory-maps its peers' arrays directly (``local``: no graph traffic at all); else
  ``collective``.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Optional

import torch.distributed as dist

from graphstorm_py.distributed.exchange import Exchanger
from graphstorm_py.distributed.partition_map import PartitionMap
from graphstorm_py.errors import GSError

__all__ = ["DistContext", "current_context", "set_context", "WorkerLost", "TRANSPORTS"]

log = logging.getLogger(__name__)

TRANSPORTS = ("auto", "collective")
_CURRENT: Optional["DistContext"] = None


class WorkerLost(GSError):
    """A peer did not arrive at a barrier in time (it died or hangs)."""

    exit_code = 3


@dataclass
class DistContext:
    rank: int
    world_size: int
    local_rank: int
    pmap: PartitionMap
    graph_group: object                  # gloo group for graph traffic and barriers
    transport: str                       # "local" or "collective" (resolved from auto)
    timeout_s: float
    cache_mb: float = 0.0                # size of the hot remote-row cache (collective transport)
    prefetch: bool = True                # training: next step sampled in a thread (own gloo group)
    started_at: float = 0.0              # when the worker entry began (after imports), unix time
    sparse_embed: str = "sharded"        # learnable tables: "sharded" by owner or "replicated" (reference)
    exchanger: Exchanger = field(init=False)

    def __post_init__(self):
        self.exchanger = Exchanger(self.graph_group, self.rank, self.world_size)

    def side_exchanger(self) -> Exchanger:
        """An exchanger on a new gloo group of its own (collective: every rank calls it, in the same order)."""
        group = dist.new_group(backend="gloo", timeout=datetime.timedelta(seconds=self.timeout_s))
        ex = Exchanger(group, self.rank, self.world_size)
        ex.stats = self.exchanger.stats        # one traffic count per worker
        return ex

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def barrier(self, what: str) -> None:
        """A monitored barrier on the graph group: a rank that does not arrive is named."""
        if self.world_size == 1:
            return
        try:
            dist.monitored_barrier(group=self.graph_group, timeout=datetime.timedelta(seconds=self.timeout_s),
                                   wait_all_ranks=True)
        except RuntimeError as exc:
            raise WorkerLost(f"rank {self.rank}: at the barrier '{what}' a peer did not arrive within "
                             f"{self.timeout_s:.0f} s: {exc}") from None


def current_context() -> Optional[DistContext]:
    """This process's worker context, or ``None`` when not running distributed."""
    return _CURRENT


def set_context(ctx: Optional[DistContext]) -> None:
    global _CURRENT
    _CURRENT = ctx
