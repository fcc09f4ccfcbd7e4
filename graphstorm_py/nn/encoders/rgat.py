"""RGAT: relational graph attention (GraphStorm's ``RelationalAttLayer``).

One multi-head GAT (Veličković et al., 2018, https://arxiv.org/abs/1710.10903) per relation,
summed over the relations that reach a node type, plus a self-loop and a bias:

.. math::
    h_i' = \\sigma\\Big(\\sum_{r} \\big\\Vert_{k=1}^{K} \\sum_{j \\in \\mathcal N_r(i)}
           \\alpha^{k}_{ij,r}\\, h_j W^k_r \\;+\\; h_i W_0 + b\\Big), \\quad
    \\alpha^k_{ij,r} = \\mathrm{softmax}_j\\big(\\mathrm{LeakyReLU}(a^{k\\top}_{r,\\mathrm{src}} W^k_r h_j
                       + a^{k\\top}_{r,\\mathrm{dst}} W^k_r h_i)\\big)

Each relation uses PyG ``GATConv(in, out // K, heads=K, add_self_loops=False, bias=False)``
on the bipartite pair ``(x_src, x_dst)``; the source and destination share ``W_r``, as in DGL's
``GATConv``. Heads are concatenated, so ``num_heads`` must divide the width. A node with no
in-edges of a relation gets 0 from it.

Per GraphStorm: hidden layers apply norm -> ReLU -> NGNN -> dropout; the last layer none of
them unless ``last_layer_act``.
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional, Sequence

import torch
from torch import nn
from torch_geometric.nn import GATConv

from graphstorm_py.nn.encoders import GNN_ENCODERS
from graphstorm_py.nn.encoders.base import GNNEncoder, LayerTail
from graphstorm_py.nn.encoders.edge_feat import EdgeFeatGATConv
from graphstorm_py.nn.encoders.relational import check_block_etypes, dst_prefix, relation_sum
from graphstorm_py.sampling.block import Block
from graphstorm_py.typing import EdgeType

__all__ = ["RelationalAttLayer", "RGATEncoder"]


class RelationalAttLayer(nn.Module):
    """One RGAT layer over a block. Shapes: ``{t: [n_src_t, in_dim]} -> {t: [n_dst_t, out_dim]}``."""

    def __init__(self, in_dim: int, out_dim: int, ntypes: Sequence[str], etypes: Sequence[EdgeType],
                 num_heads: int, *, self_loop: bool = True, bias: bool = True, tail: Optional[LayerTail] = None,
                 edge_feat_etypes: Sequence[EdgeType] = (), edge_feat_mp_op: str = "concat"):
        super().__init__()
        self.out_dim = out_dim
        self.etypes = list(etypes)
        self.etype_index = {e: i for i, e in enumerate(self.etypes)}
        efs = {tuple(e) for e in edge_feat_etypes}
        self.convs = nn.ModuleList(
            EdgeFeatGATConv(in_dim, out_dim // num_heads, num_heads, edge_feat_mp_op) if et in efs else
            GATConv(in_dim, out_dim // num_heads, heads=num_heads, add_self_loops=False, bias=False)
            for et in self.etypes)
        self.loop_weight = None
        if self_loop:
            self.loop_weight = nn.Parameter(torch.empty(in_dim, out_dim))
            nn.init.xavier_uniform_(self.loop_weight, gain=nn.init.calculate_gain("relu"))
        self.h_bias = nn.Parameter(torch.zeros(out_dim)) if bias else None
        self.skip_self_loop = False   # see GNNEncoder.last_self_loop_skipped
        self.tail = tail or LayerTail(ntypes, out_dim)

    def forward(self, block: Block, h_src: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        check_block_etypes(block, self.etype_index)
        h_dst = dst_prefix(block, h_src)
        msgs = relation_sum(self.convs, self.etypes, block, h_src, h_dst)
        out = {}
        for t, x in h_dst.items():
            h = msgs[t] if t in msgs else x.new_zeros(x.size(0), self.out_dim)
            if self.loop_weight is not None and not self.skip_self_loop:
                h = h + x @ self.loop_weight
            if self.h_bias is not None:
                h = h + self.h_bias
            out[t] = self.tail(h, t)
        return out


@GNN_ENCODERS.register("rgat")
class RGATEncoder(GNNEncoder):
    """Relational GAT encoder (GraphStorm ``RelationalGATEncoder``); see the module docstring.

    With ``edge_feat_etypes`` those relations use
    :class:`~graphstorm_py.nn.encoders.edge_feat.EdgeFeatGATConv` (GraphStorm's ``GATConvwithEdgeFeat``)."""

    supports_edge_feats = True

    def _make_layer(self, l: int, in_dim: int, out_dim: int, last: bool) -> nn.Module:
        self._check_heads(out_dim)
        act = (not last) or self.last_layer_act
        tail = LayerTail(self.ntypes, out_dim, norm=self.norm if act else None,
                         activation=self.activation if act else None,
                         num_ffn_layers=0 if last else self.num_ffn_layers_in_gnn,
                         dropout=0.0 if last else self.dropout)
        return RelationalAttLayer(in_dim, out_dim, self.ntypes, self.etypes, self.num_heads,
                                  self_loop=self.use_self_loop, tail=tail, edge_feat_etypes=self.edge_feat_etypes,
                                  edge_feat_mp_op=self.edge_feat_mp_op)
