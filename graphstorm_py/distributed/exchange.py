"""``all_to_all_single`` of variable-length tensors on the graph group, with traffic counters.

Every exchange is two collectives: the per-peer element counts, then the data. Every rank
must call :meth:`Exchanger.exchange` the same number of times in the same order (lockstep),
with one tensor per peer (possibly empty), all of one dtype.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence

import torch
import torch.distributed as dist

__all__ = ["Exchanger", "TrafficStats"]


@dataclass
class TrafficStats:
    exchanges: int = 0
    bytes_sent: int = 0         # to other ranks (what crosses a network)
    bytes_local: int = 0        # to itself

    def reset(self) -> None:
        self.exchanges = self.bytes_sent = self.bytes_local = 0


class Exchanger:
    """Variable-length all-to-all on ``group`` (gloo) for ``rank`` of ``world_size``."""

    def __init__(self, group, rank: int, world_size: int):
        self.group, self.rank, self.world_size = group, rank, world_size
        self.stats = TrafficStats()

    def exchange(self, send: Sequence[torch.Tensor]) -> List[torch.Tensor]:
        """``send[r]`` goes to rank ``r``; returns what each rank sent here, by source rank."""
        assert len(send) == self.world_size, "one tensor per rank"
        dtype = send[0].dtype
        send = [t.detach().to("cpu", dtype).flatten() for t in send]
        counts = [t.numel() for t in send]
        self.stats.exchanges += 1
        item = send[0].element_size()
        self.stats.bytes_local += counts[self.rank] * item
        self.stats.bytes_sent += (sum(counts) - counts[self.rank]) * item
        if self.world_size == 1:
            return [send[0]]
        send_counts = torch.tensor(counts, dtype=torch.long)
        recv_counts = torch.empty_like(send_counts)
        dist.all_to_all_single(recv_counts, send_counts, group=self.group)
        rc = recv_counts.tolist()
        out = torch.empty(sum(rc), dtype=dtype)
        dist.all_to_all_single(out, torch.cat(send), rc, counts, group=self.group)
        return list(out.split(rc))
