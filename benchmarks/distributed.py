"""Distributed training on a synthetic graph: 1, 2 and 4 workers over 1, 2 and 4 partitions.

Prints one JSON line per figure: ``{"figure", "value", "unit", "config"}``. For every
(partitions P, workers W) with W dividing P, one ``gs-train --num-trainers W`` job (the real
launcher, collective transport unless ``--transport auto``) trains a slice of one epoch:

- ``seeds_per_s`` and ``epoch_time`` (scaled from the slice to a full epoch of every node);
- ``time_to_first_step``: from the command's start to the first training step of any rank, and
  ``..._after_imports``: from each worker's entry (torch and the CLI imported, config read) to its
  first step (rendezvous, graph, features, cache fill, model), the slowest rank;
- ``remote_bytes_per_batch``: graph traffic between ranks per step and rank (sampling requests
  and replies, feature rows), without and with the hot-row cache (``--cache-mb``), and the
  cache ``hit_rate``;
- ``peak_rss``: of each worker.

The graph: ``--nodes`` nodes, ``--edges`` uniformly random edges (or, with ``--communities C``,
90% of the edges inside C equal communities so that METIS has something to find), ``--feat-dim``
float32 features, 10 classes. Partitions: ``--part random|metis``. Model: rgcn, 2 layers,
fanout 10,10, hidden 128, batch 1024 per worker (as benchmarks/train.py).

``--embed-nodes M`` (learnable embeddings): the graph gets a second, featureless node type ``e``
of M nodes, one edge ``e -> n`` each, so the model has a learnable ``[M, --embed-dim]`` table
(hidden size ``--embed-dim``); every (P, W) job runs with ``--dist-sparse-embed replicated`` and
``sharded`` and reports ``peak_rss`` of each worker, the job's wall time and the remote bytes per
batch: the table and its SparseAdam moments on every worker, or only the owned rows.
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
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
BATCH = 1024


def _emit(figure, value, unit, config):
    print(json.dumps({"figure": figure, "value": value, "unit": unit, "config": config}), flush=True)


def _edges(rng, nodes: int, edges: int, communities: int):
    if communities <= 1:
        return rng.integers(0, nodes, edges), rng.integers(0, nodes, edges)
    size = nodes // communities
    inside = int(0.9 * edges)
    src = rng.integers(0, nodes, edges)
    dst = rng.integers(0, nodes, edges)
    dst[:inside] = (src[:inside] // size) * size + rng.integers(0, size, inside)
    return src, np.minimum(dst, nodes - 1)


def build(root: str, nodes: int, edges: int, feat_dim: int, train_frac: float, parts: int, method: str,
          communities: int, seed: int = 0, embed_nodes: int = 0) -> None:
    from graphstorm_py.gconstruct.partition import partition_nodes
    from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph

    rng = np.random.default_rng(seed)
    src, dst = _edges(rng, nodes, edges, communities)
    if parts == 1:
        node_parts = None
    elif method == "metis":
        node_parts = partition_nodes("metis", {"n": nodes}, {("n", "e", "n"): (src, dst)}, parts, seed)
    else:
        node_parts = {"n": rng.integers(0, parts, nodes)}
    feat = rng.standard_normal((nodes, feat_dim), dtype=np.float32)
    node = NodeTypeData(pa.array(np.arange(nodes)),
                        {"feat": feat, "label": rng.integers(0, 10, nodes),
                         "train_mask": (rng.random(nodes) < train_frac).astype(np.uint8),
                         "val_mask": np.zeros(nodes, np.uint8), "test_mask": np.zeros(nodes, np.uint8)},
                        {"feat": {}}, {"label": {"task_type": "classification", "num_classes": 10}})
    ntypes, etypes = {"n": node}, {("n", "e", "n"): EdgeTypeData(src, dst)}
    if embed_nodes:      # a featureless type: one learnable row per node
        ntypes["e"] = NodeTypeData(pa.array(np.arange(embed_nodes)), {}, {}, {})
        etypes[("e", "to", "n")] = EdgeTypeData(np.arange(embed_nodes), rng.integers(0, nodes, embed_nodes))
        if node_parts is not None:
            node_parts["e"] = rng.integers(0, parts, embed_nodes)
    write_graph(root, "synthetic", ntypes, etypes, num_parts=parts, node_parts=node_parts)


CONF = {"version": 1.0, "gsf": {
    "gnn": {"model_encoder_type": "rgcn", "num_layers": 2, "hidden_size": 128, "fanout": "10,10",
            "node_feat_name": ["feat"]},
    "hyperparam": {"lr": 0.001, "num_epochs": 1, "batch_size": BATCH, "seed": 0},
    "evaluation": {"no_validation": True},
    "node_classification": {"target_ntype": "n", "label_field": "label", "num_classes": 10}}}


def run_job(graph: str, conf_path: str, workers: int, transport: str, cache_mb: float, threads: int,
            sparse: str = "") -> dict:
    cmd = [os.path.join(BIN, "gs-train"), "--cf", conf_path, "--part-config", graph, "--quiet"]
    if workers > 1:
        cmd += ["--num-trainers", str(workers), "--graph-transport", transport, "--dist-cache-mb", str(cache_mb)]
    if sparse:
        cmd += ["--dist-sparse-embed", sparse]
    env = dict(os.environ, OMP_NUM_THREADS=str(max(1, threads // workers)))
    start = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    wall = time.time() - start
    if p.returncode:
        raise SystemExit(f"job failed ({' '.join(cmd)}):\n{p.stderr[-3000:]}")
    res = json.loads(p.stdout)
    res["_start"], res["_wall"] = start, wall
    return res


def report(res: dict, conf: dict, nodes: int) -> None:
    d = res.get("distributed")
    epoch = res["epoch_times_s"][0]
    if d:
        ranks = d["per_rank"]
        steps = max(r["steps"] for r in ranks)
        seeds = sum(r["steps"] for r in ranks) * BATCH        # upper bound: last batches may be short
        first = min(r["first_step_unix"] for r in ranks if r["first_step_unix"]) - res["_start"]
        per_batch = d["graph_bytes_sent"] / max(sum(r["steps"] for r in ranks), 1)
        _emit("remote_bytes_per_batch", round(per_batch), "B", conf)
        if "cache_hit_rate" in d:
            _emit("cache_hit_rate", d["cache_hit_rate"], "", conf)
            _emit("cache_bytes_per_worker", max(r.get("cache_bytes", 0) for r in ranks), "B", conf)
        _emit("peak_rss_per_worker", [r["peak_rss_mb"] for r in ranks], "MB", conf)
        _emit("time_to_first_step", round(first, 2), "s", conf)
        after = max(r["first_step_unix"] - r["entry_unix"] for r in ranks if r["first_step_unix"])
        _emit("time_to_first_step_after_imports", round(after, 2), "s", conf)
    else:
        steps = -(-int(nodes * conf["train_frac"]) // BATCH)
        seeds = steps * BATCH
    full_steps = -(-nodes // (BATCH * conf["workers"]))
    _emit("seeds_per_s", round(min(seeds, nodes) / epoch, 1), "seeds/s", conf)
    _emit("epoch_time", round(epoch * full_steps / max(steps, 1), 1), "s", {**conf, "slice_s": round(epoch, 2),
                                                                           "slice_steps": steps})
    _emit("job_wall_time", round(res["_wall"], 1), "s", conf)


def embed_report(res: dict, conf: dict) -> None:
    d = res["distributed"]
    ranks = d["per_rank"]
    _emit("peak_rss_per_worker", [r["peak_rss_mb"] for r in ranks], "MB", conf)
    _emit("remote_bytes_per_batch", round(d["graph_bytes_sent"] / max(sum(r["steps"] for r in ranks), 1)), "B", conf)
    _emit("job_wall_time", round(res["_wall"], 1), "s", conf)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=float, default=1e6)
    ap.add_argument("--edges", type=float, default=1e7)
    ap.add_argument("--feat-dim", type=int, default=128)
    ap.add_argument("--train-frac", type=float, default=0.02, help="slice of the epoch that is measured")
    ap.add_argument("--parts", default="1,2,4")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--part", choices=["random", "metis"], default="random")
    ap.add_argument("--communities", type=int, default=0)
    ap.add_argument("--transport", choices=["collective", "auto"], default="collective")
    ap.add_argument("--cache-mb", default="0,64", help="cache sizes to compare (MB per worker)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--embed-nodes", type=float, default=0, help="nodes of a featureless type (learnable table)")
    ap.add_argument("--embed-dim", type=int, default=64, help="width of the learnable table (= hidden size)")
    a = ap.parse_args(argv)
    if a.embed_nodes:
        CONF["gsf"]["gnn"].update(hidden_size=a.embed_dim, node_feat_name=["n:feat"])
    nodes, edges = int(a.nodes), int(a.edges)
    with tempfile.TemporaryDirectory() as tmp:
        conf_path = os.path.join(tmp, "train.yaml")
        with open(conf_path, "w") as f:
            yaml.safe_dump(CONF, f)
        for parts in [int(x) for x in a.parts.split(",")]:
            graph = os.path.join(tmp, f"g{parts}")
            t = time.time()
            build(graph, nodes, edges, a.feat_dim, a.train_frac, parts, a.part, a.communities,
                  embed_nodes=int(a.embed_nodes))
            base = {"nodes": nodes, "edges": edges, "feat_dim": a.feat_dim, "partitions": parts, "part": a.part,
                    "communities": a.communities, "train_frac": a.train_frac, "threads": a.threads,
                    "graph_build_s": round(time.time() - t, 1)}
            for w in [int(x) for x in a.workers.split(",")]:
                if parts % w:
                    continue
                if a.embed_nodes:
                    for mode in ("replicated", "sharded"):
                        conf = {**base, "workers": w, "transport": a.transport, "embed_nodes": int(a.embed_nodes),
                                "embed_dim": a.embed_dim, "sparse_embed": mode}
                        embed_report(run_job(graph, conf_path, w, a.transport, 0.0, a.threads, mode), conf)
                    continue
                for mb in ([float(x) for x in a.cache_mb.split(",")] if w > 1 else [0.0]):
                    conf = {**base, "workers": w, "transport": a.transport if w > 1 else "single",
                            "cache_mb": mb}
                    report(run_job(graph, conf_path, w, a.transport, mb, a.threads), conf, nodes)


if __name__ == "__main__":
    sys.exit(main())
