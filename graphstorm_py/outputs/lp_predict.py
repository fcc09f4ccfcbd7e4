"""gs-infer predictions of a link-prediction task: a score per test edge, with its endpoints.

For each eval edge type, the test-mask edges (every edge of the type with
``--infer-all-target-nodes``, or when the graph has no test mask: the rule of
:func:`~graphstorm_py.outputs.predict.inference_targets`) are scored by the trained decoder
on full-graph embeddings.
Rows carry ``src_nid`` and ``dst_nid`` (remapped to original IDs by the writer) and the score.
The exact filtered full-ranking MRR of the test edges (against every destination node) is
logged, so it can be compared with ``full_mrr`` of training; the ``mrr`` of results.json uses
sampled negatives and is not comparable.
"""

from __future__ import annotations

import logging
from typing import Iterator

import torch

from graphstorm_py.eval.ranking import mrr
from graphstorm_py.outputs.predict import PredictionChunk, inference_targets

__all__ = ["lp_predictions", "lp_targets", "lp_chunk"]

log = logging.getLogger(__name__)


@torch.no_grad()
def lp_predictions(task, run, embedder, infer_all: bool, batch_size: int) -> Iterator[PredictionChunk]:
    decoder = run.model.decoders[task.name]
    table = task.eval_full_embedder(run.full_graph_embedder()).all()
    for et in task.targets.eval_etypes:
        for chunk in lp_targets(task, et, infer_all).split(batch_size):
            yield lp_chunk(task, decoder, table, et, chunk)
    if task.split_size("test"):
        ranks = task.full_ranks(decoder, run.full_graph_embedder(), "test")
        log.info("%s: test full-ranking (filtered) MRR %.4f over %d edges", task.name,
                 mrr(torch.cat(list(ranks.values()))), sum(r.numel() for r in ranks.values()))


def lp_targets(task, et, infer_all: bool) -> torch.Tensor:
    """The edges of eval type ``et`` to score (:func:`~graphstorm_py.outputs.predict.inference_targets`)."""
    ds, mask = task.dataset, task.config.mask_fields[2]
    return inference_targets(task.name, f"edges of type {','.join(et)!r}", ds.num_edges(et), mask,
                             lambda: ds.edge_array(et, mask) if ds.has_edge_array(et, mask) else None, infer_all)


def lp_chunk(task, decoder, table, et, eids: torch.Tensor) -> PredictionChunk:
    """Scores of the ``et`` edges ``eids`` from the embedding ``table``, with their endpoints."""
    src, dst = task.targets.endpoints(et, eids)
    score = decoder.score(task._norm(table[et[0]][src]), task._norm(table[et[2]][dst]), et)
    return PredictionChunk(et[0], src, score.float().cpu().reshape(-1, 1),
                           columns={"src_nid": (et[0], src), "dst_nid": (et[2], dst)})
