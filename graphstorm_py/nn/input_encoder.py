"""The input encoder: node features (and/or learnable embeddings) -> ``hidden_size``.

This is GraphStorm's ``GSNodeEncoderInputLayer``, per node type ``t`` with feature width
``d_t`` and hidden width ``h``:

* **features only** (default for a type with features):
  :math:`x = \\mathrm{feat} \\, W_t`, with :math:`W_t \\in \\mathbb{R}^{d_t \\times h}`.
* **no features** (or :math:`d_t = 0`): every node gets a learnable row
  :math:`e_v \\in \\mathbb{R}^h` of a sparse ``torch.nn.Embedding``, projected once more:
  :math:`x = e_v P_t` with :math:`P_t \\in \\mathbb{R}^{h \\times h}`.
* **features and** ``use_node_embeddings``: concatenate then project,
  :math:`x = [\\mathrm{feat}\\, W_t \\,\\|\\, e_v] \\, P_t` with
  :math:`P_t \\in \\mathbb{R}^{2h \\times h}`.

Then an optional activation (GraphStorm's ``input_activate``, off by default), dropout, and
``num_ffn_layers_in_input`` NGNN layers (:class:`~graphstorm_py.nn.ngnn.NGNNMLP`).
Projections are bias-free and Xavier-uniform (ReLU gain); embeddings start uniform in
``[-1, 1]``; all as in GraphStorm.

The embedding tables are *sparse* parameters: train them with ``torch.optim.SparseAdam``
(GraphStorm's ``sparse_optimizer_lr``) and the rest with Adam::

    dense = torch.optim.Adam(model.dense_parameters(), lr=lr)
    sparse = torch.optim.SparseAdam(encoder.sparse_parameters(), lr=sparse_lr)
"""

from __future__ import annotations

from typing import Dict, Iterator, Mapping, Optional, Sequence

import torch
from torch import nn

from graphstorm_py.nn.activation_norm import get_activation
from graphstorm_py.nn.ngnn import NGNNMLP

__all__ = ["NodeInputEncoder", "embedding_table"]


def embedding_table(ntype: str, num_nodes: int, dim: int) -> nn.Module:
    """The default learnable table of a node type: ``nn.Embedding(sparse=True)``, uniform in ``[-1, 1]``."""
    emb = nn.Embedding(int(num_nodes), dim, sparse=True)
    nn.init.uniform_(emb.weight, -1.0, 1.0)
    return emb


def _xavier(*shape: int) -> nn.Parameter:
    w = nn.Parameter(torch.empty(*shape))
    nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("relu"))
    return w


