"""The pieces of a run for one distributed worker: :func:`assemble_distributed`.

The same :class:`~graphstorm_py.model.assemble.Assembly` as one process builds, with the
distributed parts swapped in according to the context's transport:

==================  ========================================  =========================================
piece               ``local`` (one host, mapped peers)         ``collective``
==================  ========================================  =========================================
sampler             whole-graph CSC, invariant keys            :class:`DistNeighborSampler` (owners)
features            memory-mapped rows of every partition      :class:`DistNodeFeatureSource` (owners)
full-graph infer.   every rank runs all layers on all nodes    each rank its own rows, all-gathered
==================  ========================================  =========================================

Both give the same blocks and the same embeddings as one process with invariant sampling.
The dense parameters are replicated; the seed makes the initial weights equal on every rank.
Learnable embedding tables are sharded by owner (:mod:`~graphstorm_py.distributed.sparse_embed`;
``ctx.sparse_embed == "replicated"`` keeps them whole on every rank): ``run.sparse`` moves
their rows, and ``run.features`` fetches them with each batch's features.
"""

from __future__ import annotations

from typing import Dict, Optional

import torch
import torch.distributed as dist

from graphstorm_py.distributed.cache import RowCache
from graphstorm_py.distributed.dist_sampler import DistNeighborSampler
from graphstorm_py.distributed.dist_store import DistFeatureStore, DistNodeFeatureSource
from graphstorm_py.distributed.local_graph import LocalGraph
from graphstorm_py.distributed.sparse_embed import ShardedTables, WithEmbeddingRows, sharded_factory
from graphstorm_py.errors import ConfigError
from graphstorm_py.model.assemble import Assembly
from graphstorm_py.model.build import build_model
from graphstorm_py.model.embed import FullGraphEmbedder
from graphstorm_py.model.features import NodeFeatureSource
from graphstorm_py.nn.full_blocks import full_neighbor_block
from graphstorm_py.sampling import CSCGraph, NeighborSampler, parse_fanout
from graphstorm_py.store import LocalFeatureStore

__all__ = ["DistAssembly", "assemble_distributed"]


class DistAssembly(Assembly):
    ctx: object = None
    sparse: object = None         # ShardedTables of the model, or None (no tables / replicated)

    def sampler(self, fanout: str, seed: Optional[int] = None, key: str = "fanout"):
        fanouts = parse_fanout(fanout, self.graph.etypes, key=key)
        if self.ctx.transport == "local":
            return NeighborSampler(self.graph, fanouts, seed=seed, invariant=True)
        return DistNeighborSampler(self.graph, fanouts, self.ctx, seed=seed)

    def full_graph_embedder(self, batch_size: Optional[int] = None):
        bs = batch_size or self.config.hyperparam.eval_batch_size
        if self.ctx.transport == "local":
            return FullGraphEmbedder(self.model, self.graph, self.features, bs, self.device)
        return DistFullGraphEmbedder(self.model, self.graph, self.features, bs, self.device, self.ctx)


