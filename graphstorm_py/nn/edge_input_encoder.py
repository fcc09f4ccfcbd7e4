"""The edge input encoder: raw edge features -> ``hidden_size``, per edge type (GraphStorm's
``GSEdgeEncoderInputLayer``).

Edge features take part in message passing by being combined with the source node's embedding
(``edge_feat_mp_op``), so they must have the node embeddings' width. Per edge type ``r`` with
feature width ``d_r``: :math:`e' = e\\,W_r`, :math:`W_r \\in \\mathbb R^{d_r \\times h}`, bias-free and
Xavier-uniform (ReLU gain), like the node input projection. The same projection feeds every GNN
layer.
"""

from __future__ import annotations

from typing import Dict, Mapping

import torch
from torch import nn

from graphstorm_py.typing import EdgeType

__all__ = ["EdgeInputEncoder"]


def _key(etype: EdgeType) -> str:
    return "__".join(etype)   # a ModuleDict / ParameterDict key cannot hold "."


class EdgeInputEncoder(nn.Module):
    """Projects the edge features of each featured edge type to ``hidden_size``.

    Args:
        feat_dims: ``{etype: raw feature width}``.
        hidden_size: output width.
    """

    def __init__(self, feat_dims: Mapping[EdgeType, int], hidden_size: int):
        super().__init__()
        self.hidden_size = hidden_size
        self.etypes = [tuple(e) for e in feat_dims]
        self.projs = nn.ParameterDict()
        for et, d in feat_dims.items():
            w = nn.Parameter(torch.empty(int(d), hidden_size))
            nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("relu"))
            self.projs[_key(tuple(et))] = w

    def forward(self, feats: Mapping[EdgeType, torch.Tensor]) -> Dict[EdgeType, torch.Tensor]:
        """``{etype: [E, d_r]} -> {etype: [E, hidden]}`` for the edge types it was built for."""
        out = {}
        for et, x in feats.items():
            k = _key(tuple(et))
            if k in self.projs:
                w = self.projs[k]
                out[tuple(et)] = x.to(w.device).float() @ w
        return out
