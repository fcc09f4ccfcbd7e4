"""NGNN: extra feed-forward layers inside a GNN layer (GraphStorm's ``num_ffn_layers_*``).

"Network in Graph Neural Network" (Song et al., 2021, https://arxiv.org/abs/2111.11638) deepens a
GNN by adding feed-forward layers inside each message-passing layer instead of adding more
message-passing layers. GraphStorm's ``NGNNMLP`` applies ``num_layers`` weight matrices
back to back, then one activation and dropout:

.. math::
    h' = \\mathrm{dropout}(\\sigma(h W_1 W_2 \\cdots W_k))

Note there is no non-linearity *between* the matrices; we keep that exactly, so configs
that set ``num_ffn_layers_in_gnn`` / ``num_ffn_layers_in_input`` behave as in GraphStorm.
Weights are Xavier-uniform with the ReLU gain, as in GraphStorm.
"""

from __future__ import annotations

from typing import Callable, Optional

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["NGNNMLP"]


class NGNNMLP(nn.Module):
    """``num_layers`` bias-free linear maps, then ``activation`` and dropout.

    Args:
        in_dim: input width.
        out_dim: output width (every matrix is ``[in_dim, out_dim]``, so stacking several
            needs ``in_dim == out_dim``).
        num_layers: number of matrices; 0 makes the module apply only activation+dropout.
        activation: applied once after the matrices (default ReLU).
        dropout: dropout rate after the activation.

    Shapes: ``[n, in_dim] -> [n, out_dim]``.
    """

    def __init__(self, in_dim: int, out_dim: int, num_layers: int = 0,
                 activation: Optional[Callable] = F.relu, dropout: float = 0.0):
        super().__init__()
        if num_layers > 1 and in_dim != out_dim:
            raise ValueError("stacked NGNN layers need in_dim == out_dim")
        self.weights = nn.ParameterList()
        for _ in range(num_layers):
            w = nn.Parameter(torch.empty(in_dim, out_dim))
            nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("relu"))
            self.weights.append(w)
        self.activation = activation
        self.dropout = nn.Dropout(dropout)

    @property
    def num_layers(self) -> int:
        return len(self.weights)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        for w in self.weights:
            h = h @ w
        if self.activation is not None:
            h = self.activation(h)
        return self.dropout(h)
