"""Benchmark gs-construct on a synthetic heterogeneous graph.

The graph mirrors the GraphStorm anchor: node types ``user`` and ``item`` (half the nodes
each, a 64-dim float feature each) and two edge types (``user,buys,item`` and
``item,also,item``, half the edges each). The tables are written as Parquet first (not
timed); then ``gs-construct`` runs in a child process, timed, and its peak RSS is read from
``getrusage(RUSAGE_CHILDREN)``. With ``--engine ray`` (in ``--extra``) the driver is not the
only process: ``construct_tree_peak_pss_gb`` is the peak, sampled every 0.5 s, of the summed
PSS of gs-construct and every process under it (a local Ray's GCS, raylet, object store and
workers; PSS counts shared object-store pages once).

    python benchmarks/construct.py --nodes 1e6 --edges 1e7 --num-parts 1

prints one JSON line per figure: wall time, rows per second, peak RSS and edge cut.

``--part-method random,ldg,metis,kaminpar`` runs gs-construct once per method on the same
tables, one after the other in this one invocation; each run's peak RSS is its own (the
child's ``rusage`` from ``wait4``). The edges are uniformly random by default: such a graph
has no community structure, so even METIS cuts about a third of its edges at 2 parts (a
random graph of average degree ``d`` has no bisection much below ``1/2 - 0.76/sqrt(d)``).
``--communities C`` draws ``--inside`` (0.9) of each edge type's edges inside ``C``
communities (node ``i`` of any type is in community ``i mod C``), a graph where a multilevel
partitioner has something to find.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DIM = 64


def _write_nodes(path: str, ids: np.ndarray, rng, labels: bool = False) -> None:
    """Written in slices of 1M rows, so a 1e7-node table never sits in memory twice."""
    step = 1 << 20
    writer = None
    for s in range(0, max(len(ids), 1), step):
        part = ids[s:s + step]
        feat = rng.standard_normal((len(part), DIM), dtype=np.float32)
        cols = {"id": part, "feat": pa.FixedSizeListArray.from_arrays(pa.array(feat.reshape(-1)), DIM)}
        if labels:
            cols["label"] = rng.integers(0, 10, len(part))
        table = pa.table(cols)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=step)
    writer.close()


def _write_edges(path: str, n_src: int, n_dst: int, count: int, rng, communities: int = 0,
                 inside: float = 0.9) -> None:
    step = 1 << 23
    schema = pa.schema([("src", pa.int64()), ("dst", pa.int64())])
    with pq.ParquetWriter(path, schema) as writer:
        for s in range(0, count, step):
            k = min(step, count - s)
            src, dst = rng.integers(0, n_src, k), rng.integers(0, n_dst, k)
            if communities > 1:   # dst in src's community (i mod C) for a share ``inside`` of the edges
                sel = rng.random(k) < inside
                c = src[sel] % communities
                dst[sel] = c + communities * rng.integers(0, -(-(n_dst - c) // communities))
            writer.write_table(pa.table({"src": src, "dst": dst}, schema=schema), row_group_size=1 << 20)


def make_tables(root: str, nodes: int, edges: int, seed: int = 0, labels: bool = False, communities: int = 0,
                inside: float = 0.9) -> str:
    """Parquet tables and the gconstruct config; ``labels``: a 10-class label on ``item``, 80/10/10 split;
    ``communities``: a share ``inside`` of the edges inside ``communities`` communities."""
    rng = np.random.default_rng(seed)
    nu, ni = nodes // 2, nodes - nodes // 2
    _write_nodes(os.path.join(root, "user.parquet"), np.arange(nu, dtype=np.int64), rng)
    _write_nodes(os.path.join(root, "item.parquet"), np.arange(ni, dtype=np.int64), rng, labels)
    e1, e2 = edges // 2, edges - edges // 2
    _write_edges(os.path.join(root, "buys.parquet"), nu, ni, e1, rng, communities, inside)
    _write_edges(os.path.join(root, "also.parquet"), ni, ni, e2, rng, communities, inside)
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
    if labels:
        conf["nodes"][1]["labels"] = [{"label_col": "label", "task_type": "classification",
                                       "split_pct": [0.8, 0.1, 0.1]}]
    path = os.path.join(root, "conf.json")
    with open(path, "w") as fh:
        json.dump(conf, fh)
    return path


def _wait_sampling(proc, every: float = 0.5):
    """Wait for ``proc``: ``(wait status, its rusage, peak summed PSS of its process tree in bytes)``.

    The PSS sum covers the Ray engine's daemons and workers (0 without psutil); the rusage is
    the child's own, so each method of one invocation gets its own peak RSS.
    """
    try:
        import psutil
        root = psutil.Process(proc.pid)
    except (ImportError, Exception):            # noqa: BLE001  (no psutil, or the child is gone already)
        psutil = root = None
    peak = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return status, usage, peak
        if psutil is not None:
            total = 0
            try:
                procs = [root] + root.children(recursive=True)
            except psutil.Error:
                procs = []
            for p in procs:
                try:
                    total += p.memory_full_info().pss
                except psutil.Error:
                    pass
            peak = max(peak, total)
        time.sleep(every)


def run_construct(exe: str, conf: str, out: str, method: str, a) -> dict:
    """One gs-construct run: its wall time, its own peak RSS and the partition stats it wrote."""
    import shutil

    shutil.rmtree(out, ignore_errors=True)
    cmd = [exe, "--conf-file", conf, "--output-dir", out, "--num-parts", str(a.num_parts),
           "--part-method", method, "--num-processes", str(a.num_processes), "--quiet"]
    cmd += ["--add-reverse-edges"] if a.add_reverse_edges else []
    cmd += a.extra.split()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    status, usage, tree_peak = _wait_sampling(proc)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    with open(os.path.join(out, "metadata.json")) as fh:
        stats = json.load(fh).get("partition_stats", {})
    return {"wall": wall, "peak": usage.ru_maxrss * 1024, "tree_peak": tree_peak, "stats": stats}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=float, default=1e6)
    ap.add_argument("--edges", type=float, default=1e7)
    ap.add_argument("--num-parts", type=int, default=1)
    ap.add_argument("--part-method", default="random", help="one method, or several separated by commas")
    ap.add_argument("--workdir", default=None, help="reuse the tables already written there (same sizes)")
    ap.add_argument("--add-reverse-edges", action="store_true", help="as in the issue's GraphStorm comparison")
    ap.add_argument("--num-processes", type=int, default=1)
    ap.add_argument("--labels", action="store_true", help="a label with a train mask on item (balanced parts)")
    ap.add_argument("--communities", type=int, default=0, help="edges mostly inside this many communities")
    ap.add_argument("--inside", type=float, default=0.9, help="--communities: the share of edges inside")
    ap.add_argument("--extra", default="", help="more gs-construct flags, e.g. '--engine ray'")
    a = ap.parse_args()
    nodes, edges = int(a.nodes), int(a.edges)
    root = a.workdir or tempfile.mkdtemp(prefix="gs-bench-construct-")
    os.makedirs(root, exist_ok=True)
    conf = os.path.join(root, "conf.json")
    if not os.path.exists(conf):
        conf = make_tables(root, nodes, edges, labels=a.labels, communities=a.communities, inside=a.inside)
    exe = os.path.join(os.path.dirname(sys.executable), "gs-construct")
    for method in a.part_method.split(","):
        r = run_construct(exe, conf, os.path.join(root, "out"), method, a)
        config = {"nodes": nodes, "edges": edges, "num_parts": a.num_parts, "part_method": method, "feat_dim": DIM,
                  "reverse": a.add_reverse_edges, "num_processes": a.num_processes, "extra": a.extra,
                  "communities": a.communities, "inside": a.inside if a.communities > 1 else None}
        for figure, value, unit in (("construct_wall_s", r["wall"], "s"),
                                    ("construct_rows_per_s", (nodes + edges) / r["wall"], "rows/s"),
                                    ("construct_peak_rss_gb", r["peak"] / 1e9, "GB"),
                                    ("construct_tree_peak_pss_gb", r["tree_peak"] / 1e9, "GB"),
                                    ("construct_edge_cut", r["stats"].get("edge_cut_ratio", 0.0), "share")):
            print(json.dumps({"figure": figure, "value": round(value, 4), "unit": unit, "config": config}), flush=True)


if __name__ == "__main__":
    main()
