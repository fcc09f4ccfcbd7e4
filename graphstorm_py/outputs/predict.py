"""Predictions of a trained task, streamed as ``(dataset name, node type, nids, values)`` chunks.

:data:`PREDICTORS` maps a task type (the YAML section name) to a function
``fn(task, run, embedder, infer_all, batch_size) -> iterator of PredictionChunk``. Node tasks
and edge tasks are here. An edge chunk has ``ntype=None`` (no ``nid`` column; ``nids`` are the
eids) and carries ``src_nid``/``dst_nid`` columns through :attr:`PredictionChunk.columns`,
written in original IDs: ``src_nid, dst_nid, pred`` (class probabilities, or the value).

**Which targets** (:func:`inference_targets`, GraphStorm's rule): with
``--infer-all-target-nodes`` every node/edge of the target type; else those of the test mask
(the third of ``mask_fields``) when the graph has that mask; else, as on a new graph without
labels or masks, every node/edge of the target type. A log line says which. A test mask that
is present but selects nothing is an error (pass ``--infer-all-target-nodes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import logging
from typing import Callable, Dict, Iterator, Mapping, Optional

import numpy as np
import torch

from graphstorm_py.errors import ConfigError

__all__ = ["PredictionChunk", "PREDICTORS", "register_predictor", "predict_task", "inference_targets"]

log = logging.getLogger(__name__)


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


def inference_targets(name: str, what: str, count: int, mask_name: str, read_mask: Callable[[], Optional[np.ndarray]],
                      infer_all: bool) -> torch.Tensor:
    """Ids of the ``count`` targets (``what``: e.g. ``"nodes of type 'item'"``) to predict; see the module docstring.

    ``read_mask()`` returns the test mask, or ``None`` when the graph does not have it.
    """
    every = torch.arange(count, dtype=torch.long)
    if infer_all:
        log.info("%s: predicting all %d %s (--infer-all-target-nodes)", name, count, what)
        return every
    mask = read_mask()
    if mask is None:
        log.info("%s: the %s have no test mask %r: predicting all %d of them", name, what, mask_name, count)
        return every
    ids = torch.from_numpy(np.flatnonzero(np.asarray(mask).reshape(-1)).astype(np.int64))
    if ids.numel() == 0:
        raise ConfigError(f"{name}: the {what} have a test mask {mask_name!r} that selects none of them; "
                          "pass --infer-all-target-nodes to predict every one")
    log.info("%s: predicting the %d of %d %s in test mask %r", name, ids.numel(), count, what, mask_name)
    return ids


def node_targets(task, infer_all: bool, ntype: Optional[str] = None) -> torch.Tensor:
    """The nodes of ``ntype`` (default the task's :attr:`ntype`) to predict (:func:`inference_targets`)."""
    ds, ntype, mask = task.dataset, ntype or task.ntype, task.config.mask_fields[2]
    if ntype not in ds.ntypes:
        task.targets   # the ConfigError naming the graph's node types
    return inference_targets(task.name, f"nodes of type {ntype!r}", ds.num_nodes(ntype), mask,
                             lambda: ds.node_array(ntype, mask) if ds.has_node_array(ntype, mask) else None,
                             infer_all)


@torch.no_grad()
def _node_predictions(task, run, embedder, infer_all: bool, batch_size: int) -> Iterator[PredictionChunk]:
    """Chunks of the evaluation type, or of every target type in turn when the task has several."""
    decoder = run.model.decoders[task.name]
    for ntype in (task.ntypes if getattr(task, "multi_ntype", False) else [task.ntype]):
        for nids in node_targets(task, infer_all, ntype).split(batch_size):
            h = embedder({ntype: nids})[ntype]
            yield PredictionChunk(ntype, nids, task.predictions(decoder, h, ntype).float().cpu())


register_predictor("node_classification")(_node_predictions)
register_predictor("node_regression")(_node_predictions)


def edge_targets(task, infer_all: bool) -> torch.Tensor:
    """The edges to predict (:func:`inference_targets`)."""
    ds, et, mask = task.dataset, task.etype, task.config.mask_fields[2]
    return inference_targets(task.name, f"edges of type {','.join(et)!r}", ds.num_edges(et), mask,
                             lambda: ds.edge_array(et, mask) if ds.has_edge_array(et, mask) else None, infer_all)


@torch.no_grad()
def _edge_predictions(task, run, embedder, infer_all: bool, batch_size: int) -> Iterator[PredictionChunk]:
    decoder = run.model.decoders[task.name]
    embedder = task.embedder_for(embedder)
    for eids in edge_targets(task, infer_all).split(batch_size):
        yield edge_chunk(task, decoder, embedder, eids)


def edge_chunk(task, decoder, embedder, eids: torch.Tensor) -> PredictionChunk:
    """The predictions of an edge task's edges ``eids``, with their endpoints."""
    batch = task.make_batch(eids, with_labels=False)
    emb = embedder(batch.seeds, batch.exclude_eids, batch.exclude_etypes)
    pred = task.predictions(decoder, emb, batch).float().cpu()
    cols = {"src_nid": (task.etype[0], batch.extra["src"]), "dst_nid": (task.etype[2], batch.extra["dst"])}
    return PredictionChunk(None, eids, pred, cols)


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
