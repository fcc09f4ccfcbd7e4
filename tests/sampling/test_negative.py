"""Negative samplers: valid nids of the destination type; local samplers stay in the owning partition."""

import pytest
import torch

from graphstorm_py.errors import ConfigError
from graphstorm_py.sampling.negative import NEG_SAMPLERS, NegContext, sample_negatives

RANGES = torch.tensor([[0, 30], [30, 30], [30, 100], [100, 160]])   # partition 1 is empty
N = 160


def _ctx(seed=0):
    g = torch.Generator()
    g.manual_seed(seed)
    return NegContext(N, RANGES, g)


@pytest.mark.parametrize("name", sorted(NEG_SAMPLERS.names()))
def test_valid_ids(name):
    pos_dst = torch.tensor([0, 5, 29, 30, 99, 100, 159, 42])
    neg = sample_negatives(name, torch.zeros(8, dtype=torch.long), pos_dst, 16, _ctx())
    d = neg.dst
    assert d.dtype == torch.long and int(d.min()) >= 0 and int(d.max()) < N
    n_rows = neg.per_row(8).dst
    assert n_rows.shape[0] == 8 and n_rows.shape[1] >= 16
    mask = neg.scores_mask(pos_dst)
    assert mask.shape == n_rows.shape
    assert not (n_rows[mask] == pos_dst.repeat_interleave(n_rows.size(1))[mask.flatten()]).any()


@pytest.mark.parametrize("name", ["localuniform", "localjoint"])
def test_local_stays_in_partition(name):
    pos_dst = torch.randint(0, N, (500,), generator=torch.Generator().manual_seed(1))
    neg = sample_negatives(name, pos_dst, pos_dst, 20, _ctx()).per_row(500).dst
    owner = _ctx().owner(pos_dst)
    lo, hi = RANGES[owner, 0:1], RANGES[owner, 1:2]
    assert ((neg >= lo) & (neg < hi)).all()
    assert owner.ne(1).all()          # the empty partition owns nothing
    if name == "localjoint":          # shared within a partition
        for p in owner.unique():
            rows = neg[owner == p]
            assert (rows == rows[0]).all()


def test_joint_shared_and_inbatch_contains_batch():
    pos_dst = torch.tensor([3, 7, 7, 50])
    assert sample_negatives("joint", pos_dst, pos_dst, 10, _ctx()).shared
    neg = sample_negatives("inbatch_joint", pos_dst, pos_dst, 10, _ctx())
    assert neg.shared and set(pos_dst.tolist()) <= set(neg.dst.tolist())
    m = neg.scores_mask(pos_dst)
    assert not m[0, (neg.dst == 3).nonzero()[0]].any()     # own destination masked


def test_reproducible_and_unknown_name():
    a = sample_negatives("uniform", torch.zeros(4), torch.zeros(4, dtype=torch.long), 5, _ctx(3)).dst
    b = sample_negatives("uniform", torch.zeros(4), torch.zeros(4, dtype=torch.long), 5, _ctx(3)).dst
    assert torch.equal(a, b)
    with pytest.raises(ConfigError, match="uniform"):
        sample_negatives("nope", torch.zeros(1), torch.zeros(1, dtype=torch.long), 1, _ctx())
