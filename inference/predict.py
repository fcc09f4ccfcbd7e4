"""Predictions of a trained task, streamed as ``(dataset name, node type, nids, values)`` chunks.

:data:`PREDICTORS` maps a task type (the YAML section name) to a function
``fn(task, run, embedder, infer_all, batch_size) -> iterator of PredictionChunk``. Node tasks
are here; edge tasks and link prediction register theirs when those tasks exist (their chunks
carry ``src_nid``/``dst_nid`` columns through :attr:`PredictionChunk.columns`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, Mapping, Optional

import torch

from graphstorm_py.errors import ConfigError

__all__ = ["PredictionChunk", "PREDICTORS", "register_predictor", "predict_task"]


@dataclass
class PredictionChunk:
    """A batch of predictions for one node type.

    Attributes:
        ntype: the node type whose original IDs go into ``nid``.
        nids: graph nids of the rows.
        pred: ``[n, C]`` class probabilities, ``[n]``/``[n, 1]`` values or class ids.
        columns: extra columns (e.g. edge endpoints, as ``(ntype, nids)`` to remap).
    """

    ntype: str
    nids: torch.Tensor
    pred: torch.Tensor
    columns: Dict[str, object] = field(default_factory=dict)


Predictor = Callable[..., Iterator[PredictionChunk]]
PREDICTORS: Dict[str, Predictor] = {}


def register_predictor(task_type: str):
    def deco(fn: Predictor) -> Predictor:
        PREDICTORS[task_type] = fn
        return fn
    return deco


def node_targets(task, infer_all: bool) -> torch.Tensor:
    """The nodes to predict: every node of the target type, or the test split."""
    if infer_all:
        return torch.arange(task.dataset.num_nodes(task.ntype), dtype=torch.long)
    if task.split_size("test") == 0:
        raise ConfigError(f"{task.name}: node type {task.ntype!r} has no test nodes (mask "
                          f"{task.config.mask_fields[2]!r}); pass --infer-all-target-nodes to predict every node")
    return task.target_nids("test")


@torch.no_grad()
def _node_predictions(task, run, embedder, infer_all: bool, batch_size: int) -> Iterator[PredictionChunk]:
    decoder = run.model.decoders[task.name]
    for nids in node_targets(task, infer_all).split(batch_size):
        h = embedder({task.ntype: nids})[task.ntype]
        yield PredictionChunk(task.ntype, nids, task.predictions(decoder, h).float().cpu())


register_predictor("node_classification")(_node_predictions)
register_predictor("node_regression")(_node_predictions)


def predict_task(task, run, embedder, infer_all: bool, batch_size: int,
                 predictors: Optional[Mapping[str, Predictor]] = None) -> Iterator[PredictionChunk]:
    fn = (predictors or PREDICTORS).get(task.task_type)
    if fn is None:
        raise ConfigError(f"gs-infer cannot write predictions for {task.task_type!r} tasks yet "
                          f"(supported: {', '.join(sorted(PREDICTORS))}); use --save-embed-path only")
    return fn(task, run, embedder, infer_all, batch_size)
