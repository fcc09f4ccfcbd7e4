"""gs-infer with N workers writes the same embeddings and predictions as one worker (within 1e-5).

One checkpoint (trained by one process) on 4 partitions; full-graph inference (halo exchange)
of 2 and 4 workers compared with the one-process run; mini-batch inference (partition-invariant
sampling) compared with a one-worker job.
Each worker writes its own nodes; one ``_SUCCESS`` lists every shard.
"""

import os
import subprocess
import sys
import tempfile

import numpy as np
import pyarrow.parquet as pq
import pytest

from test_launcher import YAML
from dist_helpers import make_graph
from graphstorm_py.outputs.writer import read_manifest

BIN = os.path.dirname(sys.executable)


def run(tool, *args, env=None, timeout=240):
    e = dict(os.environ, OMP_NUM_THREADS="1", **(env or {}))
    p = subprocess.run([os.path.join(BIN, tool), "--quiet", *args], capture_output=True, text=True,
                       timeout=timeout, env=e)
    assert p.returncode == 0, p.stderr[-3000:]
    return p


def read(root, name):
    man = read_manifest(root)
    files = man["datasets"][name]["files"]
    tables = [pq.read_table(os.path.join(root, f["path"])) for f in files]
    nid = np.concatenate([t.column("nid").to_numpy(zero_copy_only=False) for t in tables])
    col = "emb" if "emb" in tables[0].column_names else "pred"
    val = np.concatenate([np.stack(t.column(col).to_numpy(zero_copy_only=False)) if t.num_rows else
                          np.zeros((0,)) for t in tables if t.num_rows])
    return dict(zip(nid.tolist(), val)), man


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("infer")
    with open(d / "train.yaml", "w") as f:
        f.write(YAML)
    g = make_graph(str(d / "g"), 4)
    run("gs-train", "--cf", str(d / "train.yaml"), "--part-config", g, "--num-epochs", "1",
        "--save-model-path", str(d / "model"))
    return str(d / "train.yaml"), g, str(d / "model" / "epoch-0")


def _close(a, b):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_allclose(a[k], b[k], atol=1e-5, rtol=0)


@pytest.mark.parametrize("world", [2, 4])
def test_full_graph_embeddings_and_predictions_match_one_process(trained, tmp_path, world):
    yaml, g, ckpt = trained
    common = ["--cf", yaml, "--part-config", g, "--restore-model-path", ckpt, "--use-mini-batch-infer", "false"]
    run("gs-infer", *common, "--save-embed-path", str(tmp_path / "one"), "--save-prediction-path",
        str(tmp_path / "one_pred"))
    run("gs-infer", *common, "--num-trainers", str(world), "--graph-transport", "collective", "--save-embed-path",
        str(tmp_path / "two"), "--save-prediction-path", str(tmp_path / "two_pred"))
    for nt in ("user", "item"):
        one, _ = read(str(tmp_path / "one"), nt)
        two, man = read(str(tmp_path / "two"), nt)
        _close(one, two)
        assert man["inference"]["workers"] == world
        assert {f["path"].split("/")[1][:11] for f in man["datasets"][nt]["files"]} == {
            f"part-r{r:04d}-" for r in range(world)}
    _close(read(str(tmp_path / "one_pred"), "user")[0], read(str(tmp_path / "two_pred"), "user")[0])


def test_minibatch_embeddings_one_worker_vs_two(trained, tmp_path):
    yaml, g, ckpt = trained
    common = ["--cf", yaml, "--part-config", g, "--restore-model-path", ckpt, "--use-mini-batch-infer", "true",
              "--graph-transport", "collective"]
    rdzv = os.path.join(tempfile.mkdtemp(prefix="gs-test-"), "rdzv")
    run("gs-infer", *common, "--save-embed-path", str(tmp_path / "one"),
        env={"RANK": "0", "WORLD_SIZE": "1", "GS_RDZV_FILE": rdzv})
    run("gs-infer", *common, "--num-trainers", "2", "--save-embed-path", str(tmp_path / "two"))
    for nt in ("user", "item"):
        _close(read(str(tmp_path / "one"), nt)[0], read(str(tmp_path / "two"), nt)[0])
