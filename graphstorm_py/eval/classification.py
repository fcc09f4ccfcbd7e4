"""Classification metrics, computed in torch, matching GraphStorm's (which calls scikit-learn).

Inputs are tensors (or anything ``torch.as_tensor`` takes). ``scores`` are probabilities or
logits ``[n, C]`` (or ``[n]`` for one positive-class score); ``labels`` are class ids ``[n]`` or a
multilabel 0/1 indicator ``[n, L]``.

* :func:`accuracy`: fraction of exact class matches (argmax of ``[n, C]`` scores). For
  multilabel tasks GraphStorm reports the mean per-label ROC-AUC under this name; so do we.
* :func:`f1_score`: **macro** F1 over the classes present in labels or predictions
  (GraphStorm reads ``classification_report(...)['macro avg']['f1-score']``); :func:`f1_micro`
  and :func:`per_class_f1_score` are the other views.
* :func:`roc_auc`: binary AUC; multi-class one-vs-rest macro average; multilabel macro average
  over labels. Classes without both positives and negatives are left out; ``-1`` if none is left.
* :func:`precision_recall`: area under the precision-recall curve by the trapezoid rule
  (``auc(recall, precision)`` of ``precision_recall_curve``), GraphStorm's PR-AUC;
  :func:`average_precision` is the step-wise alternative (sklearn's ``average_precision_score``).
* :func:`precision`: precision of the positive class (binary) or macro precision (multi-class).
* Binary operating points (GraphStorm's names carry the parameter): ``precision_at_recall_<r>`` is
  :func:`precision_at_recall` (the best precision among thresholds reaching recall ``r``),
  ``recall_at_precision_<p>`` is :func:`recall_at_precision`, and ``fscore_at_beta_<b>`` is
  :func:`fscore_at_beta` (F-beta of the hard predictions).
"""

from __future__ import annotations

from typing import Dict

import torch

__all__ = ["accuracy", "f1_score", "f1_micro", "per_class_f1_score", "roc_auc", "precision_recall",
           "average_precision", "binary_auc", "precision", "precision_at_recall", "recall_at_precision",
           "fscore_at_beta"]


def _t(x) -> torch.Tensor:
    return torch.as_tensor(x).detach().cpu()


def _hard(pred: torch.Tensor) -> torch.Tensor:
    if pred.is_floating_point():
        if pred.dim() == 2 and pred.size(1) > 1:
            return pred.argmax(1)
        return (pred.reshape(-1) > 0.5).long()
    return pred.reshape(-1)


def _positive_scores(scores: torch.Tensor) -> torch.Tensor:
    """Score of the positive class from ``[n]``, ``[n, 1]`` or ``[n, 2]``."""
    return scores[:, 1] if scores.dim() == 2 and scores.size(1) == 2 else scores.reshape(-1)


def binary_auc(score, label) -> float:
    """ROC-AUC as the Mann-Whitney statistic (ties count 1/2); ``nan`` without both classes."""
    s, y = _t(score).double().reshape(-1), _t(label).reshape(-1).bool()
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    sorted_s, order = torch.sort(s)
    _, counts = torch.unique_consecutive(sorted_s, return_counts=True)
    ends = torch.cumsum(counts, 0).double()
    ranks_sorted = torch.repeat_interleave(ends - (counts.double() - 1) / 2, counts)
    ranks = torch.empty_like(ranks_sorted)
    ranks[order] = ranks_sorted
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _mean_defined(values) -> float:
    vals = [v for v in values if v == v]
    return sum(vals) / len(vals) if vals else -1.0


def roc_auc(scores, labels) -> float:
    s, y = _t(scores).double(), _t(labels)
    if y.dim() == 2:  # multilabel
        return _mean_defined(binary_auc(s[:, j], y[:, j]) for j in range(y.size(1)))
    if s.dim() == 2 and s.size(1) > 2:  # multi-class, one-vs-rest
        return _mean_defined(binary_auc(s[:, c], y == c) for c in range(s.size(1)))
    auc = binary_auc(_positive_scores(s), y)
    return -1.0 if auc != auc else auc


def accuracy(pred, labels, multilabel: bool = False) -> float:
    p, y = _t(pred), _t(labels)
    if multilabel or y.dim() == 2:
        return roc_auc(p, y)
    return float((_hard(p) == y.reshape(-1)).double().mean())


def per_class_f1_score(pred, labels) -> Dict[int, float]:
    """``{class: F1}`` over the classes present in labels or predictions (or per label, multilabel)."""
    p, y = _t(pred), _t(labels)
    if y.dim() == 2:  # multilabel indicator; float predictions are probabilities
        hard = (p > 0.5) if p.is_floating_point() else p.bool()
        yb = y.bool()
        tp, fp, fn = (hard & yb).sum(0), (hard & ~yb).sum(0), (~hard & yb).sum(0)
        classes = torch.arange(y.size(1))
    else:
        hard, y = _hard(p).long(), y.reshape(-1).long()
        classes = torch.unique(torch.cat([hard, y]))
        hi, yi, k = torch.searchsorted(classes, hard), torch.searchsorted(classes, y), classes.numel()
        tp = torch.bincount(yi[hi == yi], minlength=k)
        fp, fn = torch.bincount(hi, minlength=k) - tp, torch.bincount(yi, minlength=k) - tp
    denom = (2 * tp + fp + fn).double()
    f1 = torch.where(denom > 0, 2 * tp.double() / denom.clamp(min=1), torch.zeros_like(denom))
    return {int(c): float(v) for c, v in zip(classes, f1)}


