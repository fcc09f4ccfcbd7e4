"""exclude_eids and exclude_etypes: excluded edges never carry messages, in any layer."""

import torch

from _sampling_ref import ETYPES, check_block_edges, in_edges, per_dst_counts, random_heterograph
from graphstorm_py.sampling import NeighborSampler

RATES, RATED_BY, FOLLOWS, LABELS = ETYPES


def test_excluded_eids_never_sampled_and_counts_still_full():
    graph = random_heterograph(seed=3)
    gen = torch.Generator().manual_seed(0)
    excl = {RATES: torch.randperm(200, generator=gen)[:80], RATED_BY: torch.tensor([0, 0, 5, 199])}
    for fanouts in ([2, 3], [-1, -1], [100, 100]):
        batch = NeighborSampler(graph, fanouts, seed=4).sample({"item": torch.arange(20)}, exclude_eids=excl)
        for block, fanout in zip(batch.blocks, fanouts):
            check_block_edges(graph, block)
            for etype, banned in excl.items():
                if etype not in block.eids:
                    continue
                assert not set(block.eids[etype].tolist()) & set(banned.tolist())
                left = torch.tensor([len(in_edges(graph, etype, int(v), banned))
                                     for v in block.dst_nodes[etype[2]]])
                cap = fanout if fanout >= 0 else int(left.max())
                assert torch.equal(per_dst_counts(block, etype), left.clamp(max=cap))


def test_exclude_everything_of_a_type():
    graph = random_heterograph(seed=5)
    everything = {RATES: torch.arange(graph.num_edges(RATES))}
    block = NeighborSampler(graph, [5], seed=0).sample({"item": torch.arange(20)}, exclude_eids=everything).blocks[0]
    assert block.edge_index[RATES].shape == (2, 0)


def test_exclude_etypes():
    graph = random_heterograph(seed=6)
    batch = NeighborSampler(graph, [3, 3], seed=0).sample({"item": torch.arange(5)}, exclude_etypes={RATES})
    for block in batch.blocks:
        assert RATES not in block.edge_index
        check_block_edges(graph, block)
