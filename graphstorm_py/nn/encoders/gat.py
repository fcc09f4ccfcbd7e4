"""GAT: graph attention (Veličković et al., 2018, https://arxiv.org/abs/1710.10903), GraphStorm's ``GATEncoder``.

Per layer, PyG ``GATConv(in, out // K, heads=K, bias=False)`` on the block's bipartite pair
``(x_src, x_dst)`` with a shared projection :math:`W`, self-loops included:

.. math::
    h_i' = \\sigma\\Big(\\big\\Vert_{k=1}^{K} \\sum_{j \\in \\mathcal N(i) \\cup \\{i\\}} \\alpha^k_{ij} W^k h_j\\Big),
    \\quad \\alpha^k_{ij} = \\mathrm{softmax}_j\\big(\\mathrm{LeakyReLU}_{0.2}(a^{k\\top}_{s} W^k h_j
    + a^{k\\top}_{d} W^k h_i)\\big)

Per GraphStorm: dropout on the layer input, ReLU after every layer (the last included), then
NGNN; no norm. GraphStorm means to add self-loops (it builds a self-loop block) but then runs
the convolution on the original block, so there a node without in-edges gets 0 and loses its
own features. We add the self-loops (PyG's default): such a node keeps :math:`W h_i`.

GraphStorm's ``gat`` is for homogeneous graphs; with several relations we sum one ``GATConv``
per relation. Only a relation from a type to itself can hold a self-loop (a block's
destination row ``i`` is source row ``i`` of the same type only), so a node type that no
relation from its own type reaches gets a bias-free linear self-transform instead, added to
the relations' sum.
"""

from __future__ import annotations

from typing import Sequence

from torch import nn
from torch_geometric.nn import GATConv

from graphstorm_py.nn.encoders import GNN_ENCODERS
from graphstorm_py.nn.encoders.base import GNNEncoder, LayerTail
from graphstorm_py.nn.encoders.edge_feat import EdgeFeatGATConv
from graphstorm_py.nn.encoders.relational import PerRelationLayer, unreached_self_lins
from graphstorm_py.typing import EdgeType

__all__ = ["GATLayer", "GATEncoder"]


class GATLayer(PerRelationLayer):
    """One GAT layer over a block. Shapes: ``{t: [n_src_t, in_dim]} -> {t: [n_dst_t, out_dim]}``."""

    def __init__(self, in_dim: int, out_dim: int, ntypes: Sequence[str], etypes: Sequence[EdgeType],
                 num_heads: int, dropout: float = 0.0, tail: LayerTail = None,
                 edge_feat_etypes: Sequence[EdgeType] = (), edge_feat_mp_op: str = "concat"):
        efs = {tuple(e) for e in edge_feat_etypes}
        convs = nn.ModuleList(
            EdgeFeatGATConv(in_dim, out_dim // num_heads, num_heads, edge_feat_mp_op, edge_dropout=dropout)
            if tuple(et) in efs else
            GATConv(in_dim, out_dim // num_heads, heads=num_heads, add_self_loops=et[0] == et[2], bias=False)
            for et in etypes)
        super().__init__(convs, in_dim, out_dim, ntypes, etypes, dropout, tail or LayerTail(ntypes, out_dim),
                         self_lin_same_type_only=True)
        if efs:   # edge-feature convolutions add no self-loops: their types need their own linear map
            self.self_lins = unreached_self_lins(ntypes, [e for e in etypes if tuple(e) not in efs],
                                                 in_dim, out_dim, same_type_only=True)


@GNN_ENCODERS.register("gat")
class GATEncoder(GNNEncoder):
    """GAT encoder; see the module docstring. Relations in ``edge_feat_etypes`` use
    :class:`~graphstorm_py.nn.encoders.edge_feat.EdgeFeatGATConv`."""

    supports_edge_feats = True

    default_last_layer_act = True

    def _make_layer(self, l: int, in_dim: int, out_dim: int, last: bool) -> nn.Module:
        self._check_heads(out_dim)
        tail = LayerTail(self.ntypes, out_dim, activation=self.activation if (not last or self.last_layer_act) else None,
                         num_ffn_layers=self.num_ffn_layers_in_gnn, dropout=0.0, ngnn_dropout=self.dropout)
        return GATLayer(in_dim, out_dim, self.ntypes, self.etypes, self.num_heads, self.dropout, tail,
                        self.edge_feat_etypes, self.edge_feat_mp_op)
