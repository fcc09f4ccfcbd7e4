"""Ranking metrics for link prediction: the rank of each true edge among its negatives.

:func:`ranks_from_scores` turns a positive score ``[n]`` and its negatives ``[n, k]`` into ranks
(1 = best): ``1 + #(neg > pos)``, plus a tie term. ``ties="average"`` (default) counts each
tied negative as half above (the mean of the optimistic and pessimistic ranks, as OGB does), so
a model that scores everything equal does not get a perfect MRR; ``"optimistic"`` and
``"pessimistic"`` count ties as below or above.

* :func:`mrr`: mean reciprocal rank, :math:`\\frac1n \\sum_i 1/\\mathrm{rank}_i`.
* :func:`hit_at_k`: :math:`\\frac1n \\sum_i [\\mathrm{rank}_i \\le k]`.
* :func:`amri`: adjusted mean rank index (Berrendorf et al., 2020), GraphStorm's ``amri``:
  :math:`1 - \\frac{\\mathrm{MR} - 1}{\\mathbb E[\\mathrm{MR} - 1]}` with
  :math:`\\mathbb E[\\mathrm{MR} - 1] = \\frac1n \\sum_i \\frac{|C_i| - 1}{2}`, where :math:`|C_i|` is
  the size of edge :math:`i`'s candidate set (its negatives plus the true edge). 1 = every true
  edge ranked first, 0 = no better than random, -1 = always last.
"""

from __future__ import annotations

import torch

__all__ = ["ranks_from_scores", "mrr", "hit_at_k", "amri"]

_TIE_WEIGHT = {"optimistic": 0.0, "average": 0.5, "pessimistic": 1.0}


def ranks_from_scores(pos, neg, ties: str = "average") -> torch.Tensor:
    """Rank of ``pos[i]`` among ``{pos[i]} ∪ neg[i, :]``; returns a float tensor ``[n]``."""
    if ties not in _TIE_WEIGHT:
        raise ValueError(f"ties must be one of {sorted(_TIE_WEIGHT)}, got {ties!r}")
    p = torch.as_tensor(pos).reshape(-1, 1)
    n = torch.as_tensor(neg).reshape(p.size(0), -1)
    above = (n > p).sum(1).double()
    tied = (n == p).sum(1).double()
    return 1.0 + above + _TIE_WEIGHT[ties] * tied


def mrr(ranks) -> float:
    return float((1.0 / torch.as_tensor(ranks).double()).mean())


def hit_at_k(ranks, k: int = 10) -> float:
    return float((torch.as_tensor(ranks).double() <= k).double().mean())


def amri(ranks, candidate_sizes) -> float:
    """Adjusted mean rank index of ``ranks`` among candidate sets of ``candidate_sizes`` (see above)."""
    r = torch.as_tensor(ranks).double().reshape(-1)
    c = torch.as_tensor(candidate_sizes).double().reshape(-1)
    if r.numel() != c.numel():
        raise ValueError(f"amri: {r.numel()} ranks but {c.numel()} candidate set sizes")
    expected = float(((c - 1) / 2).mean())
    if expected <= 0:
        return 0.0   # every candidate set holds only the true edge: nothing to rank
    return 1.0 - float((r - 1).mean()) / expected
