"""custom_split_filenames: IDs read as text and cast to the node type's ID type, every layout.

Instances: string IDs that look like numbers (``007`` stays ``007``), integer IDs written as
text (``007`` is 7), every layout (text, JSON array, JSON lines, .jsonl, parquet with and
without ``column``) for node splits and for edge splits (src/dst pairs), globs and lists of
files, and unknown or missing IDs (an error naming the file, the count and examples).
"""

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graphstorm_py.graph import GraphDataset
from graphstorm_py.gconstruct.id_map import NodeIdMap
from graphstorm_py.gconstruct.splits import read_split_file
from construct_robust_helpers import conf, construct, edge, masks_by_id, node

STR_IDS = ["007", "008", "A17", "100", "B22", "12"]
INT_IDS = [7, 8, 17, 100, 22, 12]


def _write_split(path, ids, layout):
    if layout == "txt":
        path.write_text("\n".join(str(i) for i in ids) + "\n\n")
    elif layout == "json-array":
        path.write_text(json.dumps(list(ids)))
    elif layout in ("json-lines", "jsonl"):
        path.write_text("".join(json.dumps(i) + "\n" for i in ids))
    else:
        pq.write_table(pa.table({"node": pa.array(ids)}), str(path))


_SUFFIX = {"txt": ".txt", "json-array": ".json", "json-lines": ".json", "jsonl": ".jsonl", "parquet": ".parquet"}


def _node_graph(tmp_path, ids, split_ids, layout, column=True):
    pq.write_table(pa.table({"id": ids, "label": [0, 1, 0, 1, 0, 1]}), str(tmp_path / "acct.parquet"))
    pq.write_table(pa.table({"src": ids, "dst": ids[1:] + ids[:1]}), str(tmp_path / "pays.parquet"))
    files = {}
    for split, sids in zip(("train", "valid", "test"), split_ids):
        name = f"{split}{_SUFFIX[layout]}"
        _write_split(tmp_path / name, sids, layout)
        files[split] = name
    if layout == "parquet" and column:
        files["column"] = "node"
    label = {"label_col": "label", "task_type": "classification", "custom_split_filenames": files}
    return conf([node("acct", "acct.parquet", labels=[label])], [edge(("acct", "pays", "acct"), "pays.parquet")])


@pytest.mark.parametrize("layout", list(_SUFFIX))
def test_string_ids_stay_verbatim(tmp_path, layout):
    split = (["007", "A17"], ["100"], ["12"])
    construct(tmp_path, _node_graph(tmp_path, STR_IDS, split, layout))
    got = masks_by_id(GraphDataset.open(str(tmp_path / "out")), "acct")
    assert got == {"train_mask": {"007", "A17"}, "val_mask": {"100"}, "test_mask": {"12"}}


@pytest.mark.parametrize("layout", ["txt", "json-lines", "json-array"])
def test_text_ids_cast_to_integer_ids(tmp_path, layout):
    # "007" in a text file is the integer ID 7; JSON strings "17" and numbers 100 match too
    split = (["007", "17"], [100], ["12"]) if layout != "txt" else (["007", "17"], ["100"], ["+12"])
    construct(tmp_path, _node_graph(tmp_path, INT_IDS, split, layout))
    got = masks_by_id(GraphDataset.open(str(tmp_path / "out")), "acct")
    assert got == {"train_mask": {7, 17}, "val_mask": {100}, "test_mask": {12}}


def test_parquet_default_column_and_numbers_for_string_ids(tmp_path):
    # a parquet split file with int IDs for a node type whose IDs are strings: 12 is "12"
    c = _node_graph(tmp_path, STR_IDS, ([100], [12], ["A17"]), "parquet", column=False)
    pq.write_table(pa.table({"x": pa.array([100], pa.int64())}), str(tmp_path / "train.parquet"))
    pq.write_table(pa.table({"x": pa.array([12], pa.int64())}), str(tmp_path / "valid.parquet"))
    construct(tmp_path, c)
    got = masks_by_id(GraphDataset.open(str(tmp_path / "out")), "acct")
    assert got == {"train_mask": {"100"}, "val_mask": {"12"}, "test_mask": {"A17"}}


def test_split_given_as_glob_and_list(tmp_path):
    c = _node_graph(tmp_path, STR_IDS, (["007"], ["100"], ["12"]), "txt")
    (tmp_path / "train_b.txt").write_text("A17\n")
    labels = c["nodes"][0]["labels"][0]["custom_split_filenames"]
    labels["train"] = ["train.txt", "train_b.txt"]
    (tmp_path / "test_2.txt").write_text("B22\n")
    labels["test"] = "test*.txt"
    construct(tmp_path, c)
    got = masks_by_id(GraphDataset.open(str(tmp_path / "out")), "acct")
    assert got == {"train_mask": {"007", "A17"}, "val_mask": {"100"}, "test_mask": {"12", "B22"}}


@pytest.mark.parametrize("ids,bad", [(STR_IDS, ["7", "A18"]), (INT_IDS, ["A17", "9"])])
def test_unknown_ids_name_file_count_and_examples(tmp_path, capsys, ids, bad):
    c = _node_graph(tmp_path, ids, ([ids[0]] + bad, [ids[3]], [ids[5]]), "txt")
    err = construct(tmp_path, c, code=2, capsys=capsys)
    assert "train.txt" in err and "2 IDs are not IDs of node type 'acct'" in err
    assert all(repr(b) in err or str(b) in err for b in bad)


