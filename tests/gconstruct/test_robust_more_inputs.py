"""More instances of the issue-9 input kinds, found by a second pass with new inputs.

Split files: a UTF-8 BOM, Windows line endings and trailing blank lines (text, JSON array,
JSON lines, node and edge splits); integer IDs written ``7.0``. IDs beyond int64: unsigned
parquet columns above int64's maximum and csv integers too big for int64 (read as floats)
are an error naming the file and column, for node files, edge files and split files. And
instances that already behave, kept so they stay that way: NaN/null labels, a header-only
labelled csv, hdf5 datasets of length 0 with 2-D features, a node type known only from an
empty edge file, hard negatives at the ends of int64.
"""

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.graph import GraphDataset
from graphstorm_py.gconstruct.id_map import NodeIdMap
from construct_robust_helpers import conf, construct, edge, masks_by_id, node, write_table

STR_IDS = ["007", "008", "A17", "100", "B22", "12"]
INT_IDS = [7, 8, 17, 100, 22, 12]


def _node_graph(tmp_path, ids, files):
    write_table(tmp_path, "acct", "parquet", {"id": pa.array(ids), "label": pa.array([0, 1] * 3)})
    write_table(tmp_path, "pays", "parquet", {"src": pa.array(ids), "dst": pa.array(ids[1:] + ids[:1])})
    label = {"label_col": "label", "task_type": "classification", "custom_split_filenames": files}
    return conf([node("acct", "acct.parquet", labels=[label])], [edge(("acct", "pays", "acct"), "pays.parquet")])


@pytest.mark.parametrize("ext,train", [
    (".txt", "\ufeff007\r\nA17\r\n\r\n\r\n"),
    (".json", '\ufeff["007", "A17"]\r\n'),
    (".json", '\ufeff"007"\r\n"A17"\r\n\r\n'),
    (".jsonl", '\ufeff"007"\r\n"A17"\r\n'),
], ids=["txt", "json-array", "json-lines", "jsonl"])
def test_bom_crlf_and_blank_lines_in_split_files(tmp_path, ext, train):
    (tmp_path / f"train{ext}").write_bytes(train.encode("utf-8"))
    (tmp_path / "valid.txt").write_bytes(b"\xef\xbb\xbf100\r\n")
    (tmp_path / "test.txt").write_bytes(b"12\r\n\r\n")
    construct(tmp_path, _node_graph(tmp_path, STR_IDS, {"train": f"train{ext}", "valid": "valid.txt",
                                                        "test": "test.txt"}))
    got = masks_by_id(GraphDataset.open(str(tmp_path / "out")), "acct")
    assert got == {"train_mask": {"007", "A17"}, "val_mask": {"100"}, "test_mask": {"12"}}


@pytest.mark.parametrize("ext,text", [(".json", '\ufeff["u1", 10]\r\n["u2", "11"]\r\n\r\n'),
                                      (".txt", "\ufeffu1 10\r\nu2,11.0\r\n\r\n")])
def test_bom_crlf_in_edge_split_files(tmp_path, ext, text):
    write_table(tmp_path, "u", "parquet", {"id": pa.array(["u1", "u2", "u3"])})
    write_table(tmp_path, "i", "parquet", {"id": pa.array([10, 11, 12])})
    write_table(tmp_path, "b", "parquet", {"src": pa.array(["u1", "u2", "u3"]), "dst": pa.array([10, 11, 12])})
    (tmp_path / f"train{ext}").write_bytes(text.encode("utf-8"))
    label = {"task_type": "link_prediction", "custom_split_filenames": {"train": f"train{ext}"}}
    construct(tmp_path, conf([node("u", "u.parquet"), node("i", "i.parquet")],
                             [edge(("u", "b", "i"), "b.parquet", labels=[label])]))
    ds = GraphDataset.open(str(tmp_path / "out"))
    s, d = ds.coo(("u", "b", "i"))
    u, i = ds.orig_ids("u").to_pylist(), ds.orig_ids("i").to_pylist()
    train = ds.edge_array(("u", "b", "i"), "train_mask").astype(bool)
    assert {(u[a], i[b]) for a, b in zip(s[train], d[train])} == {("u1", 10), ("u2", 11)}


