"""Feature construction for featureless node types (GraphStorm's ``construct_feat_ntype``).

Instead of a learnable embedding per node, a node of a type listed in ``construct_feat_ntype``
gets an input vector *computed from its neighbours*: one extra RGCN-style layer
(``construct_feat_encoder: rgcn``), without a self-loop (the node has no input of its own), over
the relations that end in the type, run before the GNN::

    x_i = \\mathrm{ReLU}\\Big(\\sum_{r:\\,\\mathrm{dst}(r) = \\tau(i)} \\frac{1}{|\\mathcal N_r(i)|}
          \\sum_{j \\in \\mathcal N_r(i)} h_j W_r \\; + \\; b\\Big)

where :math:`h_j` are the input encodings of the neighbours (their features or embeddings). The
sampler adds one input-side block for it, with ``construct_feat_fanout`` neighbours per relation
into a constructed type (GraphStorm's default 5) and no other edges; layer-wise inference first
constructs the vectors of every such node from all its neighbours. This is GraphStorm's
``GNNEncoderWithReconstructedEmbed`` with its ``RelGraphConvLayer(self_loop=False)``.
"""

from __future__ import annotations

from typing import Dict, Mapping, Sequence

import torch
from torch import nn

from graphstorm_py.nn.encoders.rgcn import mean_aggregate
from graphstorm_py.sampling.block import Block
from graphstorm_py.typing import EdgeType

__all__ = ["FeatureConstructor", "construct_relations"]


def construct_relations(etypes: Sequence[EdgeType], ntypes: Sequence[str]) -> list:
    """The relations that feed a constructed type: those ending in it from a type that has input."""
    targets = set(ntypes)
    return [tuple(e) for e in etypes if e[2] in targets and e[0] not in targets]


class FeatureConstructor(nn.Module):
    """Computes the input vectors of the ``ntypes`` nodes of a block's destination side.

    Args:
        ntypes: the constructed node types (``construct_feat_ntype``).
        etypes: the graph's edge types; the relations into ``ntypes`` are used.
        hidden_size: input and output width.
    """

    def __init__(self, ntypes: Sequence[str], etypes: Sequence[EdgeType], hidden_size: int):
        super().__init__()
        self.ntypes = list(ntypes)
        self.etypes = construct_relations(etypes, ntypes)
        self.weight = nn.Parameter(torch.empty(max(len(self.etypes), 1), hidden_size, hidden_size))
        nn.init.xavier_uniform_(self.weight, gain=nn.init.calculate_gain("relu"))
        self.h_bias = nn.Parameter(torch.zeros(hidden_size))
        self.hidden_size = hidden_size

    def forward(self, block: Block, h_src: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """``{ntype: [n_dst, hidden]}`` for the constructed types with destination nodes in ``block``."""
        out: Dict[str, torch.Tensor] = {}
        for t in self.ntypes:
            n = block.num_dst(t)
            if n == 0:
                continue
            ref = next(iter(h_src.values())) if h_src else self.h_bias
            out[t] = ref.new_zeros(n, self.hidden_size)
        for r, et in enumerate(self.etypes):
            s, _, d = et
            ei = block.edge_index.get(et)
            if d not in out or s not in h_src or ei is None or ei.size(1) == 0:
                continue
            out[d] = out[d] + mean_aggregate(h_src[s], ei, out[d].size(0)) @ self.weight[r]
        return {t: torch.relu(x + self.h_bias) for t, x in out.items()}
