"""Node classification and node regression: predict a label per node of ``target_ntype``.

Both share :class:`NodeTask`: the targets are the masked nodes of one type
(:class:`~graphstorm_py.tasks.node_targets.NodeTargets`), a batch embeds exactly those nodes,
and the decoder maps their embeddings to logits or values. They differ in the head, the loss
and what :meth:`~NodeTask.predict` hands the metrics:

========================  ==============================================  ==============================
task                      head / loss                                      predict (for metrics)
========================  ==============================================  ==============================
``node_classification``   :class:`EntityClassifier`; ``class_loss_func``   probabilities ``[n, C]``
                          (cross_entropy with class weights, or focal)
``node_regression``       :class:`EntityRegression`; ``regression_loss_``  values ``[n, 1]``
                          ``func`` (mse or shrinkage)
========================  ==============================================  ==============================
"""

from __future__ import annotations

from functools import cached_property
from typing import Dict, Iterator, Mapping

import torch
from torch import nn

from graphstorm_py.nn.decoders import EntityClassifier, EntityRegression
from graphstorm_py.tasks.base import Task, TaskBatch, batched
from graphstorm_py.tasks.node_targets import NodeTargetLoader, NodeTargets
from graphstorm_py.tasks.supervised import check_class_ids, classification_loss, regression_loss

__all__ = ["NodeTask", "NodeClassificationTask", "NodeRegressionTask"]


class NodeTask(Task):
    """What node tasks share: targets, loaders and batches of the target node type(s).

    With several ``target_ntype`` s each type has its own decoder (a ``ModuleDict`` keyed by node
    type), training batches are drawn from all their training nodes shuffled together, and
    evaluation and predictions use ``eval_target_ntype`` (:attr:`ntype`).

    Args:
        config: the task section (``NodeClassificationConfig`` / ``NodeRegressionConfig``).
        dataset: the graph dataset (labels and masks are read from it).
        name: the task's unique name; default ``<task_type>-<target_ntype>-<label_field>``.
        seed: seeds the shuffling of the training nodes.
        decoder_ffn_layers / dropout: NGNN layers and dropout of the head (``num_ffn_layers_in_decoder``).
    """

    def __init__(self, config, dataset, name: str | None = None, *, seed: int = 0,
                 decoder_ffn_layers: int = 0, dropout: float = 0.0, inference: bool = False):
        self.ntypes = list(getattr(config, "target_ntypes", [config.target_ntype]))
        super().__init__(config, name or f"{config.task_type}-{'-'.join(self.ntypes)}-{config.label_field}",
                         inference=inference)
        self.ntype = getattr(config, "eval_target_ntype", None) or self.ntypes[0]
        self.dataset, self.seed = dataset, seed
        self.decoder_ffn_layers, self.dropout = decoder_ffn_layers, dropout
        self.loss_fns = {t: self.build_loss(t) for t in self.ntypes}   # per type: weights may differ
        self.loss_fn = self.loss_fns[self.ntype]

    @property
    def multi_ntype(self) -> bool:
        return len(self.ntypes) > 1

    @cached_property
    def all_targets(self) -> Dict[str, NodeTargets]:
        """Labels and split nids per target type, read on first use (gs-infer can build a task without labels)."""
        out = {}
        for t in self.ntypes:
            out[t] = NodeTargets(self.dataset, t, self.config.label_field, self.config.mask_fields,
                                 require_labels=not self.inference)
            if out[t].has_labels:
                self.check_labels(out[t])
        return out

    @property
    def targets(self) -> NodeTargets:
        """The targets of the evaluation type :attr:`ntype`."""
        return self.all_targets[self.ntype]

    @cached_property
    def loader(self) -> NodeTargetLoader:
        if not self.multi_ntype:
            return NodeTargetLoader(self.targets.nids["train"], self.config.batch_size, shuffle=True, seed=self.seed)
        pairs = torch.cat([torch.stack([torch.full_like(n, i), n], 1) for i, t in enumerate(self.ntypes)
                           for n in [self.all_targets[t].nids["train"]]])
        return NodeTargetLoader(pairs, self.config.batch_size, shuffle=True, seed=self.seed)

    def check_labels(self, targets: NodeTargets) -> None:
        """Raise a DataError when the labels cannot serve this task."""

    def build_loss(self, ntype: str) -> nn.Module:
        raise NotImplementedError

    # ---- targets --------------------------------------------------------------------------
    def _batch(self, nids: torch.Tensor) -> TaskBatch:
        if nids.dim() == 1:
            return TaskBatch(seeds={self.ntype: nids}, labels=self.targets.labels(nids))
        seeds, labels = {}, {}
        for i, t in enumerate(self.ntypes):        # [n, 2] (type index, nid) pairs of several types
            ids = nids[nids[:, 0] == i, 1]
            if ids.numel():
                seeds[t], labels[t] = ids, self.all_targets[t].labels(ids)
        return TaskBatch(seeds=seeds, extra={"labels": labels})

    def train_batches(self, epoch: int) -> Iterator[TaskBatch]:
        return (self._batch(nids) for nids in self.loader)

    def num_train_batches(self) -> int:
        return len(self.loader)

    def eval_batches(self, split: str, batch_size: int) -> Iterator[TaskBatch]:
        return (self._batch(nids) for nids in batched(self.targets.nids[split], batch_size))

    def split_size(self, split: str) -> int:
        return int(self.targets.nids[split].numel())

    def target_nids(self, split: str) -> torch.Tensor:
        """nids of a split (``train``, ``val``, ``test``) of :attr:`ntype`."""
        return self.targets.nids[split]

    # ---- model side -----------------------------------------------------------------------
    def _h(self, emb: Mapping[str, torch.Tensor]) -> torch.Tensor:
        return emb[self.ntype]

    def head(self, decoder: nn.Module, ntype: str | None = None) -> nn.Module:
        """The decoder of ``ntype`` (default :attr:`ntype`): the per-type one with several target types."""
        return decoder[ntype or self.ntype] if isinstance(decoder, nn.ModuleDict) else decoder

    def build_decoder(self, in_dim: int) -> nn.Module:
        if not self.multi_ntype:
            return self.build_head(in_dim, self.ntype)
        return nn.ModuleDict({t: self.build_head(in_dim, t) for t in self.ntypes})

    def build_head(self, in_dim: int, ntype: str) -> nn.Module:
        raise NotImplementedError

    def loss(self, decoder: nn.Module, emb: Mapping[str, torch.Tensor], batch: TaskBatch) -> torch.Tensor:
        if batch.labels is not None:
            out = self.head(decoder)(self._h(emb))
            return self.loss_fn(out, batch.labels.to(out.device))
        total, count = 0.0, 0
        for t, y in batch.extra["labels"].items():
            out = self.head(decoder, t)(emb[t])
            total = total + self.loss_fns[t](out, y.to(out.device)) * y.size(0)
            count += y.size(0)
        return total / max(count, 1)

    def state_dict(self) -> Dict[str, torch.Tensor]:
        return {"loader_rng": self.loader.generator.get_state()}

    def load_state_dict(self, state) -> None:
        if "loader_rng" in state:
            self.loader.generator.set_state(state["loader_rng"])


