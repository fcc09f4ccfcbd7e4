"""Link-prediction score functions (GraphStorm's ``lp_decoder_type``), with learnable relations.

For a head (source) embedding :math:`h`, tail (destination) :math:`t` and relation :math:`r`
(GraphStorm's ``calc_*_pos_score``):

============== ======================================================================
``dot_product`` :math:`\\langle h, t\\rangle`
``distmult``    :math:`\\langle h, r, t\\rangle = \\sum_k h_k r_k t_k` (Yang et al., 2015)
``transe_l1``   :math:`\\gamma - \\lVert h + r - t\\rVert_1` (Bordes et al., 2013)
``transe_l2``   :math:`\\gamma - \\lVert h + r - t\\rVert_2`
``rotate``      :math:`\\gamma - \\sum_k |h_k e^{i\\theta_k} - t_k|` (Sun et al., 2019): the halves
                of :math:`h, t` are real and imaginary parts, :math:`\\theta = r \\pi / (\\gamma / (d/2))`
============== ======================================================================

Relation embeddings are an ``nn.Embedding`` (saved with the model), one row per edge type,
initialised uniform in :math:`\\pm\\gamma/\\mathrm{dim}` as in GraphStorm; ``gamma`` defaults to 12
(GraphStorm's default when ``gamma`` is unset), 40 for DistMult (GraphStorm's DistMult default).

Every scorer has three entry points:

* ``score(src [n, d], dst [n, d], etype) -> [n]`` for aligned pairs (also ``forward``);
* ``score_candidates(src [n, d], cand [m, d], etype) -> [n, m]``: every tail candidate for each head;
* ``score_candidate_heads(cand [m, d], dst [n, d], etype) -> [n, m]``: every head candidate for each tail.

The candidate forms are matrix products where the formula allows (dot, distmult), ``cdist``
for TransE, and row-chunked broadcasting for RotatE, so ranking against many candidates stays
within a bounded memory.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence

import torch
from torch import nn

from graphstorm_py.typing import EdgeType

__all__ = ["LinkPredictScorer", "DotProductScorer", "DistMultScorer", "TransEL1Scorer", "TransEL2Scorer",
           "RotatEScorer"]


class LinkPredictScorer(nn.Module):
    """Base class. ``etypes`` index the relation embeddings; ``h_dim`` is the node embedding width."""

    #: largest ``rows x candidates x dim`` block materialised at once by broadcasting scorers
    chunk_elems = 1 << 24

    def __init__(self, etypes: Optional[Sequence[EdgeType]], h_dim: int, gamma: Optional[float] = None):
        super().__init__()
        self.etypes = [tuple(e) for e in (etypes or [])]
        self.etype2rid = {e: i for i, e in enumerate(self.etypes)}
        self.h_dim = h_dim
        self.gamma = 12.0 if gamma is None else float(gamma)

    def relation(self, etype: EdgeType) -> torch.Tensor:
        try:
            rid = self.etype2rid[tuple(etype)]
        except KeyError:
            raise KeyError(f"edge type {etype} has no relation embedding; known: {self.etypes}") from None
        return self.w_relation.weight[rid]

    def _init_relations(self, dim: int) -> None:
        self.w_relation = nn.Embedding(max(len(self.etypes), 1), dim)
        self.emb_init = self.gamma / dim
        nn.init.uniform_(self.w_relation.weight, -self.emb_init, self.emb_init)

    def forward(self, src: torch.Tensor, dst: torch.Tensor, etype: Optional[EdgeType] = None) -> torch.Tensor:
        return self.score(src, dst, etype)

    def score(self, src, dst, etype=None) -> torch.Tensor:
        raise NotImplementedError

    def score_candidates(self, src, cand, etype=None) -> torch.Tensor:
        raise NotImplementedError

    def score_candidate_heads(self, cand, dst, etype=None) -> torch.Tensor:
        raise NotImplementedError


class DotProductScorer(LinkPredictScorer):
    """:math:`\\langle h, t\\rangle`; no parameters, ``etype`` is ignored."""

    def score(self, src, dst, etype=None):
        return (src * dst).sum(-1)

    def score_candidates(self, src, cand, etype=None):
        return src @ cand.T

    def score_candidate_heads(self, cand, dst, etype=None):
        return dst @ cand.T


class DistMultScorer(LinkPredictScorer):
    """:math:`\\sum_k h_k r_k t_k` with a diagonal relation per edge type.

    ``gamma`` only sets the relation init (:math:`\\pm\\gamma/\\mathrm{dim}`); unset it is 40, GraphStorm's
    DistMult default (12 is its TransE/RotatE margin): relations of ``+-12/dim`` on L2-normalised
    embeddings bound every score by ``12/dim`` and leave a contrastive loss nearly flat.
    """

    default_gamma = 40.0

    def __init__(self, etypes, h_dim, gamma=None):
        super().__init__(etypes, h_dim, self.default_gamma if gamma is None else gamma)
        self._init_relations(h_dim)

    def score(self, src, dst, etype=None):
        return (src * self.relation(etype) * dst).sum(-1)

    def score_candidates(self, src, cand, etype=None):
        return (src * self.relation(etype)) @ cand.T

    def score_candidate_heads(self, cand, dst, etype=None):
        return (dst * self.relation(etype)) @ cand.T


class TransEL2Scorer(LinkPredictScorer):
    """:math:`\\gamma - \\lVert h + r - t\\rVert_p` (here ``p = 2``)."""

    p = 2.0

    def __init__(self, etypes, h_dim, gamma=None):
        super().__init__(etypes, h_dim, gamma)
        self._init_relations(h_dim)

    def score(self, src, dst, etype=None):
        return self.gamma - torch.linalg.vector_norm(src + self.relation(etype) - dst, ord=self.p, dim=-1)

    def score_candidates(self, src, cand, etype=None):
        return self.gamma - torch.cdist(src + self.relation(etype), cand, p=self.p)

    def score_candidate_heads(self, cand, dst, etype=None):
        return self.gamma - torch.cdist(dst - self.relation(etype), cand, p=self.p)


class TransEL1Scorer(TransEL2Scorer):
    """:math:`\\gamma - \\lVert h + r - t\\rVert_1`."""

    p = 1.0


class RotatEScorer(LinkPredictScorer):
    """Rotation in the complex plane; ``h_dim`` must be even (real half, imaginary half)."""

    def __init__(self, etypes, h_dim, gamma=None):
        super().__init__(etypes, h_dim, gamma)
        if h_dim % 2:
            raise ValueError(f"rotate needs an even embedding width, got {h_dim}")
        self._init_relations(h_dim // 2)

    def _rotation(self, etype):
        phase = self.relation(etype) / (self.emb_init / math.pi)
        return torch.cos(phase), torch.sin(phase)

    def _rotate(self, x, etype, conj=False):
        re, im = x.chunk(2, dim=-1)
        c, s = self._rotation(etype)
        s = -s if conj else s
        return re * c - im * s, re * s + im * c

    def _distance(self, a_re, a_im, b):
        b_re, b_im = b.chunk(2, dim=-1)
        return torch.sqrt((a_re - b_re) ** 2 + (a_im - b_im) ** 2).sum(-1)

    def score(self, src, dst, etype=None):
        return self.gamma - self._distance(*self._rotate(src, etype), dst)

    def _all_pairs(self, a_re, a_im, cand):
        rows = max(1, self.chunk_elems // max(1, cand.size(0) * cand.size(1)))
        parts = [self._distance(r[:, None], i[:, None], cand[None])
                 for r, i in zip(a_re.split(rows), a_im.split(rows))]
        return self.gamma - (torch.cat(parts) if parts else a_re.new_empty(0, cand.size(0)))

    def score_candidates(self, src, cand, etype=None):
        return self._all_pairs(*self._rotate(src, etype), cand)

    def score_candidate_heads(self, cand, dst, etype=None):
        # |h∘r - t| = |h - t∘conj(r)| because |r| = 1
        return self._all_pairs(*self._rotate(dst, etype, conj=True), cand)
