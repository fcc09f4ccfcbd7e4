"""gs-infer writes edge predictions as (src_nid, dst_nid, pred) in original IDs."""

import glob

import numpy as np
import pyarrow.parquet as pq
import torch
from edge_helpers import EC_YAML, RATES, edge_graph, write_yaml  # noqa: F401

from graphstorm_py.config.loader import load_train_config
from graphstorm_py.outputs.infer import infer
from graphstorm_py.model import open_graph
from graphstorm_py.training.run import train


def test_edge_classification_predictions_in_original_ids(tmp_path, edge_graph):
    cfg = load_train_config(write_yaml(tmp_path, EC_YAML), ["--num-epochs", "1", "--save-model-path",
                                                            str(tmp_path / "m")])
    train(cfg, edge_graph)
    out = tmp_path / "pred"
    infer(cfg, edge_graph, str(tmp_path / "m" / "epoch-0"), pred_path=str(out))
    table = pq.read_table(glob.glob(str(out / "user_rates_item" / "*.parquet")))
    assert table.column_names == ["src_nid", "dst_nid", "pred"]
    ds = open_graph(edge_graph)
    test = np.flatnonzero(np.asarray(ds.edge_array(RATES, "test_mask")))
    src, dst = ds.coo(RATES)
    users, items = ds.orig_ids("user").to_pylist(), ds.orig_ids("item").to_pylist()
    assert table.column("src_nid").to_pylist() == [users[i] for i in src[test]]
    assert table.column("dst_nid").to_pylist() == [items[i] for i in dst[test]]
    probs = torch.tensor(table.column("pred").to_pylist())
    assert probs.shape == (len(test), 2) and torch.allclose(probs.sum(1), torch.ones(len(test)), atol=1e-5)
