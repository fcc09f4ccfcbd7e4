"""Uniform in-neighbour sampling without replacement for one edge type, fully vectorised.

:func:`sample_csc` picks, for every destination node ``v`` in ``dst``, ``min(fanout, deg(v))``
distinct in-edges uniformly at random. There is no Python loop over nodes: the same few
tensor ops run on CPU or CUDA.

How a row of degree ``d > k`` (``k = fanout``) is sampled:

- ``k <= FLOYD_MAX_FANOUT``: Robert Floyd's algorithm, one step per sample for all rows at
  once. Step ``i`` draws ``t`` uniform in ``[0, j]`` with ``j = d - k + i``, and keeps ``t``
  unless an earlier step of that row already chose it, in which case it keeps ``j``. This yields
  every ``k``-subset with equal probability and costs ``O(k^2)`` per row, independent of ``d``,
  so hubs with millions of in-edges cost no more than anyone else.
- larger ``k``: random keys on every candidate edge, and the ``k`` smallest per row (one sort
  over the candidates of those rows).

Rows with ``d <= k`` take all their edges.

Excluded edges (e.g. a link-prediction batch's targets) are removed *before* sampling, so a
row still gets ``k`` edges when it has ``k`` others. This works in a "compressed" eid space
that skips the excluded eids: with ``X`` the sorted excluded eids, the ``c``-th kept eid is
``c + #{i : X[i] - i <= c}``, and a row's compressed range is ``[s - #{X < s}, e - #{X < e})``.
Both are one ``searchsorted``, so no per-edge mask is ever built.

Speed notes (CPU): every 1-D gather is ``index_select`` (about 3x faster than ``t[idx]`` on
CPU), the output is laid out once in row order (``min(deg, k)`` slots per row, Floyd's rows
written into their slots), and no op touches more than ``O(sampled edges)`` memory.
"""

from __future__ import annotations

from typing import Optional, Tuple

import torch

__all__ = ["sample_csc", "expand_ranges", "FLOYD_MAX_FANOUT"]

FLOYD_MAX_FANOUT = 64


