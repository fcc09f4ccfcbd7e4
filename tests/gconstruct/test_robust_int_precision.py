"""Integer columns keep integer precision end to end; a lossy cast is a warning naming the column.

Instances: int64 features beyond 2^53 with ``out_dtype: int64`` in every input format, as
scalars, list and fixed-size-list vectors and several columns, on nodes and edges; narrower
integer ``out_dtype``; the default float32 cast merging distinct values (a warning naming the
column) or not (no warning); classification labels with nulls and regression labels; node IDs
at the ends of the int64 range, in edges and in split files.
"""

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.graph import GraphDataset
from graphstorm_py.gconstruct.transforms.columns import int_cast_loss, numeric_matrix
from construct_robust_helpers import FORMATS, conf, construct, edge, node, write_table

BIG = np.array([(1 << 60) + 1, (1 << 60) + 3, (1 << 60) + 5, 12345], dtype=np.int64)


def _by_id(ds, ntype, name):
    ids = ds.orig_ids(ntype).to_pylist()
    arr = ds.node_array(ntype, name)
    return {i: arr[k] for k, i in enumerate(ids)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_int64_feature_beyond_2_53_is_exact(tmp_path, fmt):
    items = write_table(tmp_path, "items", fmt, {"id": pa.array([1, 2, 3, 4]), "key": pa.array(BIG)})
    links = write_table(tmp_path, "links", fmt, {"src": pa.array([1, 2, 3, 4]), "dst": pa.array([2, 3, 4, 1]),
                                                 "ekey": pa.array(BIG)})
    c = conf([node("item", items, fmt, features=[{"feature_col": "key", "out_dtype": "int64"}])],
             [edge(("item", "link", "item"), links, fmt, features=[{"feature_col": "ekey", "out_dtype": "int64"}])])
    construct(tmp_path, c)
    ds = GraphDataset.open(str(tmp_path / "out"))
    got = _by_id(ds, "item", "key")
    assert all(got[i].dtype == np.int64 and int(got[i][0]) == int(BIG[i - 1]) for i in (1, 2, 3, 4))
    et = ("item", "link", "item")
    assert sorted(ds.edge_array(et, "ekey")[:, 0].tolist()) == sorted(BIG.tolist())


def test_int_vectors_and_several_columns(tmp_path):
    vec = pa.FixedSizeListArray.from_arrays(pa.array(np.concatenate([BIG, BIG])), 2)
    lst = pa.array([[int(v), 1] for v in BIG], pa.list_(pa.int64()))
    write_table(tmp_path, "items", "parquet", {"id": pa.array([1, 2, 3, 4]), "vec": vec, "lst": lst,
                                               "a": pa.array(BIG), "b": pa.array([1, 2, 3, 4], pa.int32())})
    write_table(tmp_path, "links", "parquet", {"src": pa.array([1]), "dst": pa.array([2])})
    feats = [{"feature_col": "vec", "out_dtype": "int64"}, {"feature_col": "lst", "out_dtype": "int64"},
             {"feature_col": ["a", "b"], "feature_name": "ab", "out_dtype": "int64"},
             {"feature_col": "b", "out_dtype": "int16"}]
    construct(tmp_path, conf([node("item", "items.parquet", features=feats)],
                             [edge(("item", "link", "item"), "links.parquet")]))
    ds = GraphDataset.open(str(tmp_path / "out"))
    order = np.argsort(ds.orig_ids("item").to_pylist())
    np.testing.assert_array_equal(ds.node_array("item", "vec")[order], np.stack([BIG[:2], BIG[2:], BIG[:2], BIG[2:]]))
    np.testing.assert_array_equal(ds.node_array("item", "lst")[order][:, 0], BIG)
    np.testing.assert_array_equal(ds.node_array("item", "ab")[order], np.stack([BIG, [1, 2, 3, 4]], axis=1))
    assert ds.node_array("item", "b").dtype == np.int16


@pytest.mark.parametrize("out_dtype,warns", [(None, True), ("float32", True), ("float64", False), ("int8", True)])
def test_lossy_cast_warns_naming_the_column(tmp_path, capsys, out_dtype, warns):
    keys = np.array([(1 << 40) + 1, (1 << 40) + 2, 300, 5], dtype=np.int64)   # merge in float32; 300 overflows int8
    write_table(tmp_path, "items", "parquet", {"id": pa.array([1, 2, 3, 4]), "ext_key": pa.array(keys),
                                               "small": pa.array([1, 2, 3, 4])})
    write_table(tmp_path, "links", "parquet", {"src": pa.array([1]), "dst": pa.array([2])})
    feat = {"feature_col": "ext_key", **({"out_dtype": out_dtype} if out_dtype else {})}
    err = construct(tmp_path, conf([node("item", "items.parquet", features=[feat, {"feature_col": "small"}])],
                                   [edge(("item", "link", "item"), "links.parquet")]), capsys=capsys)
    assert ("WARNING" in err and "'ext_key'" in err) == warns
    assert "'small'" not in err


def test_labels_keep_integers(tmp_path, capsys):
    write_table(tmp_path, "items", "parquet", {"id": pa.array([1, 2, 3, 4]),
                                               "cls": pa.array([3, None, 1, 0], pa.int64()),
                                               "price": pa.array(BIG)})
    write_table(tmp_path, "links", "parquet", {"src": pa.array([1]), "dst": pa.array([2])})
    labels = [{"label_col": "cls", "task_type": "classification"},
              {"label_col": "price", "task_type": "regression"}]
    err = construct(tmp_path, conf([node("item", "items.parquet", labels=labels)],
                                   [edge(("item", "link", "item"), "links.parquet")]), capsys=capsys)
    assert "regression labels in 'price'" in err and "merges" in err
    ds = GraphDataset.open(str(tmp_path / "out"))
    cls = _by_id(ds, "item", "cls")
    assert [int(cls[i]) for i in (1, 2, 3, 4)] == [3, -1, 1, 0]
    assert ds.meta.node_type("item")["labels"]["cls"]["num_classes"] == 4


def test_int64_ids_at_the_ends_of_the_range(tmp_path):
    ids = [np.iinfo(np.int64).max, np.iinfo(np.int64).min, (1 << 53) + 1, (1 << 53)]
    write_table(tmp_path, "n", "parquet", {"id": pa.array(ids), "y": pa.array([0, 1, 0, 1])})
    write_table(tmp_path, "e", "parquet", {"src": pa.array(ids), "dst": pa.array(ids[1:] + ids[:1])})
    (tmp_path / "train.txt").write_text(f"{ids[0]}\n{ids[2]}\n")
    (tmp_path / "test.json").write_text(f"[{ids[1]}, {ids[3]}]")
    label = {"label_col": "y", "task_type": "classification",
             "custom_split_filenames": {"train": "train.txt", "test": "test.json"}}
    construct(tmp_path, conf([node("n", "n.parquet", labels=[label])], [edge(("n", "to", "n"), "e.parquet")]))
    ds = GraphDataset.open(str(tmp_path / "out"))
    orig = ds.orig_ids("n").to_pylist()
    assert sorted(orig) == sorted(ids)
    train = {orig[i] for i in np.flatnonzero(ds.node_array("n", "train_mask"))}
    test = {orig[i] for i in np.flatnonzero(ds.node_array("n", "test_mask"))}
    assert train == {ids[0], ids[2]} and test == {ids[1], ids[3]}
    s, d = ds.coo(("n", "to", "n"))
    assert sorted(zip([orig[i] for i in s], [orig[i] for i in d])) == sorted(zip(ids, ids[1:] + ids[:1]))


def test_int_cast_loss_and_numeric_matrix():
    assert int_cast_loss(np.array([1, 2, 3]), np.float32) is None
    assert "merges 2 distinct values into 1" in int_cast_loss(np.array([(1 << 30) + 1, 1 << 30]), np.float32)
    assert int_cast_loss(np.array([(1 << 30) + 1, 1 << 30]), np.float64) is None
    assert "do not fit int8" in int_cast_loss(np.array([1, 200]), np.int8)
    assert numeric_matrix([pa.array(BIG)], ["k"], exact_int=True).dtype == np.int64
    # a null keeps the float path (and its validation)
    assert numeric_matrix([pa.array([1, None])], ["k"], exact_int=True).dtype == np.float64
