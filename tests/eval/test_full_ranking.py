"""Exact full ranking vs a brute-force loop, filtered and raw."""

import torch

from graphstorm_py.eval.full_ranking import KnownEdges, full_ranking_ranks


def _brute(src_emb, src, dst, cand, known_pairs, filtered):
    ranks = []
    for i in range(len(dst)):
        s = cand @ src_emb[i]
        p = s[dst[i]]
        excl = {int(dst[i])}
        if filtered:
            excl |= {d for (u, d) in known_pairs if u == int(src[i])}
        others = torch.tensor([s[c] for c in range(len(cand)) if c not in excl])
        ranks.append(1 + (others > p).sum().item() + 0.5 * (others == p).sum().item())
    return torch.tensor(ranks, dtype=torch.float64)


def test_full_ranking_matches_brute_force():
    g = torch.Generator().manual_seed(0)
    n_src, n_dst, d = 12, 37, 8
    emb_s = torch.randn(n_src, d, generator=g)
    cand = torch.randn(n_dst, d, generator=g)
    cand[5] = cand[6]                                   # a tie
    asrc = torch.randint(0, n_src, (80,), generator=g)
    adst = torch.randint(0, n_dst, (80,), generator=g)
    test = torch.arange(0, 80, 3)
    src, dst = asrc[test], adst[test]
    known = KnownEdges(asrc, adst, n_src)
    pairs = list(zip(asrc.tolist(), adst.tolist()))
    fn = lambda s, c: s @ c.T  # noqa: E731
    for filt in (True, False):
        want = _brute(emb_s[src], src, dst, cand, pairs, filt)
        got = full_ranking_ranks(fn, emb_s[src], dst, cand, known if filt else None, src,
                                 row_chunk=5, max_elems=40)          # many row and column chunks
        assert torch.allclose(got, want), (filt, got, want)
    filt = full_ranking_ranks(fn, emb_s[src], dst, cand, known, src)
    raw = full_ranking_ranks(fn, emb_s[src], dst, cand, None, src)
    assert (filt <= raw).all() and (filt < raw).any()
    mrr = (1 / filt).mean()
    assert torch.isclose(mrr, (1 / _brute(emb_s[src], src, dst, cand, pairs, True)).mean())


def test_full_ranking_ties_duplicates_and_pair_scores():
    """Integer scores (many exact ties), duplicate known edges, an aligned pair scorer."""
    g = torch.Generator().manual_seed(1)
    n_src, n_dst = 9, 23
    deg = torch.randint(0, 4, (n_dst, 1), generator=g).float()      # popularity-style scores
    emb_s = torch.ones(n_src, 1)
    asrc = torch.randint(0, n_src, (60,), generator=g)
    adst = torch.randint(0, n_dst, (60,), generator=g)
    asrc, adst = torch.cat([asrc, asrc[:20]]), torch.cat([adst, adst[:20]])   # duplicates
    test = torch.arange(0, 60, 4)
    src, dst = asrc[test], adst[test]
    known = KnownEdges(asrc, adst, n_src)
    pairs = list(zip(asrc.tolist(), adst.tolist()))
    fn = lambda s, c: s @ c.T  # noqa: E731
    pair = lambda s, d: (s * d).sum(-1)  # noqa: E731
    for filt in (True, False):
        want = _brute(emb_s[src], src, dst, deg, pairs, filt)
        for kw in ({}, {"pair_score_fn": pair}, {"row_chunk": 4, "max_elems": 12, "pair_score_fn": pair}):
            got = full_ranking_ranks(fn, emb_s[src], dst, deg, known if filt else None, src, **kw)
            assert torch.allclose(got, want), (filt, kw, got, want)
