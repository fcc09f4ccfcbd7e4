"""Everything a training or inference run builds from a config and a graph, in one place.

gs-train and gs-infer both need the same pieces: the graph structure, the input features, the
tasks and the model with one decoder per task. :func:`assemble` builds them from a
:class:`~graphstorm_py.config.TrainConfig` and a graph dataset; :func:`load_trained` rebuilds
a trained model from a checkpoint (its saved config) and restores every layer::

    run = load_trained("models/epoch-2", "graph/")           # gs-infer
    emb = run.full_graph_embedder().all()                     # {ntype: [N, hidden]}, exact
    task = run.tasks[0]
    preds = task.predictions(run.model.decoders[task.name], emb[task.ntype])

Tasks read labels lazily, so :func:`load_trained` works on a graph without labels as long as
only embeddings and predictions are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

import torch

from graphstorm_py.graph import GraphDataset
from graphstorm_py.model.build import build_model
from graphstorm_py.model.checkpoint import load_checkpoint_config, restore_model
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

    def sampler(self, fanout: str, seed: Optional[int] = None, key: str = "fanout") -> NeighborSampler:
        """A neighbour sampler for GraphStorm fanout text (``cfg.gnn.fanout`` / ``eval_fanout``)."""
        return NeighborSampler(self.graph, parse_fanout(fanout, self.graph.etypes, key=key), seed=seed)

    def minibatch_embedder(self, fanout: str, seed: Optional[int] = None, key: str = "fanout") -> MiniBatchEmbedder:
        return MiniBatchEmbedder(self.model, self.sampler(fanout, seed, key), self.features, self.device)

    def full_graph_embedder(self, batch_size: Optional[int] = None) -> FullGraphEmbedder:
        bs = batch_size or self.config.hyperparam.eval_batch_size
        return FullGraphEmbedder(self.model, self.graph, self.features, bs, self.device)

    def eval_embedder(self):
        """What evaluation uses: mini-batch with ``eval_fanout``, or layer-wise full-graph inference."""
        if self.config.gnn.use_mini_batch_infer:
            return self.minibatch_embedder(self.config.gnn.eval_fanout, self.config.hyperparam.seed + 1,
                                           key="eval_fanout")
        return self.full_graph_embedder()


def assemble(cfg, dataset: GraphDataset, device=None) -> Assembly:
    """Build graph, features, tasks and a freshly initialised model (``torch`` RNG decides the weights)."""
    from graphstorm_py.tasks import build_tasks

    device = torch.device(device or "cpu")
    graph = CSCGraph.from_dataset(dataset)
    # check the fanouts against the graph's edge types before anything heavy
    parse_fanout(cfg.gnn.fanout, graph.etypes, key="fanout")
    parse_fanout(cfg.gnn.eval_fanout, graph.etypes, key="eval_fanout")
    features = NodeFeatureSource.from_config(LocalFeatureStore(dataset), cfg.gnn.node_feat_name, dataset.ntypes)
    tasks = build_tasks(cfg, dataset)
    decoders = {t.name: t.build_decoder(cfg.gnn.hidden_size) for t in tasks}
    from graphstorm_py.lm.build import lm_input_args
    lm_inputs = lm_input_args(cfg, features.store, dataset.ntypes)
    model = build_model(cfg.gnn, graph.num_nodes, graph.etypes, features.dims, decoders, lm_inputs).to(device)
    return Assembly(cfg, dataset, graph, features, tasks, model, device)


def load_trained(checkpoint: str, graph_path: str, device=None) -> Assembly:
    """Rebuild the model of ``checkpoint`` for the graph at ``graph_path`` and restore all its layers."""
    cfg = load_checkpoint_config(checkpoint)
    run = assemble(cfg, open_graph(graph_path), device)
    restore_model(checkpoint, run.model)
    run.model.eval()
    return run
