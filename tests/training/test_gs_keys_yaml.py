"""GraphStorm training YAMLs using issue-13 keys, one epoch each: gatv2 with a relation-name fanout,
and the binary classification metrics."""

import numpy as np
import pyarrow as pa
import pytest
from gs_yaml import run_gs_train
from train_helpers import toy_graph  # noqa: F401  (fixture)

from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph

GATV2 = """\
version: 1.0
gsf:
  gnn: {model_encoder_type: gatv2, num_layers: 2, hidden_size: 8, num_heads: 2,
        fanout: "buys:4@bought-by:4,buys:3@bought-by:3", eval_fanout: "buys:-1@bought-by:-1,-1",
        node_feat_name: ["user:f,g"]}
  hyperparam: {lr: 0.01, batch_size: 8, num_epochs: 1}
  node_classification: {target_ntype: item, label_field: cls, num_classes: 3, eval_metric: [accuracy, precision]}
"""


@pytest.mark.parametrize("mini", ["true", "false"])
def test_gatv2_relation_fanout(tmp_path, toy_graph, capsys, mini):
    res = run_gs_train(tmp_path, GATV2, toy_graph, "--use-mini-batch-infer", mini, capsys=capsys)
    assert {"accuracy", "precision"} <= set(res["test"])


@pytest.fixture(scope="module")
def binary_graph(tmp_path_factory):
    rng = np.random.default_rng(0)
    n_u, n_i = 30, 40
    src, dst = rng.integers(0, n_u, 160), rng.integers(0, n_i, 160)
    masks = {}
    perm = rng.permutation(n_i)
    for k, sel in zip(("train_mask", "val_mask", "test_mask"), (perm[:20], perm[20:30], perm[30:])):
        masks[k] = np.zeros(n_i, np.uint8)
        masks[k][sel] = 1
    nodes = {"user": NodeTypeData(pa.array(np.arange(n_u)), {"f": rng.standard_normal((n_u, 4)).astype(np.float32)},
                                  {"f": {}}),
             "item": NodeTypeData(pa.array(np.arange(n_i)), {"y": (np.arange(n_i) % 2).astype(np.int64), **masks}, {})}
    edges = {("user", "buys", "item"): EdgeTypeData(src, dst),
             ("item", "bought-by", "user"): EdgeTypeData(dst.copy(), src.copy(), reverse_of=("user", "buys", "item"))}
    root = str(tmp_path_factory.mktemp("binary"))
    write_graph(root, "bin", nodes, edges)
    return root


BINARY = """\
version: 1.0
gsf:
  gnn: {model_encoder_type: rgcn, num_layers: 1, hidden_size: 8, fanout: "5", node_feat_name: ["user:f"]}
  hyperparam: {lr: 0.01, batch_size: 8, num_epochs: 1}
  node_classification:
    target_ntype: item
    label_field: y
    num_classes: 2
    eval_metric: [precision_at_recall_0.5, recall_at_precision_0.5, fscore_at_beta_0.5, precision, roc_auc]
"""


def test_binary_metrics(tmp_path, binary_graph, capsys):
    res = run_gs_train(tmp_path, BINARY, binary_graph, capsys=capsys)
    for m in ("precision_at_recall_0.5", "recall_at_precision_0.5", "fscore_at_beta_0.5", "precision"):
        assert 0.0 <= res["test"][m] <= 1.0
