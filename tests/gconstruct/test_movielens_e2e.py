"""MovieLens-100k through gs-construct with GraphStorm's config format (real data, bert_hf titles)."""

import os

import numpy as np
import pyarrow.parquet as pq
import pytest

from graphstorm_py.graph import GraphDataset


@pytest.fixture(scope="module")
def ml_graph(movielens_graph):
    tables, graph = movielens_graph
    return tables, GraphDataset.open(graph)


def test_counts(ml_graph):
    _, ds = ml_graph
    assert ds.num_nodes("user") == 943 and ds.num_nodes("movie") == 1682
    assert ds.num_edges(("user", "rating", "movie")) == 100_000
    assert ds.num_edges(("movie", "rating-rev", "user")) == 100_000
    assert ds.num_partitions == 2
    assert ds.meta.node_type("movie")["features"]["title"]["dim"] == 384


def test_id_maps_reproduce_original_ids(ml_graph):
    tables, ds = ml_graph
    assert sorted(ds.orig_ids("user").to_pylist()) == list(range(1, 944))
    assert sorted(ds.orig_ids("movie").to_pylist()) == list(range(1, 1683))
    # every rating edge maps back to a (user, movie, rate) row of the input
    r = pq.read_table(os.path.join(tables, "ratings.parquet"))
    want = sorted(zip(*(r[c].to_numpy() for c in ("src_id", "dst_id", "rate"))))
    et = ("user", "rating", "movie")
    src, dst = ds.coo(et)
    uid = ds.orig_ids("user").to_numpy()
    mid = ds.orig_ids("movie").to_numpy()
    got = sorted(zip(uid[src], mid[dst], ds.edge_array(et, "rate_feat")[:, 0].astype(int)))
    assert got == want


def test_labels_follow_movies(ml_graph):
    tables, ds = ml_graph
    movies = pq.read_table(os.path.join(tables, "movies.parquet"))
    label_of = dict(zip(movies["id"].to_pylist(), movies["label"].to_pylist()))
    mid = ds.orig_ids("movie").to_pylist()
    np.testing.assert_array_equal(ds.node_array("movie", "label"), [label_of[m] for m in mid])
    stats = ds.meta.node_type("movie")["labels"]["label"]["label_stats"]["frequency_cnt"]
    assert sum(stats.values()) == int(ds.node_array("movie", "train_mask").sum() + ds.node_array("movie", "val_mask").sum()
                                      + ds.node_array("movie", "test_mask").sum())