def _take(t: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """``t[idx]`` for 1-D ``t``; ``index_select`` is much faster than advanced indexing on CPU."""
    return t.index_select(0, idx)


def expand_ranges(start: torch.Tensor, count: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(row, value)`` listing ``start[r], ..., start[r] + count[r] - 1`` for every row ``r``.

    Built from two prefix sums over per-row jumps instead of ``repeat_interleave``, whose CPU
    kernel is a ``parallel_for`` with grain 1: on a busy 2-core machine its thread hand-off
    alone cost 2-8 ms per call. Empty rows need no care: jumps at the same position add up.
    """
    n = count.numel()
    total = int(count.sum())
    dev = count.device
    if n == 0 or total == 0:
        empty = torch.empty(0, dtype=torch.long, device=dev)
        return empty, empty.clone()
    first = torch.cumsum(count, 0) - count           # where each row's run begins in the output
    head = first[1:]
    row = torch.zeros(total + 1, dtype=torch.long, device=dev)
    row.index_add_(0, head, torch.ones_like(head))   # +1 where each row r >= 1 begins
    row = torch.cumsum(row[:total], 0)
    shift = start - first                            # value = position + shift[row]
    value = torch.ones(total + 1, dtype=torch.long, device=dev)
    value[0] = shift[0]
    value.index_add_(0, head, shift[1:] - shift[:-1])
    value = torch.cumsum(value[:total], 0)
    return row, value


def _floyd(deg: torch.Tensor, k: int, generator: Optional[torch.Generator]) -> torch.Tensor:
    """``[m, k]`` distinct offsets in ``[0, deg[r])`` per row, every k-subset equally likely.

    The draws of all ``k`` steps are made up front (``t_i`` uniform in ``[0, j_i]``), so the
    loop over steps only resolves collisions: 3 small ops per step.
    """
    m = deg.numel()
    dev = deg.device
    u = torch.rand((k, m), dtype=torch.float64, device=dev, generator=generator)
    j = deg.unsqueeze(0) - torch.arange(k, 0, -1, device=dev).unsqueeze(1)   # [k, m]: j_i = d - k + i
    t = torch.minimum((u * (j + 1)).long(), j)
    chosen = torch.empty((k, m), dtype=torch.long, device=dev)
    chosen[0] = t[0]
    t_, j_, c_ = t.unbind(0), j.unbind(0), chosen.unbind(0)   # row views made once, not per step
    for i in range(1, k):                             # a loop over samples, not over nodes
        torch.where((chosen[:i] == t_[i]).any(0), j_[i], t_[i], out=c_[i])
    return chosen.t()


def _smallest_keys(start: torch.Tensor, deg: torch.Tensor, k: int,
                   generator: Optional[torch.Generator]) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(row, value)``: ``k`` of each row's candidates with the smallest random keys."""
    row, value = expand_ranges(start, deg)
    keys = torch.rand(row.numel(), dtype=torch.float64, device=row.device, generator=generator)
    order = torch.argsort(keys)
    order = order[torch.argsort(row[order], stable=True)]   # by row, random within a row
    row, value = row[order], value[order]
    first = torch.cumsum(deg, 0) - deg
    rank = torch.arange(row.numel(), device=row.device) - first[row]
    keep = rank < k
    return row[keep], value[keep]


def sample_csc(indptr: torch.Tensor, indices: torch.Tensor, dst: torch.Tensor, fanout: int,
               generator: Optional[torch.Generator] = None,
               exclude: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Sample in-edges of the nodes ``dst`` from one CSC.

    Args:
        indptr, indices: the whole-graph CSC of one edge type (see :class:`CSCGraph`).
        dst: ``[n]`` destination nids.
        fanout: edges per node; ``-1`` takes all.
        generator: a ``torch.Generator`` on the tensors' device, for reproducible draws.
        exclude: sorted, unique int64 eids that must not be sampled.

    Returns:
        ``(src, row, eid)``, each ``[E]``: the source nid, the position in ``dst`` of the
        destination, and the global eid of every sampled edge. Edges are in row order
        (all of ``dst[0]``'s, then ``dst[1]``'s, ...) except with ``fanout > FLOYD_MAX_FANOUT``,
        where they are grouped by row.
    """
    start = _take(indptr, dst)
    end = _take(indptr, dst + 1)
    if exclude is not None and exclude.numel():
        start = start - torch.searchsorted(exclude, start)
        end = end - torch.searchsorted(exclude, end)
    deg = end - start
    if fanout < 0:
        row, eid = expand_ranges(start, deg)
    elif fanout <= FLOYD_MAX_FANOUT:
        # min(deg, k) slots per row, in row order; rows with deg > k get Floyd's offsets
        take = torch.clamp(deg, max=fanout)
        row, eid = expand_ranges(start, take)
        rows_sub = torch.nonzero(deg > fanout).flatten()
        if rows_sub.numel():
            offs = _floyd(_take(deg, rows_sub), fanout, generator)
            first = torch.cumsum(take, 0) - take
            pos = (_take(first, rows_sub).unsqueeze(1)
                   + torch.arange(fanout, device=dst.device)).flatten()
            eid.index_copy_(0, pos, (_take(start, rows_sub).unsqueeze(1) + offs).flatten())
    else:
        small = deg <= fanout
        rows_all = torch.nonzero(small).flatten()
        rows_sub = torch.nonzero(~small).flatten()
        r_all, e_all = expand_ranges(_take(start, rows_all), _take(deg, rows_all))
        r_all = _take(rows_all, r_all)
        if rows_sub.numel() == 0:
            row, eid = r_all, e_all
        else:
            r_sub, e_sub = _smallest_keys(_take(start, rows_sub), _take(deg, rows_sub), fanout, generator)
            row, eid = torch.cat([r_all, _take(rows_sub, r_sub)]), torch.cat([e_all, e_sub])
    if exclude is not None and exclude.numel():
        shifted = exclude - torch.arange(exclude.numel(), device=exclude.device)
        eid = eid + torch.searchsorted(shifted, eid, right=True)
    return _take(indices, eid), row, eid
