"""NeighborSampler against slow reference checks on a small random heterograph."""

import pytest
import torch

from _sampling_ref import ETYPES, check_block_edges, in_edges, per_dst_counts, random_heterograph
from graphstorm_py.sampling import NeighborSampler, dedupe_seeds


@pytest.fixture(scope="module")
def graph():
    return random_heterograph(seed=0)


def test_full_fanout_gives_exact_neighbourhoods(graph):
    seeds = {"item": torch.tensor([3, 0, 7]), "user": torch.tensor([5])}
    for fanouts in ([-1, -1], [1000, 1000]):
        batch = NeighborSampler(graph, fanouts, seed=0).sample(seeds)
        for block in batch.blocks:
            check_block_edges(graph, block)
            for etype in ETYPES:
                if etype[2] not in block.dst_nodes:
                    continue
                want = set().union(*(in_edges(graph, etype, int(v)) for v in block.dst_nodes[etype[2]]))
                assert set(block.eids[etype].tolist()) == want
        # the input layer's src nodes are exactly the dst nodes plus their in-neighbours
        b0 = batch.blocks[0]
        for nt in b0.src_nodes:
            reached = {int(graph.csc[et][1][e]) for et in ETYPES if et[0] == nt and et in b0.eids
                       for e in b0.eids[et]}
            dst = set(b0.dst_nodes.get(nt, torch.empty(0)).tolist())
            assert set(b0.src_nodes[nt].tolist()) == dst | reached


def test_fanout_counts_and_layer_chain(graph):
    seeds = {"item": torch.arange(20)}
    batch = NeighborSampler(graph, [2, 3], seed=1).sample(seeds)
    assert len(batch.blocks) == 2
    assert torch.equal(batch.seeds["item"], seeds["item"])
    assert torch.equal(batch.blocks[-1].dst_nodes["item"], seeds["item"])
    for k in seeds:
        assert torch.equal(batch.blocks[0].dst_nodes[k][:20], batch.blocks[1].src_nodes[k][:20])
    assert batch.blocks[0].dst_nodes.keys() == batch.blocks[1].src_nodes.keys()
    for block, fanout in zip(batch.blocks, [2, 3]):
        check_block_edges(graph, block)
        for etype, ei in block.edge_index.items():
            deg = torch.tensor([len(in_edges(graph, etype, int(v))) for v in block.dst_nodes[etype[2]]])
            assert torch.equal(per_dst_counts(block, etype), deg.clamp(max=fanout))
    assert batch.input_nodes is batch.blocks[0].src_nodes


def test_per_etype_fanout_and_zero(graph):
    rates, rated_by, follows, labels = ETYPES
    fanout = {rates: 1, rated_by: 2, follows: 0, labels: -1}
    batch = NeighborSampler(graph, [fanout], seed=2).sample({"item": torch.arange(20), "user": torch.arange(30)})
    block = batch.blocks[0]
    check_block_edges(graph, block)
    assert follows not in block.edge_index
    for etype in (rates, rated_by, labels):
        deg = torch.tensor([len(in_edges(graph, etype, int(v))) for v in block.dst_nodes[etype[2]]])
        cap = fanout[etype] if fanout[etype] >= 0 else int(deg.max())
        assert torch.equal(per_dst_counts(block, etype), deg.clamp(max=cap))


def test_keys_do_not_depend_on_the_draw(graph):
    # tag nodes are only sources; a seed set of one item still lists every reachable type
    block = NeighborSampler(graph, [1], seed=0).sample({"item": torch.tensor([0])}).blocks[0]
    assert set(block.edge_index) == {et for et in ETYPES if et[2] == "item"}
    assert set(block.src_nodes) == {"item", "user", "tag"}


def test_seed_validation_and_dedupe(graph):
    sampler = NeighborSampler(graph, [2])
    with pytest.raises(ValueError, match="repeat"):
        sampler.sample({"item": torch.tensor([1, 1])})
    with pytest.raises(ValueError, match="must be in"):
        sampler.sample({"item": torch.tensor([20])})
    with pytest.raises(ValueError, match="not in the graph"):
        sampler.sample({"movie": torch.tensor([0])})
    uniq, inv = dedupe_seeds({"item": torch.tensor([4, 1, 4])})
    assert torch.equal(uniq["item"][inv["item"]], torch.tensor([4, 1, 4]))


def test_no_layers_and_empty_seeds(graph):
    batch = NeighborSampler(graph, []).sample({"item": torch.tensor([1, 2])})
    assert batch.blocks == [] and torch.equal(batch.input_nodes["item"], torch.tensor([1, 2]))
    block = NeighborSampler(graph, [3]).sample({"item": torch.empty(0, dtype=torch.long)}).blocks[0]
    assert all(ei.shape == (2, 0) for ei in block.edge_index.values())
