"""The distributed flags of gs-train and gs-infer, and the role a process plays.

=====================================  ===========================================================
flag                                   meaning
=====================================  ===========================================================
``--num-trainers N`` (``--num-workers``) start N local workers (N > 1), file rendezvous
``--graph-transport auto|collective``  how graph traffic moves (see ``distributed.context``)
``--dist-timeout S``                   timeout of collectives and barriers (default 300 s)
``--dist-cache-mb MB``                 hot remote-row cache per worker (default 64)
``--dist-prefetch on|off``             next training step prepared in a background thread
``--dist-sparse-embed sharded|...``    learnable embeddings sharded by owner (default) or replicated
``--ray-address ADDR``                 run the workers as Ray Train workers on that cluster
``--ray-max-failures K``               restarts of the Ray worker group (resume from a checkpoint)
=====================================  ===========================================================

:func:`role`: ``worker`` when the environment says this process is a rank of a job (the local
launcher's or torchrun's variables), else ``ray`` / ``launch`` / ``single`` from the flags.
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence

from graphstorm_py.distributed.context import TRANSPORTS
from graphstorm_py.distributed.rendezvous import DEFAULT_TIMEOUT_S, worker_env
from graphstorm_py.errors import ConfigError

__all__ = ["add_distributed_args", "take_config_trainers", "role", "launch", "argv_of"]


def add_distributed_args(parser) -> None:
    g = parser.add_argument_group("distributed")
    g.add_argument("--num-trainers", "--num-workers", "--num_trainers", dest="num_trainers", type=int, default=None,
                   help="worker processes on this machine (each owns num_partitions / N partitions; "
                        "default: the YAML's num_trainers, else 1)")
    g.add_argument("--graph-transport", dest="graph_transport", choices=TRANSPORTS, default="auto",
                   help="auto: memory-map peers' partitions when all workers share a host; collective: always "
                        "exchange over torch.distributed")
    g.add_argument("--dist-timeout", dest="dist_timeout", type=float, default=DEFAULT_TIMEOUT_S,
                   help="seconds before a collective or barrier of the graph group fails (default 300)")
    g.add_argument("--dist-cache-mb", dest="dist_cache_mb", type=float, default=64.0,
                   help="MB of hot remote feature rows cached per worker (collective transport; default 64)")
    g.add_argument("--dist-prefetch", dest="dist_prefetch", choices=["on", "off"], default="on",
                   help="sample and fetch the next training step in a background thread (default on)")
    g.add_argument("--dist-sparse-embed", dest="dist_sparse_embed", choices=["sharded", "replicated"],
                   default="sharded", help="learnable node embeddings: each row (and its SparseAdam state) on "
                   "its node's owner (default), or the whole table on every worker (the reference path)")
    g.add_argument("--ray-address", dest="ray_address", default=None, help="run the workers on this Ray cluster")
    g.add_argument("--ray-max-failures", dest="ray_max_failures", type=int, default=0,
                   help="with --ray-address: restart the worker group this many times (from the last checkpoint)")
    g.add_argument("--ray-worker-cpus", dest="ray_worker_cpus", type=float, default=1.0,
                   help="with --ray-address: CPUs each Ray Train worker asks for (default 1)")
    g.add_argument("--ray-worker-gpus", dest="ray_worker_gpus", type=float, default=0.0,
                   help="with --ray-address: GPUs each Ray Train worker asks for (default 0; > 0 trains on cuda)")


def take_config_trainers(args, cfg) -> None:
    """``--num-trainers`` not given: the YAML's ``num_trainers`` (GraphStorm's launcher key) decides."""
    if args.num_trainers is None:
        args.num_trainers = cfg.basic.num_trainers


def role(args) -> str:
    if worker_env() is not None:
        return "worker"
    if args.ray_address:
        return "ray"
    if args.num_trainers < 1:
        raise ConfigError(f"--num-trainers must be >= 1 (got {args.num_trainers})")
    return "launch" if args.num_trainers > 1 else "single"


def argv_of(argv: Optional[Sequence[str]]) -> list:
    return list(sys.argv[1:] if argv is None else argv)


def launch(module: str, argv: Optional[Sequence[str]], args, graph_path: str) -> int:
    """Check the partition count, then run the workers locally or on Ray; the job's exit code."""
    from graphstorm_py.distributed.partition_map import check_partitions
    from graphstorm_py.graph import GraphDataset

    if not graph_path:
        raise ConfigError("no graph given: pass --part-config GRAPH_DIR (or set part_config)")
    ds = GraphDataset.open(graph_path)
    if args.ray_address:
        from graphstorm_py.distributed.ray_launcher import launch_ray

        check_partitions(ds.num_partitions, args.num_trainers, f"graph {graph_path}")
        for key in ("ray_worker_cpus", "ray_worker_gpus"):
            if getattr(args, key) < 0 or (key == "ray_worker_cpus" and args.ray_worker_cpus == 0):
                raise ConfigError(f"--{key.replace('_', '-')} must be > 0 (got {getattr(args, key):g})")
        return launch_ray(module, argv_of(argv), args.num_trainers, args.ray_address, args.ray_max_failures,
                          use_gpu=str(getattr(args, "device", "") or "").startswith("cuda") or args.ray_worker_gpus > 0,
                          worker_resources={"CPU": args.ray_worker_cpus, "GPU": args.ray_worker_gpus})
    check_partitions(ds.num_partitions, args.num_trainers, f"graph {graph_path}")
    from graphstorm_py.distributed.launcher import launch_local

    return launch_local(module, argv_of(argv), args.num_trainers)
