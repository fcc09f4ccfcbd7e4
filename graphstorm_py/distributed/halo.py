"""The halo of a worker's partitions and the one exchange per layer that fills it.

Layer-wise inference on rank ``r`` computes layer ``l`` for the nodes ``r`` owns; their
in-neighbours are owned nodes or *halo* nodes (remote sources of edges into ``r``'s
partitions). :class:`Halo` finds the halo once from the local CSC, tells each owner which of
its rows ``r`` needs (one exchange at start), and then moves a layer's rows with **one**
exchange for all node types: each rank sends each peer the rows that peer asked for.

Rows are addressed by *local* ids: per node type, ``[0, n_own)`` are the owned nids
``lo + i`` and ``n_own + j`` is the ``j``-th halo nid (sorted). :attr:`Halo.csc` is the local
CSC with its sources renumbered that way, so a table ``[n_own + n_halo, d]`` per node type is
all a layer reads, and a worker's memory is ``O((owned + halo) × hidden)``.
"""

from __future__ import annotations

from typing import Dict, List, Mapping

import torch

from graphstorm_py.typing import EdgeType

__all__ = ["Halo"]


class Halo:
    """Args: ``graph`` the worker's :class:`~graphstorm_py.distributed.local_graph.LocalGraph`,
    ``ctx`` its :class:`~graphstorm_py.distributed.DistContext` (collective: every rank builds one)."""

    def __init__(self, graph, ctx):
        self.ctx, pm, rank = ctx, ctx.pmap, ctx.rank
        self.ntypes: List[str] = sorted(graph.num_nodes)
        self.own_range = {t: pm.node_range(rank, t) for t in self.ntypes}
        self.eid_base: Dict[EdgeType, int] = dict(graph.eid_base)
        remote: Dict[str, List[torch.Tensor]] = {t: [] for t in self.ntypes}
        for et, (_, ind) in graph.csc.items():
            lo, hi = self.own_range[et[0]]
            ind = ind.cpu()
            remote[et[0]].append(torch.unique(ind[(ind < lo) | (ind >= hi)]))
        self.ids: Dict[str, torch.Tensor] = {t: torch.unique(torch.cat(v)) if v else torch.empty(0, dtype=torch.long)
                                             for t, v in remote.items()}       # sorted, so grouped by owner
        self.csc: Dict[EdgeType, tuple] = {}
        for et, (ip, ind) in graph.csc.items():
            lo, hi = self.own_range[et[0]]
            ind = ind.cpu()
            own = (ind >= lo) & (ind < hi)
            local = torch.where(own, ind - lo, (hi - lo) + torch.searchsorted(self.ids[et[0]], ind))
            self.csc[et] = (ip.cpu(), local)
        # per owner, how many of each type's halo rows come from it; what each peer wants from us
        W = ctx.world_size
        self.counts = torch.zeros(W, len(self.ntypes), dtype=torch.long)
        for j, t in enumerate(self.ntypes):
            self.counts[:, j] = torch.bincount(pm.node_owner(t, self.ids[t]), minlength=W)
        send = [torch.cat([self.counts[r]] + [self.ids[t][self._slice(r, j)] for j, t in enumerate(self.ntypes)])
                for r in range(W)]
        self.serve: List[Dict[str, torch.Tensor]] = []          # peer -> {ntype: local ids of the rows it wants}
        for msg in ctx.exchanger.exchange(send):
            n = msg[:len(self.ntypes)].tolist()
            chunks = msg[len(self.ntypes):].split(n)
            self.serve.append({t: c - self.own_range[t][0] for t, c in zip(self.ntypes, chunks)})

    def _slice(self, r: int, j: int) -> slice:
        start = int(self.counts[:r, j].sum())
        return slice(start, start + int(self.counts[r, j]))

    def num_own(self, ntype: str) -> int:
        lo, hi = self.own_range[ntype]
        return hi - lo

    def extend(self, own: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """Collective: ``{ntype: [n_own, d]}`` -> ``{ntype: [n_own + n_halo, d]}`` (one exchange).

        Every rank must pass the same node types (those with rows at this stage of the model)."""
        types = [(j, t) for j, t in enumerate(self.ntypes) if t in own]
        W, ex = self.ctx.world_size, self.ctx.exchanger
        replies = [torch.cat([torch.zeros(0)] + [own[t][self.serve[r][t]].float().flatten() for _, t in types])
                   for r in range(W)]
        got = ex.exchange(replies)
        out = {}
        parts: Dict[str, List[torch.Tensor]] = {t: [own[t].float()] for _, t in types}
        for r in range(W):
            k = 0
            for j, t in types:
                m, d = int(self.counts[r, j]), own[t].shape[1]
                if m:
                    parts[t].append(got[r][k:k + m * d].view(m, d))
                    k += m * d
        for _, t in types:
            out[t] = torch.cat(parts[t]) if len(parts[t]) > 1 else parts[t][0]
        return out
