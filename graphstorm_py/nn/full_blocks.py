"""Full-neighbourhood blocks: every in-neighbour of the destination nodes, built from a CSC.

Used by layer-wise inference (:meth:`GNNEncoder.full_inference`) and as the reference for
"fanout = -1" mini-batches in tests. The result follows the :class:`~graphstorm_py.sampling.block.Block`
contract: per node type the destination nodes are a prefix of the source nodes, and
``edge_index[etype]`` is ``[2, E]`` local (row 0 into ``src_nodes[src]``, row 1 into
``dst_nodes[dst]``). ``eids[etype]`` holds each edge's position in the CSC ``indices`` array
(map it through the dataset's ``eid.npy`` to get edge ids).

Everything is vectorised: the CSC rows of the destination nodes are expanded with one
``repeat_interleave``, and the new source nodes are found with one ``torch.unique`` plus a
``searchsorted`` against the (sorted) destination nodes.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Sequence, Tuple

import torch

from graphstorm_py.sampling.block import Block
from graphstorm_py.typing import EdgeType

__all__ = ["CSC", "full_neighbor_block", "full_neighbor_blocks"]

CSC = Mapping[EdgeType, Tuple[torch.Tensor, torch.Tensor]]  # etype -> (indptr [N_dst+1], indices [E])


def _expand_ranges(start: torch.Tensor, deg: torch.Tensor) -> torch.Tensor:
    """Concatenate ``arange(start[i], start[i] + deg[i])`` for all ``i``, without a loop."""
    total = int(deg.sum())
    if total == 0:
        return start.new_empty(0)
    offsets = torch.arange(total, device=start.device) - torch.repeat_interleave(torch.cumsum(deg, 0) - deg, deg)
    return torch.repeat_interleave(start, deg) + offsets


def _prefix_unique(prefix: torch.Tensor, cand: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(nodes, local)``: ``nodes = prefix ++ (unique(cand) not in prefix)``; ``nodes[local] == cand``."""
    uniq, inv = torch.unique(cand, return_inverse=True)
    hit = torch.zeros_like(uniq, dtype=torch.bool)
    new = torch.empty_like(uniq)
    if prefix.numel() and uniq.numel():
        sp, perm = prefix.sort()
        pos = torch.searchsorted(sp, uniq).clamp(max=sp.numel() - 1)
        hit = sp[pos] == uniq
        new[hit] = perm[pos[hit]]
    extra = uniq[~hit]
    new[~hit] = prefix.numel() + torch.arange(extra.numel(), device=uniq.device)
    return torch.cat([prefix, extra]), new[inv]


def full_neighbor_block(csc: CSC, dst_nodes: Mapping[str, torch.Tensor], etypes: Sequence[EdgeType]) -> Block:
    """One block holding all in-edges (of the given ``etypes``) of ``dst_nodes``.

    Args:
        csc: per edge type ``(indptr, indices)`` over *all* destination nids of that type;
            ``indices`` holds source nids. Edge types missing from ``csc`` have no edges.
        dst_nodes: ``{ntype: unique global nids}``.
        etypes: the edge types to include (an encoder's ``etypes``).
    """
    dst_nodes = {t: v.long() for t, v in dst_nodes.items()}
    found: Dict[EdgeType, Tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}
    src_cands: Dict[str, List[torch.Tensor]] = {t: [] for t in dst_nodes}
    for et in etypes:
        s, _, d = et
        if d not in dst_nodes:
            continue
        dst = dst_nodes[d]
        if et in csc:
            indptr, indices = (torch.as_tensor(a) for a in csc[et])
            start = indptr[dst].long()
            deg = indptr[dst + 1].long() - start
            pos = _expand_ranges(start, deg)
            src = indices[pos].long()
            dst_local = torch.repeat_interleave(torch.arange(dst.numel(), device=dst.device), deg)
        else:
            pos = src = dst_local = dst.new_empty(0)
        found[et] = (src, dst_local, pos)
        src_cands.setdefault(s, []).append(src)
    src_nodes: Dict[str, torch.Tensor] = {}
    local: Dict[str, List[torch.Tensor]] = {}
    for t, cands in src_cands.items():
        prefix = dst_nodes.get(t, torch.empty(0, dtype=torch.long))
        cand = torch.cat(cands) if cands else prefix.new_empty(0)
        src_nodes[t], loc = _prefix_unique(prefix, cand)
        local[t] = list(torch.split(loc, [c.numel() for c in cands])) if cands else []
    edge_index, eids = {}, {}
    for et, (src, dst_local, pos) in found.items():
        edge_index[et] = torch.stack([local[et[0]].pop(0), dst_local])
        eids[et] = pos
    return Block(src_nodes=src_nodes, dst_nodes=dict(dst_nodes), edge_index=edge_index, eids=eids)


def full_neighbor_blocks(csc: CSC, seeds: Mapping[str, torch.Tensor], num_layers: int,
                         etypes: Sequence[EdgeType]) -> List[Block]:
    """``num_layers`` full-neighbourhood blocks ending at ``seeds`` (input layer first)."""
    blocks: List[Block] = []
    dst = dict(seeds)
    for _ in range(num_layers):
        block = full_neighbor_block(csc, dst, etypes)
        blocks.insert(0, block)
        dst = block.src_nodes
    return blocks
