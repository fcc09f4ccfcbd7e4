"""Distributed gs-infer predictions of edge tasks and link prediction: each worker its own edges.

A worker predicts the target edges it owns (an edge belongs to its destination's partition,
so rank ``r`` owns one contiguous eid range per edge type): the rows of one process, split by
owner, and in rank order the same rows in the same order for one edge type.

* **edge tasks** (``edge_classification``, ``edge_regression``): embeddings as one process
  computes them for the task (full-graph: layer-wise over the graph without the removed types
  and held-out edges, computed by every rank together; mini-batch: partition-invariant sampling,
  ranks with fewer batches take idle turns in lockstep);
* **link prediction**: every node's embedding by layer-wise inference over the graph without
  the held-out edges (whatever ``use_mini_batch_infer`` says, as one process), then the score
  of each owned target edge; the test edges' filtered full-ranking MRR is computed with the
  ranking shared between the workers (:func:`~graphstorm_py.distributed.dist_eval.lp_full_ranks`)
  and logged by rank 0.

:data:`DIST_PREDICTORS` maps a task type to ``fn(ctx, task, run, embedder, infer_all, batch_size)``
yielding :class:`~graphstorm_py.outputs.predict.PredictionChunk` s (the one-process chunks).
"""

from __future__ import annotations

import logging
from typing import Callable, Dict, Iterator

import torch
import torch.distributed as dist

from graphstorm_py.distributed.dist_eval import (AnyRows, full_embedder_without, idle_turn, lp_full_embedder,
                                                 lp_full_ranks, whole_table)
from graphstorm_py.eval.ranking import mrr
from graphstorm_py.model.embed import FullGraphEmbedder
from graphstorm_py.outputs.predict import PredictionChunk, edge_chunk, edge_targets   # before lp_predict (cycle)
from graphstorm_py.outputs.lp_predict import lp_chunk, lp_targets

__all__ = ["DIST_PREDICTORS"]

log = logging.getLogger(__name__)


def _own(ctx, etype, eids: torch.Tensor) -> torch.Tensor:
    return eids[ctx.pmap.edge_owner(etype, eids) == ctx.rank]


@torch.no_grad()
def edge_predictions(ctx, task, run, embedder, infer_all: bool, batch_size: int) -> Iterator[PredictionChunk]:
    decoder = run.model.decoders[task.name]
    if isinstance(embedder, FullGraphEmbedder) and (task.excluded_etypes or task.held_out):
        embedder = full_embedder_without(ctx, embedder, task.excluded_etypes, task.held_out)
    if isinstance(embedder, FullGraphEmbedder):
        embedder.all()                                  # collective, once, before ranks diverge
    caller = AnyRows(embedder) if hasattr(embedder, "rows") else embedder    # sources may be other ranks'
    batches = list(_own(ctx, task.etype, edge_targets(task, infer_all)).split(batch_size))
    n = torch.tensor([len(batches)])
    dist.all_reduce(n, op=dist.ReduceOp.MAX, group=ctx.graph_group)
    for i in range(int(n)):
        if i < len(batches):
            yield edge_chunk(task, decoder, caller, batches[i])
        else:
            idle_turn(embedder)


@torch.no_grad()
def lp_predictions(ctx, task, run, embedder, infer_all: bool, batch_size: int) -> Iterator[PredictionChunk]:
    decoder = run.model.decoders[task.name]
    table = whole_table(lp_full_embedder(ctx, task, run.full_graph_embedder()))
    for et in task.targets.eval_etypes:
        for eids in _own(ctx, et, lp_targets(task, et, infer_all)).split(batch_size):
            yield lp_chunk(task, decoder, table, et, eids)
    if task.split_size("test"):
        ranks, _ = lp_full_ranks(ctx, task, decoder, table, "test", with_sizes=False)
        if ctx.is_main:
            log.info("%s: test full-ranking (filtered) MRR %.4f over %d edges", task.name,
                     mrr(torch.cat(list(ranks.values()))), sum(r.numel() for r in ranks.values()))


DIST_PREDICTORS: Dict[str, Callable[..., Iterator[PredictionChunk]]] = {
    "edge_classification": edge_predictions,
    "edge_regression": edge_predictions,
    "link_prediction": lp_predictions,
}
