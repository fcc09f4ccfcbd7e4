"""``gs-infer``: embeddings and predictions of a trained model, written keyed by the original IDs.

::

    gs-infer --cf TRAIN.yaml --part-config GRAPH_DIR --restore-model-path CKPT
             [--save-embed-path URL] [--save-prediction-path URL] [--infer-all-target-nodes [BOOL]]
             [--restore-model-layers embed,gnn,decoder] [--output-format parquet|csv]
             [--output-chunk-size N] [--use-mini-batch-infer [BOOL]] [--quiet] [--key value ...]

The training YAML, or GraphStorm's inference YAML (no ``lr``, ``batch_size`` or ``fanout``
needed), is read; any config key can be overridden with ``--key value`` as in gs-train.
Without an output path gs-infer evaluates the checkpoint on the test set and prints the
metrics as JSON (GraphStorm's inference behaviour; see :mod:`graphstorm_py.inference.evaluate`).
Output paths may be local or ``s3://``. Each output root gets one dataset per node type
(``ROOT/<ntype>/part-NNNNN.parquet``) and, written last, a ``ROOT/_SUCCESS`` manifest (see
:mod:`graphstorm_py.outputs.writer`). A mismatch between the checkpoint and the graph, like any
user mistake, prints one message and exits 2.

Testing hook: ``GS_INFER_FAIL_AFTER_SHARDS=N`` makes the run fail right after its N-th shard
(the output is then left without ``_SUCCESS``).
"""

from __future__ import annotations

import argparse
import json
from typing import Optional, Sequence

from graphstorm_py.cli import (add_config_args, add_runtime_args, load_config_logged, parse_bool, run_cli,
                               start_runtime)

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gs-infer", allow_abbrev=False,
        description="Write node embeddings and task predictions of a trained model, or evaluate it on the test set "
                    "when no output path is given. Any training-config key can be given as --key value and "
                    "overrides the YAML.")
    add_config_args(p)
    p.add_argument("--save-embed-path", "--save_embed_path", dest="save_embed_path", default=None)
    p.add_argument("--save-prediction-path", "--save_prediction_path", dest="save_prediction_path", default=None)
    p.add_argument("--infer-all-target-nodes", "--infer_all_target_nodes", dest="infer_all", nargs="?",
                   const="true", default=None, metavar="BOOL",
                   help="predict every node of the target type, not only the test set")
    p.add_argument("--output-format", dest="output_format", choices=["parquet", "csv"], default="parquet")
    p.add_argument("--output-chunk-size", dest="output_chunk_size", type=int, default=100_000,
                   help="rows per output file (default 100000)")
    p.add_argument("--use-mini-batch-infer", "--use_mini_batch_infer", dest="mini_batch", nargs="?", const="true",
                   default=None, metavar="BOOL",
                   help="mini-batch inference with eval_fanout, or 'false' for exact layer-wise full-neighbour "
                        "inference (default: the YAML's use_mini_batch_infer)")
    p.add_argument("--inference", action="store_true", help=argparse.SUPPRESS)   # GraphStorm's launcher flag
    add_runtime_args(p)
    from graphstorm_py.distributed.cli_args import add_distributed_args
    add_distributed_args(p)          # --num-trainers, --graph-transport, --dist-timeout, --ray-address
    return p


def _main(argv: Optional[Sequence[str]]) -> int:
    args, overrides = build_parser().parse_known_args(argv)

    from graphstorm_py.config import load_train_config
    from graphstorm_py.config.homogeneous import resolve_targets
    from graphstorm_py.errors import CheckpointError, ConfigError
    from graphstorm_py.inference.architecture import adopt_checkpoint_architecture, explain_mismatch
    from graphstorm_py.inference.evaluate import evaluate_checkpoint
    from graphstorm_py.model import open_graph
    from graphstorm_py.outputs.infer import infer

    device = start_runtime(args)
    if args.output_chunk_size <= 0:
        raise ConfigError(f"--output-chunk-size must be > 0 (got {args.output_chunk_size})")
    cfg = load_config_logged(args, lambda: load_train_config(args.cf, overrides, inference=True))
    out = cfg.output
    checkpoint = out.restore_model_path                     # --restore-model-path is a config key
    if not checkpoint:
        raise ConfigError("no checkpoint given: pass --restore-model-path CKPT")
    graph = args.part_config or cfg.basic.part_config
    if not graph:
        raise ConfigError("no graph given: pass --part-config GRAPH_DIR (or set part_config)")
    dataset = open_graph(graph)
    cfg = adopt_checkpoint_architecture(cfg, checkpoint)
    cfg = resolve_targets(cfg, dataset.ntypes, dataset.etypes)
    minibatch = None if args.mini_batch is None else parse_bool(args.mini_batch)
    if args.save_embed_path or args.save_prediction_path:   # the flags say exactly what to write
        embed, pred = args.save_embed_path, args.save_prediction_path
    else:                                                    # else the YAML (predictions default to the embed path)
        embed, pred = out.save_embed_path, out.save_prediction_path
    from graphstorm_py.distributed import cli_args as dist_cli
    dist_cli.take_config_trainers(args, cfg)
    where = dist_cli.role(args)
    try:
        if not embed and not pred:
            if where != "single":
                raise ConfigError("evaluating a checkpoint (no output path given) runs in one process: "
                                  "drop --num-trainers / --ray-address, or pass --save-embed-path")
            print(json.dumps(evaluate_checkpoint(cfg, graph, checkpoint, minibatch=minibatch, device=device)))
            return 0
        infer_all = out.infer_all_target_nodes if args.infer_all is None else parse_bool(args.infer_all)
        kwargs = dict(embed_path=embed, pred_path=pred, infer_all=infer_all, fmt=args.output_format,
                      chunk_size=args.output_chunk_size, minibatch=minibatch, device=device)
        if where in ("launch", "ray"):
            return dist_cli.launch("graphstorm_py.inference.cli", argv, args, graph)
        if where == "worker":
            from graphstorm_py.distributed.infer import infer_distributed
            from graphstorm_py.distributed.worker import run_worker
            result = run_worker(args, graph, device,
                                lambda ctx, g: infer_distributed(cfg, g, checkpoint, ctx, **kwargs))
            if result is None:
                return 0
        else:
            result = infer(cfg, graph, checkpoint, **kwargs)
    except CheckpointError as exc:
        why = explain_mismatch(cfg, checkpoint)
        raise CheckpointError(f"{exc}\n  {why}" if why else str(exc)) from None
    summary = {k: {"path": v["root"], "num_rows": v["num_rows"], "files": len(v["files"]),
                   "rows": {n: d["rows"] for n, d in v["datasets"].items()}} for k, v in result.items()}
    print(json.dumps(summary))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    raise SystemExit(run_cli(_main, argv))


if __name__ == "__main__":
    main()
