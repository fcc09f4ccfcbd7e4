"""Evaluation split between the workers, with exactly one worker's metrics.

:data:`EVALUATORS` maps a task type to how its evaluation is shared; every rank gets the same
metrics, computed once over the gathered per-target results in one worker's order:

=========================  =========================================================================
task                       each rank ...
=========================  =========================================================================
node tasks (the base       takes every W-th eval batch (round-robin); the predictions and labels are
``Task.evaluate``)         gathered and put back in batch order
``edge_classification``,   the same, with embeddings of the graph without the target type / the
``edge_regression``        held-out edges: pruned layer-wise inference (collective, each rank its
                           rows) or the distributed sampler's exclusions (mini-batch)
``link_prediction``,       takes every W-th batch of the common eval batch stream (every rank draws
``sampled``                every batch's negatives, so a batch has one worker's negatives); the
                           ranks (and candidate set sizes) of each edge group are gathered
``link_prediction``,       embeds every node by layer-wise inference over the graph without the
``full``                   held-out edges (each rank its own rows, then every row to every rank: the
                           candidates are every node), then ranks an even
                           contiguous share of each eval edge type's edges against every candidate
=========================  =========================================================================

Other tasks that evaluate on their own (feature reconstruction) are not listed: the trainer
evaluates them replicated. In mini-batch mode a rank out of batches takes part in the sampler's
exchanges with empty batches (lockstep). The embedding table and the known edges (the ranking
filter) are built by every rank; the scoring, the ranking and the predictions are split.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

import torch
import torch.distributed as dist

from graphstorm_py.model.embed import FullGraphEmbedder
from graphstorm_py.typing import EdgeType

__all__ = ["EVALUATORS", "evaluator_for", "even_share", "gather", "idle_turn", "full_embedder_without", "whole_table",
           "AnyRows",
           "lp_full_embedder", "lp_full_ranks"]


def even_share(n: int, rank: int, world: int) -> slice:
    """Rank ``rank``'s contiguous part of ``n`` items (sizes differ by at most one)."""
    return slice(n * rank // world, n * (rank + 1) // world)


def gather(ctx, obj: Any) -> List[Any]:
    """Every rank's ``obj``, by rank (the graph group)."""
    every: List[Any] = [None] * ctx.world_size
    dist.all_gather_object(every, obj, group=ctx.graph_group)
    return every


def idle_turn(embedder) -> None:
    """A turn without a batch: take part in the exchanges a batch would make (the full-graph
    embedder's row fetch, or the mini-batch sampler's and store's)."""
    if hasattr(embedder, "rows"):
        embedder.rows({})
    elif hasattr(embedder, "sampler"):
        mb = embedder.sampler.sample({})
        embedder.features(mb.input_nodes)


def _embed(embedder, b) -> Dict[str, torch.Tensor]:
    if hasattr(embedder, "rows"):                       # halo full-graph embedder: any rank's rows, collective
        return embedder.rows(b.seeds)
    return embedder(b.seeds, b.exclude_eids, b.exclude_etypes)


class AnyRows:
    """A halo full-graph embedder called as ``embedder(seeds)`` for any nodes: its collective
    :meth:`rows` (callers keep lockstep, with :func:`idle_turn` on turns without a batch)."""

    def __init__(self, embedder):
        self.embedder = embedder

    def __call__(self, seeds, exclude_eids=None, exclude_etypes=None) -> Dict[str, torch.Tensor]:
        return self.embedder.rows(seeds)

    def __getattr__(self, name):
        return getattr(self.__dict__["embedder"], name)


def round_robin(ctx, batches: Iterable, embedder, fn: Callable[[Any, Dict[str, torch.Tensor]], Any]) -> List[Any]:
    """``fn(batch, embeddings)`` of every batch, batch ``i`` computed by rank ``i % W``; in batch order.

    Every rank draws every batch (the same negatives) and takes one turn per ``W`` batches, idle
    turns included, so the collectives of the embedder line up."""
    if hasattr(embedder, "all"):
        embedder.all()                                  # collective, once, before ranks diverge
    batches = list(batches)
    n, W = len(batches), ctx.world_size
    mine = {}
    for turn in range(-(-n // W)):
        i = turn * W + ctx.rank
        if i < n:
            mine[i] = fn(batches[i], _embed(embedder, batches[i]))
        else:
            idle_turn(embedder)
    merged = {k: v for part in gather(ctx, mine) for k, v in part.items()}
    return [merged[i] for i in range(n)]


# ---- full-graph embedders over a pruned graph -------------------------------------------------
class _PrunedLocal:
    """The owned CSC of a :class:`~graphstorm_py.distributed.local_graph.LocalGraph` without some edges."""

    def __init__(self, graph, etypes, eids: Mapping[EdgeType, torch.Tensor]):
        self.num_nodes, self.node_base, self.eid_base = graph.num_nodes, graph.node_base, graph.eid_base
        self.csc = {}
        self.kept: Dict[EdgeType, torch.Tensor] = {}     # pruned types: kept position -> original position
        for et, (indptr, indices) in graph.csc.items():
            if et in etypes:
                self.csc[et] = (torch.zeros_like(indptr), indices[:0])
            elif et in eids and indices.numel():
                pos = eids[et].to(indices.device).long() - graph.eid_base[et]
                pos = pos[(pos >= 0) & (pos < indices.numel())]          # the held-out edges stored here
                keep = torch.ones(indices.numel(), dtype=torch.bool, device=indices.device)
                keep[pos] = False
                dst = torch.repeat_interleave(torch.arange(indptr.numel() - 1, device=indptr.device),
                                              indptr[1:] - indptr[:-1])
                new_ptr = torch.zeros_like(indptr)
                torch.cumsum(torch.bincount(dst[keep], minlength=indptr.numel() - 1), 0, out=new_ptr[1:])
                self.csc[et] = (new_ptr, indices[keep])
                self.kept[et] = keep.nonzero().flatten()
            else:
                self.csc[et] = (indptr, indices)

    @property
    def etypes(self):
        return list(self.csc)

    def edge_rows(self, rows_of):
        """``rows_of`` (edge features by original eid) for eids of this pruned CSC."""
        if rows_of is None:
            return None

        def rows(eids):
            return rows_of({et: self.kept[et][e - self.eid_base[et]] + self.eid_base[et] if et in self.kept else e
                            for et, e in eids.items()})
        return rows


def full_embedder_without(ctx, embedder, etypes, eids: Mapping[EdgeType, torch.Tensor]) -> FullGraphEmbedder:
    """A layer-wise embedder like the worker's over the graph without ``etypes`` and ``eids``.

    ``embedder``: the worker's full-graph or mini-batch embedder. Collective transport: each rank
    its own rows, with a halo exchange per layer; local transport: the whole mapped graph on every rank."""
    from graphstorm_py.distributed.full_infer import DistFullGraphEmbedder, own_edge_rows
    from graphstorm_py.tasks.edge import pruned_full_embedder

    graph = embedder.graph if isinstance(embedder, FullGraphEmbedder) else embedder.sampler.graph
    bs = getattr(embedder, "batch_size", 4096)
    if ctx.transport == "collective":
        pruned = _PrunedLocal(graph, list(etypes), eids)
        return DistFullGraphEmbedder(embedder.model, pruned, embedder.features, bs, embedder.device, ctx,
                                     pruned.edge_rows(own_edge_rows(embedder.features)))
    whole = FullGraphEmbedder(embedder.model, graph, embedder.features, bs, embedder.device,
                              getattr(embedder, "edge_features", None))
    return pruned_full_embedder(whole, list(etypes), eids) if (etypes or eids) else whole


def lp_full_embedder(ctx, task, embedder) -> FullGraphEmbedder:
    """The worker's :meth:`LinkPredictionTask.eval_full_embedder`: the graph without held-out edges."""
    return full_embedder_without(ctx, embedder, [], task._held_out)


def _per_evaluation(embedder, key, make):
    """``make()``, kept on ``embedder`` (a new one per evaluation): val and test share the pruned
    graph's layer-wise embeddings instead of computing them twice."""
    kept = embedder.__dict__.setdefault("_dist_eval_embedders", {})
    if key not in kept:
        kept[key] = make()
    return kept[key]


# ---- the evaluators ---------------------------------------------------------------------------
def _predictions_metrics(ctx, task, decoder, embedder, split: str, batch_size: int):
    def fn(b, emb):
        return task.predict(decoder, emb, b).cpu(), None if b.labels is None else b.labels.cpu()
    out = round_robin(ctx, task.eval_batches(split, batch_size), embedder, fn)
    labels = None if out[0][1] is None else torch.cat([y for _, y in out])
    return task.compute_metrics(torch.cat([p for p, _ in out]), labels)


def node_metrics(ctx, task, decoder, embedder, split: str, batch_size: int) -> Optional[Dict[str, Any]]:
    if task.split_size(split) == 0:
        return None
    return _predictions_metrics(ctx, task, decoder, embedder, split, batch_size)


def edge_metrics(ctx, task, decoder, embedder, split: str, batch_size: int) -> Optional[Dict[str, Any]]:
    if task.split_size(split) == 0:
        return None
    if isinstance(embedder, FullGraphEmbedder) and (task.excluded_etypes or task.held_out):
        embedder = _per_evaluation(embedder, ("edge", task.name), lambda: full_embedder_without(
            ctx, embedder, task.excluded_etypes, task.held_out))
    return _predictions_metrics(ctx, task, decoder, embedder, split, batch_size)


def whole_table(embedder) -> Dict[str, torch.Tensor]:
    """Every node's embedding on every rank (full ranking scores each edge against every candidate):
    a halo embedder's rows of all nodes from their owners, else the embedder's own whole table."""
    if not hasattr(embedder, "rows"):
        return embedder.all()
    return embedder.rows({t: torch.arange(n) for t, n in embedder.graph.num_nodes.items()})


def lp_full_ranks(ctx, task, decoder, table: Mapping[str, torch.Tensor], split: str, with_sizes: bool):
    """Filtered full ranks (and candidate set sizes) of every eval edge, each rank ranking its share."""
    def share(eids):
        return eids[even_share(eids.numel(), ctx.rank, ctx.world_size)]
    mine = task.full_ranks(decoder, None, split, with_sizes=with_sizes, table=table, select=share)
    parts = gather(ctx, mine if with_sizes else (mine, {}))
    ranks = {et: torch.cat([p[0][et] for p in parts]) for et in parts[0][0]}
    sizes = {et: torch.cat([p[1][et] for p in parts]) for et in parts[0][1]}
    return ranks, (sizes if with_sizes else None)


def lp_metrics(ctx, task, decoder, embedder, split: str, batch_size: int) -> Optional[Dict[str, Any]]:
    if task.split_size(split) == 0:
        return None
    need = task._needs_candidates
    if task.full_ranking:
        table = whole_table(_per_evaluation(embedder, ("lp", task.name), lambda: lp_full_embedder(ctx, task, embedder)))
        ranks, sizes = lp_full_ranks(ctx, task, decoder, table, split, with_sizes=need)
    else:
        if isinstance(embedder, FullGraphEmbedder):
            embedder = _per_evaluation(embedder, ("lp", task.name), lambda: lp_full_embedder(ctx, task, embedder))

        def fn(b, emb):
            return [(g["etype"],) + tuple(task._group_ranks(decoder, emb, g, with_sizes=True))
                    for g in b.extra["groups"]]
        ranks, sizes = {et: [] for et in task.targets.eval_etypes}, {et: [] for et in task.targets.eval_etypes}
        for groups in round_robin(ctx, task.eval_batches(split, batch_size), embedder, fn):
            for et, r, s in groups:
                ranks[et].append(r)
                sizes[et].append(s)
        ranks = {et: torch.cat(v) if v else torch.empty(0) for et, v in ranks.items()}
        sizes = {et: torch.cat(v) if v else torch.empty(0) for et, v in sizes.items()}
    return task.metrics_of_ranks({et: r for et, r in ranks.items() if r.numel()}, sizes if need else None)


EVALUATORS: Dict[str, Callable[..., Optional[Dict[str, Any]]]] = {
    "link_prediction": lp_metrics,
    "edge_classification": edge_metrics,
    "edge_regression": edge_metrics,
}


def evaluator_for(task) -> Optional[Callable[..., Optional[Dict[str, Any]]]]:
    """How ``task``'s evaluation is shared: node tasks (the base evaluation) and :data:`EVALUATORS`;
    ``None`` for other tasks with an evaluation of their own (evaluated replicated)."""
    from graphstorm_py.tasks.base import Task
    if type(task).evaluate is Task.evaluate:
        return node_metrics
    return EVALUATORS.get(task.task_type)
