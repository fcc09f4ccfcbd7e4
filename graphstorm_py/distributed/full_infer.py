"""Layer-wise full-graph inference of a worker's own nodes, with one halo exchange per layer.

:class:`DistFullGraphEmbedder` computes, for the nodes the rank owns, the input layer (their
features or embeddings), then each GNN layer from the previous layer's rows of the owned nodes
and of the halo (:class:`~graphstorm_py.distributed.halo.Halo`), which one exchange per layer
brings from their owners. The last layer is not exchanged. ``construct_feat_ntype`` adds one
exchange of the input rows before the constructed types' inputs are computed from their
neighbours; edge features (``edge_feat_name``) need none: an edge is owned by its destination's
partition, so the in-edges of owned nodes are all local.

The result equals one process's :meth:`~graphstorm_py.model.gnn_model.GNNModel.full_graph_embeddings`
(within float error); a worker holds ``O((owned + halo) × hidden)`` rows instead of the whole
graph's. :meth:`DistFullGraphEmbedder.__call__` answers owned nodes locally;
:meth:`DistFullGraphEmbedder.rows` (a collective) answers any nodes from their owners.
"""

from __future__ import annotations

from typing import Callable, Dict, Mapping, Optional

import torch

from graphstorm_py.distributed.halo import Halo
from graphstorm_py.model.embed import FullGraphEmbedder
from graphstorm_py.nn.full_blocks import full_neighbor_block
from graphstorm_py.typing import EdgeType

__all__ = ["DistFullGraphEmbedder", "own_edge_rows"]

EdgeRows = Callable[[Mapping[EdgeType, torch.Tensor]], Dict[EdgeType, torch.Tensor]]


def own_edge_rows(features) -> Optional[EdgeRows]:
    """``{etype: owned eids} -> {etype: rows}`` from a feature source that carries edge features, else None."""
    if not getattr(features, "edge_feat_names", None):
        return None

    def edge_rows(eids):
        return {et: features.own_edge_features(et, e) for et, e in eids.items() if et in features.edge_feat_names}
    return edge_rows


