"""Shared test fixtures: real-data locations, a moto S3 server on 127.0.0.1, environment skips."""

from __future__ import annotations

import os
import socket

import pytest

from gs_testing import REPO, SHARED_DATA, needs_cuda, shared_data_path  # noqa: F401  (re-exported)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on 127.0.0.1; AWS_* environment variables point boto3/s3fs at it."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield env["AWS_ENDPOINT_URL"]
    finally:
        server.stop()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture()
def s3_bucket(s3_server, request):
    """A fresh bucket; returns its ``s3://name`` URL."""
    import boto3
    import fsspec

    name = "gs-" + request.node.name.lower().replace("_", "-")[:40].strip("-")
    boto3.client("s3").create_bucket(Bucket=name)
    fsspec.filesystem("s3").invalidate_cache()
    return f"s3://{name}"


# ---- training-config fixtures: GraphStorm's ml-100k example and small variants ----

import copy  # noqa: E402

import yaml  # noqa: E402

ML100K_NC = """
---
version: 1.0
gsf:
  basic:
    backend: gloo
    verbose: false
    save_perf_results_path: null
  gnn:
    model_encoder_type: rgcn
    fanout: "4"
    num_layers: 1
    hidden_size: 128
    use_mini_batch_infer: true
  input:
    restore_model_path: null
  output:
    save_model_path: /data/ml-100k/models
    save_embed_path: /data/ml-100k/embed
  hyperparam:
    dropout: 0.
    lr: 0.001
    num_epochs: 3
    batch_size: 128
    wd_l2norm: 0
  rgcn:
    num_bases: -1
    use_self_loop: true
    sparse_optimizer_lr: 1e-2
    use_node_embeddings: false
  node_classification:
    target_ntype: "movie"
    label_field: "label"
    multilabel: false
    num_classes: 19
"""

MINIMAL = {
    "version": 1.0,
    "gsf": {
        "gnn": {"model_encoder_type": "rgcn", "num_layers": 2, "hidden_size": 16, "fanout": "10,5"},
        "hyperparam": {"lr": 0.01, "batch_size": 32},
    },
}


@pytest.fixture
def ml100k_text() -> str:
    return ML100K_NC


@pytest.fixture
def ml100k() -> dict:
    """GraphStorm's ml-100k node-classification YAML, parsed."""
    return yaml.safe_load(ML100K_NC)


@pytest.fixture
def with_task():
    """``with_task("link_prediction", {...})``: a minimal valid document with that task section."""

    def make(name: str, keys: dict) -> dict:
        doc = copy.deepcopy(MINIMAL)
        doc["gsf"][name] = keys
        return doc

    return make


@pytest.fixture(scope="session")
def movielens_graph(tmp_path_factory):
    """``(tables_dir, graph_dir)``: MovieLens-100k built once per session with
    examples/movielens (prepare.py + ml_construct.json, 2 partitions, reverse edges)."""
    import shutil
    import subprocess
    import sys

    data = shared_data_path("movielens-100k")
    tables = str(tmp_path_factory.mktemp("movielens"))
    subprocess.run([sys.executable, os.path.join(REPO, "examples/movielens/prepare.py"), "--data-dir", data,
                    "--output-dir", tables], check=True)
    shutil.copy(os.path.join(REPO, "examples/movielens/ml_construct.json"), tables)
    graph = os.path.join(tables, "graph")
    exe = os.path.join(os.path.dirname(sys.executable), "gs-construct")
    subprocess.run([exe, "--conf-file", os.path.join(tables, "ml_construct.json"), "--output-dir", graph,
                    "--num-parts", "2", "--add-reverse-edges", "--quiet"], check=True)
    return tables, graph
