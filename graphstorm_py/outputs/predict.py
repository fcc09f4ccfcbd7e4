"""Predictions of a trained task, streamed as ``(dataset name, node type, nids, values)`` chunks.

:data:`PREDICTORS` maps a task type (the YAML section name) to a function
``fn(task, run, embedder, infer_all, batch_size) -> iterator of PredictionChunk``. Node tasks
and edge tasks are here. An edge chunk has ``ntype=None`` (no ``nid`` column; ``nids`` are the
eids) and carries ``src_nid``/``dst_nid`` columns through :attr:`PredictionChunk.columns`,
written in original IDs: ``src_nid, dst_nid, pred`` (class probabilities, or the value).
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
        ntype: the node type whose original IDs go into ``nid`` (``None``: no ``nid`` column).
        nids: graph nids of the rows (eids for edge predictions).
        pred: ``[n, C]`` class probabilities, ``[n]``/``[n, 1]`` values or class ids.
        columns: extra columns (e.g. edge endpoints, as ``(ntype, nids)`` to remap).
    """

    ntype: Optional[str]
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


def edge_targets(task, infer_all: bool) -> torch.Tensor:
    """The edges to predict: every edge of the target type, or the test split."""
    if infer_all:
        return torch.arange(task.dataset.num_edges(task.etype), dtype=torch.long)
    if task.split_size("test") == 0:
        raise ConfigError(f"{task.name}: edge type {','.join(task.etype)!r} has no test edges (mask "
                          f"{task.config.mask_fields[2]!r}); pass --infer-all-target-nodes to predict every edge")
    return task.targets.eids["test"]


@torch.no_grad()
def _edge_predictions(task, run, embedder, infer_all: bool, batch_size: int) -> Iterator[PredictionChunk]:
    decoder = run.model.decoders[task.name]
    embedder = task.embedder_for(embedder)
    for eids in edge_targets(task, infer_all).split(batch_size):
        batch = task.make_batch(eids, with_labels=False)
        emb = embedder(batch.seeds, batch.exclude_eids, batch.exclude_etypes)
        pred = task.predictions(decoder, emb, batch).float().cpu()
        cols = {"src_nid": (task.etype[0], batch.extra["src"]), "dst_nid": (task.etype[2], batch.extra["dst"])}
        yield PredictionChunk(None, eids, pred, cols)


register_predictor("edge_classification")(_edge_predictions)
register_predictor("edge_regression")(_edge_predictions)


def predict_task(task, run, embedder, infer_all: bool, batch_size: int,
                 predictors: Optional[Mapping[str, Predictor]] = None) -> Iterator[PredictionChunk]:
    fn = (predictors or PREDICTORS).get(task.task_type)
    if fn is None:
        raise ConfigError(f"gs-infer cannot write predictions for {task.task_type!r} tasks yet "
                          f"(supported: {', '.join(sorted(PREDICTORS))}); use --save-embed-path only")
    return fn(task, run, embedder, infer_all, batch_size)
register_predictor("link_prediction")(__import__("graphstorm_py.outputs.lp_predict", fromlist=["_"]).lp_predictions)
