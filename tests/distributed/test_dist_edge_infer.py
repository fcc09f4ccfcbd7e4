"""gs-infer with 2 workers writes the edge-classification and link-prediction predictions of one
process: each worker the target edges it owns as ``part-rRRRR-`` shards, one ``_SUCCESS`` at the
end; concatenated in manifest order, the same rows in the same order, values within 1e-5."""

import os
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dist_helpers import make_edge_graph
from graphstorm_py.outputs.writer import read_manifest

BIN = os.path.dirname(sys.executable)
GNN = """\
version: 1.0
gsf:
  gnn: {model_encoder_type: rgcn, num_layers: 2, hidden_size: 8, fanout: "3,2", eval_fanout: "3,2",
        node_feat_name: ["user:f", "item:h"]}
  hyperparam: {lr: 0.02, num_epochs: 1, batch_size: 32, eval_batch_size: 17, seed: 3}
"""
TASKS = {
    "ec": """\
  edge_classification: {target_etype: ["user,buys,item"], label_field: rate, num_classes: 3,
                        remove_target_edge_type: false, return_proba: true}
""",
    "lp": """\
  link_prediction: {train_etype: ["user,buys,item"], num_negative_edges: 4,
                    reverse_edge_types_map: ["user,buys,bought-by,item"]}
"""}


def run(tool, *args, env=None, timeout=300):
    e = dict(os.environ, OMP_NUM_THREADS="1", **(env or {}))
    p = subprocess.run([os.path.join(BIN, tool), "--quiet", *args], capture_output=True, text=True,
                       timeout=timeout, env=e)
    assert p.returncode == 0, p.stderr[-3000:]
    return p


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("edge-infer")
    g = make_edge_graph(str(d / "g"), 2)
    out = {}
    for name, text in TASKS.items():
        (d / f"{name}.yaml").write_text(textwrap.dedent(GNN + text))
        run("gs-train", "--cf", str(d / f"{name}.yaml"), "--part-config", g, "--save-model-path", str(d / name))
        out[name] = (str(d / f"{name}.yaml"), str(d / name / "epoch-0"))
    return g, out


def read(root):
    man = read_manifest(root)
    (name, ds), = man["datasets"].items()
    return pa.concat_tables([pq.read_table(os.path.join(root, f["path"])) for f in ds["files"]]), ds["files"]


def _same(a: pa.Table, b: pa.Table):
    assert a.column_names == b.column_names and a.num_rows == b.num_rows > 0
    for c in a.column_names:
        x, y = (np.stack(t.column(c).to_numpy(zero_copy_only=False)) for t in (a, b))
        if c == "pred":
            np.testing.assert_allclose(x, y, atol=1e-5, rtol=0)
        else:
            assert (x == y).all(), c


@pytest.mark.parametrize("task", ["ec", "lp"])
def test_two_workers_full_graph_predictions_equal_one_process(trained, tmp_path, task):
    g, models = trained
    yaml, ckpt = models[task]
    common = ["--cf", yaml, "--part-config", g, "--restore-model-path", ckpt, "--use-mini-batch-infer", "false"]
    run("gs-infer", *common, "--save-prediction-path", str(tmp_path / "one"))
    run("gs-infer", *common, "--num-trainers", "2", "--graph-transport", "collective",
        "--save-prediction-path", str(tmp_path / "two"))
    one, _ = read(str(tmp_path / "one"))
    two, files = read(str(tmp_path / "two"))
    _same(one, two)
    assert {f["path"].split("/")[1][:11] for f in files} == {"part-r0000-", "part-r0001-"}
    assert read_manifest(str(tmp_path / "two"))["inference"]["workers"] == 2


def test_two_workers_minibatch_edge_predictions_equal_one_worker(trained, tmp_path):
    g, models = trained
    yaml, ckpt = models["ec"]
    common = ["--cf", yaml, "--part-config", g, "--restore-model-path", ckpt, "--use-mini-batch-infer", "true",
              "--infer-all-target-nodes"]
    rdzv = os.path.join(tempfile.mkdtemp(prefix="gs-test-"), "rdzv")
    run("gs-infer", *common, "--graph-transport", "collective", "--save-prediction-path", str(tmp_path / "one"),
        env={"RANK": "0", "WORLD_SIZE": "1", "GS_RDZV_FILE": rdzv})
    for transport in ("collective", "auto"):
        run("gs-infer", *common, "--num-trainers", "2", "--graph-transport", transport,
            "--save-prediction-path", str(tmp_path / transport))
        _same(read(str(tmp_path / "one"))[0], read(str(tmp_path / transport))[0])