class NodeClassificationTask(NodeTask):
    """``node_classification``: logits over ``num_classes`` (or independent labels if ``multilabel``)."""

    task_type = "node_classification"

    def check_labels(self, targets: NodeTargets) -> None:
        nids = targets.all_labelled()
        if nids.numel() and not self.config.multilabel_of(targets.ntype):
            check_class_ids(self.config, targets.labels(nids), "node_classification", targets.ntype, "nodes")

    def build_loss(self, ntype: str) -> nn.Module:
        return classification_loss(self.config, ntype)

    def build_head(self, in_dim: int, ntype: str) -> nn.Module:
        c = self.config
        return EntityClassifier(in_dim, c.classes_of(ntype), c.multilabel_of(ntype), num_ffn_layers=self.decoder_ffn_layers,
                                dropout=self.dropout, use_bias=self.decoder_bias, norm=self.decoder_norm)

    def predict(self, decoder: nn.Module, emb: Mapping[str, torch.Tensor], batch: TaskBatch) -> torch.Tensor:
        return self.head(decoder).predict_proba(self._h(emb))

    def predictions(self, decoder: nn.Module, h: torch.Tensor, ntype: str | None = None) -> torch.Tensor:
        """What gs-infer writes for nodes of ``ntype`` (default :attr:`ntype`): probabilities when
        ``return_proba``, else class ids."""
        head = self.head(decoder, ntype)
        return head.predict_proba(h) if self.config.return_proba else head.predict(h)


class NodeRegressionTask(NodeTask):
    """``node_regression``: one value per node."""

    task_type = "node_regression"

    def build_loss(self, ntype: str) -> nn.Module:
        return regression_loss(self.config)

    def build_head(self, in_dim: int, ntype: str) -> nn.Module:
        return EntityRegression(in_dim, 1, num_ffn_layers=self.decoder_ffn_layers, dropout=self.dropout,
                                use_bias=self.decoder_bias, norm=self.decoder_norm)

    def predict(self, decoder: nn.Module, emb: Mapping[str, torch.Tensor], batch: TaskBatch) -> torch.Tensor:
        return self.head(decoder)(self._h(emb))

    def predictions(self, decoder: nn.Module, h: torch.Tensor, ntype: str | None = None) -> torch.Tensor:
        """What gs-infer writes for nodes of ``ntype`` (default :attr:`ntype`): the values ``[n, 1]``."""
        return self.head(decoder, ntype)(h)
