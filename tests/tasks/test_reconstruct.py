"""Multi-task reconstruct_node_feat / reconstruct_edge_feat: config, the skipped self-loop, a 1-epoch run."""

import os
import sys

import numpy as np
import pyarrow as pa
import pytest
import torch
import yaml

from graphstorm_py.config.loader import load_train_config_dict
from graphstorm_py.errors import ConfigError
from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph
from graphstorm_py.model.assemble import assemble, open_graph

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "training"))
from gs_yaml import run_gs_train  # noqa: E402

NU, NI = 30, 20


def _masks(n, rng):
    perm, out = rng.permutation(n), {}
    for k, sel in zip(("train_mask", "val_mask", "test_mask"), (perm[: n // 2], perm[n // 2: 3 * n // 4],
                                                               perm[3 * n // 4:])):
        out[k] = np.zeros(n, np.uint8)
        out[k][sel] = 1
    return out


@pytest.fixture(scope="module")
def rec_graph(tmp_path_factory):
    rng = np.random.default_rng(0)
    src, dst = rng.integers(0, NU, 120), rng.integers(0, NI, 120)
    nodes = {"user": NodeTypeData(pa.array(np.arange(NU)), {"f": rng.standard_normal((NU, 3)).astype(np.float32),
                                                             **_masks(NU, rng)}, {"f": {}}),
             "item": NodeTypeData(pa.array(np.arange(NI)), {"y": (np.arange(NI) % 2).astype(np.int64),
                                                             "g": rng.standard_normal((NI, 2)).astype(np.float32),
                                                             **_masks(NI, rng)}, {"g": {}})}
    w = rng.standard_normal((120, 2)).astype(np.float32)
    edges = {("user", "buys", "item"): EdgeTypeData(src, dst, arrays={"w": w, **_masks(120, rng)}, features={"w": {}}),
             ("item", "bought-by", "user"): EdgeTypeData(dst.copy(), src.copy(), reverse_of=("user", "buys", "item"))}
    root = str(tmp_path_factory.mktemp("rec"))
    write_graph(root, "rec", nodes, edges)
    return root


YAML = """\
version: 1.0
gsf:
  gnn: {model_encoder_type: rgcn, num_layers: 1, hidden_size: 8, fanout: "4", node_feat_name: ["user:f", "item:g"],
        use_mini_batch_infer: false}
  hyperparam: {lr: 0.01, batch_size: 8, num_epochs: 1}
  multi_task_learning:
    - node_classification: {target_ntype: item, label_field: y, num_classes: 2, mask_fields: [train_mask, val_mask, test_mask]}
    - reconstruct_node_feat: {target_ntype: user, reconstruct_nfeat_name: f, mask_fields: [train_mask, val_mask, test_mask],
                              task_weight: 0.5, eval_metric: [mse, rmse]}
    - reconstruct_edge_feat: {target_etype: ["user,buys,item"], reconstruct_efeat_name: w,
                              mask_fields: [train_mask, val_mask, test_mask], task_weight: 0.5}
"""


def test_config():
    cfg = load_train_config_dict(yaml.safe_load(YAML))
    nc, rn, re_ = cfg.tasks
    assert rn.task_type == "reconstruct_node_feat" and rn.reconstruct_nfeat_name == "f" and rn.eval_metric == ["mse", "rmse"]
    assert re_.task_type == "reconstruct_edge_feat" and re_.label_field == "w" and re_.eval_metric == ["mse"]
    doc = yaml.safe_load(YAML)
    doc["gsf"]["multi_task_learning"][2]["reconstruct_edge_feat"]["label_field"] = "w"
    with pytest.raises(ConfigError, match="reconstruct_efeat_name"):
        load_train_config_dict(doc)
    assert load_train_config_dict(cfg.resolved_dict()).tasks == cfg.tasks


def test_heads_and_skipped_self_loop(rec_graph):
    run = assemble(load_train_config_dict(yaml.safe_load(YAML)), open_graph(rec_graph))
    nc, rn, re_ = run.tasks
    assert run.model.decoders[rn.name](torch.randn(4, 8)).shape == (4, 3)          # user:f is 3 wide
    g = next(iter(re_.train_batches(0)))
    assert g.labels.shape[1] == 2 and run.model.decoders[re_.name](torch.randn(3, 8), torch.randn(3, 8)).shape == (3, 2)
    # with the last self-loop skipped, a user's own feature does not reach its embedding (1 layer)
    run.model.eval()
    seeds = {"user": torch.tensor([0, 1, 2])}
    batch = run.sampler("-1").sample(seeds)
    h = run.features(batch.input_nodes)
    h2 = {t: x.clone() for t, x in h.items()}
    h2["user"][:3] += 10.0                                   # the seeds are the first input rows
    with torch.no_grad():
        with rn.forward_context(run.model):
            a = run.model(batch.blocks, batch.input_nodes, h)["user"]
            b = run.model(batch.blocks, batch.input_nodes, h2)["user"]
        c = run.model(batch.blocks, batch.input_nodes, h2)["user"]
    torch.testing.assert_close(a, b)
    assert not torch.allclose(b, c)                          # restored afterwards
    assert not run.model.gnn.layers[-1].skip_self_loop


def test_empty_batches_keep_the_feature_width(rec_graph):
    """A worker out of seeds runs empty batches (lockstep): labels stay (0, width), not a reshape error."""
    run = assemble(load_train_config_dict(yaml.safe_load(YAML)), open_graph(rec_graph))
    _, rn, re_ = run.tasks
    assert re_.make_batch(torch.empty(0, dtype=torch.long)).labels.shape == (0, 2)
    assert rn._batch(torch.empty(0, dtype=torch.long)).labels.shape == (0, 3)


def test_one_epoch_multitask(tmp_path, rec_graph, capsys):
    res = run_gs_train(tmp_path, YAML, rec_graph, capsys=capsys)
    names = set(res["tasks"])
    assert "reconstruct_node_feat-user-f" in names
    rec_edge = [n for n in names if n.startswith("reconstruct_edge_feat")]
    assert rec_edge and "mse" in res["tasks"][rec_edge[0]]["test"]
    assert {"mse", "rmse"} <= set(res["tasks"]["reconstruct_node_feat-user-f"]["test"])
