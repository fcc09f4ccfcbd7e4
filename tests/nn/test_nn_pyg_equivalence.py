"""The homogeneous sage and gat encoders are exactly PyG's SAGEConv / GATConv (self-loops added; + ReLU) per layer."""

import pytest
import torch
import torch.nn.functional as F
from torch_geometric.nn import GATConv, GATv2Conv, SAGEConv

from graphstorm_py.nn.encoders import build_gnn_encoder
from graphstorm_py.nn.full_blocks import full_neighbor_blocks


def _reference(enc, make_conv, blocks, x):
    for layer, block in zip(enc.layers, blocks):
        conv = make_conv()
        conv.load_state_dict(layer.convs[0].state_dict())
        n_dst = block.num_dst("_N")
        x = F.relu(conv((x, x[:n_dst]), block.edge_index[("_N", "_E", "_N")]))
    return x


@pytest.mark.parametrize("aggr", ["mean", "pool"])
def test_sage_matches_pyg(homo_graph, aggr):
    g = homo_graph
    enc = build_gnn_encoder("sage", g.ntypes, g.etypes, 6, 2, aggregator=aggr)
    blocks = full_neighbor_blocks(g.csc, {"_N": torch.tensor([0, 5, 11, 39])}, 2, g.etypes)
    x = torch.randn(blocks[0].num_src("_N"), 6)
    kw = {"aggr": "max", "project": True} if aggr == "pool" else {"aggr": "mean"}
    ref = _reference(enc, lambda: SAGEConv(6, 6, bias=False, **kw), blocks, x)
    torch.testing.assert_close(enc(blocks, {"_N": x})["_N"], ref)


def test_gat_matches_pyg(homo_graph):
    g = homo_graph
    enc = build_gnn_encoder("gat", g.ntypes, g.etypes, 8, 2, num_heads=2)
    blocks = full_neighbor_blocks(g.csc, {"_N": torch.tensor([3, 1, 20])}, 2, g.etypes)
    x = torch.randn(blocks[0].num_src("_N"), 8)
    ref = _reference(enc, lambda: GATConv(8, 4, heads=2, bias=False), blocks, x)
    torch.testing.assert_close(enc(blocks, {"_N": x})["_N"], ref)


def test_gatv2_matches_pyg(homo_graph):
    """gatv2: PyG GATv2Conv (separate source/target weights, bias) + ReLU on the hidden layer only."""
    g = homo_graph
    enc = build_gnn_encoder("gatv2", g.ntypes, g.etypes, 8, 2, num_heads=2)
    blocks = full_neighbor_blocks(g.csc, {"_N": torch.tensor([3, 1, 20])}, 2, g.etypes)
    x = torch.randn(blocks[0].num_src("_N"), 8)
    h = x
    for i, (layer, block) in enumerate(zip(enc.layers, blocks)):
        conv = GATv2Conv(8, 4, heads=2, add_self_loops=False, share_weights=False, bias=True)
        conv.load_state_dict(layer.convs[0].state_dict())
        h = conv((h, h[:block.num_dst("_N")]), block.edge_index[("_N", "_E", "_N")])
        h = F.relu(h) if i == 0 else h
    torch.testing.assert_close(enc(blocks, {"_N": x})["_N"], h)
