"""Exact full ranking for link prediction: each true edge against *every* candidate destination.

Sampled-negative MRR (``mrr`` with ``num_negative_edges_eval`` negatives) depends on how many
negatives were drawn and how; full ranking does not. For a true edge :math:`(s, r, d)` the rank
is

.. math:: \\mathrm{rank} = 1 + \\#\\{c \\in C \\setminus F_s : f(s, r, c) > f(s, r, d)\\}
          + \\tfrac12 \\#\\{c \\in C \\setminus F_s : f(s, r, c) = f(s, r, d)\\}

where :math:`C` is every node of the destination type and :math:`F_s` is the **filter**:

* ``filtered`` (the default, as in the KGE/OGB literature): :math:`F_s` is every destination that
  :math:`s` is known to link to through :math:`r` (all splits, including :math:`d` itself), so
  other true edges do not count as mistakes;
* ``raw``: :math:`F_s = \\{d\\}`; every other node competes, true or not.

Ties count half (as :func:`~graphstorm_py.eval.ranking.ranks_from_scores`).

Cost: one pass over the candidates per chunk of ``row_chunk`` edges, as chunked matrix products
``score_candidates(src [r, d], cand [c, d]) -> [r, c]`` of at most ``max_elems`` scores, so memory
is bounded whatever the candidate count. No sort and no per-edge Python loop: a block's
contribution to the ranks is ``(c + sum(sign(score - pos))) / 2`` (= above + tied / 2), computed
in place on the block; the filter zeroes its pairs' entries in the same block (a vectorised
scatter), and everything stays on the scores' device until the end. Embeddings are computed once beforehand (layer-wise
full-graph inference); this module only ranks.

    ranks = full_ranking_ranks(lambda s, c: decoder.score_candidates(s, c, etype),
                               src_emb, dst_nids, cand_emb, known=KnownEdges(src, dst, n_src),
                               src_nids=src_nids)
"""

from __future__ import annotations

from typing import Callable, Optional, Tuple

import torch

__all__ = ["KnownEdges", "full_ranking_ranks"]

ScoreFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
PairScoreFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class KnownEdges:
    """The known true edges of one edge type as a CSR ``src -> sorted dsts`` (the ranking filter).

    Args:
        src / dst: nids of every known edge (duplicates are fine).
        num_src: node count of the source type.
    """

    def __init__(self, src: torch.Tensor, dst: torch.Tensor, num_src: int):
        src, dst = torch.as_tensor(src).long(), torch.as_tensor(dst).long()
        order = torch.argsort(src * (int(dst.max()) + 1 if dst.numel() else 1) + dst)
        self.dst = dst[order]
        counts = torch.bincount(src, minlength=num_src)
        self.indptr = torch.zeros(num_src + 1, dtype=torch.long)
        torch.cumsum(counts, 0, out=self.indptr[1:])

    def pairs(self, src_nids: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(row, dst)``: for row ``i``, every known destination of ``src_nids[i]``."""
        start, end = self.indptr[src_nids], self.indptr[src_nids + 1]
        count = end - start
        row = torch.repeat_interleave(torch.arange(src_nids.numel()), count)
        first = torch.cumsum(count, 0) - count
        pos = torch.arange(int(count.sum())) + (start - first)[row]
        return row, self.dst[pos]


@torch.no_grad()
def full_ranking_ranks(score_fn: ScoreFn, src_emb: torch.Tensor, true_dst: torch.Tensor,
                       cand_emb: torch.Tensor, known: Optional[KnownEdges] = None,
                       src_nids: Optional[torch.Tensor] = None, *, row_chunk: int = 1024,
                       max_elems: int = 1 << 24, pair_score_fn: Optional[PairScoreFn] = None) -> torch.Tensor:
    """Rank of each true edge among all candidates; ``float64 [n]`` (on the CPU), 1 = best.

    Args:
        score_fn: ``(src_emb [r, d], cand_emb [c, d]) -> [r, c]`` scores (the decoder's
            ``score_candidates`` for the edge type). Its result may be modified in place.
        src_emb: ``[n, d]`` source embeddings of the true edges.
        true_dst: ``[n]`` destination nids (rows of ``cand_emb``).
        cand_emb: ``[N, d]`` embeddings of every destination candidate.
        known / src_nids: filtered ranking (see the module docstring): mask every known
            destination of ``src_nids[i]``. ``None``: raw ranking (only the true edge itself is
            left out).
        row_chunk / max_elems: edges per chunk, and the largest score block computed at once
            (``1 << 24`` float32 scores = 64 MiB).
        pair_score_fn: ``(src [r, d], dst [r, d]) -> [r]`` aligned scores (the decoder's
            ``score``) for the true edges' own scores; default: the diagonal of ``score_fn``.

    Per chunk of edges and chunk of candidates this is one ``score_fn`` call and one fused
    count: ``#above + #tied / 2 = (c + sum(sign(score - pos))) / 2`` over the ``c`` candidates of
    the block. The filtered ``(edge, candidate)`` pairs (the true edge included) are then taken
    back out with their entries gathered from the very same block, so the filter is exact.
    """
    n, num_cand = src_emb.size(0), cand_emb.size(0)
    dev = cand_emb.device
    true_dst = true_dst.long().to(dev)
    ranks = torch.empty(n, dtype=torch.float64, device=dev)
    if n == 0:
        return ranks.cpu()
    row_chunk = max(1, min(int(row_chunk), n))
    # float32 sums of +-1 stay exact below 2**24 terms per row
    col_chunk = max(1, min(int(max_elems) // row_chunk, (1 << 24) - 1))
    starts = torch.arange(0, num_cand + col_chunk, col_chunk, device=dev).clamp_(max=num_cand)
    for r0 in range(0, n, row_chunk):
        r1 = min(n, r0 + row_chunk)
        r = r1 - r0
        s = src_emb[r0:r1]
        td = true_dst[r0:r1]
        if pair_score_fn is not None:
            pos = pair_score_fn(s, cand_emb[td]).reshape(-1, 1)
        else:
            pos = torch.diagonal(score_fn(s, cand_emb[td])).reshape(-1, 1)
        pos = pos.to(torch.promote_types(pos.dtype, torch.float32))
        rows = torch.arange(r, device=dev)
        if known is not None:
            f_row, f_dst = known.pairs(src_nids[r0:r1].long().cpu())
            f_row = torch.cat([f_row.to(dev), rows])
            f_dst = torch.cat([f_dst.to(dev), td])
        else:
            f_row, f_dst = rows, td
        key = torch.unique(f_dst * r + f_row)           # dedup; sorted by candidate
        f_dst, f_row = key // r, key % r
        bounds = torch.searchsorted(f_dst, starts).tolist()
        acc = torch.zeros(r, dtype=torch.float64, device=dev)
        for i, c0 in enumerate(range(0, num_cand, col_chunk)):
            c1 = min(num_cand, c0 + col_chunk)
            sc = score_fn(s, cand_emb[c0:c1])
            if sc.dtype != pos.dtype:
                sc = sc.to(pos.dtype)
            sc.sub_(pos).sign_()                         # in place: -1 below, 0 tied, 1 above
            b0, b1 = bounds[i], bounds[i + 1]
            if b1 > b0:                                  # the filtered pairs of this block
                fr = f_row[b0:b1]
                sc[fr, f_dst[b0:b1] - c0] = -1.0         # counted as below: contributes nothing
            acc += sc.sum(1).double()             # exact: |partial sums| < 2**24
            acc += c1 - c0
        ranks[r0:r1] = 1.0 + 0.5 * acc
    return ranks.cpu()
