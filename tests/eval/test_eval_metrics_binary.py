"""precision, precision_at_recall_X, recall_at_precision_X, fscore_at_beta_X and amri, against
scikit-learn or a hand computation."""

import numpy as np
import pytest
import torch
from sklearn import metrics as skm

from graphstorm_py.eval import get_metric
from graphstorm_py.eval.ranking import amri, ranks_from_scores

rng = np.random.default_rng(1)


def _sk_prec_at_recall(y, s, r):
    p, rec, _ = skm.precision_recall_curve(y, s)
    return float(p[rec >= r].max())


def _sk_rec_at_prec(y, s, q):
    p, rec, _ = skm.precision_recall_curve(y, s)
    return float(rec[p >= q].max())


def test_precision_matches_sklearn():
    y = torch.tensor(rng.integers(0, 2, 70))
    prob = torch.rand(70, 2)
    hard = prob.argmax(1)
    assert get_metric("precision")(prob, y) == pytest.approx(skm.precision_score(y, hard))
    yc = torch.tensor(rng.integers(0, 4, 70))
    logits = torch.randn(70, 4)
    assert get_metric("precision")(logits, yc) == pytest.approx(
        skm.precision_score(yc, logits.argmax(1), average="macro", zero_division=0))
    yl = torch.tensor(rng.integers(0, 2, (30, 3)))
    pl = torch.rand(30, 3)
    assert get_metric("precision")(pl, yl) == pytest.approx(
        skm.precision_score(yl, (pl > 0.5).long(), average="macro", zero_division=0))


@pytest.mark.parametrize("r", [0.1, 0.5, 0.8, 1.0])
def test_precision_at_recall_matches_sklearn(r):
    y = rng.integers(0, 2, 90)
    s = np.round(rng.random(90), 2)           # ties
    got = get_metric(f"precision_at_recall_{r}")(torch.tensor(s), torch.tensor(y))
    assert got == pytest.approx(_sk_prec_at_recall(y, s, r))
    two = torch.tensor(np.stack([1 - s, s], 1))   # [n, 2] probabilities: the positive column counts
    assert get_metric(f"precision_at_recall_{r}")(two, torch.tensor(y)) == pytest.approx(got)


@pytest.mark.parametrize("q", [0.3, 0.6, 0.9])
def test_recall_at_precision_matches_sklearn(q):
    y = rng.integers(0, 2, 90)
    s = rng.random(90) + 0.3 * y              # informative scores, so high precision is reachable
    got = get_metric(f"recall_at_precision_{q}")(torch.tensor(s), torch.tensor(y))
    assert got == pytest.approx(_sk_rec_at_prec(y, s, q))


def test_recall_at_precision_hand():
    # scores sorted: 0.9(+) 0.8(-) 0.7(+) 0.1(-); thresholds give (P, R): (1, .5) (.5, .5) (.667, 1) (.5, 1)
    s, y = torch.tensor([0.9, 0.8, 0.7, 0.1]), torch.tensor([1, 0, 1, 0])
    assert get_metric("recall_at_precision_0.6")(s, y) == pytest.approx(1.0)
    assert get_metric("recall_at_precision_0.9")(s, y) == pytest.approx(0.5)
    assert get_metric("precision_at_recall_1.0")(s, y) == pytest.approx(2 / 3)


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_fscore_at_beta_matches_sklearn(beta):
    y = torch.tensor(rng.integers(0, 2, 60))
    prob = torch.rand(60, 2)
    got = get_metric(f"fscore_at_beta_{beta}")(prob, y)
    assert got == pytest.approx(skm.fbeta_score(y, prob.argmax(1), beta=beta))


def test_binary_metrics_reject_multiclass():
    with pytest.raises(ValueError, match="binary"):
        get_metric("precision_at_recall_0.5")(torch.rand(10, 3), torch.randint(0, 3, (10,)))


def test_amri_hand():
    # ranks 1, 3, 6 among candidate sets of 5, 5, 11: MR-1 = 7/3, E[MR-1] = (2+2+5)/3 = 3
    assert amri(torch.tensor([1.0, 3.0, 6.0]), torch.tensor([5, 5, 11])) == pytest.approx(1 - (7 / 3) / 3)
    assert amri(torch.ones(4), torch.full((4,), 10)) == pytest.approx(1.0)        # all first
    assert amri(torch.full((4,), 10.0), torch.full((4,), 10)) == pytest.approx(-1.0)  # all last


def test_amri_of_random_scores_is_near_zero():
    g = torch.Generator().manual_seed(0)
    pos, neg = torch.rand(20000, generator=g), torch.rand(20000, 9, generator=g)
    assert abs(amri(ranks_from_scores(pos, neg), torch.full((20000,), 10))) < 0.02
    assert get_metric("amri").needs_candidates
