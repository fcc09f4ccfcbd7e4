"""Multi-task learning: one encoder, a decoder per task, per-task metrics; warm start by layer."""

import os
import sys

import pytest
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tasks"))
from edge_helpers import ER_YAML, MT_YAML, edge_graph, write_yaml  # noqa: E402,F401

from graphstorm_py.config.loader import load_train_config  # noqa: E402
from graphstorm_py.model import assemble, open_graph, restore_model  # noqa: E402
from graphstorm_py.training.run import train  # noqa: E402

NC = "node_classification-item-cls"
ER = "edge_regression-user_rates_item-score"


def test_multitask_run_reports_every_task(tmp_path, edge_graph):
    save = tmp_path / "mt"
    res = train(load_train_config(write_yaml(tmp_path, MT_YAML), ["--save-model-path", str(save)]), edge_graph)
    assert res["task_type"] == "multi_task"
    assert set(res["tasks"]) == {NC, ER}
    assert "accuracy" in res["tasks"][NC]["test"]
    assert {"rmse", "mae"} <= set(res["tasks"][ER]["test"])
    assert res["val"] == res["tasks"][NC]["val"]            # the first task selects models
    assert os.path.exists(save / "results.json")


@pytest.fixture(scope="module")
def er_checkpoint(tmp_path_factory, edge_graph):
    """An edge-regression model trained for one epoch: its checkpoint path."""
    tmp = tmp_path_factory.mktemp("pre")
    train(load_train_config(write_yaml(tmp, ER_YAML, "er.yaml"),
                            ["--num-epochs", "1", "--save-model-path", str(tmp / "m")]), edge_graph)
    return str(tmp / "m" / "epoch-0")


def _params(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def test_restore_model_layers_loads_only_requested_layers(tmp_path, edge_graph, er_checkpoint):
    ckpt = er_checkpoint
    saved = assemble(load_train_config(write_yaml(tmp_path, ER_YAML, "er.yaml")), open_graph(edge_graph))
    restore_model(ckpt, saved.model)
    torch.manual_seed(123)
    fresh = assemble(load_train_config(write_yaml(tmp_path, MT_YAML)), open_graph(edge_graph))
    before = _params(fresh.model)
    out = restore_model(ckpt, fresh.model, ["gnn"])
    after = fresh.model.state_dict()
    ref = saved.model.state_dict()
    for k, v in after.items():
        if k.startswith("gnn."):
            assert torch.equal(v, ref[k]), k
        else:                                              # embed and decoders untouched
            assert torch.equal(v, before[k]), k
    assert any(not torch.equal(before[k], ref[k]) for k in ref if k.startswith("gnn."))
    assert out["fresh"] == []                              # decoders were not asked for
    restore_model(ckpt, fresh.model, ["embed", "gnn", "decoder"])
    er_dec = {k: v for k, v in fresh.model.state_dict().items() if k.startswith(f"decoders.{ER}")}
    assert er_dec and all(torch.equal(v, ref[k]) for k, v in er_dec.items())   # same task name: restored
    assert not any(k.startswith(f"decoders.{NC}") for k in ref)                  # new task: stays fresh


def test_warm_start_node_classification_from_edge_pretrained_encoder(tmp_path, edge_graph, er_checkpoint):
    nc = MT_YAML.split("  multi_task_learning:")[0] + """\
  node_classification:
    target_ntype: item
    label_field: cls
    num_classes: 2
"""
    res = train(load_train_config(write_yaml(tmp_path, nc, "nc.yaml"),
                                  ["--restore-model-path", er_checkpoint,
                                   "--restore-model-layers", "embed,gnn", "--num-epochs", "1"]), edge_graph)
    assert res["epochs_run"] == 1 and "accuracy" in res["test"]
