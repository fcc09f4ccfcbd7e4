"""Benchmark gs-construct on a synthetic heterogeneous graph.

The graph mirrors the GraphStorm anchor: node types ``user`` and ``item`` (half the nodes
each, a 64-dim float feature each) and two edge types (``user,buys,item`` and
``item,also,item``, half the edges each). The tables are written as Parquet first (not
timed); then ``gs-construct`` runs in a child process, timed, and its peak RSS is read from
``getrusage(RUSAGE_CHILDREN)``.

    python benchmarks/construct.py --nodes 1e6 --edges 1e7 --num-parts 1

prints one JSON line per figure: wall time, rows per second and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DIM = 64


def _write_nodes(path: str, ids: np.ndarray, rng) -> None:
    feat = rng.standard_normal((len(ids), DIM), dtype=np.float32)
    col = pa.FixedSizeListArray.from_arrays(pa.array(feat.reshape(-1)), DIM)
    pq.write_table(pa.table({"id": ids, "feat": col}), path, row_group_size=1 << 20)


def make_tables(root: str, nodes: int, edges: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    nu, ni = nodes // 2, nodes - nodes // 2
    _write_nodes(os.path.join(root, "user.parquet"), np.arange(nu, dtype=np.int64), rng)
    _write_nodes(os.path.join(root, "item.parquet"), np.arange(ni, dtype=np.int64), rng)
    e1, e2 = edges // 2, edges - edges // 2
    pq.write_table(pa.table({"src": rng.integers(0, nu, e1), "dst": rng.integers(0, ni, e1)}),
                   os.path.join(root, "buys.parquet"), row_group_size=1 << 20)
    pq.write_table(pa.table({"src": rng.integers(0, ni, e2), "dst": rng.integers(0, ni, e2)}),
                   os.path.join(root, "also.parquet"), row_group_size=1 << 20)
    conf = {
        "version": "gconstruct-v0.1",
        "nodes": [{"node_type": t, "format": {"name": "parquet"}, "files": f"{t}.parquet", "node_id_col": "id",
                   "features": [{"feature_col": "feat"}]} for t in ("user", "item")],
        "edges": [
            {"relation": ["user", "buys", "item"], "format": {"name": "parquet"}, "files": "buys.parquet",
             "source_id_col": "src", "dest_id_col": "dst"},
            {"relation": ["item", "also", "item"], "format": {"name": "parquet"}, "files": "also.parquet",
             "source_id_col": "src", "dest_id_col": "dst"},
        ],
    }
    path = os.path.join(root, "conf.json")
    with open(path, "w") as fh:
        json.dump(conf, fh)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=float, default=1e6)
    ap.add_argument("--edges", type=float, default=1e7)
    ap.add_argument("--num-parts", type=int, default=1)
    ap.add_argument("--part-method", default="random")
    ap.add_argument("--workdir", default=None)
    a = ap.parse_args()
    nodes, edges = int(a.nodes), int(a.edges)
    root = a.workdir or tempfile.mkdtemp(prefix="gs-bench-construct-")
    os.makedirs(root, exist_ok=True)
    conf = make_tables(root, nodes, edges)
    exe = os.path.join(os.path.dirname(sys.executable), "gs-construct")
    cmd = [exe, "--conf-file", conf, "--output-dir", os.path.join(root, "out"), "--num-parts", str(a.num_parts),
           "--part-method", a.part_method, "--quiet"]
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    config = {"nodes": nodes, "edges": edges, "num_parts": a.num_parts, "part_method": a.part_method, "feat_dim": DIM}
    for figure, value, unit in (("construct_wall_s", wall, "s"), ("construct_rows_per_s", (nodes + edges) / wall, "rows/s"),
                                ("construct_peak_rss_gb", peak / 1e9, "GB")):
        print(json.dumps({"figure": figure, "value": round(value, 3), "unit": unit, "config": config}))


if __name__ == "__main__":
    main()