def f1_score(pred, labels) -> float:
    """Macro F1 (GraphStorm's ``f1_score``)."""
    per_class = per_class_f1_score(pred, labels)
    return sum(per_class.values()) / len(per_class) if per_class else 0.0


def f1_micro(pred, labels) -> float:
    """Micro F1; equals accuracy for single-label tasks."""
    p, y = _t(pred), _t(labels)
    if y.dim() == 2:
        hard, yb = ((p > 0.5) if p.is_floating_point() else p.bool()), y.bool()
        tp, fp, fn = (hard & yb).sum(), (hard & ~yb).sum(), (~hard & yb).sum()
        return float(2 * tp / (2 * tp + fp + fn)) if (2 * tp + fp + fn) > 0 else 0.0
    return accuracy(p, y)


def _pr_curve(scores: torch.Tensor, labels: torch.Tensor):
    """``(precision, recall)`` at every distinct threshold, highest first, as sklearn builds them."""
    s, order = torch.sort(scores.double().reshape(-1), descending=True, stable=True)
    y = labels.reshape(-1)[order].double()
    last = torch.cat([torch.nonzero(s[1:] != s[:-1]).reshape(-1), torch.tensor([s.numel() - 1])])
    tps = torch.cumsum(y, 0)[last]
    fps = (last + 1).double() - tps
    precision = tps / (tps + fps)
    recall = tps / tps[-1] if tps[-1] > 0 else torch.ones_like(tps)
    return precision, recall


def precision_recall(scores, labels) -> float:
    """PR-AUC by the trapezoid rule (binary; multilabel: macro over labels)."""
    s, y = _t(scores), _t(labels)
    if y.dim() == 2:
        return _mean_defined(precision_recall(s[:, j], y[:, j]) for j in range(y.size(1)))
    precision, recall = _pr_curve(_positive_scores(s), y)
    precision = torch.cat([precision.flip(0), torch.ones(1, dtype=torch.double)])
    recall = torch.cat([recall.flip(0), torch.zeros(1, dtype=torch.double)])
    return float(-torch.trapezoid(precision, recall))


def average_precision(scores, labels) -> float:
    """:math:`\\sum_n (R_n - R_{n-1}) P_n` over the thresholds (binary; multilabel: macro)."""
    s, y = _t(scores), _t(labels)
    if y.dim() == 2:
        return _mean_defined(average_precision(s[:, j], y[:, j]) for j in range(y.size(1)))
    precision, recall = _pr_curve(_positive_scores(s), y)
    steps = torch.diff(torch.cat([torch.zeros(1, dtype=torch.double), recall]))
    return float((steps * precision).sum())


def precision(pred, labels) -> float:
    """Precision of the hard predictions: of the positive class (1) for binary tasks, the macro
    mean over the classes present in labels or predictions otherwise (multilabel: macro over
    labels). A class never predicted has precision 0 (scikit-learn's ``zero_division=0``)."""
    p, y = _t(pred), _t(labels)
    if y.dim() == 2:
        hard, yb = ((p > 0.5) if p.is_floating_point() else p.bool()), y.bool()
        tp, fp = (hard & yb).sum(0).double(), (hard & ~yb).sum(0).double()
        return float(torch.where(tp + fp > 0, tp / (tp + fp).clamp(min=1), torch.zeros_like(tp)).mean())
    hard, y = _hard(p).long(), y.reshape(-1).long()
    classes = torch.unique(torch.cat([hard, y]))
    if not classes.numel() or int(classes.max()) <= 1:
        classes = torch.tensor([1])                       # binary: the positive class only
    vals = []
    for c in classes.tolist():
        tp, predicted = int(((hard == c) & (y == c)).sum()), int((hard == c).sum())
        vals.append(tp / predicted if predicted else 0.0)
    return sum(vals) / len(vals)


def _binary_scores(scores, labels):
    s, y = _t(scores), _t(labels)
    if y.dim() == 2 or (s.dim() == 2 and s.size(1) > 2):
        raise ValueError("this metric is for binary classification (num_classes 1 or 2, not multilabel)")
    return _positive_scores(s), y.reshape(-1)


def precision_at_recall(scores, labels, recall: float) -> float:
    """The highest precision over the thresholds whose recall is at least ``recall`` (binary)."""
    s, y = _binary_scores(scores, labels)
    if int(y.sum()) == 0:
        return 0.0
    prec, rec = _pr_curve(s, y)
    ok = rec >= recall - 1e-12
    return float(prec[ok].max()) if bool(ok.any()) else 0.0


def recall_at_precision(scores, labels, precision: float) -> float:
    """The highest recall over the thresholds whose precision is at least ``precision`` (binary)."""
    s, y = _binary_scores(scores, labels)
    if int(y.sum()) == 0:
        return 0.0
    prec, rec = _pr_curve(s, y)
    ok = prec >= precision - 1e-12
    return float(rec[ok].max()) if bool(ok.any()) else 0.0


def fscore_at_beta(pred, labels, beta: float) -> float:
    """F-beta of the positive class from hard predictions (binary): ``(1+b²)·P·R / (b²·P + R)``."""
    p, y = _t(pred), _t(labels)
    if y.dim() == 2 or (p.is_floating_point() and p.dim() == 2 and p.size(1) > 2):
        raise ValueError("fscore_at_beta is for binary classification (num_classes 1 or 2, not multilabel)")
    hard, y = _hard(p).bool(), y.reshape(-1).bool()
    tp, fp, fn = float((hard & y).sum()), float((hard & ~y).sum()), float((~hard & y).sum())
    b2 = beta * beta
    denom = (1 + b2) * tp + b2 * fn + fp
    return (1 + b2) * tp / denom if denom > 0 else 0.0
