"""Negative samplers for link prediction (GraphStorm's ``train_negative_sampler`` / ``eval_negative_sampler``).

A sampler corrupts the destination of each positive edge ``(src_i, dst_i)`` with ``k`` node ids
of the destination type. It returns :class:`Negatives`: either ``k`` ids **shared** by the
whole batch (scored with one matrix product, ``score_candidates``) or ``k`` ids **per
positive** (``[n, k]``), plus an optional validity mask (``False`` = ignore this slot).

=================  ======================================================================
name               negatives
=================  ======================================================================
``uniform``        ``[n, k]``: each positive gets its own ``k`` uniform draws
``joint``          ``[k]``: ``k`` uniform draws shared by the batch (GraphStorm's default
                   for evaluation; much cheaper to score)
``inbatch_joint``  ``[u + k]`` shared: the batch's own ``u`` unique destinations plus ``k``
                   joint draws; a positive's own destination is masked out of its row
``localuniform``   ``[n, k]``: uniform inside the partition that owns ``dst_i`` (from the
                   graph metadata's nid ranges)
``localjoint``     ``[n, k]``: ``k`` draws per owning partition, shared by the positives whose
                   destination that partition owns
=================  ======================================================================

Every sampler is a function ``fn(pos_src, pos_dst, k, ctx) -> Negatives`` registered in
:data:`NEG_SAMPLERS`; :class:`NegContext` carries the destination node count, the partition
ranges of the destination type and the random generator. Draws are with replacement (as in
DGL/GraphStorm), so a negative can coincide with the positive: :meth:`Negatives.scores_mask`
masks exact collisions with a row's own destination.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import torch

from graphstorm_py.registry import Registry

__all__ = ["Negatives", "NegContext", "NEG_SAMPLERS", "sample_negatives", "part_ranges_of"]

NEG_SAMPLERS: Registry = Registry("negative sampler")


@dataclass
class Negatives:
    """Negative destination nids: ``dst`` is ``[k]`` when ``shared`` else ``[n, k]``.

    ``valid`` (same shape as the score matrix ``[n, k]``, or ``None``) marks usable slots.
    """

    dst: torch.Tensor
    shared: bool
    valid: Optional[torch.Tensor] = None

    def per_row(self, n: int) -> "Negatives":
        """The same negatives as an ``[n, k]`` matrix."""
        if not self.shared:
            return self
        return Negatives(self.dst.reshape(1, -1).expand(n, -1), False, self.valid)

    def scores_mask(self, pos_dst: torch.Tensor) -> torch.Tensor:
        """``[n, k]`` bool: slots to score (valid, and not the row's own destination)."""
        d = self.dst.reshape(1, -1) if self.shared else self.dst
        keep = d != pos_dst.reshape(-1, 1)
        return keep & self.valid if self.valid is not None else keep


@dataclass
class NegContext:
    """What samplers need to know about the destination node type.

    Attributes:
        num_nodes: node count of the destination type.
        part_ranges: ``[P, 2]`` ``[start, end)`` nid range owned by each partition (local samplers).
        generator: random stream (``None``: torch's global one).
    """

    num_nodes: int
    part_ranges: Optional[torch.Tensor] = None
    generator: Optional[torch.Generator] = None

    def ranges(self) -> torch.Tensor:
        if self.part_ranges is None:
            return torch.tensor([[0, self.num_nodes]], dtype=torch.long)
        return self.part_ranges

    def owner(self, nids: torch.Tensor) -> torch.Tensor:
        """Partition owning each nid (ranges are sorted and contiguous; empty ones are skipped)."""
        r = self.ranges()
        owner = torch.searchsorted(r[:, 1].contiguous(), nids, right=True)
        return owner.clamp_(max=r.size(0) - 1)


def _uniform(lo: torch.Tensor, hi: torch.Tensor, shape, gen) -> torch.Tensor:
    u = torch.rand(shape, generator=gen, dtype=torch.float64)
    return (lo + (u * (hi - lo)).long()).clamp_(max=(hi - 1).clamp(min=0))


@NEG_SAMPLERS.register("uniform")
def uniform(pos_src, pos_dst, k: int, ctx: NegContext) -> Negatives:
    n = pos_dst.numel()
    return Negatives(torch.randint(0, ctx.num_nodes, (n, k), generator=ctx.generator), shared=False)


@NEG_SAMPLERS.register("joint")
def joint(pos_src, pos_dst, k: int, ctx: NegContext) -> Negatives:
    return Negatives(torch.randint(0, ctx.num_nodes, (k,), generator=ctx.generator), shared=True)


@NEG_SAMPLERS.register("inbatch_joint")
def inbatch_joint(pos_src, pos_dst, k: int, ctx: NegContext) -> Negatives:
    extra = torch.randint(0, ctx.num_nodes, (k,), generator=ctx.generator)
    return Negatives(torch.cat([torch.unique(pos_dst), extra]), shared=True)


@NEG_SAMPLERS.register("localuniform")
def localuniform(pos_src, pos_dst, k: int, ctx: NegContext) -> Negatives:
    r = ctx.ranges()[ctx.owner(pos_dst)]                       # [n, 2]
    return Negatives(_uniform(r[:, :1], r[:, 1:], (pos_dst.numel(), k), ctx.generator), shared=False)


@NEG_SAMPLERS.register("localjoint")
def localjoint(pos_src, pos_dst, k: int, ctx: NegContext) -> Negatives:
    ranges = ctx.ranges()
    owner = ctx.owner(pos_dst)
    parts = torch.unique(owner)
    r = ranges[parts]
    draws = _uniform(r[:, :1], r[:, 1:], (parts.numel(), k), ctx.generator)   # [p, k]
    return Negatives(draws[torch.searchsorted(parts, owner)], shared=False)


def sample_negatives(name: str, pos_src: torch.Tensor, pos_dst: torch.Tensor, k: int,
                     ctx: NegContext) -> Negatives:
    """Run the sampler registered as ``name`` (unknown names list the valid ones)."""
    fn: Callable = NEG_SAMPLERS.get(name, key="negative sampler")
    return fn(pos_src, pos_dst, int(k), ctx)


def part_ranges_of(meta, ntype: str) -> torch.Tensor:
    """``[P, 2]`` nid ranges of ``ntype`` per partition, from :class:`GraphMetadata`."""
    rows: Sequence = [meta.node_range(p, ntype) for p in range(meta.num_partitions)]
    return torch.tensor(rows, dtype=torch.long).reshape(-1, 2)
