"""Evaluation metrics by GraphStorm's names, each with its "higher is better" direction.

:data:`METRICS` maps a name (as in GraphStorm's ``eval_metric``) to a :class:`Metric`; the
trainer uses ``higher_is_better`` for early stopping and for keeping the top-k checkpoints::

    m = get_metric("hit_at_10")
    value = m(ranks)             # same as m.fn(ranks, k=10)
    better = m.better(value, best)

========================== ========================================== ======
name                       computes                                   better
========================== ========================================== ======
``accuracy``               class match rate (multilabel: mean AUC)    higher
``f1_score``               macro F1                                   higher
``f1_micro``               micro F1                                   higher
``per_class_f1_score``     ``{class: F1}`` (compared by its mean)     higher
``roc_auc``                ROC-AUC (binary / ovr macro / multilabel)  higher
``precision_recall``       PR-AUC (trapezoid)                         higher
``average_precision``      average precision                          higher
``rmse``, ``mse``, ``mae`` regression errors                          lower
``mrr``                    mean reciprocal rank, from ranks           higher
``hit_at_k``               hits@k from ranks; ``hit_at_<k>`` fixes k  higher
``amri``                   adjusted mean rank index, from ranks and   higher
                           candidate set sizes
``precision``              precision (binary: positive class; macro)  higher
``precision_at_recall_<r>`` best precision with recall >= r (binary)  higher
``recall_at_precision_<p>`` best recall with precision >= p (binary)  higher
``fscore_at_beta_<b>``     F-beta of the hard predictions (binary)    higher
========================== ========================================== ======

A metric with ``needs_candidates`` (``amri``) is called ``m(ranks, candidate_sizes)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

import torch

from graphstorm_py.eval.classification import (accuracy, average_precision, f1_micro, f1_score, fscore_at_beta,
                                               per_class_f1_score, precision, precision_at_recall,
                                               precision_recall, recall_at_precision, roc_auc)
from graphstorm_py.eval.ranking import amri, hit_at_k, mrr
from graphstorm_py.registry import Registry

__all__ = ["Metric", "METRICS", "get_metric", "parametric_value", "PARAMETRIC", "rmse", "mse", "mae"]


def _diff(pred, labels) -> torch.Tensor:
    y = torch.as_tensor(labels).detach().cpu().double()
    return torch.as_tensor(pred).detach().cpu().double().reshape(y.shape) - y


def mse(pred, labels) -> float:
    return float((_diff(pred, labels) ** 2).mean())


def rmse(pred, labels) -> float:
    return mse(pred, labels) ** 0.5


def mae(pred, labels) -> float:
    return float(_diff(pred, labels).abs().mean())


@dataclass(frozen=True)
class Metric:
    """A metric function and its direction."""

    name: str
    fn: Callable[..., Any]
    higher_is_better: bool = True
    needs_candidates: bool = False

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def better(self, value, best) -> bool:
        """Is ``value`` strictly better than ``best`` (``None`` = no best yet)?"""
        if best is None:
            return True
        if isinstance(value, dict):  # per_class_f1_score: compare the macro mean
            value, best = (sum(v.values()) / max(len(v), 1) for v in (value, best))
        return value > best if self.higher_is_better else value < best


METRICS: Registry = Registry("evaluation metric")
for _m in [Metric("accuracy", accuracy), Metric("f1_score", f1_score), Metric("f1_micro", f1_micro),
           Metric("per_class_f1_score", per_class_f1_score), Metric("roc_auc", roc_auc),
           Metric("precision_recall", precision_recall), Metric("average_precision", average_precision),
           Metric("rmse", rmse, False), Metric("mse", mse, False), Metric("mae", mae, False),
           Metric("mrr", mrr), Metric("hit_at_k", hit_at_k), Metric("amri", amri, needs_candidates=True),
           Metric("precision", precision)]:
    METRICS.register(_m.name)(_m)


#: metric families whose name ends in their parameter: prefix -> (function, keyword, parse)
PARAMETRIC = {
    "hit_at_": (hit_at_k, "k", int),
    "precision_at_recall_": (precision_at_recall, "recall", float),
    "recall_at_precision_": (recall_at_precision, "precision", float),
    "fscore_at_beta_": (fscore_at_beta, "beta", float),
}


def parametric_value(name: str):
    """``(prefix, value)`` when ``name`` is a parametric metric with a valid parameter, else ``None``.

    ``hit_at_K`` takes an integer K >= 1; ``precision_at_recall_X`` / ``recall_at_precision_X`` a
    number in (0, 1]; ``fscore_at_beta_X`` a number > 0.
    """
    for prefix, (_, _, parse) in PARAMETRIC.items():
        if name.startswith(prefix):
            text = name[len(prefix):]
            if prefix == "hit_at_" and not text.isdigit():
                return None
            try:
                value = parse(text)
            except ValueError:
                return None
            ok = value >= 1 if prefix == "hit_at_" else (value > 0 if prefix == "fscore_at_beta_" else 0 < value <= 1)
            return (prefix, value) if ok else None
    return None


def get_metric(name: str) -> Metric:
    """The metric called ``name``; a parametric name (``hit_at_10``, ``precision_at_recall_0.8``,
    ``recall_at_precision_0.9``, ``fscore_at_beta_0.5``) binds its parameter."""
    found = parametric_value(name)
    if found is not None:
        prefix, value = found
        fn, kw, _ = PARAMETRIC[prefix]
        return Metric(name, partial(fn, **{kw: value}))
    return METRICS.get(name, key="eval_metric")
