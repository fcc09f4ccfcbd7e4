"""Every encoder x every task x {train, eval, full-graph infer, mini-batch infer} on the gaps graph.

The gaps graph (``gaps_helpers``) makes batches hold node types with 0 nodes, edge types with 0
edges and targets without in-edges: with batches of 2 and fanout 2, most batches of items have
no user or tag at all, ``ghost`` never has a node, and edge tasks drop the target type.
"""

import contextlib
import math
import os

import numpy as np
import pyarrow.parquet as pq
import pytest
from gaps_helpers import ENCODERS, NUM, TASKS, gaps_yaml, graph_path

from graphstorm_py.config import load_train_config
from graphstorm_py.model import gnn_model, load_trained
from graphstorm_py.outputs.infer import infer
from graphstorm_py.outputs.writer import read_manifest
from graphstorm_py.training.run import train

VARIANTS = ENCODERS[:1] + ["rgcn-unfused"] + ENCODERS[1:]
GRID = {**{t: t for t in TASKS}, "lp_full_ranking": ("link_prediction", {"lp_eval_ranking": "full"})}
TEST_TARGETS = {"node_classification": 2, "node_regression": 2, "edge_classification": 1, "edge_regression": 1,
                "link_prediction": 1, "lp_full_ranking": 1}


@contextlib.contextmanager
def _fuse(variant):
    old = gnn_model._FUSE_INPUT
    gnn_model._FUSE_INPUT = variant != "rgcn-unfused"
    try:
        yield
    finally:
        gnn_model._FUSE_INPUT = old


@pytest.fixture(scope="module")
def gaps(tmp_path_factory):
    return {"graph": graph_path(tmp_path_factory), "root": tmp_path_factory.mktemp("runs"), "trained": {}}


def _trained(gaps, variant, task):
    """``(cfg, checkpoint, results)`` of one epoch of training (mini-batch evaluation), made once."""
    key = (variant, task)
    if key not in gaps["trained"]:
        d = gaps["root"] / f"{variant}-{task}"
        d.mkdir()
        conf = gaps_yaml(str(d / "train.yaml"), variant.split("-")[0], GRID[task])
        cfg = load_train_config(conf, ["--save-model-path", str(d / "m")])
        with _fuse(variant):
            results = train(cfg, gaps["graph"])
        gaps["trained"][key] = (cfg, str(d / "m" / "epoch-0"), results)
    return gaps["trained"][key]


def _finite(metrics):
    values = [v for m in metrics.values() for v in (m.values() if isinstance(m, dict) else [m])]
    return values and all(math.isfinite(float(v)) for v in values)


@pytest.mark.parametrize("task", list(GRID))
@pytest.mark.parametrize("variant", VARIANTS)
def test_train(gaps, variant, task):
    cfg, ckpt, results = _trained(gaps, variant, task)
    assert os.path.exists(os.path.join(ckpt, "checkpoint.json"))
    assert _finite(results["val"]) and _finite(results["test"]), results


@pytest.mark.parametrize("task", list(GRID))
@pytest.mark.parametrize("variant", VARIANTS)
def test_eval_full_graph_and_minibatch(gaps, variant, task):
    cfg, ckpt, _ = _trained(gaps, variant, task)
    with _fuse(variant):
        run = load_trained(ckpt, gaps["graph"])
        t = run.tasks[0]
        for embedder in (run.full_graph_embedder(), run.minibatch_embedder(cfg.gnn.eval_fanout, 1, key="eval_fanout")):
            for split in ("val", "test"):
                assert _finite(t.evaluate(run.model.decoders[t.name], embedder, split, 3))


@pytest.mark.parametrize("mode", ["full_infer", "minibatch_infer"])
@pytest.mark.parametrize("task", list(GRID))
@pytest.mark.parametrize("variant", VARIANTS)
def test_infer(gaps, variant, task, mode, tmp_path):
    cfg, ckpt, _ = _trained(gaps, variant, task)
    with _fuse(variant):
        infer(cfg, gaps["graph"], ckpt, embed_path=str(tmp_path / "emb"), pred_path=str(tmp_path / "pred"),
              minibatch=mode == "minibatch_infer", chunk_size=4)
    emb = read_manifest(str(tmp_path / "emb"))
    assert {t: d["rows"] for t, d in emb["datasets"].items()} == NUM
    for t, n in NUM.items():
        if n:
            rows = np.stack(pq.read_table(str(tmp_path / "emb" / t))["emb"].to_numpy(zero_copy_only=False))
            assert rows.shape == (n, 8) and np.isfinite(rows).all()
    pred = read_manifest(str(tmp_path / "pred"))
    assert sum(d["rows"] for d in pred["datasets"].values()) == TEST_TARGETS[task]


@pytest.mark.parametrize("variant", VARIANTS)
def test_train_with_norms_dropout_and_ffn_layers(gaps, variant, tmp_path):
    """Batch norm sees types of 0 and 1 rows in training; NGNN layers and dropout see empty types."""
    for norm in ("batch", "layer"):
        conf = gaps_yaml(str(tmp_path / f"{norm}.yaml"), variant.split("-")[0], "node_classification",
                         gnn_norm=norm, dropout=0.2, num_ffn_layers_in_gnn=1, num_ffn_layers_in_input=1)
        cfg = load_train_config(conf, ["--save-model-path", str(tmp_path / norm)])
        with _fuse(variant):
            results = train(cfg, gaps["graph"])
        assert _finite(results["val"]), results