def test_integer_ids_written_as_floats_in_text(tmp_path, capsys):
    (tmp_path / "train.txt").write_text("7.0\n17.\n")
    (tmp_path / "valid.txt").write_text("100\n")
    (tmp_path / "test.txt").write_text("12.5\n")
    files = {"train": "train.txt", "valid": "valid.txt", "test": "test.txt"}
    err = construct(tmp_path, _node_graph(tmp_path, INT_IDS, files), code=2, capsys=capsys)
    assert "test.txt" in err and "1 IDs are not IDs of node type 'acct'" in err and "12.5" in err
    (tmp_path / "test.txt").write_text("12.00\n")
    construct(tmp_path, _node_graph(tmp_path, INT_IDS, files))
    got = masks_by_id(GraphDataset.open(str(tmp_path / "out")), "acct")
    assert got == {"train_mask": {7, 17}, "val_mask": {100}, "test_mask": {12}}


_BIG = (1 << 63) + 5


@pytest.mark.parametrize("where", ["node", "edge-only"])
def test_uint64_ids_above_int64_are_named(tmp_path, capsys, where):
    ids = pa.array([1, 2, _BIG], pa.uint64())
    write_table(tmp_path, "e", "parquet", {"src": ids, "dst": pa.array([2, _BIG, 1], pa.uint64())})
    nodes = [node("u", write_table(tmp_path, "u", "parquet", {"id": ids}))] if where == "node" else []
    err = construct(tmp_path, conf(nodes, [edge(("u", "r", "u"), "e.parquet")]), code=2, capsys=capsys)
    f, col = ("u.parquet", "'id'") if where == "node" else ("e.parquet", "'src'")
    assert f in err and col in err and "above int64's maximum" in err and str(_BIG) in err


def test_csv_integers_beyond_int64_are_named(tmp_path, capsys):
    # pyarrow reads them as float64: silently merged IDs unless refused
    (tmp_path / "u.csv").write_text(f"id\n1\n2\n{_BIG}\n{_BIG + 1}\n")
    (tmp_path / "e.csv").write_text("src,dst\n1,2\n")
    c = conf([node("u", "u.csv", "csv")], [edge(("u", "r", "u"), "e.csv", "csv")])
    err = construct(tmp_path, c, code=2, capsys=capsys)
    assert "u.csv" in err and "2 IDs in column 'id'" in err and "2^53" in err


def test_small_uint64_ids_and_split_ids_above_int64():
    m = NodeIdMap("u", pa.array([1, 2, 3], pa.uint64()))
    np.testing.assert_array_equal(m.lookup(pa.array([3, _BIG, 1], pa.uint64())), [2, -1, 0])


def test_nan_and_null_labels_are_unlabelled(tmp_path):
    write_table(tmp_path, "u", "parquet", {"id": pa.array([1, 2, 3, 4, 5, 6]),
                                           "c": pa.array([0.0, np.nan, 1.0, None, 1.0, 0.0]),
                                           "r": pa.array([0.5, np.nan, 1.5, None, 2.0, 1.0])})
    write_table(tmp_path, "e", "parquet", {"src": pa.array([1, 2, 3]), "dst": pa.array([2, 3, 4])})
    labels = [{"label_col": "c", "task_type": "classification", "split_pct": [0.5, 0.25, 0.25]},
              {"label_col": "r", "task_type": "regression", "split_pct": [0.5, 0.25, 0.25],
               "mask_field_names": ["tr", "va", "te"]}]
    construct(tmp_path, conf([node("u", "u.parquet", labels=labels)], [edge(("u", "r", "u"), "e.parquet")]))
    ds = GraphDataset.open(str(tmp_path / "out"))
    orig = ds.orig_ids("u").to_pylist()
    for masks in (("train_mask", "val_mask", "test_mask"), ("tr", "va", "te")):
        used = {orig[i] for m in masks for i in np.flatnonzero(ds.node_array("u", m))}
        assert used and not used & {2, 4}


