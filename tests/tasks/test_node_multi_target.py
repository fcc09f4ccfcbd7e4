"""Several target node types in one node task (GraphStorm's list ``target_ntype``)."""

import os
import sys

import numpy as np
import pyarrow as pa
import pytest
import torch
from torch import nn

from graphstorm_py.config.loader import load_train_config_dict
from graphstorm_py.errors import ConfigError
from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph
from graphstorm_py.model.assemble import assemble, open_graph

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "training"))
from gs_yaml import run_gs_infer, run_gs_train  # noqa: E402

NU, NI = 30, 24


def _masks(n, rng):
    perm, out = rng.permutation(n), []
    for sel in (perm[: n // 2], perm[n // 2: 3 * n // 4], perm[3 * n // 4:]):
        m = np.zeros(n, np.uint8)
        m[sel] = 1
        out.append(m)
    return dict(zip(("train_mask", "val_mask", "test_mask"), out))


@pytest.fixture(scope="module")
def two_target_graph(tmp_path_factory):
    rng = np.random.default_rng(0)
    src = rng.integers(0, NU, 120)
    dst = rng.integers(0, NI, 120)
    nodes = {"user": NodeTypeData(pa.array(np.arange(NU)), {"f": rng.standard_normal((NU, 3)).astype(np.float32),
                                                             "y": (np.arange(NU) % 2).astype(np.int64),
                                                             **_masks(NU, rng)}, {"f": {}}),
             "item": NodeTypeData(pa.array(np.arange(NI)), {"y": (np.arange(NI) % 3).astype(np.int64),
                                                             **_masks(NI, rng)}, {})}
    edges = {("user", "buys", "item"): EdgeTypeData(src, dst),
             ("item", "bought-by", "user"): EdgeTypeData(dst.copy(), src.copy(), reverse_of=("user", "buys", "item"))}
    root = str(tmp_path_factory.mktemp("two_target"))
    write_graph(root, "two", nodes, edges)
    return root


YAML = """\
version: 1.0
gsf:
  basic: {{}}
  gnn: {{model_encoder_type: rgcn, num_layers: 1, hidden_size: 8, fanout: "4", node_feat_name: ["user:f"]}}
  hyperparam: {{lr: 0.01, batch_size: 8, num_epochs: 1}}
  node_classification:
    target_ntype: [user, item]
    label_field: y
    num_classes: {num_classes}
    eval_target_ntype: {eval_ntype}
"""


def _cfg(num_classes="['user:2', 'item:3']", eval_ntype="item"):
    import yaml
    return load_train_config_dict(yaml.safe_load(YAML.format(num_classes=num_classes, eval_ntype=eval_ntype)))


def test_decoders_batches_and_loss(two_target_graph):
    cfg = _cfg()
    task = cfg.task
    assert task.target_ntypes == ["user", "item"] and task.num_classes == {"user": 2, "item": 3}
    assert _cfg(num_classes="'user:2, item:3'").task.num_classes == {"user": 2, "item": 3}
    run = assemble(cfg, open_graph(two_target_graph))
    t = run.tasks[0]
    dec = run.model.decoders[t.name]
    assert isinstance(dec, nn.ModuleDict)
    h = torch.randn(4, 8)
    assert dec["user"](h).shape == (4, 2) and dec["item"](h).shape == (4, 3)
    batches = list(t.train_batches(0))
    assert len(batches) == t.num_train_batches()
    seen = {nt: torch.cat([b.seeds[nt] for b in batches if nt in b.seeds]) for nt in ("user", "item")}
    for nt in ("user", "item"):
        assert sorted(seen[nt].tolist()) == sorted(t.all_targets[nt].nids["train"].tolist())
    assert any(len(b.seeds) == 2 for b in batches)               # types are shuffled together
    emb = {nt: torch.randn(ids.numel(), 8, requires_grad=True) for nt, ids in batches[0].seeds.items()}
    loss = t.loss(dec, emb, batches[0])
    loss.backward()
    assert loss.ndim == 0 and all(e.grad is not None for e in emb.values())
    # evaluation and predictions use eval_target_ntype
    assert t.ntype == "item" and next(iter(t.eval_batches("val", 100))).seeds.keys() == {"item"}


def test_one_epoch_yaml(tmp_path, two_target_graph, capsys):
    res = run_gs_train(tmp_path, YAML.format(num_classes="{user: 2, item: 3}", eval_ntype="user"),
                       two_target_graph, capsys=capsys)
    assert "accuracy" in res["test"]
    pred = str(tmp_path / "pred")
    out = run_gs_infer(tmp_path, two_target_graph, "--save-prediction-path", pred)
    assert os.path.exists(os.path.join(out, "_SUCCESS"))
    # predictions for every target type, each its test nodes (GraphStorm's e2e script checks both)
    from graphstorm_py.outputs.writer import read_manifest

    rows = {n: d["rows"] for n, d in read_manifest(pred)["datasets"].items()}
    assert rows == {"user": NU - 3 * NU // 4, "item": NI - 3 * NI // 4}


PER_TYPE = YAML + """    multilabel: {{user: true}}
    multilabel_weights: {{user: "0.5,2"}}
    imbalance_class_weights: {{item: [1, 2, 3]}}
"""


def _per_type_cfg(extra=""):
    import yaml
    doc = yaml.safe_load(PER_TYPE.format(num_classes="{user: 2, item: 3}", eval_ntype="item"))
    doc["gsf"]["node_classification"].update(yaml.safe_load(extra) or {})
    return load_train_config_dict(doc)


def test_per_type_multilabel_and_weights(two_target_graph):
    """GraphStorm's ``multilabel`` / ``multilabel_weights`` / ``imbalance_class_weights`` per target type."""
    task = _per_type_cfg().task
    assert task.multilabel_of("user") and not task.multilabel_of("item") and task.any_multilabel
    assert task.weights_of("multilabel_weights", "user") == [0.5, 2.0]
    assert task.weights_of("multilabel_weights", "item") is None
    assert task.weights_of("imbalance_class_weights", "item") == [1.0, 2.0, 3.0]
    run = assemble(_per_type_cfg(), open_graph(two_target_graph))
    t = run.tasks[0]
    dec = run.model.decoders[t.name]
    assert dec["user"].multilabel and not dec["item"].multilabel
    h = {"user": torch.randn(4, 8), "item": torch.randn(5, 8)}
    y_user = torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=torch.float32)
    y_item = torch.tensor([0, 1, 2, 2, 1])
    from graphstorm_py.tasks.base import TaskBatch

    batch = TaskBatch(seeds={"user": torch.arange(4), "item": torch.arange(5)},
                      extra={"labels": {"user": y_user, "item": y_item}})
    with torch.no_grad():
        got = t.loss(dec, h, batch)
        bce = nn.functional.binary_cross_entropy_with_logits(dec["user"](h["user"]), y_user,
                                                             pos_weight=torch.tensor([0.5, 2.0]))
        ce = nn.functional.cross_entropy(dec["item"](h["item"]), y_item, weight=torch.tensor([1.0, 2.0, 3.0]))
    assert torch.allclose(got, (bce * 4 + ce * 5) / 9)
    # a plain bool and plain weights still apply to every type
    plain = _per_type_cfg("{multilabel: true, multilabel_weights: null, imbalance_class_weights: null}").task
    assert plain.multilabel_of("user") and plain.multilabel_of("item")


@pytest.mark.parametrize("extra,match", [
    ("{multilabel: {movie: true}}", "'multilabel' names \\['movie'\\]"),
    ("{multilabel_weights: {user: '0.5,2,3'}}", "'multilabel_weights' of 'user' has 3 weights but 'num_classes' is 2"),
    ("{multilabel_weights: {item: '1,1,1'}}", "'multilabel_weights' of 'item' needs 'multilabel: true' for 'item'"),
    ("{imbalance_class_weights: {item: '1,0,1'}}", "'imbalance_class_weights' of 'item' must be > 0"),
    ("{imbalance_class_weights: '1,2'}", "needs one num_classes for every target node type"),
])
def test_per_type_errors(extra, match):
    with pytest.raises(ConfigError, match=match):
        _per_type_cfg(extra)


def test_per_type_values_need_a_node_task():
    import yaml
    doc = yaml.safe_load("""\
version: 1.0
gsf:
  basic: {}
  gnn: {model_encoder_type: rgcn, num_layers: 1, hidden_size: 8, fanout: "4"}
  hyperparam: {lr: 0.01, batch_size: 8, num_epochs: 1}
  edge_classification:
    target_etype: ["user,buys,item"]
    label_field: y
    num_classes: 2
    multilabel: {user: true}
""")
    with pytest.raises(ConfigError, match="'multilabel' per node type needs a node task"):
        load_train_config_dict(doc)


@pytest.mark.parametrize("num_classes,eval_ntype,match", [
    ("['user:2', 'movie:3']", "item", "target_ntype"),
    ("['user:2', 'item:3']", "movie", "eval_target_ntype"),
    ("['user2']", "item", "ntype:N"),
])
def test_errors(num_classes, eval_ntype, match):
    with pytest.raises(ConfigError, match=match):
        _cfg(num_classes, eval_ntype)
