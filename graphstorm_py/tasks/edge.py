"""Edge classification and edge regression: predict a label per edge of ``target_etype``.

A batch is a slice of target eids (shuffled every epoch in training). Its seeds are the unique
endpoints of those edges (:func:`~graphstorm_py.sampling.dedupe_seeds`), so the neighbourhoods
of *both* endpoints are sampled; ``extra["src_idx"]`` / ``extra["dst_idx"]`` index the seeds'
embeddings back to each edge. The decoder (``decoder_type``: ``DenseBiDecoder``, GC-MC's
bilinear decoder, or ``MLPDecoder``, which also reads ``decoder_edge_feat`` by eid) maps the
pair of embeddings to logits or a value:

========================  ==========================================  ===========================
task                      loss                                        predict (for metrics)
========================  ==========================================  ===========================
``edge_classification``   ``class_loss_func`` (cross entropy with     probabilities ``[n, C]``
                          ``imbalance_class_weights``, or focal)
``edge_regression``       ``regression_loss_func`` (mse, shrinkage)   values ``[n, 1]``
========================  ==========================================  ===========================

**Leakage control** (``remove_target_edge_type``, default true): the target edge type and its
reverse (``reverse_edge_types_map``, else the graph's recorded reverse) carry no messages at
all, in training, evaluation and gs-infer (``TaskBatch.exclude_etypes``; for full-graph
inference the embeddings are computed on the graph without those types). So an edge's label
can never reach its endpoints' embeddings. When the target type is the graph's only relation
(MovieLens), this leaves no message passing; set it ``false`` there, as GraphStorm's
``ml_ec.yaml`` does. Messages then carry node features only, never labels, and the val/test
target edges and their reverses are still excluded (``TaskBatch.exclude_eids``), so the
graph seen in training and evaluation is the training graph (as in GC-MC).
"""

from __future__ import annotations

from functools import cached_property
from typing import Dict, Iterator, List, Mapping, Optional

import torch
from torch import nn

from graphstorm_py.errors import ConfigError, DataError
from graphstorm_py.nn.decoders import EDGE_DECODERS
from graphstorm_py.sampling import CSCGraph
from graphstorm_py.tasks.base import Task, TaskBatch, batched
from graphstorm_py.tasks.edge_targets import EdgeTargets
from graphstorm_py.tasks.node_targets import NodeTargetLoader
from graphstorm_py.tasks.supervised import check_class_ids, classification_loss, regression_loss
from graphstorm_py.typing import EdgeType

__all__ = ["EdgeTask", "EdgeClassificationTask", "EdgeRegressionTask", "pruned_full_embedder"]


def pruned_full_embedder(embedder, etypes: List[EdgeType], eids: Mapping[EdgeType, torch.Tensor]):
    """A full-graph embedder like ``embedder`` over its graph without ``etypes`` and without ``eids``."""
    from graphstorm_py.model.embed import FullGraphEmbedder
    graph = embedder.graph
    csc, eid_maps = {}, {}
    for et, (indptr, indices) in graph.csc.items():
        if et in etypes:
            csc[et] = (torch.zeros_like(indptr), indices[:0])
        elif et in eids:
            keep = torch.ones(indices.numel(), dtype=torch.bool, device=indices.device)
            keep[eids[et].to(indices.device)] = False
            dst = torch.repeat_interleave(torch.arange(indptr.numel() - 1, device=indptr.device),
                                          indptr[1:] - indptr[:-1])
            new_ptr = torch.zeros_like(indptr)
            torch.cumsum(torch.bincount(dst[keep], minlength=indptr.numel() - 1), 0, out=new_ptr[1:])
            csc[et] = (new_ptr, indices[keep])
            eid_maps[et] = torch.nonzero(keep).flatten().cpu()   # pruned position -> eid (edge features)
        else:
            csc[et] = (indptr, indices)
    from graphstorm_py.model.edge_features import remap_edge_features
    return FullGraphEmbedder(embedder.model, CSCGraph(csc, dict(graph.num_nodes)), embedder.features,
                             embedder.batch_size, embedder.device,
                             remap_edge_features(getattr(embedder, "edge_features", None), eid_maps))


