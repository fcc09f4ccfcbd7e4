"""Loss functions, by the names of GraphStorm's ``class_loss_func``, ``regression_loss_func`` and ``lp_loss_func``.

Classification (:data:`CLASS_LOSSES`), ``forward(logits [n, C], labels)``:

* ``cross_entropy``: softmax cross-entropy with optional class weights (``imbalance_class_weights``);
  multilabel: BCE-with-logits with ``weight=class_weights`` and ``pos_weight=multilabel_weights``.
* ``focal`` (Lin et al., 2017, https://arxiv.org/abs/1708.02002), binary, mean-reduced:
  :math:`-\\alpha_t (1 - p_t)^\\gamma \\log p_t`, default :math:`\\alpha = 0.25, \\gamma = 2`.
  Logits of one column are the positive-class logit; of two columns, :math:`l_1 - l_0`
  (so that :math:`p = \\mathrm{softmax}(l)_1`).

Regression (:data:`REGRESSION_LOSSES`), ``forward(pred, labels)`` (labels reshaped to ``pred``):

* ``mse``; ``shrinkage`` (Lu et al., ECCV 2018): with :math:`l = |\\hat y - y|`,
  :math:`\\mathrm{mean}\\big(l^2 / (1 + e^{\\alpha (c - l)})\\big)`, default :math:`\\alpha = 10, c = 0.2`
  (GraphStorm calls ``c`` ``gamma``).

Link prediction (:data:`LP_LOSSES`), ``forward(pos [n], neg [n, k] or [m], pos_weight=None)``:

* ``cross_entropy``: BCE-with-logits over positives (label 1) and negatives (label 0), averaged
  over all scores; with ``adversarial_temperature`` :math:`T`, self-adversarial negative sampling
  (Sun et al., 2019): :math:`\\tfrac12\\big(\\mathrm{mean}(-\\log\\sigma(s^+)) +
  \\mathrm{mean}\\sum_j \\mathrm{softmax}_j(T s^-_j)\\,(-\\log\\sigma(-s^-_j))\\big)` with the softmax
  weights detached; the softmax runs over each positive's ``k`` negatives (over all
  negatives when ``neg`` is 1-D, as GraphStorm does).
* ``logsigmoid``: :math:`\\tfrac12(\\mathrm{mean}(-\\log\\sigma(s^+)) + \\mathrm{mean}(-\\log\\sigma(-s^-)))`.
* ``contrastive`` (InfoNCE with temperature :math:`\\tau`):
  :math:`\\mathrm{mean}_i\\big(-s^+_i/\\tau + \\log(e^{s^+_i/\\tau} + \\sum_j e^{s^-_{ij}/\\tau})\\big)`.
* ``bpr`` (Rendle et al., 2009): :math:`\\mathrm{mean}_{ij}(-\\log\\sigma(s^+_i - s^-_{ij}))`.

``pos_weight`` (GraphStorm's ``lp_edge_weight_for_loss``) weights each positive's term.
"""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from graphstorm_py.registry import Registry

__all__ = ["CLASS_LOSSES", "REGRESSION_LOSSES", "LP_LOSSES", "CrossEntropyLoss", "FocalLoss", "MSELoss",
           "ShrinkageLoss", "LinkPredictBCELoss", "LinkPredictLogSigmoidLoss", "LinkPredictContrastiveLoss",
           "LinkPredictBPRLoss"]

CLASS_LOSSES: Registry = Registry("classification loss")
REGRESSION_LOSSES: Registry = Registry("regression loss")
LP_LOSSES: Registry = Registry("link prediction loss")


@CLASS_LOSSES.register("cross_entropy")
class CrossEntropyLoss(nn.Module):
    def __init__(self, multilabel: bool = False, class_weights: Optional[torch.Tensor] = None,
                 multilabel_weights: Optional[torch.Tensor] = None):
        super().__init__()
        self.multilabel = multilabel
        self.fn = (nn.BCEWithLogitsLoss(weight=class_weights, pos_weight=multilabel_weights) if multilabel
                   else nn.CrossEntropyLoss(weight=class_weights))

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.fn(logits, labels.float() if self.multilabel else labels.long())


