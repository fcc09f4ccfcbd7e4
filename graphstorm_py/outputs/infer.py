"""One gs-infer run: restore a checkpoint on a graph, write embeddings and predictions.

::

    cfg = load_train_config("train.yaml", [])
    infer(cfg, "graph/", "models/epoch-2", embed_path="s3://b/emb", pred_path="s3://b/pred")

Order of events (what makes the output safe to read):

1. the checkpoint is checked against the graph (:func:`~graphstorm_py.outputs.compat.check_checkpoint`)
   and restored; nothing is written before that. The graph needs no label and no mask: the
   tasks are built for inference (see :func:`~graphstorm_py.outputs.predict.inference_targets`
   for which targets get predictions);
2. the old ``_SUCCESS`` of every output root is removed, then the stale datasets;
3. embeddings (one dataset per node type) and predictions (one per target node type) are
   streamed to shards of ``chunk_size`` rows;
4. each root's ``_SUCCESS`` manifest is written last.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np
import pyarrow as pa
import torch

from graphstorm_py import io
from graphstorm_py.errors import ConfigError
from graphstorm_py.outputs.compat import check_checkpoint
from graphstorm_py.outputs.predict import predict_task
from graphstorm_py.outputs.remap import IdRemapper
from graphstorm_py.outputs.writer import OutputDir
from graphstorm_py.model import assemble, open_graph, read_checkpoint_info, restore_model
from graphstorm_py.progress import progress

__all__ = ["infer", "embedding_table", "prediction_table", "PREDICTIONS_SUBDIR"]

log = logging.getLogger(__name__)

PREDICTIONS_SUBDIR = "predictions"
"""Where predictions go when the prediction path is the embedding path (GraphStorm's default)."""


def _fixed_list(x: np.ndarray) -> pa.Array:
    x = np.ascontiguousarray(x, dtype=np.float32)
    return pa.FixedSizeListArray.from_arrays(pa.array(x.reshape(-1)), x.shape[1])


def embedding_table(orig: pa.Array, emb: torch.Tensor) -> pa.Table:
    return pa.table({"nid": orig, "emb": _fixed_list(emb.detach().cpu().numpy())})


def prediction_table(orig: Optional[pa.Array], pred: torch.Tensor,
                     extra: Optional[Dict[str, pa.Array]] = None) -> pa.Table:
    """Columns ``nid`` (omitted when ``orig`` is None: edge predictions), ``extra``, ``pred``."""
    p = pred.detach().cpu()
    if p.dim() == 2 and p.shape[1] == 1:
        p = p[:, 0]
    col = _fixed_list(p.numpy()) if p.dim() == 2 else pa.array(p.numpy())
    return pa.table({**({} if orig is None else {"nid": orig}), **(extra or {}), "pred": col})


def _embedding_batches(run, ntypes: List[str], batch_size: int, minibatch: bool,
                       embedder) -> Iterator[Tuple[str, torch.Tensor, torch.Tensor]]:
    for ntype in ntypes:
        n = run.dataset.num_nodes(ntype)
        bar = progress(total=n, desc=f"embeddings {ntype}", unit="node")
        for nids in torch.arange(n, dtype=torch.long).split(batch_size):
            with torch.no_grad():
                emb = embedder({ntype: nids})[ntype]
            bar.update(len(nids))
            yield ntype, nids, emb
        bar.close()


def _prediction_names(tasks) -> List[Tuple[Any, Dict[Optional[str], str]]]:
    """Per task, its prediction dataset names keyed by node type (``None``: the task's only one):
    the target (ntype or src_rel_dst), one per type for a node task with several target types,
    under ``<task name>/`` when there are several tasks."""
    many, out = len(tasks) > 1, []
    for t in tasks:
        if getattr(t, "multi_ntype", False):
            keys = {n: n for n in t.ntypes}
        else:
            keys = {None: getattr(t, "output_name", None) or t.ntype}
        out.append((t, {k: f"{t.name}/{v}" if many else v for k, v in keys.items()}))
    return out


def infer(cfg, graph_path: str, checkpoint: str, *, embed_path: Optional[str] = None,
          pred_path: Optional[str] = None, infer_all: bool = False, fmt: str = "parquet",
          chunk_size: int = 100_000, minibatch: Optional[bool] = None, device=None) -> Dict[str, Any]:
    """Write embeddings to ``embed_path`` and predictions to ``pred_path`` (either may be None).

    Returns ``{"embeddings": manifest, "predictions": manifest}`` for the outputs written.
    """
    if not embed_path and not pred_path:
        raise ConfigError("nothing to write: give --save-embed-path and/or --save-prediction-path")
    dataset = open_graph(graph_path)
    torch.manual_seed(cfg.hyperparam.seed)
    # tasks built for inference: the graph needs no label and no mask (a new graph has none)
    run = assemble(cfg, dataset, device, checkpoint_info=read_checkpoint_info(checkpoint))
    info = check_checkpoint(checkpoint, run.model, f"graph {graph_path}")
    restore_model(checkpoint, run.model, cfg.output.restore_model_layers)
    run.model.eval()
    minibatch = cfg.gnn.use_mini_batch_infer if minibatch is None else minibatch
    batch_size = cfg.hyperparam.eval_batch_size
    if minibatch:
        embedder = run.minibatch_embedder(cfg.gnn.eval_fanout, cfg.hyperparam.seed + 1, key="eval_fanout")
    else:
        embedder = run.full_graph_embedder(batch_size)

    provenance = {
        "model": {"path": str(checkpoint), **{k: info.get(k) for k in ("epoch", "step", "score")}},
        "graph": {"path": str(graph_path), "graph_name": dataset.meta.graph_name},
        "inference": {"mode": "mini-batch" if minibatch else "full-graph",
                      "eval_fanout": cfg.gnn.eval_fanout if minibatch else None},
    }
    ntypes = sorted(dataset.ntypes)
    outputs: Dict[str, OutputDir] = {}
    if embed_path:
        outputs["embeddings"] = OutputDir(embed_path, "embeddings", fmt, chunk_size, provenance)
    pred_names: List[Tuple[Any, str]] = []
    if pred_path:
        if embed_path and pred_path.rstrip("/") == embed_path.rstrip("/"):
            if PREDICTIONS_SUBDIR in ntypes:
                raise ConfigError(f"a node type is named {PREDICTIONS_SUBDIR!r}: give --save-prediction-path "
                                  "a path other than --save-embed-path")
            pred_path = io.join(embed_path.rstrip("/"), PREDICTIONS_SUBDIR)
            log.info("predictions go to %s (the prediction path is the embedding path)", pred_path)
        outputs["predictions"] = OutputDir(pred_path, "predictions", fmt, chunk_size, provenance)
        pred_names = _prediction_names(run.tasks)
    # nothing stale may look complete: drop every old manifest before writing anything
    for out in outputs.values():
        out.invalidate()
    if "embeddings" in outputs:
        outputs["embeddings"].begin(ntypes)
    if "predictions" in outputs:
        outputs["predictions"].begin([name.split("/")[0] for _, names in pred_names for name in names.values()])

    remap = IdRemapper(dataset)
    result: Dict[str, Any] = {}
    if "embeddings" in outputs:
        out = outputs["embeddings"]
        writers = {}
        for ntype, nids, emb in _embedding_batches(run, ntypes, batch_size, minibatch, embedder):
            if ntype not in writers:
                for w in writers.values():
                    w.close()
                writers = {ntype: out.dataset(ntype)}
            writers[ntype].write(embedding_table(remap(ntype, nids), emb))
        for w in writers.values():
            w.close()
        result["embeddings"] = out.commit()
    if "predictions" in outputs:
        out = outputs["predictions"]
        for task, names in pred_names:
            ds, name, seen = None, None, set()
            for chunk in predict_task(task, run, embedder, infer_all, batch_size):
                if names.get(chunk.ntype, names.get(None)) != name:      # the next target type's dataset
                    if ds is not None:
                        ds.close()
                        bar.close()
                    name = names.get(chunk.ntype, names.get(None))
                    ds, bar = out.dataset(name), progress(desc=f"predictions {name}", unit="node")
                    seen.add(name)
                extra = {k: remap(t, ids) for k, (t, ids) in chunk.columns.items()}
                orig = None if chunk.ntype is None else remap(chunk.ntype, chunk.nids)
                ds.write(prediction_table(orig, chunk.pred, extra))
                bar.update(len(chunk.nids))
            if ds is not None:
                ds.close()
                bar.close()
            for empty in set(names.values()) - seen:        # a target without rows still gets its dataset
                out.dataset(empty).close()
        result["predictions"] = out.commit()
    return result
