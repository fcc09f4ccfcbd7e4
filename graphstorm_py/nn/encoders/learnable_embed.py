"""``learnable_embed``: no message passing; a node's embedding is its input encoding.

GraphStorm's ``model_encoder_type: learnable_embed`` trains a learnable embedding for every
node (combined with the node's features when it has any, by the input encoder) and feeds it to
the decoders directly: a shallow, knowledge-graph-embedding style model (e.g. DistMult or
RotatE over learned node vectors). :func:`~graphstorm_py.model.build.build_model` therefore
turns ``use_node_embeddings`` on for it, and the sampler draws no neighbourhoods (the encoder
has no layers, so a mini-batch is its seeds alone).

The encoder is the identity on the seed rows: given blocks, it returns the rows of the last
block's destination nodes (a prefix of the input nodes, by the block contract); given none, it
returns its input. ``full_inference`` returns the input encoding of every node.
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional, Sequence

import torch
from torch import nn

from graphstorm_py.nn.encoders import GNN_ENCODERS
from graphstorm_py.nn.encoders.base import GNNEncoder
from graphstorm_py.sampling.block import Block
from graphstorm_py.typing import EdgeType

__all__ = ["LearnableEmbedEncoder"]


@GNN_ENCODERS.register("learnable_embed")
class LearnableEmbedEncoder(GNNEncoder):
    """The identity encoder of ``learnable_embed`` (``num_layers`` is 0 whatever is configured)."""

    def __init__(self, ntypes: Sequence[str], etypes: Sequence[EdgeType], hidden_size: int, num_layers: int = 0,
                 *, out_size: Optional[int] = None, **_ignored):
        nn.Module.__init__(self)
        self.ntypes = list(ntypes)
        self.etypes = [tuple(e) for e in etypes]
        self.etype_index = {e: i for i, e in enumerate(self.etypes)}
        self.hidden_size, self.num_layers = hidden_size, 0
        self.out_size = hidden_size     # no layer can change the width
        self.layers = nn.ModuleList()

    def forward(self, blocks: Sequence[Block], h: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        if not blocks:
            return dict(h)
        last = blocks[-1]
        return {t: h[t][: last.num_dst(t)] for t in last.dst_nodes if t in h}

    @torch.no_grad()
    def full_inference(self, graph_csc, num_nodes, h0, batch_size: int = 4096, device=None, edge_feats=None):
        return self._all_inputs(num_nodes, h0, batch_size)
