"""gs-construct end to end on small synthetic tables: ownership, alignment, partitions."""

import json
import os

import numpy as np
import pytest

from graphstorm_py.graph import GraphDataset
from graphstorm_py.gconstruct.cli import main
from construct_helpers import toy_config, write_config, write_toy_tables


def _run(args):
    with pytest.raises(SystemExit) as exc:
        main(args)
    return exc.value.code


def _construct(tmp_path, conf=None, extra=()):
    data = write_toy_tables(str(tmp_path))
    path = write_config(str(tmp_path), conf or toy_config())
    out = str(tmp_path / "out")
    assert _run(["--conf-file", path, "--output-dir", out, "--quiet", *extra]) == 0
    return data, GraphDataset.open(out)


@pytest.mark.parametrize("method", ["random", "metis"])
def test_partitions_own_every_node_and_edge_once(tmp_path, method):
    data, ds = _construct(tmp_path, extra=["--num-parts", "3", "--part-method", method, "--add-reverse-edges"])
    assert ds.num_partitions == 3
    for ntype, n in (("user", 30), ("item", 20)):
        ranges = [ds.meta.node_range(k, ntype) for k in range(3)]
        assert ranges[0][0] == 0 and ranges[-1][1] == n
        assert all(ranges[k][1] == ranges[k + 1][0] for k in range(2))
        assert sorted(ds.orig_ids(ntype).to_pylist()) == sorted(data["uid"] if ntype == "user" else data["iid"])
    et = ("user", "buys", "item")
    src, dst = ds.coo(et)
    uid = np.array(ds.orig_ids("user").to_pylist())
    iid = np.array(ds.orig_ids("item").to_pylist())
    got = sorted(zip(uid[src], iid[dst], ds.edge_array(et, "w")))
    want = sorted(zip(np.array(data["uid"])[data["src"]], np.array(data["iid"])[data["dst"]], data["w"]))
    assert got == want  # each edge exactly once, with its own feature value
    rsrc, rdst = ds.coo(("item", "buys-rev", "user"))
    assert sorted(zip(rdst, rsrc)) == sorted(zip(src, dst))
    assert ds.meta.reverse_etype(et) == ("item", "buys-rev", "user")
    # node features follow their node
    age = dict(zip(data["uid"], data["age"]))
    feat_age = np.array([age[u] for u in uid])
    norm = (feat_age - data["age"].min()) / (data["age"].max() - data["age"].min())
    np.testing.assert_allclose(ds.node_array("user", "age")[:, 0], norm, rtol=1e-5)
    vec = dict(zip(data["iid"], data["vec"]))
    np.testing.assert_allclose(ds.node_array("item", "vec"), np.stack([vec[i] for i in iid]))


def test_labels_masks_and_metadata(tmp_path):
    data, ds = _construct(tmp_path)
    meta = ds.meta.node_type("user")
    assert meta["labels"]["label"]["num_classes"] == 3
    masks = [ds.node_array("user", m) for m in ("train_mask", "val_mask", "test_mask")]
    assert sum(m.sum() for m in masks) == 30
    assert (sum(masks) <= 1).all()
    assert [int(m.sum()) for m in masks] == [18, 6, 6]
    assert meta["features"]["age"]["dim"] == 1
    assert "node/user/age" in ds.meta.transforms


def test_transform_conf_reuses_state(tmp_path):
    _, ds = _construct(tmp_path)
    new = tmp_path / "new"
    write_toy_tables(str(new), n_users=10, seed=3)
    path = write_config(str(new), toy_config())
    out = str(tmp_path / "out2")
    assert _run(["--conf-file", path, "--output-dir", out, "--quiet",
                 "--transform-conf", os.path.join(ds.root, "metadata.json")]) == 0
    ds2 = GraphDataset.open(out)
    assert ds2.meta.transforms["node/user/age"] == ds.meta.transforms["node/user/age"]
