"""GATv2 (Brody et al., 2022, https://arxiv.org/abs/2105.14491), GraphStorm's ``gatv2`` encoder.

Per layer, PyG ``GATv2Conv(in, out // K, heads=K, add_self_loops=False, share_weights=False,
bias=True)`` on the block's bipartite pair ``(x_src, x_dst)``, with separate source and target
projections :math:`W_s, W_t` (DGL's ``GATv2Conv`` default, which GraphStorm uses):

.. math::
    h_i' = \\sigma\\Big(\\big\\Vert_{k=1}^{K} \\sum_{j \\in \\mathcal N(i)} \\alpha^k_{ij} W^k_s h_j + b\\Big),
    \\quad \\alpha^k_{ij} = \\mathrm{softmax}_j\\big(a^{k\\top} \\mathrm{LeakyReLU}_{0.2}(W^k_s h_j + W^k_t h_i)\\big)

The attention is computed *after* the non-linearity, which makes it "dynamic" (GATv2's point).
Per GraphStorm: dropout on the layer input (DGL's ``feat_drop``), ReLU after hidden layers (the
last layer only with ``last_layer_act``), NGNN after hidden layers; no norm. As for ``gat``, no
self-loops are added, so a node without in-edges gets only the bias.

GraphStorm's ``gatv2`` is for homogeneous graphs; with several relations we sum one
``GATv2Conv`` per relation, and a node type that no relation reaches gets a bias-free linear
self-transform (see :class:`~graphstorm_py.nn.encoders.relational.PerRelationLayer`).
"""

from __future__ import annotations

from typing import Sequence

from torch import nn
from torch_geometric.nn import GATv2Conv

from graphstorm_py.nn.encoders import GNN_ENCODERS
from graphstorm_py.nn.encoders.base import GNNEncoder, LayerTail
from graphstorm_py.nn.encoders.relational import PerRelationLayer
from graphstorm_py.typing import EdgeType

__all__ = ["GATv2Layer", "GATv2Encoder"]


class _GATv2Conv(GATv2Conv):
    """PyG's ``GATv2Conv`` called like the other convolutions (it takes no ``size``: the pair sets it)."""

    def forward(self, x, edge_index, size=None, **kwargs):
        return super().forward(x, edge_index, **kwargs)


class GATv2Layer(PerRelationLayer):
    """One GATv2 layer over a block. Shapes: ``{t: [n_src_t, in_dim]} -> {t: [n_dst_t, out_dim]}``."""

    def __init__(self, in_dim: int, out_dim: int, ntypes: Sequence[str], etypes: Sequence[EdgeType],
                 num_heads: int, dropout: float = 0.0, tail: LayerTail = None):
        convs = nn.ModuleList(_GATv2Conv(in_dim, out_dim // num_heads, heads=num_heads, add_self_loops=False,
                                        share_weights=False, bias=True) for _ in etypes)
        super().__init__(convs, in_dim, out_dim, ntypes, etypes, dropout, tail or LayerTail(ntypes, out_dim))


@GNN_ENCODERS.register("gatv2")
class GATv2Encoder(GNNEncoder):
    """GATv2 encoder; see the module docstring."""

    def _make_layer(self, l: int, in_dim: int, out_dim: int, last: bool) -> nn.Module:
        self._check_heads(out_dim)
        act = (not last) or self.last_layer_act
        tail = LayerTail(self.ntypes, out_dim, activation=self.activation if act else None,
                         num_ffn_layers=0 if last else self.num_ffn_layers_in_gnn, dropout=0.0,
                         ngnn_dropout=self.dropout)
        return GATv2Layer(in_dim, out_dim, self.ntypes, self.etypes, self.num_heads, self.dropout, tail)
