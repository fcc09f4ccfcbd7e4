"""Edge features in message passing: the convolutions against hand computations on a tiny block,
and full-graph layer-wise inference == full-fanout mini-batch for rgcn, rgat, hgt and gat."""

import pytest
import torch

from graphstorm_py.nn.encoders import build_gnn_encoder
from graphstorm_py.nn.encoders.edge_feat import EdgeFeatGATConv, EdgeFeatGraphConv, combine
from graphstorm_py.nn.full_blocks import full_neighbor_blocks

OPS = ["concat", "add", "sub", "mul", "div"]

# tiny bipartite block: 3 sources, 2 destinations; dst 0 <- src 0, 1 ; dst 1 <- src 2
EI = torch.tensor([[0, 1, 2], [0, 0, 1]])


def _hand_op(h, e, op):
    return {"concat": torch.cat([h, e]), "add": h + e, "sub": h - e, "mul": h * e, "div": h / e}[op]


@pytest.mark.parametrize("op", OPS)
def test_graphconv_matches_hand_computation(op):
    torch.manual_seed(0)
    x = torch.randn(3, 4)
    e = torch.rand(3, 4) + 0.5
    conv = EdgeFeatGraphConv(4, 5, op)
    out = conv(x, EI, 2, e)
    W = conv.weight
    m = [_hand_op(x[s], e[k], op) @ W for k, s in enumerate(EI[0].tolist())]
    want0 = (m[0] + m[1]) / 2 ** 0.5          # in-degree 2: messages / sqrt(2)
    want1 = m[2] / 1.0
    torch.testing.assert_close(out, torch.stack([want0, want1]))
    assert conv.weight.shape == ((8 if op == "concat" else 4), 5)


@pytest.mark.parametrize("op", OPS)
def test_gatconv_matches_hand_computation(op):
    torch.manual_seed(1)
    x, xd = torch.randn(3, 4), torch.randn(2, 4)
    e = torch.rand(3, 4) + 0.5
    conv = EdgeFeatGATConv(4, 3, 2, op, bias=True)
    torch.nn.init.normal_(conv.bias)
    out = conv((x, xd), EI, edge_feat=e)
    m = [conv.fc_src(_hand_op(x[s], e[k], op)).view(2, 3) for k, s in enumerate(EI[0].tolist())]
    q = conv.fc_dst(xd).view(2, 2, 3)
    lrelu = torch.nn.functional.leaky_relu
    s0, s1 = lrelu(m[0] + q[0], 0.2), lrelu(m[1] + q[0], 0.2)
    a0, a1 = torch.exp(s0) / (torch.exp(s0) + torch.exp(s1)), torch.exp(s1) / (torch.exp(s0) + torch.exp(s1))
    want0 = a0 * m[0] + a1 * m[1] + conv.bias.view(2, 3)
    want1 = 1.0 * m[2] + conv.bias.view(2, 3)          # one in-edge: attention 1
    torch.testing.assert_close(out, torch.stack([want0, want1]))


def test_no_edges_gives_zeros_and_missing_features_error():
    conv = EdgeFeatGraphConv(4, 5, "add")
    assert torch.equal(conv(torch.randn(3, 4), torch.empty(2, 0, dtype=torch.long), 2, None), torch.zeros(2, 5))
    with pytest.raises(ValueError, match="carries none"):
        conv(torch.randn(3, 4), EI, 2, None)
    with pytest.raises(ValueError, match="project them"):
        combine(torch.randn(3, 4), torch.randn(3, 2), "add")


def _edge_feats(g, dim, seed=3):
    gen = torch.Generator().manual_seed(seed)
    return {et: torch.rand(g.csc[et][1].numel(), dim, generator=gen) + 0.5 for et in g.etypes[:2]}


@pytest.mark.parametrize("name", ["rgcn", "rgat", "hgt", "gat"])
@pytest.mark.parametrize("op", ["concat", "mul"])
def test_full_inference_equals_full_fanout_minibatch(name, op, hetero_graph):
    g = hetero_graph
    ef_types = g.etypes[:2]
    table = _edge_feats(g, 8)
    torch.manual_seed(1)
    enc = build_gnn_encoder(name, g.ntypes, g.etypes, 8, 2, num_heads=2, edge_feat_etypes=ef_types,
                            edge_feat_mp_op=op)
    enc.eval()

    def efn(block):
        return {et: table[et][block.eids[et]] for et in ef_types if et in block.eids}

    h0 = {t: torch.randn(n, 8) for t, n in g.num_nodes.items()}
    full = enc.full_inference(g.csc, g.num_nodes, h0, batch_size=5, edge_feats=efn)
    seeds = {"user": torch.tensor([2, 0, 29]), "item": torch.tensor([24, 3])}
    blocks = full_neighbor_blocks(g.csc, seeds, 2, g.etypes)
    for b in blocks:
        b.edge_feats = efn(b)
    with torch.no_grad():
        mini = enc(blocks, {t: h0[t][v] for t, v in blocks[0].src_nodes.items()})
    for t, ids in seeds.items():
        torch.testing.assert_close(mini[t], full[t][ids], rtol=1e-5, atol=1e-5)
    # the edge features matter: other features give other embeddings
    for b in blocks:
        b.edge_feats = {et: 2 * x for et, x in b.edge_feats.items()}
    with torch.no_grad():
        other = enc(blocks, {t: h0[t][v] for t, v in blocks[0].src_nodes.items()})
    assert not torch.allclose(other["item"], mini["item"])


def test_sage_rejects_edge_features(hetero_graph):
    from graphstorm_py.errors import ConfigError
    g = hetero_graph
    with pytest.raises(ConfigError, match="cannot use edge features"):
        build_gnn_encoder("sage", g.ntypes, g.etypes, 8, 1, edge_feat_etypes=g.etypes[:1])
