"""The same sampler code on CUDA tensors."""

import pytest
import torch

from _sampling_ref import ETYPES, check_block_edges, in_edges, per_dst_counts, random_heterograph
from graphstorm_py.sampling import NeighborSampler

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (no GPU on this machine)")


def test_cuda_batches_are_valid_and_reproducible():
    graph = random_heterograph(seed=8)
    gpu = graph.to("cuda")
    seeds = {"item": torch.arange(20, device="cuda")}
    excl = {ETYPES[0]: torch.arange(0, 200, 3, device="cuda")}
    a = NeighborSampler(gpu, [2, 100], seed=3).sample(seeds, exclude_eids=excl)
    b = NeighborSampler(gpu, [2, 100], seed=3).sample(seeds, exclude_eids=excl)
    for x, y in zip(a.blocks, b.blocks):
        assert all(t.is_cuda for t in x.edge_index.values())
        for k in x.edge_index:
            assert torch.equal(x.eids[k], y.eids[k])
    for block, fanout in zip(a.blocks, [2, 100]):
        check_block_edges(graph, block)
        for etype in block.edge_index:
            banned = excl[etype].cpu() if etype in excl else ()
            assert not set(block.eids[etype].tolist()) & set(torch.as_tensor(banned).tolist())
            left = torch.tensor([len(in_edges(graph, etype, int(v), banned)) for v in block.dst_nodes[etype[2]].cpu()])
            assert torch.equal(per_dst_counts(block, etype), left.clamp(max=fanout))
