"""ACM (HAN's ACM3025.mat) through examples/acm/prepare.py and gs-construct: a multi-relation paper
graph (PAP, PLP meta-path edge types) with HAN's standard train/val/test split as custom split files."""

import os
import subprocess
import sys

import numpy as np
import pytest

from gs_testing import REPO, shared_data_path
from graphstorm_py.graph import GraphDataset

# Verified counts (shared/data/acm-han/README.md): non-zeros minus the 3,025 diagonal self loops.
N_PAPER = 3025
N_EDGES = {("paper", "PAP", "paper"): 29_281 - N_PAPER, ("paper", "PLP", "paper"): 2_210_761 - N_PAPER}
SPLIT = {"train_mask": 600, "val_mask": 300, "test_mask": 2125}


@pytest.fixture(scope="module")
def acm_graph(tmp_path_factory):
    data = shared_data_path("acm-han")
    tables = str(tmp_path_factory.mktemp("acm"))
    subprocess.run([sys.executable, os.path.join(REPO, "examples/acm/prepare.py"), "--data-dir", data,
                    "--output-dir", tables], check=True)
    out = os.path.join(tables, "graph")
    exe = os.path.join(os.path.dirname(sys.executable), "gs-construct")
    subprocess.run([exe, "--conf-file", os.path.join(tables, "acm_construct.json"), "--output-dir", out,
                    "--num-parts", "2", "--quiet"], check=True)
    return data, GraphDataset.open(out)


@pytest.fixture(scope="module")
def mat(acm_graph):
    from scipy.io import loadmat

    return loadmat(os.path.join(acm_graph[0], "ACM3025.mat"))


def test_counts(acm_graph):
    _, ds = acm_graph
    assert ds.ntypes == ["paper"] and ds.num_nodes("paper") == N_PAPER
    assert sorted(map(tuple, ds.etypes)) == sorted(N_EDGES)
    for et, n in N_EDGES.items():
        assert ds.num_edges(et) == n
    assert ds.num_partitions == 2
    assert ds.meta.node_type("paper")["features"]["feat"]["dim"] == 1870
    lab = ds.meta.node_type("paper")["labels"]["label"]
    assert lab["num_classes"] == 3
    assert lab["label_stats"]["frequency_cnt"] == {"0": 1061, "1": 965, "2": 999}


def test_standard_split(acm_graph, mat):
    _, ds = acm_graph
    orig = ds.orig_ids("paper").to_numpy()
    masks = {m: ds.node_array("paper", m) for m in SPLIT}
    for m, n in SPLIT.items():
        assert int(masks[m].sum()) == n, m
    assert (sum(masks.values()) == 1).all()  # disjoint and covering all papers
    for m, key in (("train_mask", "train_idx"), ("val_mask", "val_idx"), ("test_mask", "test_idx")):
        assert sorted(orig[masks[m].astype(bool)]) == sorted(mat[key].reshape(-1).tolist())
    train_labels = ds.node_array("paper", "label")[masks["train_mask"].astype(bool)]
    assert np.bincount(train_labels, minlength=3).tolist() == [200, 200, 200]


def test_features_labels_edges_follow_papers(acm_graph, mat):
    _, ds = acm_graph
    orig = ds.orig_ids("paper").to_numpy()
    np.testing.assert_array_equal(ds.node_array("paper", "feat"), mat["feature"][orig].astype(np.float32))
    np.testing.assert_array_equal(ds.node_array("paper", "label"), mat["label"].argmax(axis=1)[orig])
    src, dst = ds.coo(("paper", "PAP", "paper"))
    adj = mat["PAP"].copy()
    np.fill_diagonal(adj, 0)
    want = np.stack(np.nonzero(adj))
    got = np.stack([orig[src], orig[dst]])
    got = got[:, np.lexsort(got[::-1])]
    np.testing.assert_array_equal(got, want)
