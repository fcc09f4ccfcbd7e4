import pytest
import torch

from graphstorm_py.errors import ConfigError
from graphstorm_py.nn.encoders import GNN_ENCODERS, build_gnn_encoder
from graphstorm_py.nn.full_blocks import full_neighbor_blocks
from graphstorm_py.nn.input_encoder import NodeInputEncoder

NAMES = ["rgcn", "rgat", "hgt", "sage", "gat", "gatv2"]


@pytest.mark.parametrize("name", NAMES)
def test_forward_backward_shapes_with_featureless_types(name, hetero_graph):
    g = hetero_graph
    torch.manual_seed(0)
    inp = NodeInputEncoder(g.num_nodes, g.feat_dims, 8, dropout=0.1)
    enc = build_gnn_encoder(name, g.ntypes, g.etypes, 8, 2, out_size=4 if name != "hgt" else 8, num_heads=2,
                            dropout=0.1, norm="layer", num_ffn_layers_in_gnn=1, num_bases=2)
    seeds = {"user": torch.tensor([0, 4, 9]), "item": torch.tensor([2])}
    blocks = full_neighbor_blocks(g.csc, seeds, 2, g.etypes)
    src = blocks[0].src_nodes
    feats = {t: torch.randn(len(v), g.feat_dims[t]) for t, v in src.items() if t in g.feat_dims}
    out = enc(blocks, inp(src, feats))
    assert {t: tuple(v.shape) for t, v in out.items()} == {t: (len(s), enc.out_size) for t, s in seeds.items()}
    (out["user"].sum() + out["item"].sum()).backward()
    assert inp.embeds["tag"].weight.grad is not None  # the featureless type reached the output
    grads = [p.grad for p in enc.layers[0].parameters() if p.requires_grad]
    assert any(gr is not None and gr.abs().sum() > 0 for gr in grads)


def test_rgcn_basis_decomposition(hetero_graph):
    g = hetero_graph
    full = build_gnn_encoder("rgcn", g.ntypes, g.etypes, 6, 1)
    based = build_gnn_encoder("rgcn", g.ntypes, g.etypes, 6, 1, num_bases=2)
    assert not full.layers[0].use_basis and full.layers[0].weight.shape == (4, 6, 6)
    layer = based.layers[0]
    assert layer.use_basis and layer.bases.shape == (2, 6, 6) and layer.w_comp.shape == (4, 2)
    w = layer.relation_weights()
    torch.testing.assert_close(w[3], layer.w_comp[3, 0] * layer.bases[0] + layer.w_comp[3, 1] * layer.bases[1])
    n_full = sum(p.numel() for p in full.parameters())
    assert sum(p.numel() for p in based.parameters()) < n_full
    assert not build_gnn_encoder("rgcn", g.ntypes, g.etypes, 6, 1, num_bases=4).layers[0].use_basis


def test_rgcn_layer_by_hand(hetero_graph):
    g = hetero_graph
    enc = build_gnn_encoder("rgcn", g.ntypes, g.etypes, 3, 1)
    (block,) = full_neighbor_blocks(g.csc, {"item": torch.tensor([1, 2])}, 1, g.etypes)
    h = {t: torch.randn(len(v), 3) for t, v in block.src_nodes.items()}
    layer = enc.layers[0]
    expect = h["item"][:2] @ layer.loop_weight + layer.h_bias
    for et in [("user", "buys", "item"), ("tag", "tags", "item")]:
        ei, w = block.edge_index[et], layer.weight[enc.etype_index[et]]
        for i in range(2):
            nb = ei[0][ei[1] == i]
            if len(nb):
                expect[i] += h[et[0]][nb].mean(0) @ w
    torch.testing.assert_close(enc([block], h)["item"], expect)


def test_unknown_encoder_and_bad_heads(hetero_graph):
    g = hetero_graph
    with pytest.raises(ConfigError, match="valid choices"):
        build_gnn_encoder("rgnc", g.ntypes, g.etypes, 8, 2)
    with pytest.raises(ConfigError, match="num_heads"):
        build_gnn_encoder("rgat", g.ntypes, g.etypes, 6, 2, num_heads=4)
    assert GNN_ENCODERS.names() == sorted(list(NAMES) + ["learnable_embed", "lm", "mlp"])   # lm / mlp: no message passing


def test_last_layer_activation_follows_graphstorm(hetero_graph):
    g = hetero_graph
    assert build_gnn_encoder("rgcn", g.ntypes, g.etypes, 4, 2).layers[-1].tail.activation is None
    assert build_gnn_encoder("sage", g.ntypes, g.etypes, 4, 2).layers[-1].tail.activation is not None
    assert build_gnn_encoder("rgcn", g.ntypes, g.etypes, 4, 2, last_layer_act=True).layers[-1].tail.activation