class DistFullGraphEmbedder(FullGraphEmbedder):
    """Layer-wise inference where each rank computes its own nodes and all-gathers each layer."""

    def __init__(self, model, graph, features, batch_size, device, ctx):
        super().__init__(model, graph, features, batch_size, device)
        self.ctx = ctx

    def _padded_csc(self):
        """The local CSC stretched over global dst nids (other ranks' rows have no in-edges)."""
        g, out = self.graph, {}
        for et, (ip, ind) in g.csc.items():
            n = g.num_nodes[et[2]]
            lo = g.node_base[et[2]]
            hi = lo + ip.numel() - 1
            out[et] = (torch.cat([torch.zeros(lo, dtype=torch.long), ip.cpu(),
                                  torch.full((n - hi,), int(ip[-1]), dtype=torch.long)]), ind.cpu())
        return out

    def _all_gather_rows(self, own: Dict[str, torch.Tensor], dim: int) -> Dict[str, torch.Tensor]:
        ctx, out = self.ctx, {}
        for t in sorted(self.graph.num_nodes):
            rows = own.get(t, torch.zeros(0, dim))
            sizes = [ctx.pmap.node_range(r, t)[1] - ctx.pmap.node_range(r, t)[0] for r in range(ctx.world_size)]
            m = max(sizes)
            pad = torch.zeros(m, dim)
            pad[:rows.shape[0]] = rows
            bufs = [torch.empty_like(pad) for _ in sizes]
            dist.all_gather(bufs, pad, group=ctx.graph_group)
            if sum(sizes):
                out[t] = torch.cat([b[:s] for b, s in zip(bufs, sizes)])
        return out

    @torch.no_grad()
    def all(self):
        if self._cache is not None:
            return self._cache
        model, gnn, ctx, bs = self.model, self.model.gnn, self.ctx, self.batch_size
        was = model.training
        model.eval()
        try:
            own = {}
            for t in sorted(self.graph.num_nodes):
                lo, hi = ctx.pmap.node_range(ctx.rank, t)
                chunks = []
                for ids in torch.arange(lo, hi).split(bs):
                    feats = ({t: self.features.own_features(t, ids)} if t in self.features.feat_names else {})
                    chunks.append(model.input_encoder({t: ids.to(self.device)},
                                                      {k: v.to(self.device) for k, v in feats.items()})[t].cpu())
                if chunks:
                    own[t] = torch.cat(chunks)
            h = self._all_gather_rows(own, gnn.hidden_size)
            csc = self._padded_csc()
            for layer in range(gnn.num_layers):
                own = {}
                for t in sorted(self.graph.num_nodes):
                    lo, hi = ctx.pmap.node_range(ctx.rank, t)
                    chunks = []
                    for dst in torch.arange(lo, hi).split(bs):
                        block = full_neighbor_block(csc, {t: dst}, gnn.etypes)
                        h_src = {u: h[u][nodes].to(self.device) for u, nodes in block.src_nodes.items() if u in h}
                        chunks.append(gnn.layer_forward(layer, block.to(self.device), h_src)[t].cpu())
                    if chunks:
                        own[t] = torch.cat(chunks)
                h = self._all_gather_rows(own, gnn.out_size if layer == gnn.num_layers - 1 else gnn.hidden_size)
        finally:
            model.train(was)
        self._cache = h
        return h


def assemble_distributed(cfg, dataset, ctx, device=None, *, checkpoint_info=None) -> DistAssembly:
    """:func:`~graphstorm_py.model.assemble.assemble` for a worker (see the module docstring)."""
    from graphstorm_py.model.checkpoint import decoder_etypes, encoder_etypes
    from graphstorm_py.tasks import build_tasks

    for key in ("edge_feat_name", "construct_feat_ntype"):
        if getattr(cfg.gnn, key):
            raise ConfigError(f"{key} is not supported with several workers yet; run with one worker "
                              "(drop --num-trainers / --ray-address)")
    device = torch.device(device or "cpu")
    if ctx.transport == "local":
        graph = CSCGraph.from_dataset(dataset)
        features = NodeFeatureSource.from_config(LocalFeatureStore(dataset), cfg.gnn.node_feat_name, dataset.ntypes)
    else:
        graph = LocalGraph(dataset, ctx.pmap, ctx.rank)
        store = DistFeatureStore(dataset, ctx)
        names = NodeFeatureSource.from_config(store, cfg.gnn.node_feat_name, dataset.ntypes).feat_names
        features = DistNodeFeatureSource(store, names)
        if ctx.cache_mb > 0:
            features.cache = RowCache(features, graph, ctx.pmap, ctx.rank, ctx.cache_mb)
    parse_fanout(cfg.gnn.fanout, graph.etypes, key="fanout")
    parse_fanout(cfg.gnn.eval_fanout, graph.etypes, key="eval_fanout")
    etypes = graph.etypes
    if checkpoint_info is None:
        tasks = build_tasks(cfg, dataset)
    else:   # gs-infer: no label or mask needed; the checkpoint's edge-type order
        etypes = encoder_etypes(checkpoint_info, graph.etypes, f"graph {dataset.root}")
        tasks = build_tasks(cfg, dataset, inference=True, decoder_etypes=decoder_etypes(checkpoint_info))
    decoders = {t.name: t.build_decoder(cfg.gnn.hidden_size) for t in tasks}
    shard = sharded_factory(ctx) if ctx.sparse_embed == "sharded" else None
    model = build_model(cfg.gnn, graph.num_nodes, etypes, features.dims, decoders, make_embedding=shard).to(device)
    sparse = ShardedTables.of(model, ctx)
    if sparse is not None:
        features = WithEmbeddingRows(features, sparse)
    run = DistAssembly(cfg, dataset, graph, features, tasks, model, device)
    run.ctx, run.sparse = ctx, sparse
    return run
