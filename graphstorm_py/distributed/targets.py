"""Splitting training targets between workers: evenly, each preferring its own nodes.

:func:`split_preferring_own` gives every rank ``floor`` or ``ceil`` of ``n / W`` targets. A rank
first keeps its own targets (those whose node it owns) up to its quota; the targets left over
fill the other ranks' quotas, in order. The split depends only on the target list and the
ownership, so every rank computes the same split without talking to the others.

:func:`round_robin` is the generic split for any task's batch stream: rank ``r`` takes batches
``r, r + W, r + 2W, ...`` (every rank draws the same shuffled stream from the same seed).
"""

from __future__ import annotations

from typing import Iterable, Iterator, List, TypeVar

import torch

__all__ = ["split_preferring_own", "round_robin", "quotas"]

T = TypeVar("T")


def quotas(n: int, world: int) -> List[int]:
    return [n // world + (1 if r < n % world else 0) for r in range(world)]


def split_preferring_own(targets: torch.Tensor, owner: torch.Tensor, world: int) -> List[torch.Tensor]:
    """``W`` disjoint parts of ``targets`` (sizes from :func:`quotas`), own targets first."""
    q = quotas(targets.numel(), world)
    keep, spare = [], []
    for r in range(world):
        mine = targets[owner == r]
        keep.append(mine[:q[r]])
        spare.append(mine[q[r]:])
    pool = torch.cat(spare) if spare else targets[:0]
    out, k = [], 0
    for r in range(world):
        need = q[r] - keep[r].numel()
        out.append(torch.cat([keep[r], pool[k:k + need]]))
        k += need
    return out


def round_robin(items: Iterable[T], rank: int, world: int) -> Iterator[T]:
    for i, item in enumerate(items):
        if i % world == rank:
            yield item
