"""GAT: graph attention (Veličković et al., 2018, https://arxiv.org/abs/1710.10903), GraphStorm's ``GATEncoder``.

Per layer, PyG ``GATConv(in, out // K, heads=K, add_self_loops=False, bias=False)`` on the
block's bipartite pair ``(x_src, x_dst)`` with a shared projection :math:`W`:

.. math::
    h_i' = \\sigma\\Big(\\big\\Vert_{k=1}^{K} \\sum_{j \\in \\mathcal N(i)} \\alpha^k_{ij} W^k h_j\\Big),
    \\quad \\alpha^k_{ij} = \\mathrm{softmax}_j\\big(\\mathrm{LeakyReLU}_{0.2}(a^{k\\top}_{s} W^k h_j
    + a^{k\\top}_{d} W^k h_i)\\big)

Per GraphStorm: dropout on the layer input, ReLU after every layer (the last included), then
NGNN; no norm. GraphStorm builds a self-loop graph but runs the convolution on the original
block, so in effect no self-loops are added and a node without in-edges gets 0; we do the same.

GraphStorm's ``gat`` is for homogeneous graphs; with several relations we sum one ``GATConv``
per relation, and a node type that no relation reaches gets a bias-free linear self-transform.
"""

from __future__ import annotations

from typing import Dict, Mapping, Sequence

import torch
from torch import nn
from torch_geometric.nn import GATConv

from graphstorm_py.nn.encoders import GNN_ENCODERS
from graphstorm_py.nn.encoders.base import GNNEncoder, LayerTail
from graphstorm_py.nn.encoders.relational import check_block_etypes, dst_prefix, relation_sum
from graphstorm_py.nn.encoders.sage import unreached_self_lins
from graphstorm_py.sampling.block import Block
from graphstorm_py.typing import EdgeType

__all__ = ["GATLayer", "GATEncoder"]


class GATLayer(nn.Module):
    """One GAT layer over a block. Shapes: ``{t: [n_src_t, in_dim]} -> {t: [n_dst_t, out_dim]}``."""

    def __init__(self, in_dim: int, out_dim: int, ntypes: Sequence[str], etypes: Sequence[EdgeType],
                 num_heads: int, dropout: float = 0.0, tail: LayerTail = None):
        super().__init__()
        self.ntypes, self.etypes = list(ntypes), list(etypes)
        self.etype_index = {e: i for i, e in enumerate(self.etypes)}
        self.convs = nn.ModuleList(GATConv(in_dim, out_dim // num_heads, heads=num_heads,
                                           add_self_loops=False, bias=False) for _ in self.etypes)
        self.self_lins = unreached_self_lins(self.ntypes, self.etypes, in_dim, out_dim)
        self.feat_drop = nn.Dropout(dropout)
        self.tail = tail or LayerTail(ntypes, out_dim)

    def forward(self, block: Block, h_src: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        check_block_etypes(block, self.etype_index)
        h_src = {t: self.feat_drop(x) for t, x in h_src.items()}
        h_dst = dst_prefix(block, h_src)
        out = relation_sum(self.convs, self.etypes, block, h_src, h_dst)
        for i, t in enumerate(self.ntypes):
            if str(i) in self.self_lins and t in h_dst:
                out[t] = self.self_lins[str(i)](h_dst[t])
        return {t: self.tail(h, t) for t, h in out.items()}


@GNN_ENCODERS.register("gat")
class GATEncoder(GNNEncoder):
    """GAT encoder; see the module docstring."""

    default_last_layer_act = True

    def _make_layer(self, l: int, in_dim: int, out_dim: int, last: bool) -> nn.Module:
        self._check_heads(out_dim)
        tail = LayerTail(self.ntypes, out_dim, activation=self.activation if (not last or self.last_layer_act) else None,
                         num_ffn_layers=self.num_ffn_layers_in_gnn, dropout=0.0, ngnn_dropout=self.dropout)
        return GATLayer(in_dim, out_dim, self.ntypes, self.etypes, self.num_heads, self.dropout, tail)
