"""``model_encoder_type: lm`` / ``mlp``: no message passing.

GraphStorm's LM-only and MLP-only models: a node's embedding is its input layer's output (the
LM embedding and/or the projected features, then ``num_ffn_layers_in_input`` NGNN layers); the
decoder reads it directly. The sampler has no layers, so a batch's input nodes are its seeds.
"""

from __future__ import annotations

from typing import Dict, Mapping, Sequence

import torch
from torch import nn

from graphstorm_py.nn.encoders import GNN_ENCODERS
from graphstorm_py.nn.encoders.base import GNNEncoder

__all__ = ["NoGNNEncoder"]


@GNN_ENCODERS.register("lm")
@GNN_ENCODERS.register("mlp")
class NoGNNEncoder(nn.Module):
    """The identity over the input layer's output; has the encoder interface, no parameters."""

    def __init__(self, ntypes: Sequence[str], etypes, hidden_size: int, num_layers: int = 0, **_ignored):
        super().__init__()
        self.ntypes = list(ntypes)
        self.hidden_size = self.out_size = hidden_size
        self.num_layers = 0
        self.layers = nn.ModuleList()

    def forward(self, blocks, h: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        if len(blocks):
            raise ValueError(f"an encoder without message passing got {len(blocks)} blocks")
        return dict(h)

    @torch.no_grad()
    def full_inference(self, graph_csc, num_nodes: Mapping[str, int], h0, batch_size: int = 4096,
                       device=None, edge_feats=None) -> Dict[str, torch.Tensor]:    # no edges: edge_feats unused
        return GNNEncoder._all_inputs(num_nodes, h0, batch_size)
