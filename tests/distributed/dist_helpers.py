"""Helpers of the distributed tests: a small partitioned heterograph and a way to run N ranks.

:func:`make_graph` writes a random heterogeneous graph (hubs well above the fanouts, so the
hashed keys decide) with ``num_parts`` random partitions. :func:`run_ranks` starts a Python
script as ``world`` ranks with the local launcher's environment (file rendezvous in a private
folder), waits with a timeout and kills every rank by pid if it runs out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from typing import List, Sequence

import numpy as np
import pyarrow as pa

from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)


def make_graph(root: str, num_parts: int, seed: int = 0, n_user: int = 120, n_item: int = 90,
               edge_feat: bool = False) -> str:
    """``edge_feat``: every edge type gets a float32 feature ``w`` of width 2 (another random stream)."""
    rng = np.random.default_rng(seed)

    def edges(n_src, n_dst, m):
        dst = rng.integers(0, n_dst, m)
        hubs = rng.integers(0, n_dst, 5)
        dst = np.concatenate([dst, np.repeat(hubs, 40)])
        src = rng.integers(0, n_src, dst.size)
        return src, dst

    nodes = {
        "user": NodeTypeData(pa.array([f"u{i}" for i in range(n_user)]),
                             {"f": rng.standard_normal((n_user, 3)).astype(np.float32),
                              "label": (np.arange(n_user) % 3).astype(np.int64),
                              "train_mask": (rng.random(n_user) < 0.6).astype(np.uint8),
                              "val_mask": (rng.random(n_user) < 0.2).astype(np.uint8),
                              "test_mask": (rng.random(n_user) < 0.2).astype(np.uint8)},
                             {"f": {}}, {"label": {"task_type": "classification", "num_classes": 3}}),
        "item": NodeTypeData(pa.array(np.arange(n_item)),
                             {"h": rng.standard_normal((n_item, 5)).astype(np.float32)}, {"h": {}}, {}),
    }
    es = {}
    for et, (ns, nd, m) in {("user", "buys", "item"): (n_user, n_item, 400),
                            ("item", "bought-by", "user"): (n_item, n_user, 400),
                            ("user", "follows", "user"): (n_user, n_user, 300)}.items():
        s, d = edges(ns, nd, m)
        es[et] = EdgeTypeData(s, d)
    parts = {"user": rng.integers(0, num_parts, n_user), "item": rng.integers(0, num_parts, n_item)}
    if edge_feat:
        erng = np.random.default_rng(seed + 1)
        for e in es.values():
            e.arrays["w"] = erng.standard_normal((e.count, 2)).astype(np.float32)
            e.features["w"] = {}
    write_graph(root, "toy", nodes, es, num_parts=num_parts, node_parts=parts)
    return root


def run_ranks(script: str, args: Sequence[str], world: int, timeout: float = 240.0, env=None) -> List[str]:
    """Run ``python script args`` as ``world`` ranks; returns their stderr; raises on failure/timeout."""
    run_dir = tempfile.mkdtemp(prefix="gs-test-ranks-")
    base = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join([TESTS, os.environ.get("PYTHONPATH", "")]),
                **(env or {}))
    base.pop("MASTER_ADDR", None)
    base.pop("MASTER_PORT", None)
    procs, logs = [], []
    for r in range(world):
        log = open(os.path.join(run_dir, f"rank-{r}.log"), "w+")
        logs.append(log)
        e = dict(base, RANK=str(r), WORLD_SIZE=str(world), LOCAL_RANK=str(r),
                 GS_RDZV_FILE=os.path.join(run_dir, "rdzv"))
        procs.append(subprocess.Popen([sys.executable, script, *args], env=e, stdout=log, stderr=subprocess.STDOUT))
    deadline = time.monotonic() + timeout
    try:
        while any(p.poll() is None for p in procs):
            if time.monotonic() > deadline or any(p.poll() not in (None, 0) for p in procs):
                break
            time.sleep(0.1)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    out = []
    for log in logs:
        log.seek(0)
        out.append(log.read())
        log.close()
    codes = [p.returncode for p in procs]
    if any(c != 0 for c in codes):
        raise AssertionError(f"ranks exited {codes}:\n" + "\n".join(f"--- rank {r}\n{o[-3000:]}"
                                                                   for r, o in enumerate(out)))
    return out


def make_edge_graph(root: str, num_parts: int, seed: int = 0, n_user: int = 80, n_item: int = 60) -> str:
    """A user-buys-item graph with a reverse type, edge labels ``rate`` (3 classes) and edge masks
    (edge classification and link prediction), random partitions."""
    rng = np.random.default_rng(seed)
    m = 500
    src, dst = rng.integers(0, n_user, m), rng.integers(0, n_item, m)
    split = rng.random(m)
    masks = {"train_mask": (split < 0.6).astype(np.uint8),
             "val_mask": ((split >= 0.6) & (split < 0.8)).astype(np.uint8),
             "test_mask": (split >= 0.8).astype(np.uint8)}
    nodes = {"user": NodeTypeData(pa.array([f"u{i}" for i in range(n_user)]),
                                  {"f": rng.standard_normal((n_user, 3)).astype(np.float32)}, {"f": {}}, {}),
             "item": NodeTypeData(pa.array(np.arange(n_item) + 500),
                                  {"h": rng.standard_normal((n_item, 5)).astype(np.float32)}, {"h": {}}, {})}
    buys = ("user", "buys", "item")
    es = {buys: EdgeTypeData(src, dst, {"rate": rng.integers(0, 3, m).astype(np.int64), **masks}, {},
                             {"rate": {"task_type": "classification", "num_classes": 3}}),
          ("item", "bought-by", "user"): EdgeTypeData(dst.copy(), src.copy(), reverse_of=buys),
          ("user", "follows", "user"): EdgeTypeData(*edges_of(rng, n_user, n_user, 200))}
    parts = {"user": rng.integers(0, num_parts, n_user), "item": rng.integers(0, num_parts, n_item)}
    write_graph(root, "toy-edges", nodes, es, num_parts=num_parts, node_parts=parts)
    return root


def edges_of(rng, n_src: int, n_dst: int, m: int):
    return rng.integers(0, n_src, m), rng.integers(0, n_dst, m)
