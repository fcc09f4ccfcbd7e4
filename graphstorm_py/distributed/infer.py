"""gs-infer as one worker of a job: each worker writes its own nodes, ``_SUCCESS`` once at the end.

Order of events (the one-process guarantees of :mod:`graphstorm_py.outputs.infer`, kept):

1. every rank restores the checkpoint (checked against the graph);
2. rank 0 removes the old manifests and datasets; a barrier;
3. every rank writes the embeddings of the nodes it owns, and the predictions of the target
   nodes and edges it owns (:mod:`~graphstorm_py.distributed.edge_infer` for edge tasks and link
   prediction), as ``<dataset>/part-rRRRR-NNNNN`` shards, in lockstep (ranks with fewer batches
   run empty ones, so that the mini-batch sampler's exchanges line up);
4. the ranks' shard lists are gathered; rank 0 writes each root's ``_SUCCESS`` listing every
   shard in rank order (so nid order), after all have finished.

Embeddings are those of one process for the same checkpoint: exact layer-wise inference, or
mini-batch inference with partition-invariant sampling. Predictions are those of one process
too, keyed by original IDs, for node tasks, edge tasks and link prediction.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Iterator, List, Optional

import torch
import torch.distributed as dist

from graphstorm_py import io
from graphstorm_py.distributed.assembly import assemble_distributed
from graphstorm_py.distributed.edge_infer import DIST_PREDICTORS
from graphstorm_py.errors import ConfigError
from graphstorm_py.model import open_graph, read_checkpoint_info, restore_model
from graphstorm_py.outputs.compat import check_checkpoint
from graphstorm_py.outputs.infer import PREDICTIONS_SUBDIR, embedding_table, prediction_table
from graphstorm_py.outputs.predict import node_targets
from graphstorm_py.outputs.remap import IdRemapper
from graphstorm_py.outputs.writer import OutputDir

__all__ = ["infer_distributed"]

log = logging.getLogger(__name__)


def _lockstep(ctx, batches: List[torch.Tensor], embedder, minibatch: bool) -> Iterator[Optional[torch.Tensor]]:
    """This rank's id batches, padded with ``None`` to the longest rank's count (empty batches sampled)."""
    n = torch.tensor([len(batches)])
    dist.all_reduce(n, op=dist.ReduceOp.MAX, group=ctx.graph_group)
    for i in range(int(n)):
        if i < len(batches):
            yield batches[i]
        elif minibatch:
            mb = embedder.sampler.sample({})
            embedder.features(mb.input_nodes)


def _merge(ctx, out: OutputDir) -> None:
    """Rank 0's ``out.datasets`` becomes the union of every rank's, files in rank order."""
    every: List[Any] = [None] * ctx.world_size
    dist.all_gather_object(every, out.datasets, group=ctx.graph_group)
    merged: Dict[str, Dict[str, Any]] = {}
    for part in every:
        for name, d in part.items():
            m = merged.setdefault(name, {"rows": 0, "files": [], "schema": None})
            m["rows"] += d["rows"]
            m["files"] += d["files"]
            m["schema"] = m["schema"] or d["schema"]
    out.datasets = merged


def _is_node(task) -> bool:
    return hasattr(task, "ntype") and task.task_type in ("node_classification", "node_regression")


def _target(task) -> str:
    """The prediction dataset of a task: its node type, or ``src_rel_dst`` of its edge type."""
    return task.ntype if _is_node(task) else task.output_name


def _chunk_table(chunk, remap):
    """One process's prediction table of a chunk (original IDs)."""
    extra = {k: remap(t, ids) for k, (t, ids) in chunk.columns.items()}
    return prediction_table(None if chunk.ntype is None else remap(chunk.ntype, chunk.nids), chunk.pred, extra)


