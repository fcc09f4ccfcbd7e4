"""Neighbour sampling across partitions, in lockstep, with partition-invariant keys.

:class:`DistNeighborSampler` is a :class:`~graphstorm_py.sampling.NeighborSampler` whose
per-layer edge sampling asks the owners. Per hop (one layer):

1. bucket the frontier (the layer's destination nodes of every type) by owner rank;
2. one exchange sends each owner a packed request: a header ``[seed, epoch, layer,
   fanout per edge type (0 = inactive), count per node type]`` and then the nids, type by type;
3. each owner samples the in-edges of what it received from its own CSC with
   :func:`~graphstorm_py.sampling.invariant.sample_csc_invariant` (the key depends on
   ``(seed, epoch, layer, dst, eid)`` only) and honours the requester's excluded eids;
4. one exchange sends back, per active edge type, ``(src, row, eid)``; the requester maps rows
   back to its frontier positions and restores the canonical order (row, then eid), so the
   block equals what one process with the whole graph samples.

All node and edge types of a hop travel in that one request/reply pair. Excluded eids (a
link-prediction batch's targets) are sent to the edges' owners once per batch. The number of
collectives per :meth:`sample` is ``1 + 2 * num_layers`` exchanges whatever the seeds, so
a rank with an empty batch (``seeds = {}``) still takes part.
"""

from __future__ import annotations

from typing import Dict, List, Optional

import torch

from graphstorm_py.sampling.fanout import normalize_fanouts
from graphstorm_py.sampling.invariant import sample_csc_invariant
from graphstorm_py.sampling.neighbor_sampler import NeighborSampler
from graphstorm_py.typing import EdgeType

__all__ = ["DistNeighborSampler"]