class NodeInputEncoder(nn.Module):
    """Projects each node type's features, or learnable embeddings, to ``hidden_size``.

    Args:
        num_nodes: ``{ntype: number of nodes}``; sizes the embedding tables.
        feat_dims: ``{ntype: feature width}``; a missing type or width 0 means "no features".
        hidden_size: output width ``h``.
        use_node_embeddings: also give featured types a learnable embedding (concatenated
            with the projected features, then projected again).
        dropout: dropout after the projection.
        activation: optional activation name after the projection (default none).
        num_ffn_layers_in_input: NGNN layers after the projection, per node type.
        no_input: node types that get neither a projection nor an embedding (their vectors are
            constructed from neighbours: ``construct_feat_ntype``); they are left out of the output.
        make_embedding: ``(ntype, num_nodes, dim) -> module`` that makes a learnable table (default
            :func:`embedding_table`; a distributed run makes owner shards with the same initial rows).

    Forward: ``forward(nids, feats)`` with ``nids = {ntype: LongTensor [n]}`` and
    ``feats = {ntype: FloatTensor [n, d_t] or None}``; returns ``{ntype: [n, h]}`` for every
    type in ``nids``.
    """

    def __init__(self, num_nodes: Mapping[str, int], feat_dims: Mapping[str, int], hidden_size: int, *,
                 use_node_embeddings: bool = False, dropout: float = 0.0, activation: Optional[str] = None,
                 num_ffn_layers_in_input: int = 0, no_input: Sequence[str] = (), make_embedding=None):
        super().__init__()
        self.no_input = set(no_input)
        self.hidden_size = hidden_size
        self.use_node_embeddings = use_node_embeddings
        self.feat_dims = {t: int(feat_dims.get(t, 0) or 0) for t in num_nodes}
        self.input_projs = nn.ParameterDict()
        self.proj_matrix = nn.ParameterDict()
        self.embeds = nn.ModuleDict()
        for t, n in num_nodes.items():
            d = self.feat_dims[t]
            if t in self.no_input:
                continue
            if d > 0:
                self.input_projs[t] = _xavier(d, hidden_size)
            if d == 0 or use_node_embeddings:
                self.embeds[t] = (make_embedding or embedding_table)(t, int(n), hidden_size)
                self.proj_matrix[t] = _xavier(2 * hidden_size if d > 0 else hidden_size, hidden_size)
        self.activation = get_activation(activation)
        self.dropout = nn.Dropout(dropout)
        self.ngnn = nn.ModuleDict({t: NGNNMLP(hidden_size, hidden_size, num_ffn_layers_in_input, dropout=dropout)
                                   for t in num_nodes}) if num_ffn_layers_in_input > 0 else None

    @property
    def out_dims(self) -> int:
        return self.hidden_size

    @property
    def is_linear(self) -> bool:
        """Whether featured types are encoded by the projection alone (no activation, dropout or NGNN)."""
        return self.activation is None and self.dropout.p == 0 and self.ngnn is None

    def forward(self, nids: Mapping[str, torch.Tensor],
                feats: Optional[Mapping[str, Optional[torch.Tensor]]] = None, *,
                lazy: bool = False) -> Dict[str, torch.Tensor]:
        """``lazy=True`` (only when :attr:`is_linear`): featured types without embeddings come back
        as :class:`~graphstorm_py.nn.encoders.rgcn.LinearInput` ``(feat, projection)``, for the
        first rgcn layer to aggregate before projecting."""
        feats = feats or {}
        out: Dict[str, torch.Tensor] = {}
        for t, ids in nids.items():
            if t in self.no_input:
                continue
            if lazy and self.is_linear and t in self.input_projs and t not in self.embeds and feats.get(t) is not None:
                from graphstorm_py.nn.encoders.rgcn import LinearInput
                proj = self.input_projs[t]
                out[t] = LinearInput(feats[t].to(proj.device).float(), proj)
                continue
            x = self._encode(t, ids, feats.get(t))
            if self.activation is not None:
                x = self.activation(x)
            x = self.dropout(x)
            if self.ngnn is not None:
                x = self.ngnn[t](x)
            out[t] = x
        return out

    def _encode(self, t: str, ids: torch.Tensor, feat: Optional[torch.Tensor]) -> torch.Tensor:
        if t in self.input_projs:
            if feat is None:
                raise ValueError(f"node type {t!r} was built with {self.feat_dims[t]} feature columns "
                                 "but no features were given")
            x = feat.to(self.input_projs[t].device).float() @ self.input_projs[t]
            if t in self.embeds:
                x = torch.cat([x, self._lookup(t, ids)], dim=1) @ self.proj_matrix[t]
            return x
        if t not in self.embeds:
            raise KeyError(f"unknown node type {t!r}")
        return self._lookup(t, ids) @ self.proj_matrix[t]

    def _lookup(self, t: str, ids: torch.Tensor) -> torch.Tensor:
        emb = self.embeds[t]
        return emb(ids.to(emb.weight.device, torch.long))

    def sparse_parameters(self) -> Iterator[nn.Parameter]:
        """The embedding tables, for ``torch.optim.SparseAdam``."""
        for emb in self.embeds.values():
            yield emb.weight

    def dense_parameters(self) -> Iterator[nn.Parameter]:
        """Every parameter that is not an embedding table, for ``torch.optim.Adam``."""
        sparse = {id(p) for p in self.sparse_parameters()}
        return (p for p in self.parameters() if id(p) not in sparse)