@torch.no_grad()
def infer_distributed(cfg, graph_path: str, checkpoint: str, ctx, *, embed_path: Optional[str] = None,
                      pred_path: Optional[str] = None, infer_all: bool = False, fmt: str = "parquet",
                      chunk_size: int = 100_000, minibatch: Optional[bool] = None, device=None) -> Dict[str, Any]:
    if not embed_path and not pred_path:
        raise ConfigError("nothing to write: give --save-embed-path and/or --save-prediction-path")
    dataset = open_graph(graph_path)
    torch.manual_seed(cfg.hyperparam.seed)
    run = assemble_distributed(cfg, dataset, ctx, device, checkpoint_info=read_checkpoint_info(checkpoint))
    info = check_checkpoint(checkpoint, run.model, f"graph {graph_path}")
    restore_model(checkpoint, run.model)
    run.model.eval()
    minibatch = cfg.gnn.use_mini_batch_infer if minibatch is None else minibatch
    bs = cfg.hyperparam.eval_batch_size
    if pred_path:
        for t in run.tasks:
            if not _is_node(t) and t.task_type not in DIST_PREDICTORS:
                raise ConfigError(f"gs-infer cannot write predictions for {t.task_type!r} tasks yet (supported: node, "
                                  "edge and link-prediction tasks); use --save-embed-path only")
    embedder = (run.minibatch_embedder(cfg.gnn.eval_fanout, cfg.hyperparam.seed + 1, key="eval_fanout")
                if minibatch else run.full_graph_embedder(bs))
    if not minibatch:
        embedder.all()                                  # collective, once, on every rank
    provenance = {"model": {"path": str(checkpoint), **{k: info.get(k) for k in ("epoch", "step", "score")}},
                  "graph": {"path": str(graph_path), "graph_name": dataset.meta.graph_name},
                  "inference": {"mode": "mini-batch" if minibatch else "full-graph",
                                "eval_fanout": cfg.gnn.eval_fanout if minibatch else None,
                                "workers": ctx.world_size}}
    ntypes = sorted(dataset.ntypes)
    outputs: Dict[str, OutputDir] = {}
    if embed_path:
        outputs["embeddings"] = OutputDir(embed_path, "embeddings", fmt, chunk_size, provenance)
    many = len(run.tasks) > 1
    pred_names = []
    if pred_path:
        if embed_path and pred_path.rstrip("/") == embed_path.rstrip("/"):
            pred_path = io.join(embed_path.rstrip("/"), PREDICTIONS_SUBDIR)
        outputs["predictions"] = OutputDir(pred_path, "predictions", fmt, chunk_size, provenance)
        pred_names = [(t, f"{t.name}/{_target(t)}" if many else _target(t)) for t in run.tasks]
    for out in outputs.values():
        out.file_prefix = f"part-r{ctx.rank:04d}"
        if ctx.is_main:
            out.begin(ntypes if out.kind == "embeddings" else [n.split("/")[0] for _, n in pred_names])
    ctx.barrier("outputs cleared")
    remap = IdRemapper(dataset)
    if "embeddings" in outputs:
        out = outputs["embeddings"]
        for nt in ntypes:
            lo, hi = ctx.pmap.node_range(ctx.rank, nt)
            with out.dataset(nt) as w:
                for nids in _lockstep(ctx, list(torch.arange(lo, hi).split(bs)), embedder, minibatch):
                    if nids is not None:
                        w.write(embedding_table(remap(nt, nids), embedder({nt: nids})[nt]))
    if "predictions" in outputs:
        out = outputs["predictions"]
        for task, name in pred_names:
            if not _is_node(task):                  # the target edges this rank owns
                with out.dataset(name) as w:
                    for chunk in DIST_PREDICTORS[task.task_type](ctx, task, run, embedder, infer_all, bs):
                        w.write(_chunk_table(chunk, remap))
                continue
            targets = node_targets(task, infer_all)
            mine = targets[ctx.pmap.node_owner(task.ntype, targets) == ctx.rank]
            decoder = run.model.decoders[task.name]
            with out.dataset(name) as w:
                for nids in _lockstep(ctx, list(mine.split(bs)), embedder, minibatch):
                    if nids is not None:
                        h = embedder({task.ntype: nids})[task.ntype]
                        w.write(prediction_table(remap(task.ntype, nids), task.predictions(decoder, h).float()))
    result: Dict[str, Any] = {}
    for kind, out in outputs.items():
        _merge(ctx, out)
        if ctx.is_main:
            result[kind] = out.commit()
    ctx.barrier("outputs committed")
    return result
