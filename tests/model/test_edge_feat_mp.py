"""edge_feat_name / edge_feat_mp_op end to end: feature rows follow block eids, 1-epoch GraphStorm
YAMLs for rgcn, rgat, hgt and gat (mini-batch and layer-wise evaluation, link prediction), and errors."""

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
from gs_yaml import run_gs_infer, run_gs_train  # noqa: E402

NU, NI = 30, 20
UB, BU = ("user", "buys", "item"), ("item", "bought-by", "user")


@pytest.fixture(scope="module")
def efeat_graph(tmp_path_factory):
    rng = np.random.default_rng(0)
    src, dst = rng.integers(0, NU, 150), rng.integers(0, NI, 150)
    code = (src * 100 + dst).astype(np.float32)        # an edge feature that names its edge
    w = np.stack([code, rng.random(150).astype(np.float32) + 0.5], 1)
    m = len(src)
    perm = rng.permutation(m)
    masks = {k: np.zeros(m, np.uint8) for k in ("train_mask", "val_mask", "test_mask")}
    masks["train_mask"][perm[:100]], masks["val_mask"][perm[100:125]], masks["test_mask"][perm[125:]] = 1, 1, 1
    ilab = (np.arange(NI) % 2).astype(np.int64)
    imask = {k: (np.arange(NI) % 3 == i).astype(np.uint8) for i, k in enumerate(("train_mask", "val_mask", "test_mask"))}
    nodes = {"user": NodeTypeData(pa.array(np.arange(NU)), {"f": rng.standard_normal((NU, 3)).astype(np.float32)},
                                  {"f": {}}),
             "item": NodeTypeData(pa.array(np.arange(NI)), {"y": ilab, **imask}, {})}
    edges = {UB: EdgeTypeData(src, dst, arrays={"w": w, **masks}, features={"w": {}}),
             BU: EdgeTypeData(dst.copy(), src.copy(), arrays={"w": w.copy()}, features={"w": {}}, reverse_of=UB)}
    root = str(tmp_path_factory.mktemp("efeat"))
    write_graph(root, "ef", nodes, edges)
    return root


NC = """\
version: 1.0
gsf:
  gnn:
    model_encoder_type: {enc}
    num_layers: 2
    hidden_size: 8
    num_heads: 2
    fanout: "4,4"
    node_feat_name: ["user:f"]
    edge_feat_name: ["user,buys,item:w", "item,bought-by,user:w"]
    edge_feat_mp_op: {op}
    use_mini_batch_infer: {mini}
  hyperparam: {{lr: 0.01, batch_size: 8, num_epochs: 1}}
  node_classification: {{target_ntype: item, label_field: y, num_classes: 2}}
"""


def test_edge_features_follow_block_eids(efeat_graph):
    cfg = load_train_config_dict(yaml.safe_load(NC.format(enc="rgcn", op="concat", mini="true")))
    run = assemble(cfg, open_graph(efeat_graph))
    assert run.edge_features.dims == {UB: 2, BU: 2}
    batch = run.sampler(cfg.gnn.fanout, seed=0).sample({"item": torch.tensor([0, 5, 7])})
    for b in batch.blocks:
        feats = run.edge_features(b.eids)
        ei = b.edge_index[UB]
        s, d = b.src_nodes["user"][ei[0]], b.dst_nodes["item"][ei[1]]
        assert torch.equal(feats[UB][:, 0], (s * 100 + d).float())
        if BU in b.edge_index:          # reverse: src item, dst user -> code user*100 + item
            ei = b.edge_index[BU]
            s, d = b.src_nodes["item"][ei[0]], b.dst_nodes["user"][ei[1]]
            assert torch.equal(feats[BU][:, 0], (d * 100 + s).float())
    assert BU in batch.blocks[0].edge_index
    assert "edge_input_encoder.projs.user__buys__item" in dict(run.model.named_parameters())


@pytest.mark.parametrize("enc", ["rgcn", "rgat", "hgt", "gat"])
@pytest.mark.parametrize("op,mini", [("concat", "true"), ("add", "false")])
def test_one_epoch_node_classification(tmp_path, efeat_graph, capsys, enc, op, mini):
    res = run_gs_train(tmp_path, NC.format(enc=enc, op=op, mini=mini), efeat_graph, capsys=capsys)
    assert "accuracy" in res["test"]
    if enc == "rgcn":   # gs-infer restores the edge input encoder and uses the edge features too
        out = run_gs_infer(tmp_path, efeat_graph, *(["--use-mini-batch-infer"] if mini == "true" else []))
        assert os.path.exists(os.path.join(out, "_SUCCESS"))


def test_minibatch_full_fanout_equals_layerwise_with_edge_features(efeat_graph):
    cfg = load_train_config_dict(yaml.safe_load(NC.format(enc="rgat", op="mul", mini="false")))
    run = assemble(cfg, open_graph(efeat_graph))
    run.model.eval()
    # the feature is large (it encodes the edge): scale it down so the comparison is well conditioned
    with torch.no_grad():
        for p in run.model.edge_input_encoder.projs.values():
            p.mul_(1e-3)
    full = run.full_graph_embedder().all()
    mini = run.minibatch_embedder("-1,-1", seed=0)
    with torch.no_grad():
        emb = mini({"item": torch.arange(NI)})
    torch.testing.assert_close(emb["item"], full["item"], rtol=1e-4, atol=1e-4)


LP = """\
version: 1.0
gsf:
  gnn: {model_encoder_type: rgcn, num_layers: 1, hidden_size: 8, fanout: "4", node_feat_name: ["user:f"],
        edge_feat_name: ["w"], edge_feat_mp_op: sub}
  hyperparam: {lr: 0.01, batch_size: 16, num_epochs: 1}
  link_prediction: {train_etype: ["user,buys,item"], num_negative_edges: 4, num_negative_edges_eval: 5,
                    lp_eval_ranking: full, eval_metric: [mrr, amri]}
"""


def test_one_epoch_link_prediction_full_ranking(tmp_path, efeat_graph, capsys):
    # full ranking embeds on the graph without held-out edges: their feature rows must be skipped
    res = run_gs_train(tmp_path, LP, efeat_graph, capsys=capsys)
    assert "full_amri" in res["test"]


@pytest.mark.parametrize("gnn,match", [
    ({"model_encoder_type": "sage", "edge_feat_name": ["w"]}, "rgcn, rgat, hgt or gat"),
    ({"edge_feat_mp_op": "max"}, "'edge_feat_mp_op'"),
    ({"edge_feat_name": ["user,buys,item:"]}, "TYPE:NAME"),
])
def test_config_errors(gnn, match):
    doc = yaml.safe_load(NC.format(enc="rgcn", op="concat", mini="true"))
    doc["gsf"]["gnn"].update(gnn)
    with pytest.raises(ConfigError, match=match):
        load_train_config_dict(doc)


@pytest.mark.parametrize("names,match", [(["user,buys,item:nope"], "has no feature 'nope'"),
                                         (["user,buy,item:w"], "did you mean")])
def test_graph_errors(efeat_graph, names, match):
    doc = yaml.safe_load(NC.format(enc="rgcn", op="concat", mini="true"))
    doc["gsf"]["gnn"]["edge_feat_name"] = names
    with pytest.raises(ConfigError, match=match):
        assemble(load_train_config_dict(doc), open_graph(efeat_graph))
