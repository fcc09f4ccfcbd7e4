"""The same models on a CUDA device give the CPU results (skipped without a GPU)."""

import copy

import pytest
import torch

from graphstorm_py.nn.decoders import LP_DECODERS
from graphstorm_py.nn.encoders import build_gnn_encoder
from graphstorm_py.nn.full_blocks import full_neighbor_blocks
from graphstorm_py.nn.input_encoder import NodeInputEncoder

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@pytest.mark.parametrize("name", ["rgcn", "rgat", "hgt", "sage", "gat", "gatv2"])
def test_encoder_on_cuda_matches_cpu(name, hetero_graph):
    g = hetero_graph
    torch.manual_seed(0)
    enc = build_gnn_encoder(name, g.ntypes, g.etypes, 8, 2, num_heads=2, num_bases=2, norm="layer").eval()
    h0 = {t: torch.randn(n, 8) for t, n in g.num_nodes.items()}
    cpu = enc.full_inference(g.csc, g.num_nodes, h0, batch_size=9)
    gpu = copy.deepcopy(enc).cuda().full_inference(g.csc, g.num_nodes, h0, batch_size=9)
    seeds = {"user": torch.tensor([1, 5]), "item": torch.tensor([0])}
    blocks = [b.to("cuda") for b in full_neighbor_blocks(g.csc, seeds, 2, g.etypes)]
    with torch.no_grad():
        mini = copy.deepcopy(enc).cuda()(blocks, {t: h0[t][v.cpu()].cuda() for t, v in blocks[0].src_nodes.items()})
    for t in g.ntypes:
        torch.testing.assert_close(gpu[t], cpu[t], atol=1e-4, rtol=1e-4)
    for t, s in seeds.items():
        torch.testing.assert_close(mini[t].cpu(), cpu[t][s], atol=1e-4, rtol=1e-4)


def test_sparse_embeddings_train_on_cuda(hetero_graph):
    g = hetero_graph
    inp = NodeInputEncoder(g.num_nodes, g.feat_dims, 8, use_node_embeddings=True).cuda()
    opt = torch.optim.SparseAdam(list(inp.sparse_parameters()), lr=0.1)
    out = inp({"tag": torch.tensor([0, 2]), "user": torch.tensor([3])}, {"user": torch.randn(1, 5)})
    (out["tag"].sum() + out["user"].sum()).backward()
    opt.step()
    assert out["tag"].device.type == "cuda"


@pytest.mark.parametrize("name", ["distmult", "transe_l2", "rotate"])
def test_lp_candidates_on_cuda(name):
    dec = LP_DECODERS.get(name)([("a", "r", "b")], 16)
    src, cand = torch.randn(30, 16), torch.randn(50, 16)
    cpu = dec.score_candidates(src, cand, ("a", "r", "b"))
    gpu = dec.cuda().score_candidates(src.cuda(), cand.cuda(), ("a", "r", "b"))
    torch.testing.assert_close(gpu.cpu(), cpu, atol=1e-4, rtol=1e-4)
