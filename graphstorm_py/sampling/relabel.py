"""Relabel sampled global nids to block-local indices, destination nodes first.

A block's source nodes of a type are its destination nodes of that type (same order)
followed by the new nodes the sampled edges reach, each once. :func:`relabel` builds that
list and maps every sampled source nid to its index in it.

Two implementations, same contract:

- with ``buffer`` (what :class:`NeighborSampler` uses): a persistent int32 lookup table of
  size ``num_nodes`` holding :data:`EMPTY` everywhere between calls. A call writes only the
  entries of the nodes it touches and resets exactly those before returning, so the work is
  ``O(len(dst) + len(src))`` with no sort and no ``O(num_nodes)`` allocation. New nodes
  come in order of their first occurrence in ``src``; ``scatter_reduce(amin)`` picks that
  first occurrence, so the result is deterministic on CPU and CUDA.
- without ``buffer``: one ``torch.unique``; new nodes come in ascending nid order.

A buffer must not be shared by two calls running at the same time (one per sampler and
node type; data-loader worker processes each get their own copy).
"""

from __future__ import annotations

from typing import Optional, Tuple

import torch

__all__ = ["relabel", "new_relabel_buffer", "EMPTY"]

EMPTY = torch.iinfo(torch.int32).max      # a free entry of a relabel buffer


def new_relabel_buffer(num_nodes: int, device=None) -> torch.Tensor:
    """A lookup table for :func:`relabel`, allocated once per node type.

    int32 (half the cache footprint of int64, and the table is hit at random), which holds
    local indices of blocks with fewer than 2^31 - 1 source nodes.
    """
    return torch.full((int(num_nodes),), EMPTY, dtype=torch.int32, device=device)


class _Consts:
    """Cached ``arange`` and all-``EMPTY`` int32 vectors, sliced instead of filled per call."""

    def __init__(self):
        self.iota: dict = {}
        self.empty: dict = {}

    def get(self, n: int, device) -> Tuple[torch.Tensor, torch.Tensor]:
        key = str(device)
        iota = self.iota.get(key)
        if iota is None or iota.numel() < n:
            size = max(n, 2 * (0 if iota is None else iota.numel()), 1 << 16)
            iota = self.iota[key] = torch.arange(size, dtype=torch.int32, device=device)
            self.empty[key] = torch.full((size,), EMPTY, dtype=torch.int32, device=device)
        return iota, self.empty[key]


_CONSTS = _Consts()


def relabel(dst: torch.Tensor, src: torch.Tensor,
            buffer: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(src_nodes, local)`` with ``src_nodes[:len(dst)] == dst`` and ``src_nodes[local] == src``.

    ``dst`` must be unique. ``buffer``: see the module docstring.
    """
    if buffer is None or dst.numel() + src.numel() >= EMPTY:
        return _relabel_unique(dst, src)
    n_dst, n_src = dst.numel(), src.numel()
    iota, empty = _CONSTS.get(n_dst + n_src, dst.device)
    pos = iota[n_dst:n_dst + n_src]
    try:
        buffer.scatter_(0, dst, iota[:n_dst])
        buffer.scatter_reduce_(0, src, pos, reduce="amin")      # dst entries (< n_dst) stay
        new_nodes = src.masked_select(buffer.index_select(0, src) == pos)   # each once, first-seen order
        nodes = torch.cat([dst, new_nodes])
        buffer.scatter_(0, new_nodes, iota[n_dst:nodes.numel()])
        local = buffer.index_select(0, src).long()
        buffer.scatter_(0, nodes, empty[:nodes.numel()])        # reset exactly what we touched
    except BaseException:
        buffer.fill_(EMPTY)                                     # never leave it dirty
        raise
    return nodes, local


def _relabel_unique(dst: torch.Tensor, src: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    n_dst = dst.numel()
    uniq, inv = torch.unique(torch.cat([dst, src]), return_inverse=True)
    local_of = torch.full((uniq.numel(),), -1, dtype=torch.long, device=dst.device)
    local_of[inv[:n_dst]] = torch.arange(n_dst, device=dst.device)
    new = local_of < 0
    new_nodes = uniq[new]
    local_of[new] = torch.arange(n_dst, n_dst + new_nodes.numel(), device=dst.device)
    return torch.cat([dst, new_nodes]), local_of[inv[n_dst:]]
