"""Blocks with node and edge types of zero rows, and nodes without in-neighbours, for every encoder.

The graph has a node type with 0 nodes (``ghost``), edge types with 0 edges, a type no relation
reaches (``tag``), one in no edge type at all (``shop``) and items/users without in-edges. A node
without in-edges keeps its own representation (self-loop, root weight or skip, per encoder), as
in GraphStorm and PyG.
"""

from types import SimpleNamespace

import pytest
import torch

from graphstorm_py.model import gnn_model
from graphstorm_py.model.gnn_model import GNNModel
from graphstorm_py.nn.encoders import build_gnn_encoder
from graphstorm_py.nn.full_blocks import full_neighbor_blocks
from graphstorm_py.nn.input_encoder import NodeInputEncoder

# "rgcn-unfused": the rgcn first layer fed projected inputs instead of (feat, projection) pairs
ENCODERS = ["rgcn", "rgcn-unfused", "rgat", "hgt", "sage", "gat"]
EDGES = {("user", "buys", "item"): ([0, 1, 2, 0, 1, 2], [0, 0, 1, 1, 6, 6]),
         ("item", "bought-by", "user"): ([0, 0, 1, 1, 6, 6], [0, 1, 2, 0, 1, 2]),
         ("user", "follows", "user"): ([4, 5, 6, 7, 0], [0, 1, 2, 3, 3]),
         ("tag", "tags", "item"): ([0, 2], [0, 0]),
         ("ghost", "haunts", "item"): ([], []),
         ("user", "views", "item"): ([], [])}
NUM = {"user": 8, "item": 10, "tag": 3, "ghost": 0, "shop": 2}   # shop: in no edge type
LONELY = {"item": [4, 9], "user": [6, 7]}   # no in-edges of any relation


def _csc(num_dst, src, dst):
    src, dst = torch.tensor(src, dtype=torch.long), torch.tensor(dst, dtype=torch.long)
    order = torch.argsort(dst, stable=True)
    indptr = torch.zeros(num_dst + 1, dtype=torch.long)
    indptr[1:] = torch.cumsum(torch.bincount(dst, minlength=num_dst), 0)
    return indptr, src[order]


@pytest.fixture
def gaps():
    etypes = list(EDGES)
    return SimpleNamespace(num_nodes=NUM, ntypes=list(NUM), etypes=etypes, feat_dims={"user": 3, "item": 2},
                           csc={et: _csc(NUM[et[2]], *EDGES[et]) for et in etypes})


def _model(name, g, monkeypatch, **kw):
    monkeypatch.setattr(gnn_model, "_FUSE_INPUT", name != "rgcn-unfused")
    torch.manual_seed(0)
    inp = NodeInputEncoder(g.num_nodes, g.feat_dims, 8)
    enc = build_gnn_encoder(name.split("-")[0], g.ntypes, g.etypes, 8, 2, num_heads=2, **kw)
    return GNNModel(inp, enc, {})


def _forward(model, g, blocks, feats):
    src = blocks[0].src_nodes
    return model(blocks, src, {t: feats[t][v] for t, v in src.items() if t in feats})


def _feats(g, seed=1):
    gen = torch.Generator().manual_seed(seed)
    return {t: torch.randn(g.num_nodes[t], d, generator=gen) for t, d in g.feat_dims.items()}


@pytest.mark.parametrize("name", ENCODERS)
def test_batch_with_empty_types_forward_backward(name, gaps, monkeypatch):
    model = _model(name, gaps, monkeypatch, norm="layer", dropout=0.1)
    model.train()
    feats = _feats(gaps)
    for seeds in ({"item": torch.tensor([4, 9])},                                   # nothing reaches them
                  {"item": torch.tensor([2, 0]), "user": torch.tensor([7]), "ghost": torch.tensor([], dtype=torch.long),
                   "tag": torch.tensor([1]), "shop": torch.tensor([1])}):
        blocks = full_neighbor_blocks(gaps.csc, seeds, 2, gaps.etypes)
        assert any(b.num_src(t) == 0 for b in blocks for t in b.src_nodes)       # a type with 0 rows
        assert any(ei.size(1) == 0 for b in blocks for ei in b.edge_index.values())
        out = _forward(model, gaps, blocks, feats)
        assert {t: tuple(v.shape) for t, v in out.items()} == {t: (len(s), 8) for t, s in seeds.items()}
        assert all(torch.isfinite(v).all() for v in out.values())
        model.zero_grad()
        sum(v.sum() for v in out.values()).backward()
        assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.gnn.parameters())


