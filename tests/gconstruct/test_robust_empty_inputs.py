"""Inputs that yield no rows are valid in every format, for nodes, edges, features and labels.

Instances: a typed parquet file with 0 rows, a csv file with only its header, zero-byte csv
and json files, json lines with no lines, hdf5 datasets of length 0; an edge type with 0 edges
(with features and classification / link-prediction labels; with reverse edges, several
partitions, METIS); a node type whose own file is empty (IDs from the edges, or 0 nodes);
an empty file among non-empty ones of one entry; an empty entry among several of a type;
and training on a graph that has a 0-edge type.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.graph import GraphDataset
from construct_robust_helpers import FORMATS, conf, construct, edge, node, write_table


def _base(tmp_path, fmt):
    """users u0..u3 with a label, items 10..12, 4 'buys' edges; returns the file names."""
    users = write_table(tmp_path, "users", fmt, {"id": pa.array(["u0", "u1", "u2", "u3"]),
                                                 "age": pa.array([1.0, 2.0, 3.0, 4.0]),
                                                 "lab": pa.array([0, 1, 0, 1])})
    items = write_table(tmp_path, "items", fmt, {"id": pa.array([10, 11, 12])})
    buys = write_table(tmp_path, "buys", fmt, {"src": pa.array(["u0", "u1", "u2", "u0"]),
                                               "dst": pa.array([10, 11, 12, 12]), "w": pa.array([1.0, 2.0, 3.0, 4.0])})
    return users, items, buys


def _empty_edges(tmp_path, fmt, name="views"):
    return write_table(tmp_path, name, fmt, {"src": pa.array([], pa.string()), "dst": pa.array([], pa.int64()),
                                             "w": pa.array([], pa.float64()), "lab": pa.array([], pa.int64())})


def _meta(tmp_path):
    m = json.loads((tmp_path / "out" / "metadata.json").read_text())
    return ({t: v["count"] for t, v in m["node_types"].items()},
            {",".join(e["type"]): e for e in m["edge_types"]}, m)


@pytest.mark.parametrize("fmt", FORMATS)
def test_edge_type_with_no_rows(tmp_path, fmt):
    users, items, buys = _base(tmp_path, fmt)
    views = _empty_edges(tmp_path, fmt)
    c = conf([node("user", users, fmt, features=[{"feature_col": "age"}]), node("item", items, fmt)],
             [edge(("user", "buys", "item"), buys, fmt, features=[{"feature_col": "w"}]),
              edge(("user", "views", "item"), views, fmt,
                   features=[{"feature_col": "w"}, {"feature_col": "w", "feature_name": "w_n",
                                                    "transform": {"name": "max_min_norm"}}],
                   labels=[{"label_col": "lab", "task_type": "classification"}]),
              edge(("user", "likes", "item"), views, fmt, labels=[{"task_type": "link_prediction"}])])
    construct(tmp_path, c, "--add-reverse-edges", "--num-parts", "2", "--part-method", "metis")
    nodes, edges, _ = _meta(tmp_path)
    assert nodes == {"user": 4, "item": 3}
    assert edges["user,buys,item"]["count"] == 4
    for et in ("user,views,item", "item,views-rev,user", "user,likes,item", "item,likes-rev,user"):
        assert edges[et]["count"] == 0
    assert "w" in edges["user,views,item"]["features"]           # no-op needs no fit: written, 0 rows
    assert "w_n" not in edges["user,views,item"]["features"]     # nothing to fit max_min_norm on
    assert "lab" in edges["user,views,item"]["labels"]
    ds = GraphDataset.open(str(tmp_path / "out"))
    assert ds.coo(("user", "views", "item"))[0].shape == (0,)


@pytest.mark.parametrize("fmt", FORMATS)
def test_node_type_with_empty_file_takes_ids_from_edges_or_has_none(tmp_path, fmt):
    users, _, buys = _base(tmp_path, fmt)
    empty = write_table(tmp_path, "no_items", fmt, {"id": pa.array([], pa.int64()), "price": pa.array([], pa.float64())})
    views = _empty_edges(tmp_path, fmt)
    c = conf([node("user", users, fmt), node("item", empty, fmt, features=[{"feature_col": "price"}]),
              node("tag", empty, fmt, features=[{"feature_col": "price"}])],
             [edge(("user", "buys", "item"), buys, fmt), edge(("user", "tagged", "tag"), views, fmt)])
    construct(tmp_path, c)
    nodes, edges, m = _meta(tmp_path)
    assert nodes == {"user": 4, "item": 3, "tag": 0}
    assert m["node_types"]["item"]["features"] == {}     # its file had no rows to give features
    assert m["node_types"]["tag"]["features"]["price"]["dim"] == 1
    ds = GraphDataset.open(str(tmp_path / "out"))
    assert sorted(ds.orig_ids("item").to_pylist()) == [10, 11, 12]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_zero_byte_files(tmp_path, fmt):
    users, items, buys = _base(tmp_path, fmt)
    (tmp_path / f"views.{fmt}").write_text("")
    c = conf([node("user", users, fmt), node("item", items, fmt)],
             [edge(("user", "buys", "item"), buys, fmt),
              edge(("user", "views", "item"), f"views.{fmt}", fmt, features=[{"feature_col": "w"}])])
    construct(tmp_path, c)
    assert _meta(tmp_path)[1]["user,views,item"]["count"] == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_file_among_others_of_one_entry(tmp_path, fmt):
    users, items, buys = _base(tmp_path, fmt)
    views = _empty_edges(tmp_path, fmt)
    c = conf([node("user", users, fmt), node("item", items, fmt)],
             [edge(("user", "buys", "item"), [buys, views], fmt, features=[{"feature_col": "w"}],
                   labels=[{"task_type": "link_prediction"}])])
    construct(tmp_path, c)
    assert _meta(tmp_path)[1]["user,buys,item"]["count"] == 4


def test_empty_entries_among_several_of_a_type(tmp_path):
    users, items, buys = _base(tmp_path, "csv")
    (tmp_path / "more_users.csv").write_text("id,age\n")
    (tmp_path / "user_extra.csv").write_text("score\n")
    (tmp_path / "no_items.csv").write_text("id\n")
    c = conf([node("user", users, "csv", features=[{"feature_col": "age"}]),
              node("user", "more_users.csv", "csv", features=[{"feature_col": "age"}]),
              node("item", "no_items.csv", "csv"),
              node("item", items, "csv")],
             [edge(("user", "buys", "item"), buys, "csv")])
    construct(tmp_path, c)
    assert _meta(tmp_path)[0] == {"user": 4, "item": 3}
    # an entry without node_id_col must still match its type's rows by position
    c["nodes"].append(node("user", "user_extra.csv", "csv", id_col=None, features=[{"feature_col": "score"}]))
    os.remove(tmp_path / "out" / "metadata.json")
    construct(tmp_path, c, code=2)


def test_training_loads_a_graph_with_a_zero_edge_type(tmp_path):
    rng = np.random.default_rng(0)
    write_table(tmp_path, "users", "parquet", {"id": pa.array([f"u{i}" for i in range(40)]),
                                               "age": pa.array(rng.uniform(0, 1, 40)),
                                               "lab": pa.array(rng.integers(0, 2, 40))})
    write_table(tmp_path, "items", "parquet", {"id": pa.array(np.arange(30)), "price": pa.array(rng.uniform(0, 1, 30))})
    write_table(tmp_path, "buys", "parquet", {"src": pa.array([f"u{i}" for i in rng.integers(0, 40, 200)]),
                                              "dst": pa.array(rng.integers(0, 30, 200))})
    _empty_edges(tmp_path, "parquet")
    c = conf([node("user", "users.parquet", features=[{"feature_col": "age"}],
                   labels=[{"label_col": "lab", "task_type": "classification"}]),
              node("item", "items.parquet", features=[{"feature_col": "price"}])],
             [edge(("user", "buys", "item"), "buys.parquet"), edge(("user", "views", "item"), "views.parquet")])
    construct(tmp_path, c, "--add-reverse-edges")
    (tmp_path / "train.yaml").write_text(
        "version: 1.0\ngsf:\n  gnn:\n    model_encoder_type: rgcn\n    num_layers: 2\n    hidden_size: 8\n"
        "    fanout: '5,5'\n    node_feat_name: ['user:age', 'item:price']\n  hyperparam:\n    lr: 0.01\n    num_epochs: 1\n"
        "    batch_size: 16\n  node_classification:\n    target_ntype: user\n    label_field: lab\n    num_classes: 2\n")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for encoder in ("rgcn", "hgt"):
        proc = subprocess.run([sys.executable, "-m", "graphstorm_py.training.cli", "--cf", str(tmp_path / "train.yaml"),
                               "--part-config", str(tmp_path / "out"), "--quiet", "--device", "cpu",
                               "--model-encoder-type", encoder], env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]


_TRANSFORMS = [
    ({"feature_col": "x"}, "num"),
    ({"feature_col": "x", "transform": {"name": "max_min_norm"}}, "num"),
    ({"feature_col": "x", "transform": {"name": "standard"}}, "num"),
    ({"feature_col": "x", "transform": {"name": "rank_gauss"}}, "num"),
    ({"feature_col": "x", "transform": {"name": "bucket_numerical", "range": [0, 10], "bucket_cnt": 2}}, "num"),
    ({"feature_col": "s", "transform": {"name": "to_categorical"}}, "str"),
    ({"feature_col": "s", "transform": {"name": "to_categorical", "separator": ","}}, "str"),
    ({"feature_col": "s", "transform": {"name": "tokenize_hf", "bert_model": "all-MiniLM-L6-v2",
                                        "max_seq_length": 8}}, "str"),
    ({"feature_col": "s", "transform": {"name": "edge_dst_hard_negative", "separator": ";"}}, "str"),
]


@pytest.mark.parametrize("feat,kind", _TRANSFORMS, ids=lambda v: v.get("transform", {}).get("name", "no-op")
                         if isinstance(v, dict) else v)
def test_every_transform_applies_to_no_rows(feat, kind):
    """With a fitted state (e.g. from --transform-conf), 0 rows of a typed or untyped column give 0 rows."""
    from graphstorm_py.gconstruct.transforms import build_transform
    from graphstorm_py.gconstruct.transforms.base import TransformContext, fit_state

    if "bert_model" in feat.get("transform", {}):
        pytest.importorskip("transformers")
    tr = build_transform(feat, "f", etype=("u", "r", "item"))
    sample = pa.array([1.0, 2.0, 5.0]) if kind == "num" else pa.array(["a,b", "c", "d;e"])
    state = fit_state(tr, [[sample]])
    ctx = TransformContext(lookup=lambda ntype, ids: np.zeros(len(ids), np.int64))
    for col in (pa.array([], sample.type), pa.array([], pa.null())):
        out = tr.apply(state, [col], ctx)
        assert out and all(len(v) == 0 for v in out.values())


def test_files_of_one_entry_typed_differently(tmp_path):
    """int32 IDs in one parquet shard, int64 in the next; a csv shard whose IDs read as text."""
    write_table(tmp_path, "a", "parquet", {"id": pa.array([1, 2], pa.int32()), "y": pa.array([0, 1])})
    write_table(tmp_path, "b", "parquet", {"id": pa.array([3], pa.int64()), "y": pa.array([1.0])})
    write_table(tmp_path, "e1", "csv", {"src": pa.array([1, 2]), "dst": pa.array([2, 3])})
    write_table(tmp_path, "e2", "csv", {"src": pa.array(["3"]), "dst": pa.array(["x1"])})
    label = {"label_col": "y", "task_type": "regression"}
    c = conf([node("n", ["a.parquet", "b.parquet"], labels=[label])],
             [edge(("n", "to", "n"), ["e1.csv", "e2.csv"], "csv")])
    construct(tmp_path, c, "--skip-nonexist-edges")
    nodes, edges, _ = _meta(tmp_path)
    assert nodes == {"n": 3} and edges["n,to,n"]["count"] == 2   # 3 -> x1 names no node
