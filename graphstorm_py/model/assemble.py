"""Everything a training or inference run builds from a config and a graph, in one place.

gs-train and gs-infer both need the same pieces: the graph structure, the input features, the
tasks and the model with one decoder per task. :func:`assemble` builds them from a
:class:`~graphstorm_py.config.TrainConfig` and a graph dataset; :func:`load_trained` rebuilds
a trained model from a checkpoint (its saved config) and restores every layer::

    run = load_trained("models/epoch-2", "graph/")           # gs-infer
    emb = run.full_graph_embedder().all()                     # {ntype: [N, hidden]}, exact
    task = run.tasks[0]
    preds = task.predictions(run.model.decoders[task.name], emb[task.ntype])

:func:`load_trained` (and ``assemble(..., checkpoint_info=...)``) builds the tasks for inference:
they need no label and no mask, so a new graph without them gives embeddings and predictions;
evaluation still works where the graph has labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

import torch

from graphstorm_py.graph import GraphDataset
from graphstorm_py.model.build import build_model
from graphstorm_py.model.checkpoint import (decoder_etypes, encoder_etypes, load_checkpoint_config, read_checkpoint_info,
                                            restore_model)
from graphstorm_py.model.edge_features import EdgeFeatureSource
from graphstorm_py.model.embed import FullGraphEmbedder, MiniBatchEmbedder
from graphstorm_py.model.features import NodeFeatureSource
from graphstorm_py.model.gnn_model import GNNModel
from graphstorm_py.sampling import CSCGraph, NeighborSampler, parse_fanout
from graphstorm_py.store import LocalFeatureStore

__all__ = ["Assembly", "assemble", "load_trained", "open_graph"]


def open_graph(path: str) -> GraphDataset:
    """A graph dataset from a folder, or from a GraphStorm-style ``--part-config`` JSON inside it."""
    return GraphDataset.open(str(path))


@dataclass
class Assembly:
    """The built pieces of a run (see the module docstring)."""

    config: object                 # TrainConfig
    dataset: GraphDataset
    graph: CSCGraph
    features: NodeFeatureSource
    tasks: List                    # List[Task]
    model: GNNModel
    device: torch.device
    edge_features: Optional[EdgeFeatureSource] = None   # edge_feat_name (message passing)

    def sampler(self, fanout: str, seed: Optional[int] = None, key: str = "fanout") -> NeighborSampler:
        """A neighbour sampler for GraphStorm fanout text (``cfg.gnn.fanout`` / ``eval_fanout``)."""
        return NeighborSampler(self.graph, self.fanouts(fanout, key), seed=seed)

    def fanouts(self, fanout: str, key: str = "fanout") -> list:
        """The sampler's per-layer fanouts for fanout text; none of the GNN's layers when the encoder
        has no layers (``learnable_embed``), plus the input-side block of ``construct_feat_ntype``."""
        fanouts = parse_fanout(fanout, self.graph.etypes, key=key) if self.model.gnn.num_layers else []
        fc = self.model.feature_constructor
        if fc is not None:   # an input-side block for construct_feat_ntype: only relations into those types
            k = self.config.gnn.construct_feat_fanout
            fanouts = [{et: (k if tuple(et) in fc.etypes else 0) for et in self.graph.etypes}] + list(fanouts)
        return fanouts

    def minibatch_embedder(self, fanout: str, seed: Optional[int] = None, key: str = "fanout") -> MiniBatchEmbedder:
        return MiniBatchEmbedder(self.model, self.sampler(fanout, seed, key), self.features, self.device,
                                 self.edge_features)

    def full_graph_embedder(self, batch_size: Optional[int] = None) -> FullGraphEmbedder:
        bs = batch_size or self.config.hyperparam.eval_batch_size
        return FullGraphEmbedder(self.model, self.graph, self.features, bs, self.device, self.edge_features)

    def eval_embedder(self):
        """What evaluation uses: mini-batch with ``eval_fanout``, or layer-wise full-graph inference."""
        if self.config.gnn.use_mini_batch_infer:
            return self.minibatch_embedder(self.config.gnn.eval_fanout, self.config.hyperparam.seed + 1,
                                           key="eval_fanout")
        return self.full_graph_embedder()


def assemble(cfg, dataset: GraphDataset, device=None, *, checkpoint_info: Optional[dict] = None,
             encoder_of: Optional[dict] = None) -> Assembly:
    """Build graph, features, tasks and a freshly initialised model (``torch`` RNG decides the weights).

    ``checkpoint_info``: the ``checkpoint.json`` of the model about to be restored; the tasks are
    then built for inference (no label or mask needed) and fit the checkpoint's decoders.
    ``encoder_of``: the ``checkpoint.json`` whose encoder training restores or resumes: the encoder
    takes its edge-type order (tasks are built for training).
    """
    from graphstorm_py.tasks import build_tasks

    device = torch.device(device or "cpu")
    graph = CSCGraph.from_dataset(dataset)
    # check the fanouts against the graph's edge types before anything heavy
    parse_fanout(cfg.gnn.fanout, graph.etypes, key="fanout")
    parse_fanout(cfg.gnn.eval_fanout, graph.etypes, key="eval_fanout")
    store = LocalFeatureStore(dataset)
    features = NodeFeatureSource.from_config(store, cfg.gnn.node_feat_name, dataset.ntypes)
    edge_features = EdgeFeatureSource.from_config(store, cfg.gnn.edge_feat_name, graph.etypes)
    etypes = graph.etypes
    if encoder_of is not None:
        etypes = encoder_etypes(encoder_of, graph.etypes, f"graph {dataset.root}")
    if checkpoint_info is None:
        tasks = build_tasks(cfg, dataset)
    else:
        etypes = encoder_etypes(checkpoint_info, graph.etypes, f"graph {dataset.root}")
        tasks = build_tasks(cfg, dataset, inference=True, decoder_etypes=decoder_etypes(checkpoint_info))
    decoders = {t.name: t.build_decoder(cfg.gnn.hidden_size) for t in tasks}
    from graphstorm_py.lm.build import lm_input_args
    lm_inputs = lm_input_args(cfg, features.store, dataset.ntypes)
    model = build_model(cfg.gnn, graph.num_nodes, etypes, features.dims, decoders,
                        edge_features.dims if edge_features is not None else None, lm_inputs=lm_inputs).to(device)
    return Assembly(cfg, dataset, graph, features, tasks, model, device, edge_features)


def load_trained(checkpoint: str, graph_path: str, device=None) -> Assembly:
    """Rebuild the model of ``checkpoint`` for the graph at ``graph_path`` and restore all its layers."""
    cfg = load_checkpoint_config(checkpoint)
    run = assemble(cfg, open_graph(graph_path), device, checkpoint_info=read_checkpoint_info(checkpoint))
    restore_model(checkpoint, run.model)
    run.model.eval()
    return run
