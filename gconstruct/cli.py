"""``gs-construct``: tables -> partitioned graph dataset (format v1).

Flag names follow GraphStorm's ``graphstorm.gconstruct.construct_graph``. Heavy imports
happen after argument parsing, so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Optional, Sequence

from graphstorm_py.cli import run_cli

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gs-construct", description="Build a partitioned graph from tables "
                                "described by a GraphStorm gconstruct JSON (or YAML) config.")
    p.add_argument("--conf-file", required=True, help="gconstruct config (JSON or YAML), local or s3://")
    p.add_argument("--output-dir", required=True, help="output folder, local or s3://")
    p.add_argument("--graph-name", default="graph")
    p.add_argument("--num-parts", type=int, default=1, help="number of partitions (default 1)")
    p.add_argument("--part-method", default="random", choices=["random", "metis", "kaminpar", "kaminpar-eco", "hash", "ldg"],
                   help="random (default); metis (pymetis) or kaminpar (if installed; kaminpar-eco: slower, "
                   "METIS's cut at a fraction of its memory) cut fewest edges; hash "
                   "(of the raw ID) and ldg (restreaming greedy, 3 passes over edge chunks) need no whole-graph "
                   "structure")
    p.add_argument("--add-reverse-edges", action="store_true", help="add a REL-rev edge type for every edge type")
    p.add_argument("--num-processes", type=int, default=1, help="workers across files and feature columns")
    p.add_argument("--skip-nonexist-edges", action="store_true",
                   help="drop edges whose endpoint ID is not a node (counted in the log) instead of failing")
    p.add_argument("--no-feature-validate", action="store_true", help="do not check features for NaN/Inf")
    p.add_argument("--transform-conf", default=None,
                   help="metadata.json of an earlier construction whose fitted transform state to reuse")
    p.add_argument("--remap-node-id", action="store_true",
                   help="accepted for GraphStorm compatibility: IDs are always mapped and id_map/ is always written")
    p.add_argument("--engine", default="local", choices=["local", "ray"],
                   help="local (default: threads in this process) or ray (Ray Data on a cluster; same output)")
    p.add_argument("--ray-address", default=None,
                   help="with --engine ray: the cluster to join (e.g. 10.0.0.1:6379); default: a local Ray")
    p.add_argument("--resume", action="store_true",
                   help="reuse the stages (read, partition) a failed run over the same --output-dir completed; "
                   "their checkpoints live in OUTPUT/_stages until metadata.json is written")
    p.add_argument("--no-checkpoint", action="store_true", help="keep no per-stage checkpoints (saves disk)")
    p.add_argument("--seed", type=int, default=0, help="seed for random splits and partitions")
    p.add_argument("--quiet", action="store_true", help="no progress bars, warnings only")
    p.add_argument("--verbose", action="store_true")
    return p


def _main(argv: Optional[Sequence[str]]) -> int:
    args = build_parser().parse_args(argv)
    from graphstorm_py import io
    from graphstorm_py.errors import ConfigError
    from graphstorm_py.gconstruct.config import load_construct_config
    from graphstorm_py.gconstruct.pipeline import ConstructOptions, construct_graph
    from graphstorm_py.progress import set_quiet, setup_logging

    setup_logging(args.verbose, args.quiet)
    set_quiet(args.quiet)
    if args.num_parts < 1:
        raise ConfigError(f"--num-parts must be >= 1 (got {args.num_parts})")
    conf = load_construct_config(args.conf_file)
    saved = None
    if args.transform_conf:
        saved = io.read_json(args.transform_conf).get("transforms")
        if saved is None:
            raise ConfigError(f"--transform-conf {args.transform_conf}: no 'transforms' section")
    opts = ConstructOptions(output_dir=args.output_dir, graph_name=args.graph_name, num_parts=args.num_parts,
                            part_method=args.part_method, add_reverse_edges=args.add_reverse_edges,
                            skip_nonexist_edges=args.skip_nonexist_edges, num_workers=args.num_processes,
                            feature_validate=not args.no_feature_validate, transform_state=saved, seed=args.seed,
                            engine=args.engine, ray_address=args.ray_address,
                            checkpoint=not args.no_checkpoint, resume=args.resume)
    start = time.perf_counter()
    meta = construct_graph(conf, opts)
    logging.getLogger("gs-construct").info(
        "wrote %s: %s nodes, %s edges, %d partition(s) in %.1fs", args.output_dir,
        {t: v["count"] for t, v in meta.node_types.items()},
        {",".join(e["type"]): e["count"] for e in meta.edge_types}, meta.num_partitions,
        time.perf_counter() - start)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    raise SystemExit(run_cli(_main, argv))


if __name__ == "__main__":
    main()
