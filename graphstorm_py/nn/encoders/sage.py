"""GraphSAGE (Hamilton et al., 2017, https://arxiv.org/abs/1706.02216), GraphStorm's ``SAGEEncoder``.

Per layer, with PyG ``SAGEConv`` on the block's bipartite pair ``(x_src, x_dst)``:

.. math::
    h_i' = \\sigma\\big(W_1 h_i + W_2 \\,\\mathrm{AGG}_{j \\in \\mathcal N(i)} m_j\\big)

* ``aggregator="pool"`` (what GraphStorm's built-in ``sage`` uses): :math:`m_j = \\mathrm{ReLU}(W_p h_j + b_p)`
  and AGG is the element-wise max (PyG ``SAGEConv(aggr="max", project=True)``).
* ``aggregator="mean"``: :math:`m_j = h_j`, AGG is the mean.

``W_1``, ``W_2`` have no bias (GraphStorm builds ``SAGEConv(bias=False)``); weights are
Xavier-uniform with the ReLU gain, as in DGL. A node without in-edges gets only :math:`W_1 h_i`.
Per GraphStorm: dropout on the layer *input*, then norm (hidden layers only) -> ReLU (every
layer, the last included) -> NGNN.

GraphStorm's ``sage`` is for homogeneous graphs. With several relations we sum one ``SAGEConv``
per relation (like ``HeteroConv``), and a node type that no relation reaches gets its own
bias-free linear self-transform so that it still has an embedding.
"""

from __future__ import annotations

from typing import Sequence

from torch import nn
from torch_geometric.nn import SAGEConv

from graphstorm_py.errors import ConfigError
from graphstorm_py.nn.encoders import GNN_ENCODERS
from graphstorm_py.nn.encoders.base import GNNEncoder, LayerTail
from graphstorm_py.nn.encoders.relational import PerRelationLayer
from graphstorm_py.typing import EdgeType

__all__ = ["SAGELayer", "SAGEEncoder"]

#: aggregator name -> SAGEConv keyword arguments
AGGREGATORS = {"pool": {"aggr": "max", "project": True}, "mean": {"aggr": "mean"}}


class SAGELayer(PerRelationLayer):
    """One GraphSAGE layer over a block. Shapes: ``{t: [n_src_t, in_dim]} -> {t: [n_dst_t, out_dim]}``."""

    def __init__(self, in_dim: int, out_dim: int, ntypes: Sequence[str], etypes: Sequence[EdgeType],
                 aggregator: str = "pool", dropout: float = 0.0, tail: LayerTail = None):
        if aggregator not in AGGREGATORS:
            raise ConfigError(f"unknown sage aggregator {aggregator!r}; valid choices: {', '.join(AGGREGATORS)}")
        convs = nn.ModuleList(SAGEConv(in_dim, out_dim, bias=False, **AGGREGATORS[aggregator]) for _ in etypes)
        gain = nn.init.calculate_gain("relu")
        for conv in convs:
            for lin in (conv.lin_l, conv.lin_r, getattr(conv, "lin", None)):
                if lin is not None:
                    nn.init.xavier_uniform_(lin.weight, gain=gain)
        super().__init__(convs, in_dim, out_dim, ntypes, etypes, dropout, tail or LayerTail(ntypes, out_dim))


@GNN_ENCODERS.register("sage")
class SAGEEncoder(GNNEncoder):
    """GraphSAGE encoder; see the module docstring."""

    default_last_layer_act = True

    def _make_layer(self, l: int, in_dim: int, out_dim: int, last: bool) -> nn.Module:
        tail = LayerTail(self.ntypes, out_dim, norm=None if last else self.norm,
                         activation=self.activation if (not last or self.last_layer_act) else None,
                         num_ffn_layers=self.num_ffn_layers_in_gnn, dropout=0.0, ngnn_dropout=self.dropout)
        return SAGELayer(in_dim, out_dim, self.ntypes, self.etypes, self.aggregator, self.dropout, tail)
