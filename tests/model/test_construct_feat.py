"""construct_feat_ntype: featureless types get inputs computed from neighbours by an extra layer."""

import os
import sys

import pytest
import torch
import yaml

from graphstorm_py.config.loader import load_train_config_dict
from graphstorm_py.errors import ConfigError
from graphstorm_py.model.assemble import assemble, open_graph

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "training"))
from gs_yaml import run_gs_infer, run_gs_train  # noqa: E402
from train_helpers import toy_graph  # noqa: E402,F401  (fixture)

UB = ("user", "buys", "item")

YAML = """\
version: 1.0
gsf:
  gnn:
    model_encoder_type: {enc}
    num_layers: 2
    hidden_size: 8
    num_heads: 2
    fanout: "4,4"
    node_feat_name: ["user:f,g"]
    construct_feat_ntype: [item]
    construct_feat_fanout: {k}
    use_mini_batch_infer: {mini}
  hyperparam: {{lr: 0.01, batch_size: 8, num_epochs: 1}}
  node_classification: {{target_ntype: item, label_field: cls, num_classes: 3}}
"""


def _run(graph, enc="rgcn", k=5, mini="true"):
    cfg = load_train_config_dict(yaml.safe_load(YAML.format(enc=enc, k=k, mini=mini)))
    return cfg, assemble(cfg, open_graph(graph))


def test_model_and_sampler(toy_graph):
    cfg, run = _run(toy_graph, k=3)
    assert "item" not in run.model.input_encoder.embeds and run.model.feature_constructor.etypes == [UB]
    batch = run.sampler(cfg.gnn.fanout, seed=0).sample({"item": torch.tensor([0, 4, 9])})
    assert len(batch.blocks) == 3                                  # construct block + 2 GNN blocks
    b0 = batch.blocks[0]
    assert set(b0.edge_index) == {UB}                              # only relations into the constructed type
    assert torch.bincount(b0.edge_index[UB][1]).max() <= 3
    assert b0.num_dst("user") == batch.blocks[1].num_src("user")
    emb = run.minibatch_embedder(cfg.gnn.fanout, seed=0)({"item": torch.tensor([0, 4, 9])})
    assert emb["item"].shape == (3, 8)


@pytest.mark.parametrize("enc", ["rgcn", "rgat", "hgt"])
def test_full_fanout_minibatch_equals_layerwise(toy_graph, enc):
    cfg, run = _run(toy_graph, enc=enc, k=-1)
    run.model.eval()
    full = run.full_graph_embedder().all()
    with torch.no_grad():
        mini = run.minibatch_embedder("-1,-1", seed=0)({"item": torch.arange(20), "user": torch.arange(10)})
    torch.testing.assert_close(mini["item"], full["item"][:20], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(mini["user"], full["user"][:10], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mini", ["true", "false"])
def test_one_epoch_yaml(tmp_path, toy_graph, capsys, mini):
    res = run_gs_train(tmp_path, YAML.format(enc="rgcn", k=5, mini=mini), toy_graph, capsys=capsys)
    assert "accuracy" in res["test"]
    out = run_gs_infer(tmp_path, toy_graph, *(["--use-mini-batch-infer"] if mini == "true" else []))
    assert os.path.exists(os.path.join(out, "_SUCCESS"))


@pytest.mark.parametrize("ntypes,match", [(["user"], "has node features"), (["shop"], "does not have")])
def test_errors(toy_graph, ntypes, match):
    doc = yaml.safe_load(YAML.format(enc="rgcn", k=5, mini="true"))
    doc["gsf"]["gnn"]["construct_feat_ntype"] = ntypes
    with pytest.raises(ConfigError, match=match):
        assemble(load_train_config_dict(doc), open_graph(toy_graph))
