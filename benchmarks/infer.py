"""Benchmark gs-infer: full-neighbour embeddings of a synthetic graph written to local Parquet and to moto S3.

The graph: node types ``user`` and ``item`` (half the nodes each, a 64-dim float feature
each), edge types ``user,buys,item`` and ``item,bought-by,user`` (half the edges each), and
an untrained 2-layer rgcn (hidden 64) saved as a checkpoint (weights do not change the cost).
Graph and checkpoint are built first (not timed). Then each ``gs-infer --save-embed-path``
runs in a child process, timed, and its peak RSS is read from ``getrusage(RUSAGE_CHILDREN)``.
Give two sizes to see that peak RSS grows only with the feature and embedding arrays::

    python benchmarks/infer.py --sizes 1e6:1e7,2.5e5:2.5e6

prints one JSON line per figure: wall time, nodes per second and peak RSS.
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
import yaml

DIM, HIDDEN = 64, 64


def build(root: str, nodes: int, edges: int, seed: int = 0):
    from graphstorm_py.config import load_train_config
    from graphstorm_py.graph.writer import EdgeTypeData, NodeTypeData, write_graph
    from graphstorm_py.model import assemble, open_graph
    from graphstorm_py.model.checkpoint import save_checkpoint

    rng = np.random.default_rng(seed)
    nu, ni = nodes // 2, nodes - nodes // 2
    e = edges // 2
    nt = {"user": NodeTypeData(pa.array(np.arange(nu, dtype=np.int64)),
                               {"feat": rng.standard_normal((nu, DIM), dtype=np.float32)}, {"feat": {}}),
          "item": NodeTypeData(pa.array(np.char.add("i", np.arange(ni).astype(str))),
                               {"feat": rng.standard_normal((ni, DIM), dtype=np.float32)}, {"feat": {}})}
    src, dst = rng.integers(0, nu, e), rng.integers(0, ni, e)
    et = {("user", "buys", "item"): EdgeTypeData(src, dst),
          ("item", "bought-by", "user"): EdgeTypeData(dst.copy(), src.copy(), reverse_of=("user", "buys", "item"))}
    graph = os.path.join(root, "graph")
    write_graph(graph, "bench", nt, et)
    conf = os.path.join(root, "train.yaml")
    with open(conf, "w") as fh:
        yaml.safe_dump({"version": 1.0, "gsf": {
            "gnn": {"model_encoder_type": "rgcn", "num_layers": 2, "hidden_size": HIDDEN, "fanout": "10,10",
                    "node_feat_name": ["feat"], "use_mini_batch_infer": False},
            "hyperparam": {"lr": 0.01, "batch_size": 1024, "eval_batch_size": 65536, "seed": 0},
            "node_classification": {"target_ntype": "item", "label_field": "label", "num_classes": 2}}}, fh)
    # embeddings only: the task section just sizes a decoder; nothing reads labels
    cfg = load_train_config(conf, [])
    run = assemble(cfg, open_graph(graph))
    ckpt = os.path.join(root, "ckpt")
    save_checkpoint(ckpt, run.model, config=cfg.resolved_dict(), info={"epoch": 0, "step": 0})
    return conf, graph, ckpt


def run_infer(conf, graph, ckpt, out, env=None):
    exe = os.path.join(os.path.dirname(sys.executable), "gs-infer")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run([exe, "--cf", conf, "--part-config", graph, "--restore-model-path", ckpt, "--save-embed-path", out,
                    "--quiet", "--output-chunk-size", "250000"], check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak * 1024 / 2**30, before


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1e6:1e7,2.5e5:2.5e6", help="nodes:edges pairs, comma-separated")
    p.add_argument("--no-s3", action="store_true", help="local Parquet only")
    args = p.parse_args()
    for spec in args.sizes.split(","):
        nodes, edges = (int(float(x)) for x in spec.split(":"))
        config = {"nodes": nodes, "edges": edges, "encoder": "rgcn", "layers": 2, "hidden": HIDDEN, "feat_dim": DIM}
        with tempfile.TemporaryDirectory(prefix="gs-bench-infer-") as root:
            conf, graph, ckpt = build(root, nodes, edges)
            targets = [("local", os.path.join(root, "emb"), None)]
            server = None
            if not args.no_s3:
                server, env = _moto()
                targets.append(("s3", "s3://bench/emb", env))
            for where, out, env in targets:
                # each child's peak is measured alone: RUSAGE_CHILDREN keeps the max over finished children,
                # so run the measurement in a fresh grandparent
                wall, rss = _measured(conf, graph, ckpt, out, env)
                cfg = {**config, "output": where}
                for fig, val, unit in (("infer_wall", wall, "s"), ("infer_nodes_per_s", nodes / wall, "nodes/s"),
                                       ("infer_peak_rss", rss, "GiB")):
                    print(json.dumps({"figure": fig, "value": round(val, 3), "unit": unit, "config": cfg}), flush=True)
            if server is not None:
                server.stop()


def _measured(conf, graph, ckpt, out, env):
    code = ("import json,sys; sys.path.insert(0, %r); from infer import run_infer; "
            "print(json.dumps(run_infer(*json.loads(sys.argv[1]))))" % os.path.dirname(os.path.abspath(__file__)))
    res = subprocess.run([sys.executable, "-c", code, json.dumps([conf, graph, ckpt, out, env])],
                         check=True, capture_output=True, text=True, env=env)
    wall, rss, _ = json.loads(res.stdout.strip().splitlines()[-1])
    return wall, rss


def _moto():
    import socket

    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {**os.environ, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                 aws_access_key_id="testing", aws_secret_access_key="testing").create_bucket(Bucket="bench")
    return server, env


if __name__ == "__main__":
    main()
