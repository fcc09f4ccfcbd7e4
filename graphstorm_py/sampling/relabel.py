"""Relabel sampled global nids to block-local indices, destination nodes first.

A block's source nodes of a type are its destination nodes of that type (same order)
followed by the new nodes the sampled edges reach, each once. :func:`relabel` builds that
list and maps every sampled source nid to its index in it, with one ``torch.unique``.
"""

from __future__ import annotations

from typing import Tuple

import torch

__all__ = ["relabel"]


def relabel(dst: torch.Tensor, src: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(src_nodes, local)`` with ``src_nodes[:len(dst)] == dst`` and ``src_nodes[local] == src``.

    ``dst`` must be unique. New nodes follow in ascending nid order.
    """
    n_dst = dst.numel()
    uniq, inv = torch.unique(torch.cat([dst, src]), return_inverse=True)
    local_of = torch.full((uniq.numel(),), -1, dtype=torch.long, device=dst.device)
    local_of[inv[:n_dst]] = torch.arange(n_dst, device=dst.device)
    new = local_of < 0
    new_nodes = uniq[new]
    local_of[new] = torch.arange(n_dst, n_dst + new_nodes.numel(), device=dst.device)
    return torch.cat([dst, new_nodes]), local_of[inv[n_dst:]]
