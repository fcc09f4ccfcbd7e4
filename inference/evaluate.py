"""gs-infer without an output path: evaluate a checkpoint on the graph's test set.

GraphStorm's inference commands report the test metrics of the restored model; embeddings and
predictions are written only when a path is given. :func:`evaluate_checkpoint` does the same
with our pieces: the model is assembled, checked against and restored from the checkpoint (the
``restore_model_layers`` asked for), and every task computes its metrics on ``test`` with the
evaluation embedder (``eval_fanout`` mini-batches, or layer-wise full-graph inference)::

    {"test": {"node_classification": {"accuracy": 0.41}}, "checkpoint": "...", "graph": "..."}

A task whose test split is empty reports ``null``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

import torch

from graphstorm_py.model import assemble, open_graph, restore_model
from graphstorm_py.outputs.compat import check_checkpoint

__all__ = ["evaluate_checkpoint"]

log = logging.getLogger(__name__)


def evaluate_checkpoint(cfg, graph_path: str, checkpoint: str, *, minibatch: Optional[bool] = None,
                        device=None) -> Dict[str, Any]:
    """The test metrics of every task of ``cfg`` with the weights of ``checkpoint``."""
    dataset = open_graph(graph_path)
    torch.manual_seed(cfg.hyperparam.seed)
    run = assemble(cfg, dataset, device)
    check_checkpoint(checkpoint, run.model, f"graph {graph_path}")
    restore_model(checkpoint, run.model, cfg.output.restore_model_layers)
    run.model.eval()
    minibatch = cfg.gnn.use_mini_batch_infer if minibatch is None else minibatch
    if minibatch:
        embedder = run.minibatch_embedder(cfg.gnn.eval_fanout, cfg.hyperparam.seed + 1, key="eval_fanout")
    else:
        embedder = run.full_graph_embedder(cfg.hyperparam.eval_batch_size)
    metrics: Dict[str, Any] = {}
    with torch.no_grad():
        for task in run.tasks:
            metrics[task.name] = task.evaluate(run.model.decoders[task.name], embedder, "test",
                                               cfg.hyperparam.eval_batch_size)
            log.info("test %s: %s", task.name, "N/A (no test set)" if metrics[task.name] is None
                     else ", ".join(f"{k}={v}" for k, v in metrics[task.name].items()))
    return {"test": metrics, "checkpoint": str(checkpoint), "graph": str(graph_path)}
