"""Embedders: ``seeds -> embeddings``, by mini-batch sampling or by layer-wise full-graph inference.

Tasks never call the model directly. They ask an *embedder* for the embeddings of their
target nodes, so one task code path serves training, both evaluation modes and gs-infer:

* :class:`MiniBatchEmbedder` samples the seeds' neighbourhoods (``fanout`` in training,
  ``eval_fanout`` in evaluation), gathers the input features and runs the model. It keeps
  autograd on; evaluation wraps it in ``torch.no_grad()``.
* :class:`FullGraphEmbedder` runs the GNN layer by layer over *all* nodes once
  (:meth:`GNNModel.full_graph_embeddings`, exact, ``O(L·|E|)``), caches the result and
  answers every call by indexing it. :meth:`FullGraphEmbedder.refresh` drops the cache after
  the weights change. GraphStorm's ``use_mini_batch_infer: false``.

Both are called the same way::

    emb = embedder({"movie": nids})                  # {"movie": [len(nids), hidden]}
    emb = embedder(seeds, exclude_eids={etype: eids})  # leakage control (link prediction)

Seeds must be unique per node type (see :func:`~graphstorm_py.sampling.dedupe_seeds`).
"""

from __future__ import annotations

from typing import Dict, Iterable, Mapping, Optional

import torch

from graphstorm_py.model.gnn_model import FeatureFn, GNNModel
from graphstorm_py.sampling.csc_graph import CSCGraph
from graphstorm_py.sampling.neighbor_sampler import NeighborSampler
from graphstorm_py.typing import EdgeType

__all__ = ["Embedder", "MiniBatchEmbedder", "FullGraphEmbedder"]


class Embedder:
    """The interface: ``__call__(seeds, exclude_eids=None, exclude_etypes=None) -> {ntype: emb}``."""

    def __call__(self, seeds: Mapping[str, torch.Tensor],
                 exclude_eids: Optional[Mapping[EdgeType, torch.Tensor]] = None,
                 exclude_etypes: Optional[Iterable[EdgeType]] = None) -> Dict[str, torch.Tensor]:
        raise NotImplementedError


class MiniBatchEmbedder(Embedder):
    """Sample, gather features, run the model on the blocks.

    Args:
        model: the model (its mode, train or eval, is the caller's business).
        sampler: a neighbour sampler with as many layers as the GNN.
        features: input features of nodes, e.g. a :class:`NodeFeatureSource`.
        device: where the model runs; blocks and features are moved there.
    """

    def __init__(self, model: GNNModel, sampler: NeighborSampler, features: FeatureFn, device=None,
                 edge_features=None):
        self.model, self.sampler, self.features = model, sampler, features
        self.edge_features = edge_features   # EdgeFeatureSource (edge_feat_name) or None
        self.device = torch.device(device) if device is not None else model.device

    def __call__(self, seeds, exclude_eids=None, exclude_etypes=None) -> Dict[str, torch.Tensor]:
        batch = self.sampler.sample(seeds, exclude_eids=exclude_eids, exclude_etypes=exclude_etypes)
        input_nodes = batch.input_nodes
        feats = {t: x.to(self.device) for t, x in self.features(input_nodes).items()}
        efeats = None
        if self.edge_features is not None:
            efeats = [{et: x.to(self.device) for et, x in self.edge_features(b.eids).items()} for b in batch.blocks]
        batch = batch.to(self.device)
        return self.model(batch.blocks, batch.input_nodes, feats, edge_feats=efeats)


class FullGraphEmbedder(Embedder):
    """Embeddings of all nodes computed once by layer-wise inference, then indexed.

    Exclusions are ignored: full-graph embeddings use every edge (as in GraphStorm).

    Args:
        model, features, device: as for :class:`MiniBatchEmbedder`.
        graph: the whole graph structure.
        batch_size: destination nodes per inference step (GraphStorm's ``eval_batch_size``).
    """

    def __init__(self, model: GNNModel, graph: CSCGraph, features: FeatureFn, batch_size: int = 4096,
                 device=None, edge_features=None):
        self.model, self.graph, self.features = model, graph, features
        self.edge_features = edge_features
        self.batch_size = batch_size
        self.device = torch.device(device) if device is not None else model.device
        self._cache: Optional[Dict[str, torch.Tensor]] = None

    def all(self) -> Dict[str, torch.Tensor]:
        """``{ntype: [num_nodes, hidden]}`` on CPU, computed on first use."""
        if self._cache is None:
            self._cache = self.model.full_graph_embeddings(self.graph.csc, self.graph.num_nodes, self.features,
                                                           batch_size=self.batch_size, device=self.device,
                                                           edge_features=self.edge_features)
        return self._cache

    def refresh(self) -> None:
        """Forget the cached embeddings (call after the model's weights changed)."""
        self._cache = None

    def __call__(self, seeds, exclude_eids=None, exclude_etypes=None) -> Dict[str, torch.Tensor]:
        table = self.all()
        return {t: table[t][ids.cpu().long()].to(self.device) for t, ids in seeds.items()}
