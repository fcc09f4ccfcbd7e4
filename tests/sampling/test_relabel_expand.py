"""The fast building blocks against the obvious versions: expand_ranges and buffered relabel."""

import importlib

import pytest
import torch

from graphstorm_py.sampling.uniform import expand_ranges

R = importlib.import_module("graphstorm_py.sampling.relabel")


@pytest.mark.parametrize("n,hi", [(1, 1), (1, 5), (7, 2), (50, 4), (1000, 30)])
def test_expand_ranges_matches_repeat_interleave(n, hi):
    g = torch.Generator().manual_seed(n * 31 + hi)
    count = torch.randint(0, hi, (n,), generator=g)           # includes empty rows, at the ends too
    start = torch.randint(0, 10**6, (n,), generator=g)
    row, value = expand_ranges(start, count)
    assert torch.equal(row, torch.repeat_interleave(torch.arange(n), count))
    want = [v for s, c in zip(start.tolist(), count.tolist()) for v in range(s, s + c)]
    assert value.tolist() == want


def test_buffered_relabel_matches_unique_and_leaves_buffer_clean():
    g = torch.Generator().manual_seed(0)
    num_nodes = 1000
    buf = R.new_relabel_buffer(num_nodes)
    for trial in range(20):
        dst = torch.randperm(num_nodes, generator=g)[:trial * 5]
        src = torch.randint(0, num_nodes, (trial * 37,), generator=g)
        nodes, local = R.relabel(dst, src, buf)
        ref_nodes, ref_local = R.relabel(dst, src)            # torch.unique version
        assert torch.equal(nodes[:dst.numel()], dst)
        assert torch.equal(nodes[local], src)
        assert torch.unique(nodes).numel() == nodes.numel()
        assert sorted(nodes.tolist()) == sorted(ref_nodes.tolist())
        assert torch.equal(ref_nodes[ref_local], src)
        # new nodes in order of first occurrence in src
        seen, order = set(dst.tolist()), []
        for v in src.tolist():
            if v not in seen:
                seen.add(v)
                order.append(v)
        assert nodes[dst.numel():].tolist() == order
        assert bool((buf == R.EMPTY).all())                   # reset exactly what was touched
