"""Node task heads: classification and regression (GraphStorm's ``EntityClassifier``/``EntityRegression``).

Both are one matrix :math:`W \\in \\mathbb{R}^{h \\times C}`, optionally preceded by
``num_ffn_layers`` NGNN layers (an MLP head) and a batch/layer norm (GraphStorm's
``decoder_norm``), and followed by a bias (GraphStorm's ``decoder_bias``, off by default):

.. math:: \\mathrm{logits} = \\mathrm{norm}(\\mathrm{NGNN}(h))\\, W + b

``predict`` gives the argmax class (single-label), ``sigmoid > 0.5`` per label (multilabel, or
one output column), or the value (regression); ``predict_proba`` gives softmax/sigmoid
probabilities. The classifier's ``W`` is Xavier-uniform with the ReLU gain, the regressor's
plain Xavier-uniform, as in GraphStorm.
"""

from __future__ import annotations

from typing import Optional

import torch
from torch import nn

from graphstorm_py.nn.activation_norm import make_norm
from graphstorm_py.nn.ngnn import NGNNMLP

__all__ = ["EntityClassifier", "EntityRegression"]


class _LinearHead(nn.Module):
    def __init__(self, in_dim: int, out_dim: int, gain: float, use_bias: bool, num_ffn_layers: int, dropout: float,
                 norm: Optional[str] = None):
        super().__init__()
        self.in_dim, self.out_dim = in_dim, out_dim
        self.ngnn = NGNNMLP(in_dim, in_dim, num_ffn_layers, dropout=dropout) if num_ffn_layers > 0 else None
        self.norm = make_norm(norm, in_dim)
        self.decoder = nn.Parameter(torch.empty(in_dim, out_dim))
        nn.init.xavier_uniform_(self.decoder, gain=gain)
        self.bias = nn.Parameter(torch.zeros(out_dim)) if use_bias else None

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """``[n, in_dim] -> [n, out_dim]`` raw outputs (logits or values)."""
        if self.ngnn is not None:
            h = self.ngnn(h)
        if self.norm is not None:
            h = self.norm(h)
        out = h @ self.decoder
        return out if self.bias is None else out + self.bias


class EntityClassifier(_LinearHead):
    """Logits over ``num_classes`` (or ``num_classes`` independent labels when ``multilabel``)."""

    def __init__(self, in_dim: int, num_classes: int, multilabel: bool = False, *, use_bias: bool = False,
                 num_ffn_layers: int = 0, dropout: float = 0.0, norm: Optional[str] = None):
        super().__init__(in_dim, num_classes, nn.init.calculate_gain("relu"), use_bias, num_ffn_layers, dropout,
                         norm)
        self.multilabel = multilabel

    def predict_proba(self, h: torch.Tensor) -> torch.Tensor:
        logits = self(h)
        if self.multilabel or self.out_dim == 1:
            return torch.sigmoid(logits)
        return torch.softmax(logits, dim=1)

    def predict(self, h: torch.Tensor) -> torch.Tensor:
        logits = self(h)
        if self.multilabel or self.out_dim == 1:
            return (torch.sigmoid(logits) > 0.5).long()
        return logits.argmax(dim=1)


class EntityRegression(_LinearHead):
    """``out_dim`` (default 1) real values per node."""

    def __init__(self, in_dim: int, out_dim: int = 1, *, use_bias: bool = False, num_ffn_layers: int = 0,
                 dropout: float = 0.0, norm: Optional[str] = None):
        super().__init__(in_dim, out_dim, 1.0, use_bias, num_ffn_layers, dropout, norm)

    def predict(self, h: torch.Tensor) -> torch.Tensor:
        return self(h)

    predict_proba = predict