class DistNeighborSampler(NeighborSampler):
    """Args: ``graph`` a :class:`~graphstorm_py.distributed.local_graph.LocalGraph`, ``ctx`` the
    worker's :class:`~graphstorm_py.distributed.DistContext`; the rest as for NeighborSampler."""

    def __init__(self, graph, fanouts, ctx, seed: Optional[int] = None):
        self.graph, self.ctx = graph, ctx
        self.exchanger = ctx.exchanger          # a prefetching trainer gives it its own group's
        self.fanouts = normalize_fanouts(fanouts, graph.etypes)
        self.generator = torch.Generator(device=graph.device)
        self.invariant, self.epoch = True, 0
        self.reseed(seed)
        self._relabel_buf: Dict[str, torch.Tensor] = {}
        self._etypes: List[EdgeType] = list(graph.etypes)
        self._ntypes: List[str] = list(graph.ntypes)
        self._peer_excl: List[Dict[EdgeType, torch.Tensor]] = []

    def sample(self, seeds, exclude_eids=None, exclude_etypes=None):
        excl = {tuple(et): torch.unique(torch.as_tensor(e).long().flatten()) for et, e in (exclude_eids or {}).items()}
        self._send_exclusions(excl)
        return super().sample(seeds, exclude_eids, exclude_etypes)

    # ---- exclusions: once per batch, to the edges' owners ---------------------------------------
    def _send_exclusions(self, excl: Dict[EdgeType, torch.Tensor]) -> None:
        W, pm = self.ctx.world_size, self.ctx.pmap
        parts: List[List[torch.Tensor]] = [[] for _ in range(W)]
        counts = torch.zeros(W, len(self._etypes), dtype=torch.long)
        for i, et in enumerate(self._etypes):
            e = excl.get(et)
            if e is None or e.numel() == 0:
                continue
            own = pm.edge_owner(et, e)
            for r in range(W):
                sel = e[own == r]
                counts[r, i] = sel.numel()
                parts[r].append(sel)
        send = [torch.cat([counts[r]] + parts[r]) for r in range(W)]
        self._peer_excl = []
        for msg in self.exchanger.exchange(send):
            n = msg[:len(self._etypes)].tolist()
            chunks = msg[len(self._etypes):].split(n)
            self._peer_excl.append({et: c for et, c in zip(self._etypes, chunks) if c.numel()})

    # ---- one hop --------------------------------------------------------------------------------
    def _sample_edges(self, dst, fanout, excl, dropped, layer: int):
        W, pm, E, T = self.ctx.world_size, self.ctx.pmap, len(self._etypes), len(self._ntypes)
        active = self._active_etypes(dst, fanout, dropped)
        fan = torch.tensor([fanout[et] if et in active else 0 for et in self._etypes], dtype=torch.long)
        req_types = {et[2] for et in active}
        counts = torch.zeros(W, T, dtype=torch.long)
        ids_to: List[List[torch.Tensor]] = [[] for _ in range(W)]
        back: Dict[str, List[torch.Tensor]] = {}        # ntype -> per owner: frontier positions sent there
        for j, nt in enumerate(self._ntypes):
            if nt not in req_types:
                continue
            ids = dst[nt].cpu()
            own = pm.node_owner(nt, ids)
            order = torch.argsort(own, stable=True)
            c = torch.bincount(own, minlength=W)
            counts[:, j] = c
            pos = order.split(c.tolist())
            back[nt] = list(pos)
            for r in range(W):
                ids_to[r].append(ids.index_select(0, pos[r]))
        head = torch.tensor([self.seed, self.epoch, layer], dtype=torch.long)
        send = [torch.cat([head, fan, counts[r]] + ids_to[r]) for r in range(W)]
        replies = self.exchanger.exchange([self._serve(m) for m in
                                               self._requests(self.exchanger.exchange(send))])
        # replies[r]: header [E counts] then per active etype src | row | eid
        out = []
        per_owner = []
        for msg in replies:
            n = msg[:E].tolist()
            body, k = msg[E:], 0
            got = {}
            for i, et in enumerate(self._etypes):
                if n[i]:
                    src, row, eid = body[k:k + 3 * n[i]].view(3, n[i])
                    got[et] = (src, row, eid)
                    k += 3 * n[i]
            per_owner.append(got)
        dev = self.graph.device
        for et in active:
            srcs, rows, eids = [], [], []
            for r in range(W):
                if et in per_owner[r]:
                    s, rw, e = per_owner[r][et]
                    srcs.append(s)
                    rows.append(back[et[2]][r].index_select(0, rw))
                    eids.append(e)
            if not srcs:
                z = torch.empty(0, dtype=torch.long, device=dev)
                out.append((et, z, z.clone(), z.clone()))
                continue
            src, row, eid = torch.cat(srcs), torch.cat(rows), torch.cat(eids)
            order = torch.argsort(row, stable=True)                       # canonical: row, then eid
            out.append((et, src[order].to(dev), row[order].to(dev), eid[order].to(dev)))
        return out

    def _requests(self, msgs: List[torch.Tensor]):
        E, T = len(self._etypes), len(self._ntypes)
        for src_rank, msg in enumerate(msgs):
            seed, epoch, layer = msg[:3].tolist()
            fan = msg[3:3 + E].tolist()
            counts = msg[3 + E:3 + E + T].tolist()
            ids = dict(zip(self._ntypes, msg[3 + E + T:].split(counts)))
            yield src_rank, (seed, epoch, layer), fan, ids

    def _serve(self, request) -> torch.Tensor:
        """Sample what one requester asked for from the local CSC; its packed reply."""
        src_rank, key, fan, ids = request
        g, dev = self.graph, self.graph.device
        excl = self._peer_excl[src_rank] if self._peer_excl else {}
        n = torch.zeros(len(self._etypes), dtype=torch.long)
        body = []
        for i, et in enumerate(self._etypes):
            nt = et[2]
            if fan[i] == 0 or ids[nt].numel() == 0:
                continue
            indptr, indices = g.csc[et]
            src, row, eid = sample_csc_invariant(indptr, indices, ids[nt].to(dev), fan[i], key, excl.get(et),
                                                 node_base=g.node_base[nt], eid_base=g.eid_base[et])
            n[i] = src.numel()
            body += [src.cpu(), row.cpu(), eid.cpu()]
        return torch.cat([n] + body)
