"""Seeded determinism and uniformity (chi-square) of the without-replacement draw."""

import itertools

import numpy as np
import pytest
import torch
from scipy import stats

from _sampling_ref import random_heterograph
from graphstorm_py.sampling import CSCGraph, NeighborSampler, sample_csc
from graphstorm_py.sampling.uniform import FLOYD_MAX_FANOUT


def _same(a, b):
    return all(torch.equal(x.edge_index[k], y.edge_index[k]) and torch.equal(x.eids[k], y.eids[k])
               for x, y in zip(a.blocks, b.blocks) for k in x.edge_index)


def test_same_seed_same_batches():
    graph = random_heterograph(seed=7)
    seeds = {"item": torch.arange(20)}
    a, b = NeighborSampler(graph, [2, 2], seed=11), NeighborSampler(graph, [2, 2], seed=11)
    assert _same(a.sample(seeds), b.sample(seeds)) and _same(a.sample(seeds), b.sample(seeds))
    c = NeighborSampler(graph, [2, 2], seed=12)
    assert not _same(a.sample(seeds), c.sample(seeds))
    a.reseed(11)
    assert _same(a.sample(seeds), NeighborSampler(graph, [2, 2], seed=11).sample(seeds))


def _star(num_dst: int, deg: int) -> CSCGraph:
    """``num_dst`` destination nodes, each with the same ``deg`` in-neighbours 0..deg-1."""
    indptr = torch.arange(num_dst + 1) * deg
    return CSCGraph({("n", "to", "n"): (indptr, torch.arange(deg).repeat(num_dst))},
                    {"n": max(num_dst, deg)})


@pytest.mark.parametrize("deg,k", [(20, 5), (100, FLOYD_MAX_FANOUT + 6)])
def test_each_neighbour_equally_likely(deg, k):
    graph = _star(2000, deg)
    indptr, indices = graph.csc[("n", "to", "n")]
    src, row, _ = sample_csc(indptr, indices, torch.arange(2000), k, torch.Generator().manual_seed(0))
    assert torch.equal(torch.bincount(row, minlength=2000), torch.full((2000,), k))
    counts = torch.bincount(src, minlength=deg).numpy()
    assert stats.chisquare(counts).pvalue > 1e-3


def test_each_subset_equally_likely_with_exclusions():
    # degree 7 with eids 1 and 4 of each row excluded: 5 candidates, 10 pairs
    graph = _star(6000, 7)
    indptr, indices = graph.csc[("n", "to", "n")]
    excl = torch.cat([torch.arange(6000) * 7 + 1, torch.arange(6000) * 7 + 4]).sort().values
    src, row, _ = sample_csc(indptr, indices, torch.arange(6000), 2, torch.Generator().manual_seed(1), excl)
    pairs = src.view(6000, 2).sort(1).values.numpy()
    allowed = [p for p in itertools.combinations([0, 2, 3, 5, 6], 2)]
    index = {p: i for i, p in enumerate(allowed)}
    counts = np.bincount([index[tuple(p)] for p in pairs.tolist()], minlength=len(allowed))
    assert counts.sum() == 6000
    assert stats.chisquare(counts).pvalue > 1e-3