@CLASS_LOSSES.register("focal")
class FocalLoss(nn.Module):
    def __init__(self, alpha: float = 0.25, gamma: float = 2.0):
        super().__init__()
        self.alpha, self.gamma = alpha, gamma

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        x = logits[:, 1] - logits[:, 0] if logits.dim() == 2 and logits.size(1) == 2 else logits.reshape(-1)
        y = labels.reshape(-1).float()
        p = torch.sigmoid(x)
        p_t = p * y + (1 - p) * (1 - y)
        loss = F.binary_cross_entropy_with_logits(x, y, reduction="none") * (1 - p_t) ** self.gamma
        if self.alpha >= 0:
            loss = (self.alpha * y + (1 - self.alpha) * (1 - y)) * loss
        return loss.mean()


@REGRESSION_LOSSES.register("mse")
class MSELoss(nn.Module):
    def forward(self, pred: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(pred, labels.reshape(pred.shape).to(pred.dtype))


@REGRESSION_LOSSES.register("shrinkage")
class ShrinkageLoss(nn.Module):
    def __init__(self, alpha: float = 10.0, gamma: float = 0.2):
        super().__init__()
        self.alpha, self.gamma = alpha, gamma

    def forward(self, pred: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        l = (pred - labels.reshape(pred.shape).to(pred.dtype)).abs()
        return (l * l / (1 + torch.exp(self.alpha * (self.gamma - l)))).mean()


def _weighted_mean(per_pos: torch.Tensor, pos_weight: Optional[torch.Tensor]) -> torch.Tensor:
    return per_pos.mean() if pos_weight is None else (per_pos * pos_weight.reshape(per_pos.shape)).mean()


@LP_LOSSES.register("cross_entropy")
class LinkPredictBCELoss(nn.Module):
    def __init__(self, adversarial_temperature: Optional[float] = None):
        super().__init__()
        self.adversarial_temperature = adversarial_temperature

    def forward(self, pos: torch.Tensor, neg: torch.Tensor, pos_weight: Optional[torch.Tensor] = None):
        if self.adversarial_temperature is None:
            score = torch.cat([pos.reshape(-1), neg.reshape(-1)])
            label = torch.cat([torch.ones_like(pos.reshape(-1)), torch.zeros_like(neg.reshape(-1))])
            weight = None if pos_weight is None else torch.cat([pos_weight.reshape(-1).to(score.dtype),
                                                                torch.ones_like(neg.reshape(-1))])
            return F.binary_cross_entropy_with_logits(score, label, weight=weight)
        pos_loss = _weighted_mean(-F.logsigmoid(pos), pos_weight)
        w = torch.softmax(neg * self.adversarial_temperature, dim=-1).detach()
        neg_loss = (w * -F.logsigmoid(-neg)).sum(-1).mean()
        return (pos_loss + neg_loss) / 2


@LP_LOSSES.register("logsigmoid")
class LinkPredictLogSigmoidLoss(nn.Module):
    def forward(self, pos: torch.Tensor, neg: torch.Tensor, pos_weight: Optional[torch.Tensor] = None):
        return (_weighted_mean(-F.logsigmoid(pos), pos_weight) + (-F.logsigmoid(-neg)).mean()) / 2


@LP_LOSSES.register("contrastive")
class LinkPredictContrastiveLoss(nn.Module):
    def __init__(self, temperature: float = 1.0):
        super().__init__()
        self.temperature = temperature

    def forward(self, pos: torch.Tensor, neg: torch.Tensor, pos_weight: Optional[torch.Tensor] = None):
        p = pos.reshape(-1, 1) / self.temperature
        scores = torch.cat([p, neg.reshape(p.size(0), -1) / self.temperature], dim=1)
        return _weighted_mean(torch.logsumexp(scores, dim=1) - p[:, 0], pos_weight)


@LP_LOSSES.register("bpr")
class LinkPredictBPRLoss(nn.Module):
    def forward(self, pos: torch.Tensor, neg: torch.Tensor, pos_weight: Optional[torch.Tensor] = None):
        p = pos.reshape(-1, 1)
        return _weighted_mean((-F.logsigmoid(p - neg.reshape(p.size(0), -1))).mean(1), pos_weight)
