"""``gs-train``: train a GNN on a graph dataset as a GraphStorm training YAML says.

::

    gs-train --cf TRAIN.yaml --part-config GRAPH_DIR [--save-model-path DIR]
             [--restore-model-path CKPT | --resume-from-checkpoint CKPT] [--key value ...]

Every config key can be given as ``--key value`` (kebab- or snake-case, or any unambiguous
prefix, as GraphStorm's argparse allows), overriding the YAML; GraphStorm's launcher flags are
accepted too (see docs/graphstorm-compat.md). ``--part-config`` is the graph dataset folder, or a
GraphStorm-style JSON file inside it. ``--restore-model-path`` starts from a checkpoint's
weights at epoch 0 (GraphStorm's meaning); ``--resume-from-checkpoint`` continues an interrupted
run. A mistake in the config or the data prints one message naming the culprit and exits 2.
The results (see :mod:`graphstorm_py.training.results`) are printed as JSON on stdout.
"""

from __future__ import annotations

import argparse
from typing import Optional, Sequence

from graphstorm_py.cli import add_config_args, add_runtime_args, load_config_logged, run_cli, start_runtime

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gs-train", allow_abbrev=False,
        description="Train a GNN (node, edge, link-prediction or multi-task) on a graph dataset. Any training-config key can be "
                    "given as --key value (e.g. --num-epochs 3 --fanout 10,5) and overrides the YAML.")
    add_config_args(p)
    p.add_argument("--inference", action="store_true", help=argparse.SUPPRESS)
    add_runtime_args(p)
    from graphstorm_py.distributed.cli_args import add_distributed_args
    add_distributed_args(p)          # --num-trainers, --graph-transport, --dist-timeout, --ray-address
    return p


def _main(argv: Optional[Sequence[str]]) -> int:
    args, overrides = build_parser().parse_known_args(argv)

    from graphstorm_py.config import load_train_config
    from graphstorm_py.errors import ConfigError
    from graphstorm_py.training.results import dumps
    from graphstorm_py.training.run import train

    if args.inference:
        raise ConfigError("--inference: gs-train trains; run inference with gs-infer (same flags)")
    device = start_runtime(args)
    cfg = load_config_logged(args, lambda: load_train_config(args.cf, overrides))
    from graphstorm_py.distributed import cli_args as dist_cli
    dist_cli.take_config_trainers(args, cfg)
    where = dist_cli.role(args)
    if where in ("launch", "ray"):
        return dist_cli.launch("graphstorm_py.training.cli", argv, args, args.part_config or cfg.basic.part_config)
    if where == "worker":
        from graphstorm_py.distributed.worker import run_worker
        from graphstorm_py.training.distributed import train_distributed
        results = run_worker(args, args.part_config or cfg.basic.part_config, device,
                             lambda ctx, g: train_distributed(cfg, g, device, ctx))
    else:
        results = train(cfg, args.part_config, device=device)
    if results is not None:
        print(dumps(results))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    raise SystemExit(run_cli(_main, argv))


if __name__ == "__main__":
    main()
