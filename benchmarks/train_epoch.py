"""Epoch time and peak RSS of gs-train's loop, on MovieLens and on a synthetic 1M-node graph.

Prints one JSON line per figure: ``{"figure", "value", "unit", "config"}``.

- ``--movielens GRAPH_DIR``: examples/movielens/ml_nc.yaml (rgcn, 1 layer, fanout 4, hidden 128,
  batch 128, 3 epochs) on a graph built with examples/movielens/ml_construct.json; also the wall
  time of the whole run (start-up, graph loading, training, evaluation).
- ``--synthetic``: a seeded random graph (``--nodes``, ``--edges``; one node and one edge type,
  ``--feat-dim`` random features, 10 random classes, every node a training node), node
  classification with rgcn, 2 layers, fanout 10,10, hidden 128, batch 1024, one epoch.

Epoch times exclude evaluation and checkpointing. Peak RSS is the process's high-water mark
(``ru_maxrss``), which includes the graph build for ``--synthetic``; torch uses ``--threads``.
``--device cuda`` runs the model on the GPU (sampling and feature gathering stay on the CPU).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import torch

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _emit(figure, value, unit, config):
    print(json.dumps({"figure": figure, "value": value, "unit": unit, "config": config}), flush=True)


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def bench_movielens(graph: str, device: str) -> None:
    from graphstorm_py.config import load_train_config
    from graphstorm_py.training.run import train

    start = time.perf_counter()
    cfg = load_train_config(os.path.join(REPO, "examples/movielens/ml_nc.yaml"))
    res = train(cfg, graph, device=device)
    wall = time.perf_counter() - start
    conf = {"graph": "movielens-100k", "config": "examples/movielens/ml_nc.yaml", "threads": torch.get_num_threads(),
            "device": device}
    _emit("ml_nc_epoch_time", round(statistics.median(res["epoch_times_s"]), 4), "s", conf)
    _emit("ml_nc_wall_time", round(wall, 2), "s", conf)
    _emit("ml_nc_test_accuracy", round(res["test"]["accuracy"], 4), "", conf)
    _emit("ml_nc_peak_rss", round(_peak_rss_gb(), 3), "GB", conf)


def _synthetic_graph(root: str, nodes: int, edges: int, feat_dim: int, train_frac: float, seed: int = 0) -> None:
    from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph

    rng = np.random.default_rng(seed)
    feat = rng.standard_normal((nodes, feat_dim), dtype=np.float32)
    label = rng.integers(0, 10, nodes)
    masks = {"train_mask": (rng.random(nodes) < train_frac).astype(np.uint8), "val_mask": np.zeros(nodes, np.uint8),
             "test_mask": np.zeros(nodes, np.uint8)}
    node = NodeTypeData(pa.array(np.arange(nodes)), {"feat": feat, "label": label, **masks}, {"feat": {}},
                        {"label": {"task_type": "classification", "num_classes": 10}})
    src, dst = rng.integers(0, nodes, edges), rng.integers(0, nodes, edges)
    write_graph(root, "synthetic", {"n": node}, {("n", "e", "n"): EdgeTypeData(src, dst)})


SYNTH_YAML = {"version": 1.0, "gsf": {
    "gnn": {"model_encoder_type": "rgcn", "num_layers": 2, "hidden_size": 128, "fanout": "10,10",
            "node_feat_name": ["feat"]},
    "hyperparam": {"lr": 0.001, "num_epochs": 1, "batch_size": 1024, "seed": 0},
    "evaluation": {"no_validation": True},
    "node_classification": {"target_ntype": "n", "label_field": "label", "num_classes": 10}}}


def bench_synthetic(nodes: int, edges: int, feat_dim: int, train_frac: float, device: str) -> None:
    from graphstorm_py.config import load_train_config_dict
    from graphstorm_py.training.run import train

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        _synthetic_graph(tmp, nodes, edges, feat_dim, train_frac)
        build = time.perf_counter() - t
        res = train(load_train_config_dict(SYNTH_YAML), tmp, device=device)
        steps = -(-nodes // 1024)
        # with --train-frac < 1 only part of the epoch runs; scale to all nodes
        epoch = res["epoch_times_s"][0] / train_frac
    conf = {"nodes": nodes, "edges": edges, "feat_dim": feat_dim, "encoder": "rgcn", "layers": 2, "fanout": "10,10",
            "hidden": 128, "batch": 1024, "steps": steps, "train_frac": train_frac,
            "threads": torch.get_num_threads(), "device": device, "graph_build_s": round(build, 1)}
    _emit("synthetic_epoch_time", round(epoch, 2), "s", conf)
    _emit("synthetic_peak_rss", round(_peak_rss_gb(), 3), "GB", conf)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--movielens", metavar="GRAPH_DIR", help="MovieLens graph built by gs-construct")
    ap.add_argument("--synthetic", action="store_true")
    ap.add_argument("--nodes", type=float, default=1e6)
    ap.add_argument("--edges", type=float, default=1e7)
    ap.add_argument("--feat-dim", type=int, default=128)
    ap.add_argument("--train-frac", type=float, default=1.0,
                    help="fraction of nodes that are training nodes; the epoch time is scaled to all nodes")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="where the model runs (sampling stays on the CPU)")
    a = ap.parse_args(argv)
    logging.disable(logging.INFO)
    torch.set_num_threads(a.threads)
    if not (a.movielens or a.synthetic):
        ap.error("give --movielens GRAPH_DIR and/or --synthetic")
    if a.movielens:
        bench_movielens(a.movielens, a.device)
    if a.synthetic:
        bench_synthetic(int(a.nodes), int(a.edges), a.feat_dim, a.train_frac, a.device)


if __name__ == "__main__":
    sys.exit(main())
