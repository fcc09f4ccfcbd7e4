"""The written tree matches the layout documented in graphstorm_py.graph.writer."""

import numpy as np
import pyarrow as pa

from graphstorm_py.graph import EdgeTypeData, GraphDataset, NodeTypeData, write_graph


def _graph(tmp_path, parts):
    nodes = {"u": NodeTypeData(pa.array(["a", "b", "c", "d"]), {"f": np.arange(8, dtype=np.float32).reshape(4, 2)},
                               {"f": {}}),
             "i": NodeTypeData(pa.array([10, 20, 30]))}
    src, dst = np.array([0, 1, 2, 3, 0]), np.array([0, 0, 1, 2, 2])
    edges = {("u", "r", "i"): EdgeTypeData(src, dst, {"w": np.arange(5.0)}, {"w": {}})}
    return write_graph(str(tmp_path), "g", nodes, edges, len(parts["u"]) and 2, parts)


def test_layout_and_round_trip(tmp_path):
    _graph(tmp_path, {"u": np.array([1, 0, 1, 0]), "i": np.array([0, 1, 1])})
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert files == sorted([
        "metadata.json", "id_map/i/part-00000.parquet", "id_map/u/part-00000.parquet",
        *[f"part-{k}/nodes/u/f.npy" for k in (0, 1)],
        *[f"part-{k}/edges/u__r__i/{a}.npy" for k in (0, 1) for a in ("indptr", "indices", "eid", "w")],
    ])
    ds = GraphDataset.open(str(tmp_path))
    # relabelled: partition 0 owns u nids [0,2) = old b,d
    assert ds.orig_ids("u").to_pylist() == ["b", "d", "a", "c"]
    np.testing.assert_array_equal(ds.node_array("u", "f"), [[2, 3], [6, 7], [0, 1], [4, 5]])
    indptr, indices = ds.csc(("u", "r", "i"))
    np.testing.assert_array_equal(indptr, [0, 2, 3, 5])
    np.testing.assert_array_equal(indices, [0, 2, 3, 1, 2])
    # features follow their edges: w was the input row number
    src, dst = ds.coo(("u", "r", "i"))
    orig_u = np.array(ds.orig_ids("u").to_pylist())[src]
    orig_i = np.array(ds.orig_ids("i").to_pylist())[dst]
    want = {("a", 10): 0, ("b", 10): 1, ("c", 20): 2, ("d", 30): 3, ("a", 30): 4}
    got = {(u, int(i)): int(w) for u, i, w in zip(orig_u, orig_i, ds.edge_array(("u", "r", "i"), "w"))}
    assert got == want
    assert ds.meta.partitions[1]["edge_ranges"]["u__r__i"] == [2, 5]
    np.testing.assert_array_equal(ds.node_owner("u", np.arange(4)), [0, 0, 1, 1])


def test_rewrite_clears_old_partitions(tmp_path):
    _graph(tmp_path, {"u": np.array([1, 0, 1, 0]), "i": np.array([0, 1, 1])})
    nodes = {"u": NodeTypeData(pa.array(["a"]))}
    write_graph(str(tmp_path), "g", nodes, {}, 1)
    assert not (tmp_path / "part-1").exists()
    assert GraphDataset.open(str(tmp_path)).num_partitions == 1
