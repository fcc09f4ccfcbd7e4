"""Cora end to end: examples/cora/prepare.py -> gs-construct -> gs-train with examples/cora/cora_nc.yaml.

Runs the checked-in config (public Planetoid split, 2-layer GraphSAGE-mean) for seeds 0-4 (a few
seconds each): the issue's bar is the 5-seed mean. The numbers are in examples/cora/README.md.
"""

import os
import subprocess
import sys

import pytest

from gs_testing import REPO, shared_data_path

BIN = os.path.dirname(sys.executable)


@pytest.fixture(scope="module")
def cora_graph(tmp_path_factory):
    data = shared_data_path("planetoid-cora")
    tables = str(tmp_path_factory.mktemp("cora"))
    subprocess.run([sys.executable, os.path.join(REPO, "examples/cora/prepare.py"), "--data-dir", data,
                    "--output-dir", tables], check=True, capture_output=True)
    out = os.path.join(tables, "graph")
    subprocess.run([os.path.join(BIN, "gs-construct"), "--conf-file", os.path.join(tables, "cora_construct.json"),
                    "--output-dir", out, "--quiet"], check=True)
    return out


def test_cora_public_split_accuracy(cora_graph):
    from graphstorm_py.config import load_train_config
    from graphstorm_py.graph import GraphDataset
    from graphstorm_py.training.run import train

    ds = GraphDataset.open(cora_graph)
    assert [int(ds.node_array("_N", m).sum()) for m in ("train_mask", "val_mask", "test_mask")] == [140, 500, 1000]
    accs = []
    for seed in range(5):
        cfg = load_train_config(os.path.join(REPO, "examples/cora/cora_nc.yaml"), ["--seed", str(seed)])
        res = train(cfg, cora_graph)
        assert res["epochs_run"] == 100 and res["best_epoch"] is not None
        accs.append(res["test"]["accuracy"])
    assert sum(accs) / len(accs) >= 0.79, accs      # measured 0.798 +- 0.006; GCN 0.815
