"""Feature reconstruction tasks (GraphStorm's ``reconstruct_node_feat`` / ``reconstruct_edge_feat``).

Self-supervised auxiliary tasks for ``multi_task_learning``: the target is a feature array instead
of a label, the head regresses the whole feature vector, the loss is the mean squared error and
the metrics are the regression ones.

* :class:`ReconstructNodeFeatTask`: a linear head on the embedding of a ``target_ntype`` node
  predicts its ``reconstruct_nfeat_name`` row. Its embeddings are computed with the last GNN layer's
  self-loop skipped (:meth:`GNNEncoder.last_self_loop_skipped`, rgcn/rgat), in training and in
  evaluation, so the feature cannot simply be copied through; layer-wise evaluation therefore
  computes its own embeddings rather than sharing the cached ones.
* :class:`ReconstructEdgeFeatTask`: an MLP over both endpoint embeddings of a ``target_etype``
  edge predicts its ``reconstruct_efeat_name`` row; as in edge tasks, ``remove_target_edge_type``
  keeps the target edges out of message passing.
"""

from __future__ import annotations

from functools import cached_property
from typing import Mapping

import torch
from torch import nn

from graphstorm_py.nn.decoders import EntityRegression
from graphstorm_py.nn.decoders.edge import MLPEdgeDecoder
from graphstorm_py.nn.losses import REGRESSION_LOSSES
from graphstorm_py.tasks.base import TaskBatch
from graphstorm_py.tasks.edge import EdgeTask
from graphstorm_py.tasks.node import NodeTask
from graphstorm_py.tasks.node_targets import NodeTargets

__all__ = ["ReconstructNodeFeatTask", "ReconstructEdgeFeatTask"]


class ReconstructNodeFeatTask(NodeTask):
    """``reconstruct_node_feat``; see the module docstring."""

    task_type = "reconstruct_node_feat"

    def __init__(self, config, dataset, name=None, **kwargs):
        super().__init__(config, dataset,
                         name or f"reconstruct_node_feat-{config.target_ntype}-{config.reconstruct_nfeat_name}",
                         **kwargs)

    @cached_property
    def all_targets(self):
        c = self.config
        return {self.ntype: NodeTargets(self.dataset, self.ntype, c.reconstruct_nfeat_name, c.mask_fields)}

    @property
    def feat_dim(self) -> int:
        row = self.targets.labels(self.targets.nids["train"][:1])
        return int(_as_rows(row).size(1))

    def _batch(self, nids: torch.Tensor) -> TaskBatch:
        y = self.targets.labels(nids).float()
        return TaskBatch(seeds={self.ntype: nids}, labels=_as_rows(y))

    def build_loss(self, ntype: str) -> nn.Module:
        return REGRESSION_LOSSES.get("mse")()

    def build_head(self, in_dim: int, ntype: str) -> nn.Module:
        return EntityRegression(in_dim, self.feat_dim, num_ffn_layers=self.decoder_ffn_layers, dropout=self.dropout)

    def predict(self, decoder: nn.Module, emb: Mapping[str, torch.Tensor], batch: TaskBatch) -> torch.Tensor:
        return self.head(decoder)(self._h(emb))

    def predictions(self, decoder: nn.Module, h: torch.Tensor) -> torch.Tensor:
        return self.head(decoder)(h)

    def forward_context(self, model: nn.Module):
        return model.gnn.last_self_loop_skipped()

    def evaluate(self, decoder, embedder, split: str, batch_size: int):
        from graphstorm_py.model.embed import FullGraphEmbedder
        if isinstance(embedder, FullGraphEmbedder):   # own layer-wise embeddings, without the last self-loop
            embedder = FullGraphEmbedder(embedder.model, embedder.graph, embedder.features, embedder.batch_size,
                                         embedder.device, getattr(embedder, "edge_features", None))
        with self.forward_context(embedder.model):
            if isinstance(embedder, FullGraphEmbedder):
                embedder.all()
            return super().evaluate(decoder, embedder, split, batch_size)


class ReconstructEdgeFeatTask(EdgeTask):
    """``reconstruct_edge_feat``; see the module docstring."""

    task_type = "reconstruct_edge_feat"
    regression = True

    def build_loss(self) -> nn.Module:
        return REGRESSION_LOSSES.get("mse")()

    @property
    def feat_dim(self) -> int:
        row = self.targets.labels(self.targets.eids["train"][:1])
        return int(_as_rows(row).size(1))

    def make_batch(self, eids: torch.Tensor, with_labels: bool = True) -> TaskBatch:
        batch = super().make_batch(eids, with_labels)
        if batch.labels is not None:
            batch.labels = _as_rows(batch.labels.float())
        return batch

    def build_decoder(self, in_dim: int) -> nn.Module:
        return MLPEdgeDecoder(in_dim, self.feat_dim, dropout=self.dropout, num_ffn_layers=self.decoder_ffn_layers)

    def predict(self, decoder: nn.Module, emb: Mapping[str, torch.Tensor], batch: TaskBatch) -> torch.Tensor:
        return decoder(*self._pair(emb, batch))

    def predictions(self, decoder, emb, batch) -> torch.Tensor:
        return decoder(*self._pair(emb, batch))


def _as_rows(labels: torch.Tensor) -> torch.Tensor:
    """One row per edge, also for an empty batch (``reshape(0, -1)`` cannot infer the width)."""
    return labels.flatten(1) if labels.dim() > 1 else labels.unsqueeze(1)
