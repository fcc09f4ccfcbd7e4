"""NaN and null IDs are missing IDs wherever IDs appear: never a node, always counted and named.

Instances: NaN in a float node-ID column, null in string and integer ID columns (parquet,
an empty csv field, json null, hdf5 NaN), the right file named among several; NaN and null
edge endpoints (exit 2; dropped and counted with --skip-nonexist-edges, also for node types
that take their IDs from the edges); NaN and null in split files.
"""

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.graph import GraphDataset
from construct_robust_helpers import FORMATS, conf, construct, edge, node, write_table


def _graph(tmp_path, fmt, item_ids, dst, files=None):
    write_table(tmp_path, "users", fmt, {"id": pa.array(["u0", "u1", "u2"])})
    items = write_table(tmp_path, "items_nan", fmt, {"id": item_ids, "x": pa.array(np.arange(len(item_ids)))})
    buys = write_table(tmp_path, "buys", fmt, {"src": pa.array(["u0", "u1", "u2"]), "dst": dst})
    return conf([node("user", f"users{buys[-len(buys.split('.')[-1]) - 1:]}", fmt),
                 node("item", files or items, fmt)],
                [edge(("user", "buys", "item"), buys, fmt)])


@pytest.mark.parametrize("fmt", FORMATS)
def test_nan_in_float_node_ids(tmp_path, capsys, fmt):
    c = _graph(tmp_path, fmt, pa.array([10.0, 11.0, np.nan, 13.0]), pa.array([10.0, 11.0, 13.0]))
    err = construct(tmp_path, c, code=2, capsys=capsys)
    assert "items_nan" in err and "'id'" in err and " 1 missing IDs" in err


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json"])
@pytest.mark.parametrize("ids", [pa.array(["10", None, "12", None]), pa.array([10, None, 12, None])])
def test_null_node_ids(tmp_path, capsys, fmt, ids):
    c = _graph(tmp_path, fmt, ids, pa.array([10, 12, 12]).cast(ids.type))
    err = construct(tmp_path, c, code=2, capsys=capsys)
    assert "items_nan" in err and "'id'" in err and " 2 missing IDs" in err


def test_the_file_with_missing_ids_is_named(tmp_path, capsys):
    write_table(tmp_path, "items_a", "parquet", {"id": pa.array([1.0, 2.0])})
    c = _graph(tmp_path, "parquet", pa.array([3.0, None, np.nan]), pa.array([1.0, 2.0, 3.0]),
               files=["items_a.parquet", "items_nan.parquet"])
    err = construct(tmp_path, c, code=2, capsys=capsys)
    assert "items_nan.parquet: 2 in column 'id'" in err and "items_a" not in err


@pytest.mark.parametrize("dst", [pa.array([10.0, np.nan, 11.0]), pa.array([10, None, 11])])
def test_missing_edge_endpoints(tmp_path, capsys, dst):
    c = _graph(tmp_path, "parquet", pa.array([10, 11]).cast(dst.type), dst)
    err = construct(tmp_path, c, code=2, capsys=capsys)
    assert "buys.parquet" in err and "'dst'" in err and " 1 missing IDs" in err and "--skip-nonexist-edges" in err
    err = construct(tmp_path, c, "--skip-nonexist-edges", capsys=capsys)
    assert "dropped 1 edges with a missing (null or NaN) endpoint ID" in err and "buys.parquet: 1 in column 'dst'" in err
    ds = GraphDataset.open(str(tmp_path / "out"))
    assert ds.meta.edge_type(("user", "buys", "item"))["count"] == 2


def test_missing_endpoints_never_become_nodes(tmp_path, capsys):
    # 'item' has no node entry: its IDs come from the edges, and NaN/null is not one of them
    write_table(tmp_path, "buys", "parquet", {"src": pa.array(["u0", None, "u2", "u1"]),
                                              "dst": pa.array([10.0, 11.0, np.nan, 11.0])})
    c = conf([], [edge(("user", "buys", "item"), "buys.parquet")])
    err = construct(tmp_path, c, code=2, capsys=capsys)
    assert "'src' has 1 missing IDs" in err
    err = construct(tmp_path, c, "--skip-nonexist-edges", capsys=capsys)
    assert "dropped 2 edges" in err
    ds = GraphDataset.open(str(tmp_path / "out"))
    assert sorted(ds.orig_ids("user").to_pylist()) == ["u0", "u1"]
    assert sorted(ds.orig_ids("item").to_pylist()) == [10.0, 11.0]


@pytest.mark.parametrize("text", ['[7, NaN]', '7\nnull\n'])
def test_nan_and_null_in_json_split_files(tmp_path, capsys, text):
    write_table(tmp_path, "n", "parquet", {"id": pa.array([7, 8]), "y": pa.array([0, 1])})
    write_table(tmp_path, "e", "parquet", {"src": pa.array([7]), "dst": pa.array([8])})
    (tmp_path / "train.json").write_text(text)
    label = {"label_col": "y", "task_type": "classification", "custom_split_filenames": {"train": "train.json"}}
    err = construct(tmp_path, conf([node("n", "n.parquet", labels=[label])], [edge(("n", "to", "n"), "e.parquet")]),
                    code=2, capsys=capsys)
    assert "train.json" in err and "1 missing IDs (null or NaN)" in err


def test_missing_ids_in_a_parquet_edge_split_name_the_column(tmp_path, capsys):
    write_table(tmp_path, "n", "parquet", {"id": pa.array([7, 8])})
    write_table(tmp_path, "e", "parquet", {"src": pa.array([7]), "dst": pa.array([8])})
    write_table(tmp_path, "train", "parquet", {"s": pa.array([7, 7]), "d": pa.array([8.0, np.nan])})
    label = {"task_type": "link_prediction", "custom_split_filenames": {"train": "train.parquet", "column": ["s", "d"]}}
    err = construct(tmp_path, conf([node("n", "n.parquet")], [edge(("n", "to", "n"), "e.parquet", labels=[label])]),
                    code=2, capsys=capsys)
    assert "train.parquet" in err and "1 missing IDs (null or NaN): 1 in column 'd'" in err
