"""Edge features in message passing (GraphStorm 0.4's ``edge_feat_name`` / ``edge_feat_mp_op``).

On a relation with edge features, the message of an edge :math:`(j, e, i)` is built from the
source embedding :math:`h_j` and the (projected, same width) edge embedding :math:`f_e` with one
of GraphStorm's operators (:data:`EDGE_FEAT_MP_OPS`):

=========  ===========================================
``op``     :math:`\\mathrm{op}(h_j, f_e)`
=========  ===========================================
concat     :math:`[h_j \\,\\Vert\\, f_e]` (twice the width)
add        :math:`h_j + f_e`
sub        :math:`h_j - f_e`
mul        :math:`h_j \\odot f_e`
div        :math:`h_j \\oslash f_e`
=========  ===========================================

* :class:`EdgeFeatGraphConv` (rgcn): :math:`h_i' = \\sum_{j} \\mathrm{op}(h_j, f_e)\\, W /
  \\sqrt{|\\mathcal N(i)|}` with its own :math:`W` (``2·in × out`` for concat; Xavier, linear gain)
  in place of the relation weight: GraphStorm's ``GraphConvwithEdgeFeat``, which normalises by
  the square root of the in-degree.
* :class:`EdgeFeatGATConv` (rgat, gat): messages :math:`m_e = W_s\\,\\mathrm{op}(h_j, f_e)` per head,
  attention :math:`\\alpha_e = \\mathrm{softmax}_{e \\to i}(\\mathrm{LeakyReLU}_{0.2}(m_e + W_d h_i))`
  taken per head *and channel* (as GraphStorm's ``GATConvwithEdgeFeat`` does),
  :math:`h_i' = \\sum_e \\alpha_e \\odot m_e`.
* HGT combines the same way inside :class:`~graphstorm_py.nn.encoders.hgt.HGTLayer` (keys and
  values of ``op(h_j, f_e)``; for concat, :math:`K(h_j) + K^{E}_{r}(f_e)`).

A relation without edges in a block contributes zeros.
"""

from __future__ import annotations

from typing import Optional

import torch
from torch import nn
from torch_geometric.utils import scatter, softmax

__all__ = ["EDGE_FEAT_MP_OPS", "combine", "EdgeFeatGraphConv", "EdgeFeatGATConv"]

EDGE_FEAT_MP_OPS = ("concat", "add", "sub", "mul", "div")

_OPS = {
    "concat": lambda h, e: torch.cat([h, e], dim=-1),
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
}


def combine(h: torch.Tensor, e: torch.Tensor, op: str) -> torch.Tensor:
    """``op(h, e)`` row by row (``h`` and ``e`` are ``[E, d]``)."""
    if op not in _OPS:
        raise ValueError(f"unknown edge_feat_mp_op {op!r}; valid: {', '.join(EDGE_FEAT_MP_OPS)}")
    if h.shape != e.shape:
        raise ValueError(f"edge features of width {e.shape[-1]} cannot be combined with node embeddings of "
                         f"width {h.shape[-1]}: project them to the hidden size first")
    return _OPS[op](h, e)


def in_width(in_dim: int, op: str) -> int:
    return 2 * in_dim if op == "concat" else in_dim


class EdgeFeatGraphConv(nn.Module):
    """``[n_dst, out]`` from ``x_src [n_src, in]``, ``edge_index [2, E]`` and ``edge_feat [E, in]``."""

    takes_edge_feat = True

    def __init__(self, in_dim: int, out_dim: int, op: str = "concat"):
        super().__init__()
        self.op = op
        self.weight = nn.Parameter(torch.empty(in_width(in_dim, op), out_dim))
        nn.init.xavier_uniform_(self.weight, gain=nn.init.calculate_gain("linear"))

    def forward(self, x_src: torch.Tensor, edge_index: torch.Tensor, n_dst: int,
                edge_feat: Optional[torch.Tensor]) -> torch.Tensor:
        if edge_index.size(1) == 0:
            return x_src.new_zeros(n_dst, self.weight.size(1))
        if edge_feat is None:
            raise ValueError("this relation uses edge features but the block carries none")
        src, dst = edge_index
        m = combine(x_src[src], edge_feat, self.op) @ self.weight
        deg = torch.bincount(dst, minlength=n_dst).clamp(min=1).to(m.dtype)
        return scatter(m * deg[dst].rsqrt().unsqueeze(1), dst, 0, dim_size=n_dst, reduce="sum")


class EdgeFeatGATConv(nn.Module):
    """GraphStorm's ``GATConvwithEdgeFeat``, called like a PyG conv with ``edge_feat``.

    ``forward((x_src, x_dst), edge_index, size=None, edge_feat=[E, in])`` -> ``[n_dst, heads, out]``.
    """

    takes_edge_feat = True

    def __init__(self, in_dim: int, out_per_head: int, heads: int, op: str = "concat", bias: bool = False,
                 edge_dropout: float = 0.0, negative_slope: float = 0.2):
        super().__init__()
        self.op, self.heads, self.out = op, heads, out_per_head
        self.fc_src = nn.Linear(in_width(in_dim, op), heads * out_per_head, bias=False)
        self.fc_dst = nn.Linear(in_dim, heads * out_per_head, bias=False)
        gain = nn.init.calculate_gain("relu")
        nn.init.xavier_normal_(self.fc_src.weight, gain=gain)
        nn.init.xavier_normal_(self.fc_dst.weight, gain=gain)
        self.bias = nn.Parameter(torch.zeros(heads * out_per_head)) if bias else None
        self.edge_drop = nn.Dropout(edge_dropout)
        self.leaky_relu = nn.LeakyReLU(negative_slope)

    def forward(self, x, edge_index: torch.Tensor, size=None, edge_feat: Optional[torch.Tensor] = None):
        x_src, x_dst = x
        n_dst = x_dst.size(0)
        if edge_index.size(1) == 0:
            return x_dst.new_zeros(n_dst, self.heads, self.out)
        if edge_feat is None:
            raise ValueError("this relation uses edge features but the block carries none")
        src, dst = edge_index
        m = self.fc_src(combine(x_src[src], self.edge_drop(edge_feat), self.op)).view(-1, self.heads, self.out)
        q = self.fc_dst(x_dst).view(-1, self.heads, self.out)
        attn = softmax(self.leaky_relu(m + q[dst]), dst, num_nodes=n_dst)      # per head and channel
        out = scatter(attn * m, dst, 0, dim_size=n_dst, reduce="sum")
        if self.bias is not None:
            out = out + self.bias.view(1, self.heads, self.out)
        return out
