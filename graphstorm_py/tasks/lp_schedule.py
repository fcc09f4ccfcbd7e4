"""GraphStorm's ``all_etype_*`` mini-batch schedule for link prediction: every edge type in every batch.

The default schedule shuffles the training edges of all edge types together and cuts them into
batches, so a rare edge type is absent from most batches. With ``train_negative_sampler:
all_etype_uniform`` / ``all_etype_joint``, each batch instead takes from every edge type ``t``
its share of the batch size,

.. math::
    b_t = \\Big\\lceil \\text{batch\\_size} \\cdot \\frac{|E_t|}{\\sum_u |E_u|} \\Big\\rceil ,

walking through a fresh permutation of each type's edges. The epoch lasts as many batches as the
type that needs the most (:func:`all_etype_num_batches`); a type whose edges are used up adds
one random edge of its own to each remaining batch. The batch size may therefore exceed
``batch_size`` (as in GraphStorm).
"""

from __future__ import annotations

import math
from typing import Dict, Iterator, Mapping

import torch

from graphstorm_py.typing import EdgeType

__all__ = ["all_etype_batches", "all_etype_num_batches", "per_etype_batch_sizes"]


def per_etype_batch_sizes(eids: Mapping[EdgeType, torch.Tensor], batch_size: int) -> Dict[EdgeType, int]:
    """``b_t`` of the module docstring for every edge type with edges."""
    total = sum(int(e.numel()) for e in eids.values())
    return {et: max(1, math.ceil(batch_size * e.numel() / total)) for et, e in eids.items() if e.numel()}


def all_etype_num_batches(eids: Mapping[EdgeType, torch.Tensor], batch_size: int) -> int:
    sizes = per_etype_batch_sizes(eids, batch_size)
    return max((math.ceil(eids[et].numel() / b) for et, b in sizes.items()), default=0)


def all_etype_batches(eids: Mapping[EdgeType, torch.Tensor], batch_size: int,
                      generator: torch.Generator) -> Iterator[Dict[EdgeType, torch.Tensor]]:
    """One ``{etype: eids}`` per batch, every edge type in each (see the module docstring)."""
    sizes = per_etype_batch_sizes(eids, batch_size)
    perms = {et: eids[et][torch.randperm(eids[et].numel(), generator=generator)] for et in sizes}
    for i in range(all_etype_num_batches(eids, batch_size)):
        batch = {}
        for et, b in sizes.items():
            chunk = perms[et][i * b:(i + 1) * b]
            if chunk.numel() == 0:        # used up: one random edge keeps the type in the batch
                chunk = eids[et][torch.randint(eids[et].numel(), (1,), generator=generator)]
            batch[et] = chunk
        yield batch
