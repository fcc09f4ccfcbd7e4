"""The sampler as of commit 9b1d571 (before the speed-ups), kept for `benchmarks/sampler.py --compare-ref`."""
from __future__ import annotations
from collections import defaultdict
from typing import Dict, Iterable, Mapping, Optional, Sequence, Tuple
import torch
from graphstorm_py.sampling.block import Block, MiniBatch
from graphstorm_py.sampling.csc_graph import CSCGraph
from graphstorm_py.sampling.fanout import Fanout, normalize_fanouts
from graphstorm_py.typing import EdgeType
FLOYD_MAX_FANOUT = 64
def expand_ranges(start: torch.Tensor, count: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(row, value)`` listing ``start[r], ..., start[r] + count[r] - 1`` for every row ``r``."""
    total = int(count.sum())
    rows = torch.arange(count.numel(), device=count.device)
    row = torch.repeat_interleave(rows, count, output_size=total)
    first = torch.cumsum(count, 0) - count           # where each row's run begins in the output
    value = torch.arange(total, device=count.device) + (start - first)[row]
    return row, value


def _floyd(deg: torch.Tensor, k: int, generator: Optional[torch.Generator]) -> torch.Tensor:
    """``[m, k]`` distinct offsets in ``[0, deg[r])`` per row, every k-subset equally likely."""
    m = deg.numel()
    u = torch.rand((k, m), dtype=torch.float64, device=deg.device, generator=generator)
    chosen = torch.empty((k, m), dtype=torch.long, device=deg.device)
    for i in range(k):                                # a loop over samples, not over nodes
        j = deg - (k - i)                             # draw t uniform in [0, j]
        t = torch.minimum((u[i] * (j + 1)).long(), j)
        if i:
            seen = (chosen[:i] == t).any(0)
            t = torch.where(seen, j, t)
        chosen[i] = t
    return chosen.t()


def _smallest_keys(start: torch.Tensor, deg: torch.Tensor, k: int,
                   generator: Optional[torch.Generator]) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(row, value)``: ``k`` of each row's candidates with the smallest random keys."""
    row, value = expand_ranges(start, deg)
    keys = torch.rand(row.numel(), dtype=torch.float64, device=row.device, generator=generator)
    order = torch.argsort(keys)
    order = order[torch.argsort(row[order], stable=True)]   # by row, random within a row
    row, value = row[order], value[order]
    first = torch.cumsum(deg, 0) - deg
    rank = torch.arange(row.numel(), device=row.device) - first[row]
    keep = rank < k
    return row[keep], value[keep]


def sample_csc(indptr: torch.Tensor, indices: torch.Tensor, dst: torch.Tensor, fanout: int,
               generator: Optional[torch.Generator] = None,
               exclude: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Sample in-edges of the nodes ``dst`` from one CSC.

    Args:
        indptr, indices: the whole-graph CSC of one edge type (see :class:`CSCGraph`).
        dst: ``[n]`` destination nids.
        fanout: edges per node; ``-1`` takes all.
        generator: a ``torch.Generator`` on the tensors' device, for reproducible draws.
        exclude: sorted, unique int64 eids that must not be sampled.

    Returns:
        ``(src, row, eid)``, each ``[E]``: the source nid, the position in ``dst`` of the
        destination, and the global eid of every sampled edge. Edges are grouped by row.
    """
    start, end = indptr[dst], indptr[dst + 1]
    if exclude is not None and exclude.numel():
        start = start - torch.searchsorted(exclude, start)
        end = end - torch.searchsorted(exclude, end)
    deg = end - start
    if fanout < 0:
        row, eid = expand_ranges(start, deg)
    else:
        small = deg <= fanout
        rows_all = torch.nonzero(small).flatten()
        rows_sub = torch.nonzero(~small).flatten()
        r_all, e_all = expand_ranges(start[rows_all], deg[rows_all])
        r_all = rows_all[r_all]
        if rows_sub.numel() == 0:
            row, eid = r_all, e_all
        elif fanout <= FLOYD_MAX_FANOUT:
            offs = _floyd(deg[rows_sub], fanout, generator)
            e_sub = (start[rows_sub].unsqueeze(1) + offs).flatten()
            r_sub = rows_sub.repeat_interleave(fanout)
            row, eid = torch.cat([r_all, r_sub]), torch.cat([e_all, e_sub])
        else:
            r_sub, e_sub = _smallest_keys(start[rows_sub], deg[rows_sub], fanout, generator)
            row, eid = torch.cat([r_all, rows_sub[r_sub]]), torch.cat([e_all, e_sub])
    if exclude is not None and exclude.numel():
        shifted = exclude - torch.arange(exclude.numel(), device=exclude.device)
        eid = eid + torch.searchsorted(shifted, eid, right=True)
    return indices[eid], row, eid
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
class NeighborSampler:
    """Uniform neighbour sampler without replacement over a :class:`CSCGraph`.

    Args:
        graph: the graph; sampling runs on its device.
        fanouts: one entry per GNN layer, **input layer first** (GraphStorm/DGL order): an int
            for every edge type, or ``{etype: int}`` naming every edge type. ``-1`` = all
            neighbours, ``0`` = skip. :func:`parse_fanout` turns GraphStorm's text into this.
        seed: seeds the generator; ``None`` draws one from torch's global RNG, so
            ``torch.manual_seed`` still makes runs reproduce.
    """

    def __init__(self, graph: CSCGraph, fanouts: Sequence[Fanout], seed: Optional[int] = None):
        self.graph = graph
        self.fanouts = normalize_fanouts(fanouts, graph.etypes)
        self.generator = torch.Generator(device=graph.device)
        self.reseed(seed)

    @property
    def num_layers(self) -> int:
        return len(self.fanouts)

    def reseed(self, seed: Optional[int] = None) -> None:
        """Restart the random stream (e.g. per data-loader worker: ``seed + worker_id``)."""
        if seed is None:
            seed = int(torch.randint(0, 2**62, (1,)).item())
        self.generator.manual_seed(int(seed))

    def sample(self, seeds: Mapping[str, torch.Tensor],
               exclude_eids: Optional[Mapping[EdgeType, torch.Tensor]] = None,
               exclude_etypes: Optional[Iterable[EdgeType]] = None) -> MiniBatch:
        """Sample one mini-batch.

        Args:
            seeds: ``{ntype: [n] nids}``, unique per type; moved to the graph's device.
            exclude_eids: ``{etype: eids}`` never used for message passing in any layer
                (a link-prediction batch's target edges and their reverses). Repeats are fine.
            exclude_etypes: edge types dropped from every layer.
        """
        checked = self._check_seeds(seeds)
        dst = checked
        excl = {}
        for et, eids in (exclude_eids or {}).items():
            et = tuple(et)
            if et not in self.graph.csc:
                raise ValueError(f"exclude_eids names {et}, which is not an edge type of the graph")
            excl[et] = torch.unique(torch.as_tensor(eids, device=self.graph.device).long().flatten())
        dropped = {tuple(et) for et in (exclude_etypes or ())}
        blocks = []
        for fanout in reversed(self.fanouts):
            block = self._sample_layer(dst, fanout, excl, dropped)
            blocks.append(block)
            dst = block.src_nodes
        blocks.reverse()
        return MiniBatch(seeds=checked, blocks=blocks)

    # ---- internals ----------------------------------------------------------------------
    def _check_seeds(self, seeds: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        out = {}
        for nt, s in seeds.items():
            if nt not in self.graph.num_nodes:
                raise ValueError(f"seed node type {nt!r} is not in the graph; it has {self.graph.ntypes}")
            s = torch.as_tensor(s, device=self.graph.device).long().flatten()
            if s.numel():
                lo, hi = int(s.min()), int(s.max())
                if lo < 0 or hi >= self.graph.num_nodes[nt]:
                    raise ValueError(f"seed nids of {nt!r} must be in [0, {self.graph.num_nodes[nt]}), "
                                     f"got range [{lo}, {hi}]")
                if torch.unique(s).numel() != s.numel():
                    raise ValueError(f"seeds of {nt!r} repeat; deduplicate them with dedupe_seeds()")
            out[nt] = s
        return out

    def _sample_layer(self, dst: Dict[str, torch.Tensor], fanout: Dict[EdgeType, int],
                      excl: Dict[EdgeType, torch.Tensor], dropped: set) -> Block:
        by_src = defaultdict(list)     # src ntype -> [(etype, src nids, dst rows, eids)]
        for etype, (indptr, indices) in self.graph.csc.items():
            if etype[2] not in dst or fanout[etype] == 0 or etype in dropped:
                continue
            src, row, eid = sample_csc(indptr, indices, dst[etype[2]], fanout[etype],
                                       self.generator, excl.get(etype))
            by_src[etype[0]].append((etype, src, row, eid))
        src_nodes = dict(dst)
        edge_index, eids = {}, {}
        for nt, items in by_src.items():
            prefix = dst.get(nt, torch.empty(0, dtype=torch.long, device=self.graph.device))
            src_nodes[nt], local = relabel(prefix, torch.cat([it[1] for it in items]))
            for (etype, _, row, eid), loc in zip(items, local.split([it[1].numel() for it in items])):
                edge_index[etype] = torch.stack([loc, row])
                eids[etype] = eid
        return Block(src_nodes=src_nodes, dst_nodes=dict(dst), edge_index=edge_index, eids=eids)