def test_header_only_csv_with_labels_and_hdf5_2d_features_of_length_0(tmp_path):
    import h5py

    (tmp_path / "u.csv").write_text("id,lab,x\n")
    (tmp_path / "e.csv").write_text("src,dst\n1,2\n2,3\n")
    with h5py.File(tmp_path / "t.h5", "w") as f:
        f.create_dataset("id", data=np.zeros(0, np.int64))
        f.create_dataset("x", data=np.zeros((0, 4), np.float32))
    with h5py.File(tmp_path / "v.h5", "w") as f:
        for k in ("src", "dst"):
            f.create_dataset(k, data=np.zeros(0, np.int64))
        f.create_dataset("w", data=np.zeros((0, 3), np.float32))
    label = {"label_col": "lab", "task_type": "classification", "split_pct": [0.5, 0.25, 0.25]}
    c = conf([node("u", "u.csv", "csv", features=[{"feature_col": "x"}], labels=[label]),
              node("t", "t.h5", "hdf5", features=[{"feature_col": "x", "transform": {"name": "standard"}}])],
             [edge(("u", "r", "u"), "e.csv", "csv"), edge(("u", "v", "u"), "v.h5", "hdf5",
                                                            features=[{"feature_col": "w"}]),
              edge(("tag", "w", "u"), write_table(tmp_path, "w", "parquet", {
                  "src": pa.array([], pa.string()), "dst": pa.array([], pa.int64())}))])
    construct(tmp_path, c, "--add-reverse-edges")
    ds = GraphDataset.open(str(tmp_path / "out"))
    assert {t: ds.num_nodes(t) for t in ("u", "t", "tag")} == {"u": 3, "t": 0, "tag": 0}


def test_hard_negatives_at_the_ends_of_int64(tmp_path):
    big = [(1 << 63) - 1, (1 << 63) - 2, -(1 << 63), (1 << 53) + 1]
    write_table(tmp_path, "u", "parquet", {"id": pa.array(big)})
    neg = pa.array([f"{big[2]};{big[3]}", str(big[3]), str(big[0]), str(big[1])])
    write_table(tmp_path, "e", "parquet", {"src": pa.array(big), "dst": pa.array(big[1:] + big[:1]), "neg": neg})
    feat = {"feature_col": "neg", "feature_name": "hneg",
            "transform": {"name": "edge_dst_hard_negative", "separator": ";"}}
    construct(tmp_path, conf([node("u", "u.parquet")], [edge(("u", "r", "u"), "e.parquet", features=[feat])]))
    ds = GraphDataset.open(str(tmp_path / "out"))
    orig = ds.orig_ids("u").to_pylist()
    s, _ = ds.coo(("u", "r", "u"))
    hneg = ds.edge_array(("u", "r", "u"), "hneg")
    got = {orig[a]: {orig[n] for n in row if n >= 0} for a, row in zip(s, hneg)}
    assert got == {big[0]: {big[2], big[3]}, big[1]: {big[3]}, big[2]: {big[0]}, big[3]: {big[1]}}


@pytest.mark.parametrize("text", ["id,x\n", "id,x\n1,2\n", "\ufeffid,x\r\n1,2\r\n"],
                         ids=["header-only", "rows", "bom-crlf"])
def test_misspelled_csv_column_is_named_not_a_traceback(tmp_path, capsys, text):
    # newer pyarrow raises ArrowKeyError (not ArrowInvalid) for a missing include_columns entry
    (tmp_path / "u.csv").write_bytes(text.encode("utf-8"))
    (tmp_path / "e.csv").write_text("src,dst\n1,1\n")
    c = conf([node("u", "u.csv", "csv", id_col="idd")], [edge(("u", "r", "u"), "e.csv", "csv")])
    err = construct(tmp_path, c, code=2, capsys=capsys)
    assert "u.csv: column 'idd' not found; columns are: id, x; did you mean 'id'?" in err


def test_misspelled_format_hint_ends_the_message(tmp_path, capsys):
    write_table(tmp_path, "e", "parquet", {"src": pa.array([1]), "dst": pa.array([1])})
    c = conf([], [edge(("u", "r", "u"), "e.parquet", "parqeut")])
    err = construct(tmp_path, c, code=2, capsys=capsys)
    line = next(ln for ln in err.splitlines() if "format.name" in ln)
    assert line.endswith("(got 'parqeut'); did you mean 'parquet'?"), line