@pytest.mark.parametrize("name", ENCODERS)
@pytest.mark.parametrize("full", [False, True], ids=["minibatch", "full_graph"])
def test_node_without_in_edges_keeps_its_own_representation(name, full, gaps, monkeypatch):
    model = _model(name, gaps, monkeypatch).eval()
    seeds = {t: torch.tensor(v) for t, v in LONELY.items()}
    seeds["tag"] = torch.tensor([0, 2])
    seeds["shop"] = torch.tensor([0, 1])

    def embed(feats):
        with torch.no_grad():
            if full:
                table = model.full_graph_embeddings(gaps.csc, gaps.num_nodes, lambda n: {
                    t: feats[t][v] for t, v in n.items() if t in feats}, batch_size=4)
                return {t: table[t][s] for t, s in seeds.items()}
            return _forward(model, gaps, full_neighbor_blocks(gaps.csc, seeds, 2, gaps.etypes), feats)

    feats = _feats(gaps)
    base = embed(feats)
    for t, rows in LONELY.items():
        moved = {k: v.clone() for k, v in feats.items()}
        moved[t][rows[0]] += 1.0                   # only this node's own input changes
        out = embed(moved)
        assert not torch.allclose(out[t][0], base[t][0]), f"{t} {rows[0]} ignores its own features"
        torch.testing.assert_close(out[t][1], base[t][1])   # the other lonely node does not move
    assert base["tag"].abs().sum() > 0 and base["shop"].abs().sum() > 0


@pytest.mark.parametrize("name", ENCODERS)
def test_full_graph_inference_equals_full_fanout_minibatch(name, gaps, monkeypatch):
    model = _model(name, gaps, monkeypatch, norm="batch").eval()
    feats = _feats(gaps)

    def h0(n):
        return {t: feats[t][v] for t, v in n.items() if t in feats}

    table = model.full_graph_embeddings(gaps.csc, gaps.num_nodes, h0, batch_size=3)
    assert {t: tuple(v.shape) for t, v in table.items()} == {t: (n, 8) for t, n in NUM.items()}
    seeds = {"item": torch.tensor([9, 0, 6, 4]), "user": torch.tensor([3, 7]), "ghost": torch.tensor([], dtype=torch.long)}
    with torch.no_grad():
        mini = _forward(model, gaps, full_neighbor_blocks(gaps.csc, seeds, 2, gaps.etypes), feats)
    for t, s in seeds.items():
        torch.testing.assert_close(mini[t], table[t][s], atol=1e-5, rtol=1e-5)


def test_batch_norm_with_one_row_of_a_type_in_training(gaps, monkeypatch):
    model = _model("rgcn", gaps, monkeypatch, norm="batch").train()
    seeds = {"item": torch.tensor([4])}       # one item, no neighbours: 1-row (and 0-row) types in every layer
    out = _forward(model, gaps, full_neighbor_blocks(gaps.csc, seeds, 2, gaps.etypes), _feats(gaps))
    assert out["item"].shape == (1, 8) and torch.isfinite(out["item"]).all()
    out["item"].sum().backward()
    norm = model.gnn.layers[0].tail.norms["1"]        # the item norm of layer 0: running stats untouched
    assert torch.equal(norm.running_mean, torch.zeros(8)) and torch.equal(norm.running_var, torch.ones(8))
