"""MovieLens-100k quality bar of gs-infer: output in moto S3, original IDs, accuracy equal to results.json."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gs_testing import REPO, shared_data_path
from graphstorm_py import io
from graphstorm_py.cli import run_cli
from graphstorm_py.graph import GraphDataset
from graphstorm_py.inference.cli import _main
from graphstorm_py.outputs.writer import read_manifest

pytestmark = pytest.mark.slow
BIN = os.path.dirname(sys.executable)


@pytest.fixture(scope="module")
def ml_trained(movielens_graph, tmp_path_factory):
    _, graph = movielens_graph
    d = str(tmp_path_factory.mktemp("ml-infer"))
    conf = os.path.join(REPO, "examples/movielens/ml_nc.yaml")
    models = os.path.join(d, "models")
    proc = subprocess.run([os.path.join(BIN, "gs-train"), "--cf", conf, "--part-config", graph,
                           "--save-model-path", models, "--num-epochs", "2", "--use-mini-batch-infer", "false",
                           "--quiet"], check=True, capture_output=True, text=True)
    results = json.loads(proc.stdout)
    return conf, graph, results


def _read(root, name):
    m = read_manifest(root)
    tables = []
    for f in m["datasets"][name]["files"]:
        with io.open_file(io.join(root, f["path"]), "rb") as fh:
            tables.append(pq.read_table(fh))
    return pa.concat_tables(tables)


def test_movielens_s3_embeddings_predictions_accuracy(ml_trained, s3_bucket):
    conf, graph, results = ml_trained
    ckpt = results["best_checkpoint"]
    ds = GraphDataset.open(graph)
    runs = []
    for k in range(2):
        emb, pred = f"{s3_bucket}/run{k}/emb", f"{s3_bucket}/run{k}/pred"
        args = ["--cf", conf, "--part-config", graph, "--restore-model-path", ckpt, "--save-embed-path", emb,
                "--quiet", "--use-mini-batch-infer", "false"]
        if k == 0:
            args += ["--save-prediction-path", pred]
        assert run_cli(_main, args) == 0
        runs.append(emb)
    for ntype, n in (("user", 943), ("movie", 1682)):
        t = _read(runs[0], ntype)
        assert t.num_rows == n
        assert sorted(t.column("nid").to_pylist()) == sorted(ds.orig_ids(ntype).to_pylist())
        e0 = np.stack(t.column("emb").to_numpy(zero_copy_only=False))
        assert np.isfinite(e0).all()
        e1 = np.stack(_read(runs[1], ntype).column("emb").to_numpy(zero_copy_only=False))
        assert np.array_equal(e0, e1)       # full-neighbour inference is deterministic (same row order too)

    p = _read(f"{s3_bucket}/run0/pred", "movie")
    orig = ds.orig_ids("movie")
    test = np.asarray(ds.node_array("movie", "test_mask")).astype(bool)
    labels = np.asarray(ds.node_array("movie", "label"))
    assert p.num_rows == int(test.sum())
    import pyarrow.compute as pc
    pos = pc.index_in(p.column("nid"), value_set=orig).to_numpy()
    assert test[pos].all()
    probs = np.stack(p.column("pred").to_numpy(zero_copy_only=False))
    assert np.isfinite(probs).all()
    acc = float((probs.argmax(1) == labels[pos]).mean())
    assert acc == pytest.approx(results["test"]["accuracy"], abs=1e-6)
