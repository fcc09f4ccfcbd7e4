"""The CSR-matmul mean aggregation of the rgcn layer equals the previous gather + scatter(mean) path."""

import pytest
import torch
from torch_geometric.utils import scatter

from graphstorm_py.nn.encoders import build_gnn_encoder, rgcn
from graphstorm_py.sampling.block import Block


@pytest.mark.parametrize("sorted_dst", [True, False])
def test_mean_aggregate_matches_scatter(sorted_dst):
    g = torch.Generator().manual_seed(0)
    n_src, n_dst, e = 50, 20, 300
    dst = torch.randint(0, n_dst - 3, (e,), generator=g)           # the last rows get no edges
    if sorted_dst:
        dst = dst.sort().values
    ei = torch.stack([torch.randint(0, n_src, (e,), generator=g), dst])
    x1 = torch.randn(n_src, 7, generator=g, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_()
    gout = torch.randn(n_dst, 7, generator=g)
    y1 = rgcn.mean_aggregate(x1, ei, n_dst)
    y2 = scatter(x2[ei[0]], ei[1], 0, dim_size=n_dst, reduce="mean")
    torch.testing.assert_close(y1, y2, atol=1e-5, rtol=1e-5)
    assert torch.all(y1[-3:] == 0)
    (y1 * gout).sum().backward()
    (y2 * gout).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, atol=1e-5, rtol=1e-5)


def _random_block(g, ntypes, etypes, n_src, n_dst, e):
    src_nodes = {t: torch.arange(n_src[t]) for t in ntypes}
    dst_nodes = {t: torch.arange(n_dst[t]) for t in ntypes}
    edge_index = {}
    for s, r, d in etypes:
        dst = torch.randint(0, n_dst[d], (e,), generator=g).sort().values
        edge_index[(s, r, d)] = torch.stack([torch.randint(0, n_src[s], (e,), generator=g), dst])
    return Block(src_nodes, dst_nodes, edge_index)


@pytest.mark.parametrize("dims", [(16, 16), (32, 8), (8, 32)])
@pytest.mark.parametrize("num_bases", [-1, 2])
def test_rgcn_layer_csr_equals_scatter(monkeypatch, dims, num_bases):
    in_dim, out_dim = dims
    ntypes = ["a", "b"]
    etypes = [("a", "r1", "b"), ("b", "r2", "a"), ("a", "r3", "a"), ("b", "r4", "b")]
    g = torch.Generator().manual_seed(1)
    block = _random_block(g, ntypes, etypes, {"a": 60, "b": 9}, {"a": 12, "b": 5}, 200)
    torch.manual_seed(0)
    enc = build_gnn_encoder("rgcn", ntypes, etypes, out_dim, 1, num_bases=num_bases)
    layer = rgcn.RelGraphConvLayer(in_dim, out_dim, ntypes, etypes, num_bases, tail=enc.layers[0].tail)
    h = {t: torch.randn(block.num_src(t), in_dim, generator=g) for t in ntypes}

    def run(mode):
        monkeypatch.setattr(rgcn, "_AGG", mode)
        layer.zero_grad()
        hs = {t: v.clone().requires_grad_() for t, v in h.items()}
        out = layer(block, hs)
        sum((o * torch.linspace(-1, 1, o.numel()).reshape(o.shape)).sum() for o in out.values()).backward()
        return out, {t: v.grad for t, v in hs.items()}, {n: p.grad.clone() for n, p in layer.named_parameters()}

    out_new, gh_new, gp_new = run("csr")
    out_old, gh_old, gp_old = run("scatter")
    for t in out_old:
        torch.testing.assert_close(out_new[t], out_old[t], atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(gh_new[t], gh_old[t], atol=1e-5, rtol=1e-5)
    assert gp_new.keys() == gp_old.keys()
    for n in gp_old:
        torch.testing.assert_close(gp_new[n], gp_old[n], atol=1e-5, rtol=1e-5)