class DistFullGraphEmbedder(FullGraphEmbedder):
    """Args: as :class:`FullGraphEmbedder` (``graph`` a LocalGraph, ``features`` a
    DistNodeFeatureSource), plus ``ctx`` and ``edge_rows`` (``{etype: owned eids} -> {etype: rows}``,
    or ``None`` without edge features), and ``shared``: a dict that keeps the :class:`Halo` for the
    next embedder of the same run (evaluation makes one per evaluation)."""

    def __init__(self, model, graph, features, batch_size, device, ctx, edge_rows: Optional[EdgeRows] = None,
                 shared: Optional[dict] = None):
        super().__init__(model, graph, features, batch_size, device)
        self.ctx, self.edge_rows = ctx, edge_rows
        self._shared = {} if shared is None else shared

    @property
    def halo(self) -> Halo:
        """Built on first use (a collective: inside :meth:`all`)."""
        if "halo" not in self._shared:
            self._shared["halo"] = Halo(self.graph, self.ctx)
        return self._shared["halo"]

    def _per_dst(self, halo: Halo, t: str, width: int, fn) -> torch.Tensor:
        """``fn(local dst ids) -> [n, width]`` over the owned nodes of ``t``, batch by batch."""
        chunks = [fn(ids) for ids in torch.arange(halo.num_own(t)).split(self.batch_size) if ids.numel()]
        return torch.cat(chunks) if chunks else torch.zeros(0, width)

    def _inputs(self, halo: Halo) -> Dict[str, torch.Tensor]:
        model, dev = self.model, self.device
        skip = set(model.feature_constructor.ntypes) if model.feature_constructor is not None else set()

        def encode(t: str):
            lo = halo.own_range[t][0]

            def fn(local: torch.Tensor) -> torch.Tensor:
                ids = local + lo
                feats = {t: self.features.own_features(t, ids).to(dev)} if t in self.features.feat_names else {}
                return model.input_encoder({t: ids.to(dev)}, feats)[t].cpu()
            return fn
        return {t: self._per_dst(halo, t, model.gnn.hidden_size, encode(t)) for t in halo.ntypes if t not in skip}

    def _construct(self, halo: Halo, own: Dict[str, torch.Tensor]) -> None:
        """The constructed types' inputs from their neighbours' inputs (``construct_feat_ntype``)."""
        fc, dev = self.model.feature_constructor, self.device
        table = halo.extend(own)
        for t in fc.ntypes:
            def fn(ids: torch.Tensor, t=t) -> torch.Tensor:
                block = full_neighbor_block(halo.csc, {t: ids}, fc.etypes)
                h_src = {u: table[u][n].to(dev) for u, n in block.src_nodes.items() if u != t and u in table}
                return fc(block.to(dev), h_src)[t].cpu()
            own[t] = self._per_dst(halo, t, fc.hidden_size, fn)

    @torch.no_grad()
    def all(self) -> Dict[str, torch.Tensor]:
        """Collective (once): ``{ntype: [num owned, out]}``, the rows of this rank's nodes in nid order."""
        if self._cache is not None:
            return self._cache
        model, gnn, dev = self.model, self.model.gnn, self.device
        was = model.training
        model.eval()
        try:
            halo = self.halo
            own = self._inputs(halo)
            if model.feature_constructor is not None:
                self._construct(halo, own)
            use_edges = self.edge_rows is not None and gnn.edge_feat_etypes and model.edge_input_encoder is not None
            for layer in range(gnn.num_layers):
                table = halo.extend(own)
                width = gnn.out_size if layer == gnn.num_layers - 1 else gnn.hidden_size

                def fn(dst: torch.Tensor, t: str, layer=layer, table=table) -> torch.Tensor:
                    block = full_neighbor_block(halo.csc, {t: dst}, gnn.etypes)
                    if use_edges:
                        eids = {et: pos + halo.eid_base[et] for et, pos in block.eids.items()}
                        block.edge_feats = model.edge_input_encoder(self.edge_rows(eids))
                    h_src = {u: table[u][nodes].to(dev) for u, nodes in block.src_nodes.items() if u in table}
                    return gnn.layer_forward(layer, block.to(dev), h_src)[t].cpu()
                own = {t: self._per_dst(halo, t, width, lambda d, t=t: fn(d, t)) for t in halo.ntypes}
                del table
        finally:
            model.train(was)
        self._cache = own
        return own

    def __call__(self, seeds, exclude_eids=None, exclude_etypes=None) -> Dict[str, torch.Tensor]:
        """Rows of owned nodes (local, no collective); other ranks' nodes need :meth:`rows`."""
        table, out = self.all(), {}
        for t, ids in seeds.items():
            lo, hi = self.ctx.pmap.node_range(self.ctx.rank, t)
            ids = ids.cpu().long()
            if ids.numel() and (int(ids.min()) < lo or int(ids.max()) >= hi):
                raise ValueError(f"rank {self.ctx.rank} holds the full-graph embeddings of {t!r} nids [{lo}, {hi}) "
                                 "only; ask for other ranks' nodes with rows() (a collective)")
            out[t] = table[t][ids - lo].to(self.device)
        return out

    def rows(self, seeds: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """Collective: embeddings of any nodes, fetched from their owners in one exchange of ids and
        one of rows (every rank calls it the same number of times; ``{}`` when it needs none)."""
        table, ctx = self.all(), self.ctx
        W, pm, ex = ctx.world_size, ctx.pmap, ctx.exchanger
        types = sorted(table)
        counts = torch.zeros(W, len(types), dtype=torch.long)
        send = [[] for _ in range(W)]
        plan = {}
        for j, t in enumerate(types):
            if t not in seeds:
                continue
            ids = seeds[t].cpu().long()
            owner = pm.node_owner(t, ids)
            order = torch.argsort(owner, stable=True)
            c = torch.bincount(owner, minlength=W)
            counts[:, j] = c
            plan[t] = order.split(c.tolist())
            for r in range(W):
                send[r].append(ids.index_select(0, plan[t][r]))
        asked = ex.exchange([torch.cat([counts[r]] + send[r]) for r in range(W)])
        replies = []
        for msg in asked:
            chunks = msg[len(types):].split(msg[:len(types)].tolist())
            replies.append(torch.cat([torch.zeros(0)] + [table[t][c - pm.node_range(ctx.rank, t)[0]].flatten()
                                                         for t, c in zip(types, chunks) if c.numel()]))
        got = ex.exchange(replies)
        out = {t: torch.empty(seeds[t].numel(), table[t].shape[1]) for t in plan}
        for r in range(W):
            k = 0
            for j, t in enumerate(types):
                m = int(counts[r, j])
                if m:
                    d = table[t].shape[1]
                    out[t][plan[t][r]] = got[r][k:k + m * d].view(m, d)
                    k += m * d
        return {t: x.to(self.device) for t, x in out.items()}