class EdgeTask(Task):
    """What edge tasks share. Arguments as :class:`~graphstorm_py.tasks.node.NodeTask`."""

    regression = False

    def __init__(self, config, dataset, name: Optional[str] = None, *, seed: int = 0,
                 decoder_ffn_layers: int = 0, dropout: float = 0.0, inference: bool = False):
        et = config.etype
        super().__init__(config, name or f"{config.task_type}-{'_'.join(et)}-{config.label_field}",
                         inference=inference)
        self.etype, self.dataset, self.seed = tuple(et), dataset, seed
        self.decoder_ffn_layers, self.dropout = decoder_ffn_layers, dropout
        if config.decoder_edge_feat and config.decoder_type != "MLPDecoder":
            raise ConfigError(f"{config.task_type}: decoder_edge_feat needs decoder_type 'MLPDecoder' "
                              f"(got {config.decoder_type!r})")
        if self.etype not in [tuple(e) for e in dataset.etypes]:
            self.targets  # the ConfigError naming the graph's edge types
        self.loss_fn = self.build_loss()

    @property
    def output_name(self) -> str:
        """gs-infer's prediction folder: ``src_rel_dst`` (GraphStorm's edge-type folder name)."""
        return "_".join(self.etype)

    @cached_property
    def targets(self) -> EdgeTargets:
        c = self.config
        t = EdgeTargets(self.dataset, self.etype, c.label_field, c.mask_fields, c.reverse_edge_types_map,
                        c.decoder_edge_feat, require_labels=not self.inference)
        if t.has_labels:
            self.check_labels(t)
        return t

    @cached_property
    def loader(self) -> NodeTargetLoader:
        return NodeTargetLoader(self.targets.eids["train"], self.config.batch_size, shuffle=True, seed=self.seed)

    def check_labels(self, targets: EdgeTargets) -> None:
        """Raise a DataError when the labels cannot serve this task."""

    def build_loss(self) -> nn.Module:
        raise NotImplementedError

    @property
    def excluded_etypes(self) -> List[EdgeType]:
        return self.targets.removed_etypes if self.config.remove_target_edge_type else []

    @cached_property
    def held_out(self) -> Dict[EdgeType, torch.Tensor]:
        """Val/test target edges and their reverses: never message carriers when the target type is kept."""
        if self.config.remove_target_edge_type:
            return {}
        t = self.targets
        return t.with_reverse(torch.cat([t.eids["val"], t.eids["test"]]))

    # ---- targets --------------------------------------------------------------------------
    def make_batch(self, eids: torch.Tensor, with_labels: bool = True) -> TaskBatch:
        """The batch of target edges ``eids``: unique endpoint seeds and their inverse indices."""
        src, dst = self.targets.endpoints(eids)
        s_t, _, d_t = self.etype
        if s_t == d_t:
            uniq, inv = torch.unique(torch.cat([src, dst]), return_inverse=True)
            seeds, src_idx, dst_idx = {s_t: uniq}, inv[:len(src)], inv[len(src):]
        else:
            (su, si), (du, di) = (torch.unique(x, return_inverse=True) for x in (src, dst))
            seeds, src_idx, dst_idx = {s_t: su, d_t: du}, si, di
        return TaskBatch(seeds=seeds, labels=self.targets.labels(eids) if with_labels else None,
                         exclude_etypes=self.excluded_etypes or None, exclude_eids=self.held_out or None,
                         extra={"eids": eids, "src": src, "dst": dst, "src_idx": src_idx, "dst_idx": dst_idx,
                                "edge_feat": self.targets.edge_feats(eids)})

    def train_batches(self, epoch: int) -> Iterator[TaskBatch]:
        return (self.make_batch(eids) for eids in self.loader)

    def num_train_batches(self) -> int:
        return len(self.loader)

    def eval_batches(self, split: str, batch_size: int) -> Iterator[TaskBatch]:
        return (self.make_batch(eids) for eids in batched(self.targets.eids[split], batch_size))

    def split_size(self, split: str) -> int:
        return int(self.targets.eids[split].numel())

    # ---- model side -----------------------------------------------------------------------
    def build_decoder(self, in_dim: int) -> nn.Module:
        c = self.config
        out = 1 if self.regression else c.num_classes
        multilabel = False if self.regression else c.multilabel
        cls = EDGE_DECODERS.get(c.decoder_type, key="decoder_type")
        if c.decoder_type == "DenseBiDecoder":
            return cls(in_dim, out, multilabel, num_basis=c.num_decoder_basis, dropout=self.dropout,
                       regression=self.regression)
        return cls(in_dim, out, multilabel, dropout=self.dropout, regression=self.regression,
                   num_ffn_layers=self.decoder_ffn_layers, edge_feat_dim=self.targets.edge_feat_dim(),
                   norm=self.decoder_norm)

    def _pair(self, emb: Mapping[str, torch.Tensor], batch: TaskBatch):
        x = batch.extra
        hs = emb[self.etype[0]][x["src_idx"].to(emb[self.etype[0]].device)]
        hd = emb[self.etype[2]][x["dst_idx"].to(emb[self.etype[2]].device)]
        ef = x["edge_feat"]
        return hs, hd, None if ef is None else ef.to(hs.device)

    def loss(self, decoder: nn.Module, emb: Mapping[str, torch.Tensor], batch: TaskBatch) -> torch.Tensor:
        out = decoder(*self._pair(emb, batch))
        return self.loss_fn(out, batch.labels.to(out.device))

    def predict(self, decoder: nn.Module, emb: Mapping[str, torch.Tensor], batch: TaskBatch) -> torch.Tensor:
        return decoder.predict_proba(*self._pair(emb, batch))

    def predictions(self, decoder: nn.Module, emb: Mapping[str, torch.Tensor], batch: TaskBatch) -> torch.Tensor:
        """What gs-infer writes: probabilities (``return_proba``) or class ids; values for regression."""
        if self.regression or self.config.return_proba:
            return decoder.predict_proba(*self._pair(emb, batch))
        return decoder.predict(*self._pair(emb, batch))

    def embedder_for(self, embedder):
        """``embedder``, or for full-graph inference one over the graph without the removed types."""
        from graphstorm_py.model.embed import FullGraphEmbedder
        if isinstance(embedder, FullGraphEmbedder) and (self.excluded_etypes or self.held_out):
            return pruned_full_embedder(embedder, self.excluded_etypes, self.held_out)
        return embedder

    def evaluate(self, decoder, embedder, split: str, batch_size: int):
        return super().evaluate(decoder, self.embedder_for(embedder), split, batch_size)

    def state_dict(self) -> Dict[str, torch.Tensor]:
        return {"loader_rng": self.loader.generator.get_state()}

    def load_state_dict(self, state) -> None:
        if "loader_rng" in state:
            self.loader.generator.set_state(state["loader_rng"])


class EdgeClassificationTask(EdgeTask):
    """``edge_classification``: logits over ``num_classes`` (independent labels if ``multilabel``)."""

    task_type = "edge_classification"

    def check_labels(self, targets: EdgeTargets) -> None:
        eids = targets.all_labelled()
        if eids.numel() and not self.config.multilabel:
            check_class_ids(self.config, targets.labels(eids), "edge_classification", ','.join(self.etype), "edges")

    def build_loss(self) -> nn.Module:
        return classification_loss(self.config)


class EdgeRegressionTask(EdgeTask):
    """``edge_regression``: one value per edge."""

    task_type = "edge_regression"
    regression = True

    def build_loss(self) -> nn.Module:
        return regression_loss(self.config)

    def check_labels(self, targets: EdgeTargets) -> None:
        y = targets.labels(targets.eids["train"][:1])
        if y.dim() > 1 and y.shape[1] != 1:
            raise DataError(f"edge_regression: label {self.config.label_field!r} has {y.shape[1]} columns; "
                            "one value per edge is expected")
