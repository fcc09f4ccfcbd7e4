"""A static cache of hot remote feature rows, filled once at start, sized in MB.

Input features never change during a run, so the cache never needs invalidating. Which rows:
the *halo* of the worker's partitions (remote nodes with an edge into an owned node), ranked by
how many such edges they have (their degree into this partition: the nodes a sampler reaches
most often), as many as fit in ``capacity_mb``. Filling it is one packed exchange
(:class:`~graphstorm_py.distributed.dist_store.DistNodeFeatureSource` without a cache).

A lookup is one ``searchsorted`` per node type over the cached ids. :attr:`RowCache.stats`
counts the remote rows asked for and the hits, for the hit rate reported with the results.
"""

from __future__ import annotations

from typing import Dict, Tuple

import torch

__all__ = ["RowCache", "halo_by_degree"]


def halo_by_degree(graph, pmap, rank: int) -> Dict[str, Tuple[torch.Tensor, torch.Tensor]]:
    """``{ntype: (remote nids, edges into this rank)}``, most connected first."""
    counts: Dict[str, torch.Tensor] = {}
    for et, (_, indices) in graph.csc.items():
        src_t = et[0]
        lo, hi = pmap.node_range(rank, src_t)
        ind = indices.cpu()
        remote = ind[(ind < lo) | (ind >= hi)]
        c = torch.bincount(remote, minlength=graph.num_nodes[src_t])
        counts[src_t] = c if src_t not in counts else counts[src_t] + c
    out = {}
    for t, c in counts.items():
        ids = torch.nonzero(c).flatten()
        order = torch.argsort(c[ids], descending=True, stable=True)
        out[t] = (ids[order], c[ids[order]])
    return out


class RowCache:
    """Rows of the hottest halo nodes; ``lookup`` returns a hit mask and the hit rows."""

    def __init__(self, source, graph, pmap, rank: int, capacity_mb: float):
        self.ids: Dict[str, torch.Tensor] = {}
        self.rows: Dict[str, torch.Tensor] = {}
        self.stats = {"remote_rows": 0, "hits": 0, "bytes": 0}
        halo = halo_by_degree(graph, pmap, rank)
        # rank every featured halo node by its degree, across types, then fill up to the budget
        cand = [(t, ids, deg) for t, (ids, deg) in halo.items() if t in source.dims]
        budget = int(capacity_mb * 2**20)
        if cand and budget > 0:
            deg = torch.cat([d for _, _, d in cand])
            cost = torch.cat([torch.full((ids.numel(),), 4 * source.dims[t]) for t, ids, _ in cand])
            which = torch.cat([torch.full((ids.numel(),), i) for i, (_, ids, _) in enumerate(cand)])
            order = torch.argsort(deg, descending=True, stable=True)
            keep = order[torch.cumsum(cost[order], 0) <= budget]
            want = {}
            flat = torch.cat([ids for _, ids, _ in cand])
            for i, (t, _, _) in enumerate(cand):
                want[t] = torch.sort(flat[keep[which[keep] == i]]).values
        else:
            want = {}
        got = source({t: want.get(t, torch.empty(0, dtype=torch.long)) for t in sorted(source.dims)})
        for t, ids in want.items():
            if ids.numel():
                self.ids[t], self.rows[t] = ids, got[t]
                self.stats["bytes"] += got[t].numel() * 4

    def lookup(self, ntype: str, ids: torch.Tensor, own: torch.Tensor = None) -> Tuple[torch.Tensor, torch.Tensor]:
        cached = self.ids.get(ntype)
        if own is not None:
            self.stats["remote_rows"] += int((~own).sum())
        if cached is None or ids.numel() == 0:
            return torch.zeros(ids.numel(), dtype=torch.bool), torch.empty(0)
        pos = torch.searchsorted(cached, ids).clamp_(max=cached.numel() - 1)
        hit = cached[pos] == ids
        self.stats["hits"] += int(hit.sum())
        return hit, self.rows[ntype][pos[hit]]

    @property
    def hit_rate(self) -> float:
        return self.stats["hits"] / max(self.stats["remote_rows"], 1)
