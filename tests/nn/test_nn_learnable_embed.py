"""learnable_embed: no message passing, every node a learnable embedding; a 1-epoch YAML run."""

import os
import sys

import torch

from graphstorm_py.config.loader import load_train_config_dict
from graphstorm_py.model.assemble import assemble, open_graph
from graphstorm_py.nn.encoders import build_gnn_encoder
from graphstorm_py.nn.full_blocks import full_neighbor_blocks

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "training"))
from gs_yaml import run_gs_train  # noqa: E402
from train_helpers import toy_graph  # noqa: E402,F401  (fixture)


def test_encoder_is_identity_on_seeds(hetero_graph):
    g = hetero_graph
    enc = build_gnn_encoder("learnable_embed", g.ntypes, g.etypes, 8, 2, num_heads=2)
    assert enc.num_layers == 0 and not list(enc.parameters())
    seeds = {"user": torch.tensor([3, 1]), "item": torch.tensor([0])}
    blocks = full_neighbor_blocks(g.csc, seeds, 2, g.etypes)
    h = {t: torch.randn(v.numel(), 8) for t, v in blocks[0].src_nodes.items()}
    out = enc(blocks, h)
    assert torch.equal(out["user"], h["user"][:2]) and torch.equal(out["item"], h["item"][:1])
    assert enc([], {"user": h["user"]})["user"] is h["user"]
    h0 = {t: torch.randn(n, 8) for t, n in g.num_nodes.items()}
    full = enc.full_inference(g.csc, g.num_nodes, h0)
    assert all(torch.equal(full[t], h0[t]) for t in h0)


YAML = """\
version: 1.0
gsf:
  gnn: {model_encoder_type: learnable_embed, num_layers: 1, hidden_size: 8, fanout: "5", node_feat_name: ["user:f"]}
  hyperparam: {lr: 0.01, sparse_optimizer_lr: 0.05, batch_size: 16, num_epochs: 1}
  link_prediction:
    train_etype: ["user,buys,item"]
    num_negative_edges: 4
    num_negative_edges_eval: 10
    lp_decoder_type: distmult
    eval_metric: [mrr, amri]
"""


def test_model_has_embeddings_and_no_blocks(toy_graph):
    import yaml
    cfg = load_train_config_dict(yaml.safe_load(YAML))
    run = assemble(cfg, open_graph(toy_graph))
    assert set(run.model.input_encoder.embeds) == {"user", "item"}   # featured types too
    batch = run.sampler(cfg.gnn.fanout, seed=0).sample({"user": torch.tensor([0, 4])})
    assert batch.blocks == [] and torch.equal(batch.input_nodes["user"], torch.tensor([0, 4]))
    emb = run.minibatch_embedder(cfg.gnn.fanout, seed=0)({"user": torch.tensor([0, 4])})
    assert emb["user"].shape == (2, 8)


def test_one_epoch_link_prediction(tmp_path, toy_graph, capsys):
    # the toy graph's edges have no train_mask: GraphStorm trains on all of them
    res = run_gs_train(tmp_path, YAML, toy_graph, capsys=capsys)
    assert res["epochs_run"] == 1
