import numpy as np
import pytest
import torch
from sklearn import metrics as skm

from graphstorm_py.errors import ConfigError
from graphstorm_py.eval import METRICS, get_metric, hit_at_k, mrr, ranks_from_scores
from graphstorm_py.eval.classification import average_precision, precision_recall, roc_auc

rng = np.random.default_rng(0)


def test_accuracy_and_f1_match_sklearn():
    logits = torch.randn(50, 4)
    y = torch.randint(0, 4, (50,))
    pred = logits.argmax(1)
    assert get_metric("accuracy")(logits, y) == pytest.approx(skm.accuracy_score(y, pred))
    report = skm.classification_report(y, pred, output_dict=True, zero_division=0)
    assert get_metric("f1_score")(logits, y) == pytest.approx(report["macro avg"]["f1-score"])
    assert get_metric("f1_micro")(pred, y) == pytest.approx(skm.f1_score(y, pred, average="micro"))
    per_class = get_metric("per_class_f1_score")(pred, y)
    assert per_class == pytest.approx(dict(enumerate(skm.f1_score(y, pred, average=None))))
    only_pred = torch.tensor([0, 1, 1, 2])  # class 2 appears only in predictions
    truth = torch.tensor([0, 1, 0, 1])
    assert get_metric("f1_score")(only_pred, truth) == pytest.approx(
        skm.classification_report(truth, only_pred, output_dict=True, zero_division=0)["macro avg"]["f1-score"])


def test_multilabel_f1_matches_sklearn():
    y = torch.tensor(rng.integers(0, 2, (40, 3)))
    prob = torch.rand(40, 3)
    assert get_metric("f1_score")(prob, y) == pytest.approx(skm.f1_score(y, prob > 0.5, average="macro"))
    assert get_metric("f1_micro")(prob, y) == pytest.approx(skm.f1_score(y, prob > 0.5, average="micro"))


def test_roc_auc_matches_sklearn():
    y = rng.integers(0, 2, 60)
    s = np.round(rng.random(60), 1)  # ties
    assert roc_auc(torch.tensor(s), torch.tensor(y)) == pytest.approx(skm.roc_auc_score(y, s))
    two_col = torch.tensor(np.stack([1 - s, s], 1))
    assert roc_auc(two_col, torch.tensor(y)) == pytest.approx(skm.roc_auc_score(y, s))
    yc = rng.integers(0, 3, 60)
    prob = torch.softmax(torch.randn(60, 3), 1).double()
    assert roc_auc(prob, torch.tensor(yc)) == pytest.approx(skm.roc_auc_score(yc, prob.numpy(), multi_class="ovr"))
    yl = rng.integers(0, 2, (60, 4))
    sl = rng.random((60, 4))
    assert roc_auc(torch.tensor(sl), torch.tensor(yl)) == pytest.approx(skm.roc_auc_score(yl, sl, average="macro"))
    assert get_metric("accuracy")(torch.tensor(sl), torch.tensor(yl), multilabel=True) == pytest.approx(
        skm.roc_auc_score(yl, sl, average="macro"))
    assert roc_auc(torch.rand(5), torch.ones(5)) == -1.0


def test_precision_recall_matches_sklearn():
    y = rng.integers(0, 2, 80)
    s = np.round(rng.random(80), 2)
    precision, recall, _ = skm.precision_recall_curve(y, s)
    assert precision_recall(torch.tensor(s), torch.tensor(y)) == pytest.approx(skm.auc(recall, precision))
    assert average_precision(torch.tensor(s), torch.tensor(y)) == pytest.approx(skm.average_precision_score(y, s))


def test_regression_metrics_match_sklearn():
    y, p = rng.normal(size=30), rng.normal(size=30)
    pt, yt = torch.tensor(p).reshape(-1, 1), torch.tensor(y)
    assert get_metric("mse")(pt, yt) == pytest.approx(skm.mean_squared_error(y, p))
    assert get_metric("rmse")(pt, yt) == pytest.approx(np.sqrt(skm.mean_squared_error(y, p)))
    assert get_metric("mae")(pt, yt) == pytest.approx(skm.mean_absolute_error(y, p))


def test_ranking_metrics_by_hand():
    pos = torch.tensor([0.9, 0.1, 0.5])
    neg = torch.tensor([[0.1, 0.2], [0.5, 0.3], [0.5, 0.0]])
    assert ranks_from_scores(pos, neg).tolist() == [1.0, 3.0, 1.5]
    assert ranks_from_scores(pos, neg, ties="pessimistic").tolist() == [1.0, 3.0, 2.0]
    ranks = torch.tensor([1.0, 3.0, 2.0, 10.0, 11.0])
    assert mrr(ranks) == pytest.approx((1 + 1 / 3 + 1 / 2 + 1 / 10 + 1 / 11) / 5)
    assert hit_at_k(ranks, 10) == pytest.approx(0.8)
    assert get_metric("hit_at_3")(ranks) == pytest.approx(0.6)


def test_directions_and_registry():
    assert get_metric("mrr").higher_is_better and not get_metric("rmse").higher_is_better
    assert get_metric("rmse").better(0.5, 0.7) and not get_metric("accuracy").better(0.5, 0.7)
    assert get_metric("accuracy").better(0.1, None)
    assert get_metric("per_class_f1_score").better({0: 0.9, 1: 0.7}, {0: 0.6, 1: 0.8})
    assert {"accuracy", "f1_score", "roc_auc", "precision_recall", "rmse", "mse", "mae", "mrr"} <= set(METRICS)
    with pytest.raises(ConfigError, match="did you mean|valid choices"):
        get_metric("accuarcy")
