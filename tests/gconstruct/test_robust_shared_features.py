"""A node type spread over entries that each have node_id_col may list the same feature or label.

Rows of disjoint ID sets combine; an ID given twice must carry the same values (else an
error naming the IDs); the shared transform is fitted once over all entries; entries must
configure a shared feature or label alike; entries without node_id_col still may not share.
"""

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.graph import GraphDataset
from construct_robust_helpers import conf, construct, edge, node, write_table


def _papers(tmp_path, unl_ids=("p3", "p4"), unl_feat=(30.0, 40.0), unl_label=None):
    write_table(tmp_path, "labelled", "parquet", {"id": pa.array(["p0", "p1", "p2"]), "f": pa.array([0.0, 10.0, 20.0]),
                                                  "venue": pa.array(["a", "b", "a"])})
    cols = {"id": pa.array(list(unl_ids)), "f": pa.array(list(unl_feat))}
    if unl_label is not None:
        cols["venue"] = pa.array(unl_label)
    write_table(tmp_path, "unlabelled", "parquet", cols)
    write_table(tmp_path, "cites", "parquet", {"src": pa.array(["p0", "p1"]), "dst": pa.array(["p1", "p3"])})


def _conf(feat1=None, feat2=None, label2=None):
    feat1 = feat1 or {"feature_col": "f", "transform": {"name": "max_min_norm"}}
    label = {"label_col": "venue", "task_type": "classification", "split_pct": [1.0, 0.0, 0.0]}
    return conf([node("paper", "labelled.parquet", features=[feat1], labels=[label]),
                 node("paper", "unlabelled.parquet", features=[feat2 or feat1], labels=[label2] if label2 else [])],
                [edge(("paper", "cites", "paper"), "cites.parquet")])


def _by_id(ds, name):
    ids = ds.orig_ids("paper").to_pylist()
    return dict(zip(ids, ds.node_array("paper", name).tolist()))


def test_disjoint_ids_combine_with_one_fitted_transform(tmp_path):
    _papers(tmp_path)
    construct(tmp_path, _conf())
    ds = GraphDataset.open(str(tmp_path / "out"))
    f = _by_id(ds, "f")
    assert {k: round(v[0], 4) for k, v in f.items()} == {"p0": 0.0, "p1": 0.25, "p2": 0.5, "p3": 0.75, "p4": 1.0}
    venue, train = _by_id(ds, "venue"), _by_id(ds, "train_mask")
    assert [venue[p] for p in ("p0", "p1", "p2", "p3", "p4")] == [0, 1, 0, -1, -1]
    assert [train[p] for p in ("p0", "p1", "p2", "p3", "p4")] == [1, 1, 1, 0, 0]


def test_overlapping_ids_with_equal_values_are_fine(tmp_path):
    _papers(tmp_path, unl_ids=("p2", "p3"), unl_feat=(20.0, 30.0))
    construct(tmp_path, _conf())
    assert GraphDataset.open(str(tmp_path / "out")).meta.node_type("paper")["count"] == 4


def test_overlapping_ids_with_different_values_are_named(tmp_path, capsys):
    _papers(tmp_path, unl_ids=("p2", "p3"), unl_feat=(21.0, 30.0))
    err = construct(tmp_path, _conf(), code=2, capsys=capsys)
    assert "1 node IDs are given different values of 'f'" in err and "'p2'" in err


def test_a_shared_label_combines_and_conflicts_are_named(tmp_path, capsys):
    label = {"label_col": "venue", "task_type": "classification", "split_pct": [1.0, 0.0, 0.0]}
    _papers(tmp_path, unl_label=["c", None])
    construct(tmp_path, _conf(label2=label))
    ds = GraphDataset.open(str(tmp_path / "out"))
    venue = _by_id(ds, "venue")
    assert [venue[p] for p in ("p0", "p1", "p2", "p3", "p4")] == [0, 1, 0, 2, -1]   # one class map: a, b, c
    _papers(tmp_path, unl_ids=("p1", "p3"), unl_feat=(10.0, 30.0), unl_label=["a", None])
    err = construct(tmp_path, _conf(label2=label), code=2, capsys=capsys)
    assert "different values of 'venue'" in err and "'p1'" in err


@pytest.mark.parametrize("feat2", [{"feature_col": "f"}, {"feature_col": "f", "transform": {"name": "standard"}}])
def test_a_shared_feature_must_be_configured_alike(tmp_path, capsys, feat2):
    _papers(tmp_path)
    err = construct(tmp_path, _conf(feat2=feat2), code=2, capsys=capsys)
    assert "nodes[1].features[0]" in err and "configured differently" in err


def test_entries_without_node_id_col_still_may_not_share(tmp_path, capsys):
    _papers(tmp_path)
    c = _conf()
    c["nodes"][1]["node_id_col"] = None
    del c["nodes"][1]["node_id_col"]
    err = construct(tmp_path, c, code=2, capsys=capsys)
    assert "defined twice" in err
