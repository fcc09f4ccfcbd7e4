import pytest
import torch

from graphstorm_py.nn.encoders import build_gnn_encoder
from graphstorm_py.nn.full_blocks import full_neighbor_block, full_neighbor_blocks
from graphstorm_py.nn.input_encoder import NodeInputEncoder


def test_full_neighbor_block_contract(hetero_graph):
    g = hetero_graph
    dst = {"item": torch.tensor([4, 0, 9])}
    b = full_neighbor_block(g.csc, dst, g.etypes)
    assert torch.equal(b.src_nodes["item"][:3], dst["item"])
    for et, ei in b.edge_index.items():
        indptr, indices = g.csc[et]
        s, _, d = et
        got = sorted(zip(b.src_nodes[s][ei[0]].tolist(), b.dst_nodes[d][ei[1]].tolist()))
        want = sorted((int(indices[k]), int(v)) for v in dst[d] for k in range(indptr[v], indptr[v + 1]))
        assert got == want
        assert torch.equal(indices[b.eids[et]], b.src_nodes[s][ei[0]])
    for t, nodes in b.src_nodes.items():
        assert len(set(nodes.tolist())) == len(nodes)


@pytest.mark.parametrize("name", ["rgcn", "rgat", "hgt", "sage", "gat", "gatv2"])
def test_full_inference_equals_full_fanout_minibatch(name, hetero_graph):
    g = hetero_graph
    torch.manual_seed(1)
    enc = build_gnn_encoder(name, g.ntypes, g.etypes, 8, 2, num_heads=2, dropout=0.5, norm="batch",
                            num_bases=2, num_ffn_layers_in_gnn=1)
    enc.train()
    h0 = {t: torch.randn(n, 8) for t, n in g.num_nodes.items()}
    full = enc.full_inference(g.csc, g.num_nodes, h0, batch_size=7)
    assert enc.training  # mode restored
    enc.eval()
    seeds = {"user": torch.tensor([2, 0, 29, 13]), "item": torch.tensor([24, 3]), "tag": torch.tensor([1])}
    blocks = full_neighbor_blocks(g.csc, seeds, 2, g.etypes)
    with torch.no_grad():
        mini = enc(blocks, {t: h0[t][v] for t, v in blocks[0].src_nodes.items()})
    assert {t: tuple(v.shape) for t, v in full.items()} == {t: (n, 8) for t, n in g.num_nodes.items()}
    for t, s in seeds.items():
        assert mini[t].abs().sum() > 0
        torch.testing.assert_close(full[t][s], mini[t], atol=1e-5, rtol=1e-5)


def test_full_inference_with_input_encoder_callable(hetero_graph):
    g = hetero_graph
    inp = NodeInputEncoder(g.num_nodes, g.feat_dims, 8).eval()
    feats = {t: torch.randn(g.num_nodes[t], d) for t, d in g.feat_dims.items()}
    enc = build_gnn_encoder("rgcn", g.ntypes, g.etypes, 8, 2)

    def h0(nids):
        return inp(nids, {t: feats[t][v] for t, v in nids.items() if t in feats})

    with torch.no_grad():
        expect = enc.full_inference(g.csc, g.num_nodes, {t: h0({t: torch.arange(n)})[t]
                                                         for t, n in g.num_nodes.items()})
    got = enc.full_inference(g.csc, g.num_nodes, h0, batch_size=5)
    for t in g.ntypes:
        torch.testing.assert_close(got[t], expect[t])
