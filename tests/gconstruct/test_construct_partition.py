"""Partitioners: the compact symmetric CSR, training-node balance, edge cut and its metadata."""

import json
import os

import numpy as np
import pytest
import scipy.sparse as sp

from graphstorm_py.gconstruct.partition import edge_cut, partition_nodes
from graphstorm_py.gconstruct.sym_csr import symmetric_csr
from construct_helpers import toy_config, write_config, write_toy_tables
from graphstorm_py.gconstruct.cli import main


def _two_cliques(n=40):
    """Two dense blobs of ``n`` nodes each (types a and b), joined by one edge a0-b0."""
    rng = np.random.default_rng(0)
    s = rng.integers(0, n, 600)
    d = rng.integers(0, n, 600)
    return {"a": n, "b": n}, {("a", "x", "a"): (s, d), ("b", "y", "b"): (d, s),
                              ("a", "z", "b"): (np.array([0]), np.array([0]))}


def test_symmetric_csr_matches_scipy_and_drops_duplicates_loops_and_skipped():
    num, edges = _two_cliques()
    rev = ("b", "z-rev", "a")
    edges[rev] = (edges[("a", "z", "b")][1], edges[("a", "z", "b")][0])
    indptr, indices, total = symmetric_csr(num, edges, skip=[rev])
    assert indices.dtype == np.int64 and total == 80
    r = np.concatenate([edges[("a", "x", "a")][0], edges[("b", "y", "b")][0] + 40, [0]])
    c = np.concatenate([edges[("a", "x", "a")][1], edges[("b", "y", "b")][1] + 40, [40]])
    adj = sp.coo_matrix((np.ones(len(r)), (r, c)), shape=(80, 80)).tocsr()
    adj = ((adj + adj.T) > 0).astype(np.int8).tocsr()
    adj.setdiag(0)
    adj.eliminate_zeros()
    adj.sort_indices()
    np.testing.assert_array_equal(indptr, adj.indptr)
    np.testing.assert_array_equal(indices, adj.indices)
    # the reverse type gives the same structure when not skipped (duplicates drop out)
    i2, j2, _ = symmetric_csr(num, edges)
    np.testing.assert_array_equal(i2, indptr)
    np.testing.assert_array_equal(j2, indices)


def test_symmetric_csr_without_edges():
    indptr, indices, total = symmetric_csr({"a": 3}, {("a", "r", "a"): (np.array([1]), np.array([1]))})
    assert total == 3 and len(indices) == 0 and list(indptr) == [0, 0, 0, 0]


@pytest.mark.parametrize("method", ["metis", "kaminpar", "kaminpar-eco", "ldg"])
def test_cuts_less_than_random(method):
    if method.startswith("kaminpar"):
        pytest.importorskip("kaminpar")
    num, edges = _two_cliques()
    ml = partition_nodes(method, num, edges, 2, seed=0)
    rnd = partition_nodes("random", num, edges, 2, seed=0)
    assert edge_cut(ml, edges)[0] < edge_cut(rnd, edges)[0]
    counts = np.bincount(np.concatenate([ml["a"], ml["b"]]), minlength=2)
    assert abs(counts[0] - counts[1]) <= 8


def test_hash_partition_follows_raw_ids():
    import pyarrow as pa

    ids = {"a": pa.array(["x", "y", "z", "w"] * 5), "b": pa.array(np.arange(20) * 7)}
    one = partition_nodes("hash", {"a": 20, "b": 20}, {}, 3, orig_ids=ids)
    two = partition_nodes("hash", {"a": 20, "b": 20}, {}, 3, orig_ids={k: v[::-1] for k, v in ids.items()})
    np.testing.assert_array_equal(one["a"], two["a"][::-1])   # a node's part depends on its ID alone
    assert set(np.unique(one["b"])) == {0, 1, 2}


def test_balance_train_keeps_node_counts():
    from graphstorm_py.gconstruct.partition import balance_train

    parts = np.repeat(np.arange(3), [50, 30, 20])
    train = np.zeros(100, bool)
    train[:40] = True                       # all in part 0
    out = balance_train(parts, train, 3, seed=0)
    np.testing.assert_array_equal(np.bincount(out, minlength=3), [50, 30, 20])
    assert sorted(np.bincount(out[train], minlength=3)) == [13, 13, 14]


@pytest.mark.parametrize("method", ["random", "metis", "ldg"])
def test_training_nodes_are_balanced(method):
    num, edges = _two_cliques()
    train = {"a": np.zeros(40, bool), "b": np.zeros(40, bool)}
    train["a"][:12] = True       # all training nodes sit in one blob: an unweighted cut puts them together
    parts = partition_nodes(method, num, edges, 2, seed=0, train=train)
    per_part = np.bincount(parts["a"][train["a"]], minlength=2)
    assert per_part.min() >= 4, per_part


def test_metadata_records_cut_and_per_partition_counts(tmp_path):
    write_toy_tables(str(tmp_path))
    conf = write_config(str(tmp_path), toy_config())
    out = str(tmp_path / "out")
    with pytest.raises(SystemExit) as exc:
        main(["--conf-file", conf, "--output-dir", out, "--num-parts", "2", "--part-method", "metis",
              "--add-reverse-edges", "--quiet"])
    assert exc.value.code == 0
    with open(os.path.join(out, "metadata.json")) as fh:
        stats = json.load(fh)["partition_stats"]
    assert stats["method"] == "metis" and stats["num_edges"] == 200   # reverse edges not counted twice
    assert 0 < stats["edge_cut"] < 200 and stats["edge_cut_ratio"] == pytest.approx(stats["edge_cut"] / 200)
    assert sum(stats["nodes_per_part"]["user"]) == 30 and len(stats["nodes_per_part"]["item"]) == 2
    train = stats["train_nodes_per_part"]["user"]
    assert sum(train) == 18 and abs(train[0] - train[1]) <= 3


def test_neighbour_parts_counts_both_directions_without_skipped_types():
    from graphstorm_py.gconstruct.partition import neighbour_parts

    edges = {("a", "r", "b"): (np.array([0, 0, 1]), np.array([0, 1, 1])),
             ("b", "r-rev", "a"): (np.array([0, 1, 1]), np.array([0, 0, 1]))}
    flat = np.array([0, 1, 1, 0])                      # a0, a1, b0, b1 (global IDs: a first)
    nb = neighbour_parts(flat, 2, edges, {"a": 0, "b": 2}, skip=[("b", "r-rev", "a")])
    np.testing.assert_array_equal(nb, [[1, 1], [1, 0], [1, 0], [1, 1]])


def test_balance_train_swaps_the_nodes_that_cut_fewest_edges():
    from graphstorm_py.gconstruct.partition import balance_train

    parts = np.repeat([0, 1], 6)
    train = np.zeros(12, bool)
    train[[0, 1, 2, 3, 6]] = True                      # 4 in part 0, 1 in part 1: one must move
    nb = np.zeros((12, 2), np.int32)
    nb[:6, 0] = 5
    nb[2] = [0, 5]                                     # training node 2: all its neighbours in part 1
    nb[6:, 1] = 5
    nb[9] = [5, 0]                                     # other node 9: all its neighbours in part 0
    for seed in range(5):
        out = balance_train(parts, train, 2, seed=seed, nb=nb)
        assert sorted(np.flatnonzero(out != parts)) == [2, 9]
