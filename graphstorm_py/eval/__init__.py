"""Evaluation metrics (classification, regression, ranking) by GraphStorm's names."""

from graphstorm_py.eval.metrics import METRICS, Metric, get_metric
from graphstorm_py.eval.ranking import hit_at_k, mrr, ranks_from_scores

__all__ = ["METRICS", "Metric", "get_metric", "ranks_from_scores", "mrr", "hit_at_k"]
