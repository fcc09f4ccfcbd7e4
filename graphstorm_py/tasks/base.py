"""The Task interface: a target loader, a decoder, a loss and metrics.

The trainer has one loop for every task (STYLE point 6). A task supplies:

============================  =======================================================================
method                        what it does
============================  =======================================================================
:meth:`Task.train_batches`    the epoch's shuffled :class:`TaskBatch` es (which nodes to embed, labels)
:meth:`Task.eval_batches`     the same for the ``"val"`` / ``"test"`` split, unshuffled
:meth:`Task.build_decoder`    the head put in ``model.decoders[task.name]``
:meth:`Task.loss`             the training loss of one batch, from its embeddings
:meth:`Task.predict`          what the metrics compare with the labels (probabilities, values, ranks)
:meth:`Task.compute_metrics`  ``{metric name: value}`` for every ``eval_metric``; the first selects models
============================  =======================================================================

and the base class writes evaluation once (:meth:`Task.evaluate`): ask an
:class:`~graphstorm_py.model.embed.Embedder` for the batch's embeddings, predict, gather,
compute the metrics. A new task (edge classification, link prediction, ...) subclasses
:class:`Task`, registers itself in :data:`~graphstorm_py.tasks.TASKS` under its YAML section
name, and needs no change in the trainer, the model or the checkpoints.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional

import torch
from torch import nn

from graphstorm_py.eval import Metric, get_metric
from graphstorm_py.typing import EdgeType

__all__ = ["Task", "TaskBatch", "SPLITS"]

SPLITS = ("train", "val", "test")


@dataclass
class TaskBatch:
    """One mini-batch of a task.

    Attributes:
        seeds: ``{ntype: unique nids}`` whose embeddings the task needs.
        labels: the targets, aligned with what :meth:`Task.predict` returns (``None`` if none).
        exclude_eids / exclude_etypes: edges that must not carry messages for this batch
            (leakage control of edge tasks); passed to the sampler.
        extra: task-specific payload, e.g. indices of edge endpoints into ``seeds``.
    """

    seeds: Dict[str, torch.Tensor]
    labels: Optional[torch.Tensor] = None
    exclude_eids: Optional[Dict[EdgeType, torch.Tensor]] = None
    exclude_etypes: Optional[List[EdgeType]] = None
    extra: Dict[str, Any] = field(default_factory=dict)


class Task(ABC):
    """Base class of the tasks. ``config`` is the task's section of the training config.

    Attributes:
        name: unique name; the key of the task's decoder and of its metrics.
        weight: the task's loss weight (``task_weight``) in multi-task learning.
        metrics: :class:`~graphstorm_py.eval.Metric` per ``eval_metric``, in order.
        inference: built for gs-infer: what only training needs (labels, train masks, training
            negatives) is neither required nor checked, so a new graph without them works.
    """

    task_type: str = ""
    decoder_norm = None     # gnn.decoder_norm / gnn.decoder_bias, set by build_tasks
    decoder_bias = False

    def __init__(self, config, name: str, *, inference: bool = False):
        self.config = config
        self.inference = inference
        self.name = name.replace(".", "_")  # a ModuleDict key cannot hold "."
        self.weight = float(getattr(config, "task_weight", 1.0))
        self.metrics: List[Metric] = [get_metric(m) for m in config.eval_metric]

    @property
    def main_metric(self) -> Metric:
        """The metric that selects the best model (the first ``eval_metric``)."""
        return self.metrics[0]

    # ---- targets --------------------------------------------------------------------------
    @abstractmethod
    def train_batches(self, epoch: int) -> Iterator[TaskBatch]:
        """The training batches of one epoch, shuffled reproducibly."""

    @abstractmethod
    def num_train_batches(self) -> int:
        """How many batches :meth:`train_batches` yields."""

    @abstractmethod
    def eval_batches(self, split: str, batch_size: int) -> Iterator[TaskBatch]:
        """Batches of the ``val`` or ``test`` split, in a fixed order."""

    @abstractmethod
    def split_size(self, split: str) -> int:
        """Number of targets in a split (0: the split is empty or absent)."""

    # ---- model side -----------------------------------------------------------------------
    @abstractmethod
    def build_decoder(self, in_dim: int) -> nn.Module:
        """The task head, fed ``in_dim``-wide embeddings."""

    @abstractmethod
    def loss(self, decoder: nn.Module, emb: Mapping[str, torch.Tensor], batch: TaskBatch) -> torch.Tensor:
        """Scalar training loss of a batch given its embeddings ``{ntype: [n_seeds, in_dim]}``."""

    @abstractmethod
    def predict(self, decoder: nn.Module, emb: Mapping[str, torch.Tensor], batch: TaskBatch) -> torch.Tensor:
        """What :meth:`compute_metrics` compares with ``batch.labels``."""

    def forward_context(self, model: nn.Module):
        """A context the embeddings of this task's batches are computed in (default: none).
        Feature reconstruction skips the last GNN layer's self-loop here."""
        return nullcontext()

    # ---- metrics --------------------------------------------------------------------------
    def compute_metrics(self, preds: torch.Tensor, labels: torch.Tensor) -> Dict[str, Any]:
        """``{name: value}`` of every metric."""
        return {m.name: m(preds, labels) for m in self.metrics}

    def state_dict(self) -> Dict[str, Any]:
        """Random state of the loaders, saved with checkpoints so that a resumed run reproduces."""
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        pass

    @torch.no_grad()
    def evaluate(self, decoder: nn.Module, embedder, split: str, batch_size: int) -> Optional[Dict[str, Any]]:
        """Metrics of ``split`` with embeddings from ``embedder``; ``None`` if the split is empty."""
        if self.split_size(split) == 0:
            return None
        preds, labels = [], []
        for batch in self.eval_batches(split, batch_size):
            emb = embedder(batch.seeds, batch.exclude_eids, batch.exclude_etypes)
            preds.append(self.predict(decoder, emb, batch).cpu())
            labels.append(batch.labels.cpu() if batch.labels is not None else None)
        label = None if labels[0] is None else torch.cat(labels)
        return self.compute_metrics(torch.cat(preds), label)


def batched(ids: torch.Tensor, batch_size: int) -> Iterable[torch.Tensor]:
    """Consecutive slices of ``ids`` of at most ``batch_size``."""
    return ids.split(batch_size) if ids.numel() else ()