@pytest.mark.parametrize("layout", ["json-lines", "parquet"])
def test_missing_ids_in_split_files(tmp_path, capsys, layout):
    c = _node_graph(tmp_path, INT_IDS, ([7, None], [100], [12]), layout)
    err = construct(tmp_path, c, code=2, capsys=capsys)
    assert "train" in err and "1 missing IDs (null or NaN)" in err


_PAIRS = [("007", "008"), ("A17", "100")]


@pytest.mark.parametrize("layout", ["txt-space", "txt-comma", "json-lines", "json-array", "jsonl", "parquet"])
def test_edge_split_layouts(tmp_path, layout):
    ids = STR_IDS
    pq.write_table(pa.table({"id": ids}), str(tmp_path / "acct.parquet"))
    src, dst = ids, ids[1:] + ids[:1]   # 007->008, 008->A17, A17->100, 100->B22, B22->12, 12->007
    pq.write_table(pa.table({"src": src, "dst": dst}), str(tmp_path / "pays.parquet"))
    pairs = [("007", "008"), ("A17", "100")]
    ext = {"txt-space": ".txt", "txt-comma": ".txt", "json-lines": ".json", "json-array": ".json",
           "jsonl": ".jsonl", "parquet": ".parquet"}[layout]
    path = tmp_path / f"train{ext}"
    if layout == "txt-space":
        path.write_text("".join(f"{s} {d}\n" for s, d in pairs))
    elif layout == "txt-comma":
        path.write_text("".join(f"{s},{d}\n" for s, d in pairs))
    elif layout in ("json-lines", "jsonl"):
        path.write_text("".join(json.dumps([s, d]) + "\n" for s, d in pairs))
    elif layout == "json-array":
        path.write_text(json.dumps([list(p) for p in pairs]))
    else:
        pq.write_table(pa.table({"s": [p[0] for p in pairs], "d": [p[1] for p in pairs]}), str(path))
    split = {"train": path.name, **({"column": ["s", "d"]} if layout == "parquet" else {})}
    label = {"task_type": "link_prediction", "custom_split_filenames": split}
    construct(tmp_path, conf([node("acct", "acct.parquet")],
                             [edge(("acct", "pays", "acct"), "pays.parquet", labels=[label])]))
    ds = GraphDataset.open(str(tmp_path / "out"))
    orig = np.array(ds.orig_ids("acct").to_pylist(), dtype=object)
    s, d = ds.coo(("acct", "pays", "acct"))
    train = ds.edge_array(("acct", "pays", "acct"), "train_mask").astype(bool)
    assert set(zip(orig[s[train]], orig[d[train]])) == set(pairs)


def test_single_json_line_pair_and_unknown_pair(tmp_path, capsys):
    pq.write_table(pa.table({"id": [1, 2, 3]}), str(tmp_path / "n.parquet"))
    pq.write_table(pa.table({"src": [1, 2], "dst": [2, 3]}), str(tmp_path / "e.parquet"))
    (tmp_path / "train.json").write_text('[1, 2]\n')        # one JSON line: one pair, not two IDs
    (tmp_path / "test.json").write_text('[3, 1]\n["2", "3"]\n')
    label = {"task_type": "link_prediction", "custom_split_filenames": {"train": "train.json", "test": "test.json"}}
    c = conf([node("n", "n.parquet")], [edge(("n", "to", "n"), "e.parquet", labels=[label])])
    err = construct(tmp_path, c, code=2, capsys=capsys)
    assert "test.json" in err and "1 (src, dst) pairs are not edges" in err and "('3', '1')" in err  # mixed JSON types read as text


def test_read_split_file_layout_comes_from_the_extension(tmp_path):
    (tmp_path / "a.txt").write_text("[1, 2]\n")        # text: the line is the ID, not JSON
    assert read_split_file(str(tmp_path / "a.txt"), None, 1)[0].to_pylist() == ["[1, 2]"]
    (tmp_path / "b.json").write_text('"007"\n12\n')   # JSON lines of mixed types: all as text
    assert read_split_file(str(tmp_path / "b.json"), None, 1)[0].to_pylist() == ["007", "12"]
    m = NodeIdMap("t", pa.array([7, 12]))
    np.testing.assert_array_equal(m.lookup(pa.array(["007", "12", "x", " 7 "])), [0, 1, -1, 0])


def test_edge_split_casts_each_end_to_its_own_node_type(tmp_path):
    pq.write_table(pa.table({"id": ["007", "u1"]}), str(tmp_path / "u.parquet"))
    pq.write_table(pa.table({"id": [7, 8]}), str(tmp_path / "i.parquet"))
    pq.write_table(pa.table({"src": ["007", "u1", "u1"], "dst": [7, 7, 8]}), str(tmp_path / "e.parquet"))
    (tmp_path / "val.txt").write_text("007 007\nu1,008\n")   # user '007' -> item 7; user 'u1' -> item 8
    label = {"task_type": "link_prediction", "custom_split_filenames": {"valid": "val.txt"}}
    construct(tmp_path, conf([node("user", "u.parquet"), node("item", "i.parquet")],
                             [edge(("user", "buys", "item"), "e.parquet", labels=[label])]))
    ds = GraphDataset.open(str(tmp_path / "out"))
    et = ("user", "buys", "item")
    s, d = ds.coo(et)
    u, i = ds.orig_ids("user").to_pylist(), ds.orig_ids("item").to_pylist()
    val = ds.edge_array(et, "val_mask").astype(bool)
    assert {(u[a], i[b]) for a, b in zip(s[val], d[val])} == {("007", 7), ("u1", 8)}
