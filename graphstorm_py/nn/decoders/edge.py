"""Edge classification/regression heads: GraphStorm's ``DenseBiDecoder`` and ``MLPEdgeDecoder``.

Both score aligned pairs: ``forward(src_emb [n, h], dst_emb [n, h], edge_feat=None) -> [n, C]``
(``C = 1`` for regression). The caller gathers the embeddings of each target edge's endpoints.

**DenseBiDecoder** (the bilinear decoder of GC-MC, van den Berg et al., 2017,
https://arxiv.org/abs/1706.02263), with ``B = num_basis`` matrices :math:`Q_b \\in \\mathbb{R}^{h \\times h}`:

.. math:: s_b = u^\\top Q_b\\, v, \\qquad \\mathrm{logits} = [s_1, \\dots, s_B]\\, A, \\quad A \\in \\mathbb{R}^{B \\times C}

with dropout on :math:`u, v` in training. For regression ``A`` maps to ``h`` values and a
``Linear(h, 1)`` head follows (GraphStorm). All matrices are Xavier-uniform.

**MLPEdgeDecoder**: :math:`\\mathrm{logits} = \\mathrm{NGNN}([u \\Vert v])\\, W`. With edge features
(``edge_feat_dim``, GraphStorm's ``MLPEFeatEdgeDecoder``):

.. math::
    a = \\mathrm{drop}(\\mathrm{ReLU}(\\mathrm{norm}([u \\Vert v] W_n))), \\;
    b = \\mathrm{drop}(\\mathrm{ReLU}(\\mathrm{norm}(f\\, W_f))), \\;
    \\mathrm{logits} = \\mathrm{ReLU}(\\mathrm{norm}(\\mathrm{NGNN}([a \\Vert b])\\, W_c))\\, W

For regression ``W`` maps to ``h`` values and a ``Linear(h, 1)`` head follows (GraphStorm).
"""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from graphstorm_py.nn.activation_norm import make_norm
from graphstorm_py.nn.ngnn import NGNNMLP

__all__ = ["DenseBiDecoder", "MLPEdgeDecoder"]


def _xavier(*shape: int, gain: float = 1.0) -> nn.Parameter:
    w = nn.Parameter(torch.empty(*shape))
    nn.init.xavier_uniform_(w, gain=gain)
    return w


class _EdgeHead(nn.Module):
    multilabel: bool
    regression: bool

    def predict_proba(self, src_emb, dst_emb, edge_feat=None) -> torch.Tensor:
        out = self(src_emb, dst_emb, edge_feat)
        if self.regression:
            return out
        return torch.sigmoid(out) if self.multilabel else torch.softmax(out, dim=1)

    def predict(self, src_emb, dst_emb, edge_feat=None) -> torch.Tensor:
        out = self(src_emb, dst_emb, edge_feat)
        if self.regression:
            return out
        return (torch.sigmoid(out) > 0.5).long() if self.multilabel else out.argmax(dim=1)


class DenseBiDecoder(_EdgeHead):
    """Bilinear basis decoder; see the module docstring."""

    def __init__(self, in_units: int, num_classes: int, multilabel: bool = False, *, num_basis: int = 2,
                 dropout: float = 0.0, regression: bool = False):
        super().__init__()
        self.multilabel, self.regression = multilabel, regression
        basis_out = in_units if regression else num_classes
        self.dropout = nn.Dropout(dropout)
        self.basis_para = _xavier(num_basis, in_units, in_units)
        self.combine_basis = nn.Linear(num_basis, basis_out, bias=False)
        nn.init.xavier_uniform_(self.combine_basis.weight)
        self.regression_head = nn.Linear(basis_out, 1) if regression else None
        if regression:
            nn.init.xavier_uniform_(self.regression_head.weight)

    def forward(self, src_emb: torch.Tensor, dst_emb: torch.Tensor, edge_feat=None) -> torch.Tensor:
        u, v = self.dropout(src_emb), self.dropout(dst_emb)
        out = self.combine_basis(torch.einsum("ai,bij,aj->ab", u, self.basis_para, v))
        return self.regression_head(out) if self.regression_head is not None else out


class MLPEdgeDecoder(_EdgeHead):
    """MLP over the concatenated endpoint embeddings (and edge features); see the module docstring."""

    def __init__(self, h_dim: int, out_dim: int, multilabel: bool = False, *, dropout: float = 0.0,
                 regression: bool = False, num_ffn_layers: int = 0, edge_feat_dim: Optional[int] = None,
                 norm: Optional[str] = None):
        super().__init__()
        self.multilabel, self.regression = multilabel, regression
        width = h_dim if regression else out_dim
        gain = nn.init.calculate_gain("relu")
        self.ngnn = NGNNMLP(2 * h_dim, 2 * h_dim, num_ffn_layers, F.relu, dropout) if num_ffn_layers > 0 else None
        self.dropout = nn.Dropout(dropout)
        self.edge_feat_dim = edge_feat_dim
        if edge_feat_dim:
            self.nn_decoder = _xavier(2 * h_dim, h_dim, gain=gain)
            self.feat_decoder = _xavier(edge_feat_dim, h_dim, gain=gain)
            self.combine_decoder = _xavier(2 * h_dim, h_dim, gain=gain)
            self.norms = nn.ModuleList(make_norm(norm, h_dim) or nn.Identity() for _ in range(3))
            self.decoder = _xavier(h_dim, width, gain=gain)
        else:
            self.decoder = _xavier(2 * h_dim, width, gain=gain)
        self.regression_head = nn.Linear(width, 1) if regression else None

    def forward(self, src_emb: torch.Tensor, dst_emb: torch.Tensor, edge_feat=None) -> torch.Tensor:
        h = torch.cat([src_emb, dst_emb], dim=1)
        if self.edge_feat_dim:
            if edge_feat is None:
                raise ValueError("this MLPEdgeDecoder was built with edge features; pass edge_feat")
            a = self.dropout(F.relu(self.norms[0](h @ self.nn_decoder)))
            b = self.dropout(F.relu(self.norms[1](edge_feat.float() @ self.feat_decoder)))
            h = torch.cat([a, b], dim=1)
            if self.ngnn is not None:
                h = self.ngnn(h)
            h = F.relu(self.norms[2](h @ self.combine_decoder))
        elif self.ngnn is not None:
            h = self.ngnn(h)
        out = h @ self.decoder
        return self.regression_head(out) if self.regression_head is not None else out
