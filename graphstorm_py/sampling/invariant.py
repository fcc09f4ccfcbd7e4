"""Partition-invariant neighbour sampling: per-edge keys from a hash, the smallest ``k`` per row.

The Floyd sampler of :mod:`graphstorm_py.sampling.uniform` draws from one generator stream, so
what a node samples depends on everything drawn before it: on the batch, and on how the graph
is split between workers. Here every candidate edge gets a key that depends only on

    ``(seed, epoch, layer, dst nid, eid)``

(a splitmix64 hash, computed with wrapping int64 tensor ops, so CPU and CUDA agree), and a
row of degree ``d > k`` keeps its ``k`` edges with the smallest keys. That is a uniform
``k``-subset (the keys are i.i.d. uniform for a fixed hash seed), and it is the *same* subset
whoever computes it: the owner of ``dst`` in a distributed job, or one process holding the
whole graph. 1 worker and N workers therefore give identical blocks for the same seeds.

Edges come back in row order, eid ascending within a row: a canonical order that a requester
can rebuild from several owners' answers.

Cost: ``O(sum of degrees)`` of the rows with ``d > k`` (every candidate needs its key), against
Floyd's ``O(k^2)`` per row; on power-law graphs hubs cost more. That is why this is a mode
(``NeighborSampler(..., invariant=True)``, always on in distributed runs), not the default.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import torch

from graphstorm_py.sampling.uniform import expand_ranges

__all__ = ["edge_keys", "hash_seed", "sample_csc_invariant"]

_M64 = (1 << 64) - 1


def _s64(x: int) -> int:
    """A python int as the int64 with the same 64 bits."""
    x &= _M64
    return x - (1 << 64) if x >= 1 << 63 else x


_C1, _C2, _GOLD = _s64(0xBF58476D1CE4E5B9), _s64(0x94D049BB133111EB), _s64(0x9E3779B97F4A7C15)


def _mix_int(x: int) -> int:
    """splitmix64's finaliser on a python int (the same function as :func:`_mix`)."""
    x &= _M64
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _M64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _M64
    x ^= x >> 31
    return _s64(x)


def _shr(x: torch.Tensor, s: int) -> torch.Tensor:
    """Logical right shift of int64 (torch's ``>>`` is arithmetic)."""
    return (x >> s) & ((1 << (64 - s)) - 1)


def _mix(x: torch.Tensor) -> torch.Tensor:
    x = x ^ _shr(x, 30)
    x = x * _C1
    x = x ^ _shr(x, 27)
    x = x * _C2
    return x ^ _shr(x, 31)


def hash_seed(seed: int, epoch: int, layer: int) -> int:
    """The per-(seed, epoch, layer) part of the key, folded into one int64."""
    h = _mix_int(int(seed) + _GOLD)
    h = _mix_int(h ^ (int(epoch) + 1) * 0x9E3779B1)
    return _mix_int(h ^ (int(layer) + 1) * 0x85EBCA77)


def edge_keys(base: int, dst: torch.Tensor, eid: torch.Tensor) -> torch.Tensor:
    """int64 keys of edges ``(dst, eid)`` under ``base = hash_seed(seed, epoch, layer)``."""
    return _mix(_mix(dst ^ base) + eid * _GOLD)


def sample_csc_invariant(indptr: torch.Tensor, indices: torch.Tensor, dst: torch.Tensor, fanout: int,
                         key: Sequence[int], exclude: Optional[torch.Tensor] = None, node_base: int = 0,
                         eid_base: int = 0) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Sample in-edges of ``dst`` with hashed keys (see the module docstring).

    Args:
        indptr, indices: a CSC over destination nids ``[node_base, node_base + len(indptr) - 1)``;
            position ``j`` is global eid ``eid_base + j``. The whole graph: both bases 0.
        dst: ``[n]`` global destination nids, all inside the CSC's range.
        fanout: edges per row; ``-1`` takes all.
        key: ``(seed, epoch, layer)``.
        exclude: sorted unique global eids that must not be sampled.

    Returns:
        ``(src, row, eid)``: source nid, position in ``dst`` and global eid of each sampled
        edge, in row order and eid order within a row.
    """
    local = dst - node_base
    start = indptr.index_select(0, local)
    deg = indptr.index_select(0, local + 1) - start
    row, pos = expand_ranges(start, deg)
    eid = pos + eid_base
    if exclude is not None and exclude.numel() and eid.numel():
        hit = torch.searchsorted(exclude, eid).clamp_(max=exclude.numel() - 1)
        keep = exclude.index_select(0, hit) != eid
        row, pos, eid = row[keep], pos[keep], eid[keep]
        deg = torch.bincount(row, minlength=dst.numel())
    if fanout >= 0 and row.numel():
        big_row = deg > fanout
        cand = torch.nonzero(big_row.index_select(0, row)).flatten()
        if cand.numel():
            r = row.index_select(0, cand)
            keys = edge_keys(hash_seed(*key), dst.index_select(0, r), eid.index_select(0, cand))
            order = torch.argsort(keys)
            order = order[torch.argsort(r.index_select(0, order), stable=True)]   # by row, key within
            cnt = torch.where(big_row, deg, torch.zeros_like(deg))
            cfirst = torch.cumsum(cnt, 0) - cnt                                   # where each big row starts
            rank = torch.arange(cand.numel(), device=dst.device) - cfirst.index_select(0, r.index_select(0, order))
            drop = cand.index_select(0, order[rank >= fanout])
            keep = torch.ones(row.numel(), dtype=torch.bool, device=dst.device)
            keep[drop] = False
            row, pos, eid = row[keep], pos[keep], eid[keep]
    return indices.index_select(0, pos), row, eid
