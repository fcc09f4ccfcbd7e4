"""The pieces of a run for one distributed worker: :func:`assemble_distributed`.

The same :class:`~graphstorm_py.model.assemble.Assembly` as one process builds, with the
distributed parts swapped in according to the context's transport:

==================  ========================================  =========================================
piece               ``local`` (one host, mapped peers)         ``collective``
==================  ========================================  =========================================
sampler             whole-graph CSC, invariant keys            :class:`DistNeighborSampler` (owners)
features            memory-mapped rows of every partition      :class:`DistNodeFeatureSource` (owners;
                                                               node and edge rows in one exchange)
full-graph infer.   every rank runs all layers on all nodes    each rank its own rows, halo exchange
                                                               (:mod:`~graphstorm_py.distributed.full_infer`)
==================  ========================================  =========================================

Both give the same blocks and the same embeddings as one process with invariant sampling.
The dense parameters are replicated; the seed makes the initial weights equal on every rank.
Learnable embedding tables are sharded by owner (:mod:`~graphstorm_py.distributed.sparse_embed`;
``ctx.sparse_embed == "replicated"`` keeps them whole on every rank): ``run.sparse`` moves
their rows, and ``run.features`` fetches them with each batch's features.
"""

from __future__ import annotations

from typing import Optional

import torch

from graphstorm_py.distributed.cache import RowCache
from graphstorm_py.distributed.dist_sampler import DistNeighborSampler
from graphstorm_py.distributed.dist_store import DistFeatureStore, DistNodeFeatureSource, fetch_batch
from graphstorm_py.distributed.full_infer import DistFullGraphEmbedder, own_edge_rows
from graphstorm_py.distributed.local_graph import LocalGraph
from graphstorm_py.distributed.sparse_embed import ShardedTables, WithEmbeddingRows, sharded_factory
from graphstorm_py.model.assemble import Assembly
from graphstorm_py.model.build import build_model
from graphstorm_py.model.edge_features import EdgeFeatureSource
from graphstorm_py.model.embed import FullGraphEmbedder, MiniBatchEmbedder
from graphstorm_py.model.features import NodeFeatureSource
from graphstorm_py.sampling import CSCGraph, NeighborSampler, parse_fanout
from graphstorm_py.store import LocalFeatureStore

__all__ = ["DistAssembly", "DistMiniBatchEmbedder", "assemble_distributed"]


class DistAssembly(Assembly):
    ctx: object = None
    sparse: object = None         # ShardedTables of the model, or None (no tables / replicated)

    def sampler(self, fanout: str, seed: Optional[int] = None, key: str = "fanout"):
        fanouts = self.fanouts(fanout, key)
        if self.ctx.transport == "local":
            return NeighborSampler(self.graph, fanouts, seed=seed, invariant=True)
        return DistNeighborSampler(self.graph, fanouts, self.ctx, seed=seed)

    def minibatch_embedder(self, fanout: str, seed: Optional[int] = None, key: str = "fanout"):
        if self.ctx.transport == "local":
            return super().minibatch_embedder(fanout, seed, key)
        return DistMiniBatchEmbedder(self.model, self.sampler(fanout, seed, key), self.features, self.device)

    def full_graph_embedder(self, batch_size: Optional[int] = None):
        bs = batch_size or self.config.hyperparam.eval_batch_size
        if self.ctx.transport == "local":
            return FullGraphEmbedder(self.model, self.graph, self.features, bs, self.device, self.edge_features)
        return DistFullGraphEmbedder(self.model, self.graph, self.features, bs, self.device, self.ctx,
                                     own_edge_rows(self.features),
                                     shared=self.__dict__.setdefault("_halo_shared", {}))


class DistMiniBatchEmbedder(MiniBatchEmbedder):
    """Mini-batch embeddings whose node and edge rows come in the feature source's one packed exchange."""

    def __call__(self, seeds, exclude_eids=None, exclude_etypes=None):
        batch = self.sampler.sample(seeds, exclude_eids=exclude_eids, exclude_etypes=exclude_etypes)
        feats, efeats = fetch_batch(self.features, batch, self.edge_features)
        feats = {t: x.to(self.device) for t, x in feats.items()}
        if efeats is not None:
            efeats = [{et: x.to(self.device) for et, x in e.items()} for e in efeats]
        batch = batch.to(self.device)
        return self.model(batch.blocks, batch.input_nodes, feats, edge_feats=efeats)


def assemble_distributed(cfg, dataset, ctx, device=None, *, checkpoint_info=None,
                         encoder_of=None) -> DistAssembly:
    """:func:`~graphstorm_py.model.assemble.assemble` for a worker (see the module docstring).

    ``checkpoint_info`` (gs-infer) and ``encoder_of`` (training that restores or resumes a GNN) mean
    what they mean there: the encoder takes the checkpoint's edge-type order.
    """
    from graphstorm_py.model.checkpoint import decoder_etypes, encoder_etypes
    from graphstorm_py.tasks import build_tasks

    device = torch.device(device or "cpu")
    if ctx.transport == "local":
        graph = CSCGraph.from_dataset(dataset)
        store = LocalFeatureStore(dataset)
        features = NodeFeatureSource.from_config(store, cfg.gnn.node_feat_name, dataset.ntypes)
        edge_features = EdgeFeatureSource.from_config(store, cfg.gnn.edge_feat_name, dataset.etypes)
    else:
        graph = LocalGraph(dataset, ctx.pmap, ctx.rank)
        store = DistFeatureStore(dataset, ctx)
        names = NodeFeatureSource.from_config(store, cfg.gnn.node_feat_name, dataset.ntypes).feat_names
        edge_features = EdgeFeatureSource.from_config(store, cfg.gnn.edge_feat_name, graph.etypes)
        features = DistNodeFeatureSource(store, names, edge_feat_names=edge_features and edge_features.feat_names)
        edge_features = None                    # the edge rows travel in the features' packed exchange
        if ctx.cache_mb > 0:
            features.cache = RowCache(features, graph, ctx.pmap, ctx.rank, ctx.cache_mb)
    parse_fanout(cfg.gnn.fanout, graph.etypes, key="fanout")
    parse_fanout(cfg.gnn.eval_fanout, graph.etypes, key="eval_fanout")
    etypes = graph.etypes
    if encoder_of is not None:
        etypes = encoder_etypes(encoder_of, graph.etypes, f"graph {dataset.root}")
    if checkpoint_info is None:
        tasks = build_tasks(cfg, dataset)
    else:   # gs-infer: no label or mask needed; the checkpoint's edge-type order
        etypes = encoder_etypes(checkpoint_info, graph.etypes, f"graph {dataset.root}")
        tasks = build_tasks(cfg, dataset, inference=True, decoder_etypes=decoder_etypes(checkpoint_info))
    decoders = {t.name: t.build_decoder(cfg.gnn.hidden_size) for t in tasks}
    edims = getattr(features, "edge_dims", None) or (edge_features.dims if edge_features is not None else None)
    shard = sharded_factory(ctx) if ctx.sparse_embed == "sharded" else None
    model = build_model(cfg.gnn, graph.num_nodes, etypes, features.dims, decoders, edims,
                        make_embedding=shard).to(device)
    sparse = ShardedTables.of(model, ctx)
    if sparse is not None:
        features = WithEmbeddingRows(features, sparse)
    run = DistAssembly(cfg, dataset, graph, features, tasks, model, device, edge_features)
    run.ctx, run.sparse = ctx, sparse
    return run
