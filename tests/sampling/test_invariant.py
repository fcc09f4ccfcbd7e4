"""Partition-invariant sampling: hashed keys, the k smallest per row, independent of the batch."""

import torch

from graphstorm_py.sampling import CSCGraph, NeighborSampler
from graphstorm_py.sampling.invariant import edge_keys, hash_seed, sample_csc_invariant


def _csc(deg):
    indptr = torch.zeros(len(deg) + 1, dtype=torch.long)
    indptr[1:] = torch.cumsum(torch.tensor(deg), 0)
    indices = torch.arange(int(indptr[-1])) % 7
    return indptr, indices


def test_k_distinct_edges_per_row_in_canonical_order():
    indptr, indices = _csc([0, 3, 10, 50])
    src, row, eid = sample_csc_invariant(indptr, indices, torch.tensor([0, 1, 2, 3]), 4, (1, 0, 0))
    assert torch.bincount(row, minlength=4).tolist() == [0, 3, 4, 4]
    for r in range(4):
        e = eid[row == r]
        assert torch.equal(e, torch.sort(e).values) and e.unique().numel() == e.numel()
        assert bool(((e >= indptr[r]) & (e < indptr[r + 1])).all())
    assert torch.equal(src, indices[eid])
    assert torch.equal(row, torch.sort(row).values)


def test_same_node_same_edges_whatever_the_batch_and_offsets():
    indptr, indices = _csc([30, 40, 25, 60])
    key = (3, 2, 1)
    _, row_a, eid_a = sample_csc_invariant(indptr, indices, torch.tensor([2, 0, 3]), 5, key)
    _, row_b, eid_b = sample_csc_invariant(indptr, indices, torch.tensor([3]), 5, key)
    assert torch.equal(eid_a[row_a == 2], eid_b)
    # the same rows served from a CSC slice (an owner of nodes 2..3, eids from 70)
    sub = indptr[2:] - indptr[2]
    _, row_c, eid_c = sample_csc_invariant(sub, indices[70:], torch.tensor([3]), 5, key, node_base=2, eid_base=70)
    assert torch.equal(eid_c, eid_b)
    # another epoch or layer draws another subset
    _, _, eid_d = sample_csc_invariant(indptr, indices, torch.tensor([3]), 5, (3, 3, 1))
    assert not torch.equal(eid_d, eid_b)


def test_exclusion_before_sampling_and_fanout_all():
    indptr, indices = _csc([6])
    excl = torch.tensor([0, 2, 4])
    _, _, eid = sample_csc_invariant(indptr, indices, torch.tensor([0]), 3, (0, 0, 0), exclude=excl)
    assert eid.tolist() == [1, 3, 5]
    _, _, eid = sample_csc_invariant(indptr, indices, torch.tensor([0]), -1, (0, 0, 0), exclude=excl)
    assert eid.tolist() == [1, 3, 5]


def test_keys_are_uniform_enough():
    # each of 10 edges of one row should be picked ~ 3/10 of the time over many (seed) draws
    indptr, indices = _csc([10])
    hits = torch.zeros(10)
    for seed in range(2000):
        _, _, eid = sample_csc_invariant(indptr, indices, torch.tensor([0]), 3, (seed, 0, 0))
        hits[eid] += 1
    freq = hits / 2000
    assert float((freq - 0.3).abs().max()) < 0.05, freq
    k = edge_keys(hash_seed(0, 0, 0), torch.zeros(4, dtype=torch.long), torch.arange(4))
    assert k.unique().numel() == 4


def test_invariant_sampler_blocks_do_not_depend_on_the_batch():
    g = CSCGraph.from_edges({("a", "r", "a"): (torch.randint(0, 50, (600,)), torch.randint(0, 50, (600,)))},
                            {"a": 50})
    s = NeighborSampler(g, [3, 2], seed=5, invariant=True)
    s.set_epoch(1)
    big = s.sample({"a": torch.tensor([4, 9, 17])})
    one = s.sample({"a": torch.tensor([9])})
    e_big, e_one = big.blocks[-1].eids[("a", "r", "a")], one.blocks[-1].eids[("a", "r", "a")]
    assert torch.equal(e_big[big.blocks[-1].edge_index[("a", "r", "a")][1] == 1], e_one)
