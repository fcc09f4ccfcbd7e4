import math

import torch
import torch.nn.functional as F

from graphstorm_py.nn.losses import CLASS_LOSSES, LP_LOSSES, REGRESSION_LOSSES


def test_cross_entropy_with_class_weights_and_multilabel():
    logits, y = torch.randn(4, 3), torch.tensor([0, 2, 1, 2])
    w = torch.tensor([1.0, 2.0, 0.5])
    loss = CLASS_LOSSES.get("cross_entropy")(class_weights=w)(logits, y)
    nll = -torch.log_softmax(logits, 1)[torch.arange(4), y]
    torch.testing.assert_close(loss, (w[y] * nll).sum() / w[y].sum())
    yl = torch.tensor([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]])
    ml = CLASS_LOSSES.get("cross_entropy")(multilabel=True)(logits, yl)
    torch.testing.assert_close(ml, F.binary_cross_entropy(torch.sigmoid(logits), yl.float()))


def test_focal_by_hand():
    x, y = torch.tensor([0.3, -1.2, 2.0]), torch.tensor([1, 0, 0])
    p = torch.sigmoid(x)
    pt = torch.where(y == 1, p, 1 - p)
    at = torch.where(y == 1, 0.25, 0.75)
    expect = (-at * (1 - pt) ** 2 * torch.log(pt)).mean()
    focal = CLASS_LOSSES.get("focal")()
    torch.testing.assert_close(focal(x[:, None], y), expect)
    two = torch.stack([torch.zeros(3), x], 1)  # softmax over (0, x) has p1 = sigmoid(x)
    torch.testing.assert_close(focal(two, y), expect)


def test_regression_losses():
    pred, y = torch.tensor([[0.5], [2.0], [-1.0]]), torch.tensor([0.0, 2.5, 1.0])
    torch.testing.assert_close(REGRESSION_LOSSES.get("mse")()(pred, y), torch.tensor((0.25 + 0.25 + 4) / 3))
    l = torch.tensor([0.5, 0.5, 2.0])
    expect = (l**2 / (1 + torch.exp(10 * (0.2 - l)))).mean()
    torch.testing.assert_close(REGRESSION_LOSSES.get("shrinkage")()(pred, y), expect)


def _ls(x):
    return math.log(1 / (1 + math.exp(-x)))


def test_lp_bce_and_adversarial():
    pos, neg = torch.tensor([1.0, -0.5]), torch.tensor([[0.2, -1.0], [0.0, 3.0]])
    bce = LP_LOSSES.get("cross_entropy")()(pos, neg)
    terms = [-_ls(1.0), -_ls(-0.5)] + [-_ls(-v) for v in (0.2, -1.0, 0.0, 3.0)]
    torch.testing.assert_close(bce, torch.tensor(sum(terms) / 6))
    adv = LP_LOSSES.get("cross_entropy")(adversarial_temperature=0.5)(pos, neg)
    neg_terms = []
    for row in neg.tolist():
        w = torch.softmax(torch.tensor(row) * 0.5, 0).tolist()
        neg_terms.append(sum(wi * -_ls(-v) for wi, v in zip(w, row)))
    torch.testing.assert_close(adv, torch.tensor(((-_ls(1.0) - _ls(-0.5)) / 2 + sum(neg_terms) / 2) / 2))
    weighted = LP_LOSSES.get("cross_entropy")()(pos, neg, pos_weight=torch.tensor([2.0, 0.0]))
    torch.testing.assert_close(weighted, torch.tensor((2 * terms[0] + sum(terms[2:])) / 6))


def test_lp_logsigmoid_contrastive_bpr():
    pos, neg = torch.tensor([1.0, -0.5]), torch.tensor([[0.2, -1.0], [0.0, 3.0]])
    ls = LP_LOSSES.get("logsigmoid")()(pos, neg)
    torch.testing.assert_close(ls, torch.tensor(((-_ls(1.0) - _ls(-0.5)) / 2
                                                 + sum(-_ls(-v) for v in (0.2, -1.0, 0.0, 3.0)) / 4) / 2))
    c = LP_LOSSES.get("contrastive")(temperature=0.5)(pos, neg)
    rows = [[2.0, 0.4, -2.0], [-1.0, 0.0, 6.0]]
    torch.testing.assert_close(c, torch.tensor(sum(-r[0] + math.log(sum(math.exp(v) for v in r)) for r in rows) / 2))
    bpr = LP_LOSSES.get("bpr")()(pos, neg)
    torch.testing.assert_close(bpr, torch.tensor(sum(-_ls(p - v) for p, r in zip([1.0, -0.5], neg.tolist())
                                                     for v in r) / 4))
