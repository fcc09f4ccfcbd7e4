"""Lockstep gradient reduction: every rank ends a step with the same gradients.

Dense parameters: one flat buffer of every gradient (zeros where a rank has none, e.g. after
an empty batch) plus the rank's batch weight, all-reduced (sum) on the default group in one
call, then divided by the summed weight. With weight 1 per non-empty batch this is the mean of
the per-rank mean losses' gradients, and a rank without seeds contributes nothing.

Sparse embedding tables (``torch.nn.Embedding(sparse=True)``): each rank's sparse gradient
``(rows, values)`` is all-gathered on the graph group, summed per row and divided by the same
weight, so that SparseAdam, run on every rank, keeps the replicated tables identical.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.distributed as dist

__all__ = ["reduce_dense", "reduce_sparse"]


def reduce_dense(params: Sequence[torch.nn.Parameter], weight: float, group=None) -> float:
    """Average the gradients of ``params`` over ranks, weighting each rank by ``weight``; returns the total."""
    flat = [p.grad.reshape(-1) if p.grad is not None else torch.zeros(p.numel(), device=p.device) for p in params]
    dev = params[0].device if params else torch.device("cpu")
    buf = torch.cat(flat + [torch.tensor([float(weight)], device=dev)])
    dist.all_reduce(buf, group=group)
    total = float(buf[-1])
    if total > 0:
        buf /= total
    k = 0
    for p in params:
        n = p.numel()
        p.grad = buf[k:k + n].view_as(p).clone()
        k += n
    return total


def reduce_sparse(params: Sequence[torch.nn.Parameter], total_weight: float, group) -> None:
    """Sum the sparse gradients of the tables over ranks (divided by ``total_weight``), coalesced."""
    world = dist.get_world_size(group)
    for p in params:
        g = p.grad
        if g is not None and g.is_sparse:
            g = g.coalesce()
            idx, val = g.indices()[0], g.values()
        else:
            idx = torch.empty(0, dtype=torch.long)
            val = torch.empty((0,) + tuple(p.shape[1:]))
        n = torch.tensor([idx.numel()])
        sizes = [torch.zeros(1, dtype=torch.long) for _ in range(world)]
        dist.all_gather(sizes, n, group=group)
        m = max(int(s) for s in sizes)
        pad_i = torch.zeros(m, dtype=torch.long)
        pad_v = torch.zeros((m,) + tuple(p.shape[1:]))
        pad_i[:idx.numel()] = idx.cpu()
        pad_v[:idx.numel()] = val.detach().cpu()
        all_i = [torch.empty_like(pad_i) for _ in range(world)]
        all_v = [torch.empty_like(pad_v) for _ in range(world)]
        dist.all_gather(all_i, pad_i, group=group)
        dist.all_gather(all_v, pad_v, group=group)
        ii = torch.cat([a[:int(s)] for a, s in zip(all_i, sizes)])
        vv = torch.cat([a[:int(s)] for a, s in zip(all_v, sizes)])
        if ii.numel() == 0:
            p.grad = None
            continue
        vv = vv / max(total_weight, 1.0)
        p.grad = torch.sparse_coo_tensor(ii.unsqueeze(0), vv, p.shape, check_invariants=False).coalesce().to(p.device)
