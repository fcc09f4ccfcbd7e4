"""The GNN encoder base: a stack of message-passing layers over blocks, and layer-wise inference.

An encoder maps input embeddings of the source nodes of ``blocks[0]`` to embeddings of the
destination nodes of ``blocks[-1]``, one block per layer::

    h = input_encoder(batch.input_nodes, feats)         # {ntype: [n_src0, hidden]}
    out = encoder(batch.blocks, h)                      # {ntype: [n_seeds, out_size]}

Every encoder shares one constructor signature (the "metadata": node and edge types, sizes and
the GraphStorm hyper-parameters), so a config can build any of them through
:data:`~graphstorm_py.nn.encoders.GNN_ENCODERS`. A subclass only says how to make layer ``l``
(:meth:`GNNEncoder._make_layer`); a layer is called as ``layer(block, h_src) -> h_dst``.

**Layer-wise full-graph inference** (:meth:`GNNEncoder.full_inference`) is written once here,
in the style of PyG's ``BasicGNN.inference``: layer ``l`` is computed for *all* nodes, batch by
batch of destination nodes with *all* their in-neighbours, and stored before layer ``l+1``
starts. Each node's embedding at each layer is computed exactly once, so inference costs
``O(L·|E|)`` instead of the ``O(fanout^L)`` of mini-batch inference, and is exact.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from graphstorm_py.errors import ConfigError
from graphstorm_py.nn.activation_norm import get_activation, make_norm
from graphstorm_py.nn.full_blocks import CSC, full_neighbor_block
from graphstorm_py.nn.ngnn import NGNNMLP
from graphstorm_py.sampling.block import Block
from graphstorm_py.typing import EdgeType

__all__ = ["GNNEncoder", "LayerTail"]

H0 = Union[Mapping[str, torch.Tensor], Callable[[Dict[str, torch.Tensor]], Dict[str, torch.Tensor]]]


class LayerTail(nn.Module):
    """What GraphStorm applies after a layer's convolution, in order: norm -> activation ->
    NGNN feed-forward layers -> dropout. Each part is optional; the norm is per node type.
    The NGNN layers have their own dropout, ``ngnn_dropout`` (default: ``dropout``)."""

    def __init__(self, ntypes: Sequence[str], dim: int, *, norm: Optional[str] = None,
                 activation: Optional[str] = None, num_ffn_layers: int = 0, dropout: float = 0.0,
                 ngnn_dropout: Optional[float] = None):
        super().__init__()
        norms = {t: make_norm(norm, dim) for t in ntypes} if norm else {}
        self.norms = nn.ModuleDict({str(i): m for i, m in enumerate(norms.values())})
        self._norm_key = {t: str(i) for i, t in enumerate(norms)}
        self.activation = get_activation(activation)
        ngnn_dropout = dropout if ngnn_dropout is None else ngnn_dropout
        self.ngnn = NGNNMLP(dim, dim, num_ffn_layers, get_activation("relu"), ngnn_dropout) if num_ffn_layers else None
        self.dropout = nn.Dropout(dropout)

    def forward(self, h: torch.Tensor, ntype: str) -> torch.Tensor:
        if ntype in self._norm_key:
            norm = self.norms[self._norm_key[ntype]]
            if isinstance(norm, nn.BatchNorm1d) and norm.training and h.size(0) < 2:
                # batch statistics of 0 or 1 row do not exist (torch raises on 1): a batch with that
                # few nodes of a type is normalised with the running statistics instead
                h = F.batch_norm(h, norm.running_mean, norm.running_var, norm.weight, norm.bias, False, 0.0, norm.eps)
            else:
                h = norm(h)
        if self.activation is not None:
            h = self.activation(h)
        if self.ngnn is not None:
            h = self.ngnn(h)
        return self.dropout(h)


class GNNEncoder(nn.Module):
    """Base class of the GNN encoders.

    Args:
        ntypes: node types of the graph.
        etypes: canonical edge types ``(src, rel, dst)``; parameters are created per type, in order.
        hidden_size: input width, and width of the hidden layers.
        num_layers: number of message-passing layers (= number of blocks per batch).
        out_size: width of the last layer (default ``hidden_size``; GraphStorm's ``out_emb_size``).
        dropout: dropout rate (where each encoder applies it follows GraphStorm; see subclasses).
        activation: activation between layers (GraphStorm: relu).
        norm: ``None``, ``"batch"`` or ``"layer"`` (GraphStorm's ``gnn_norm``).
        num_ffn_layers_in_gnn: NGNN layers inside each layer.
        num_bases: RGCN weight bases; ``-1`` or ``>= len(etypes)`` means one full matrix per relation.
        num_heads: attention heads (rgat, gat, hgt); must divide the layer widths.
        use_self_loop: add a self-loop transform of the destination node (rgcn, rgat).
        aggregator: neighbour aggregation of ``sage``: ``"pool"`` (GraphStorm's built-in) or ``"mean"``.
        last_layer_act: activation after the last layer; ``None`` = this encoder's GraphStorm default.
        edge_feat_etypes: edge types whose edge features take part in message passing
            (``edge_feat_name``; rgcn, rgat, hgt, gat). Their blocks must carry ``edge_feats``.
        edge_feat_mp_op: how an edge feature meets the source embedding (``concat``, ``add``,
            ``sub``, ``mul``, ``div``); see :mod:`~graphstorm_py.nn.encoders.edge_feat`.
    """

    #: whether the encoder can use edge features in message passing
    supports_edge_feats: bool = False

    #: GraphStorm applies the activation after the last layer for some encoders only.
    default_last_layer_act: bool = False

    def __init__(self, ntypes: Sequence[str], etypes: Sequence[EdgeType], hidden_size: int, num_layers: int, *,
                 out_size: Optional[int] = None, dropout: float = 0.0, activation: str = "relu",
                 norm: Optional[str] = None, num_ffn_layers_in_gnn: int = 0, num_bases: int = -1,
                 num_heads: int = 4, use_self_loop: bool = True, aggregator: str = "pool",
                 last_layer_act: Optional[bool] = None, edge_feat_etypes: Sequence[EdgeType] = (),
                 edge_feat_mp_op: str = "concat"):
        super().__init__()
        if num_layers < 1:
            raise ConfigError(f"num_layers must be >= 1 for a GNN encoder, got {num_layers}")
        self.ntypes = list(ntypes)
        self.etypes: List[EdgeType] = [tuple(e) for e in etypes]  # type: ignore[misc]
        self.etype_index = {e: i for i, e in enumerate(self.etypes)}
        self.hidden_size, self.num_layers = hidden_size, num_layers
        self.out_size = out_size or hidden_size
        self.dropout, self.activation, self.norm = dropout, activation, norm
        self.num_ffn_layers_in_gnn, self.num_bases, self.num_heads = num_ffn_layers_in_gnn, num_bases, num_heads
        self.use_self_loop, self.aggregator = use_self_loop, aggregator
        self.last_layer_act = self.default_last_layer_act if last_layer_act is None else last_layer_act
        self.edge_feat_etypes = [tuple(e) for e in edge_feat_etypes]
        self.edge_feat_mp_op = edge_feat_mp_op
        if self.edge_feat_etypes and not self.supports_edge_feats:
            raise ConfigError(f"edge_feat_name: the {type(self).__name__} encoder cannot use edge features in "
                              "message passing; use rgcn, rgat, hgt or gat")
        self.layers = nn.ModuleList(
            self._make_layer(l, hidden_size, self.out_size if l == num_layers - 1 else hidden_size,
                             l == num_layers - 1)
            for l in range(num_layers))

    def _make_layer(self, l: int, in_dim: int, out_dim: int, last: bool) -> nn.Module:
        raise NotImplementedError

    def _check_heads(self, *dims: int) -> None:
        for d in dims:
            if d % self.num_heads:
                raise ConfigError(f"num_heads={self.num_heads} must divide the layer width {d}")

    @contextmanager
    def last_self_loop_skipped(self):
        """Run the last layer without its self-loop term (rgcn, rgat; a no-op for the others), as
        GraphStorm does for feature reconstruction: a node's own feature must not reach its
        reconstruction directly."""
        layer = self.layers[-1] if len(self.layers) else None
        if layer is None or not hasattr(layer, "skip_self_loop"):
            yield
            return
        old, layer.skip_self_loop = layer.skip_self_loop, True
        try:
            yield
        finally:
            layer.skip_self_loop = old

    def layer_forward(self, l: int, block: Block, h_src: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """Layer ``l`` on one block: ``{ntype: [n_src, in]} -> {ntype: [n_dst, out]}``."""
        return self.layers[l](block, h_src)

    def forward(self, blocks: Sequence[Block], h: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        if len(blocks) != self.num_layers:
            raise ValueError(f"encoder has {self.num_layers} layers but got {len(blocks)} blocks")
        for l, block in enumerate(blocks):
            h = self.layer_forward(l, block, h)
        return dict(h)

    @torch.no_grad()
    def full_inference(self, graph_csc: CSC, num_nodes: Mapping[str, int], h0: H0, batch_size: int = 4096,
                       device: Union[str, torch.device, None] = None,
                       edge_feats: Optional[Callable[[Block], Dict[EdgeType, torch.Tensor]]] = None
                       ) -> Dict[str, torch.Tensor]:
        """Exact embeddings of every node, computed layer by layer over all neighbours.

        Args:
            graph_csc: ``{etype: (indptr [N_dst+1], indices [E])}``: the whole graph as in-edge
                CSC per edge type, over global nids (``indices`` are source nids).
            num_nodes: ``{ntype: number of nodes}``.
            h0: the layer-0 input of all nodes: ``{ntype: [N, hidden]}``, or a callable mapping
                ``{ntype: nids}`` to ``{ntype: [len(nids), hidden]}`` (e.g. the input encoder
                with its feature lookup), called in batches of ``batch_size``.
            batch_size: destination nodes per step.
            device: where to compute (default: the encoder's device). Results are kept on CPU.
            edge_feats: ``block -> {etype: [E, hidden]}`` edge embeddings of a block's edges, for
                encoders with ``edge_feat_etypes`` (the model's edge input encoder over the store).

        Returns ``{ntype: [N, out_size]}`` on CPU. The module is put in eval mode while it runs.
        """
        device = torch.device(device) if device is not None else next(self.parameters()).device
        was_training = self.training
        self.eval()
        try:
            h = self._all_inputs(num_nodes, h0, batch_size)
            for l in range(self.num_layers):
                h = self._one_layer(l, graph_csc, num_nodes, h, batch_size, device, edge_feats)
        finally:
            self.train(was_training)
        return h

    @staticmethod
    def _all_inputs(num_nodes: Mapping[str, int], h0: H0, batch_size: int) -> Dict[str, torch.Tensor]:
        if not callable(h0):
            return {t: torch.as_tensor(x) for t, x in h0.items()}
        # a type with 0 nodes still gets its [0, hidden] rows (arange(0).split gives one empty chunk)
        return {t: torch.cat([h0({t: ids})[t].cpu() for ids in torch.arange(n).split(batch_size)])
                for t, n in num_nodes.items()}

    def _one_layer(self, l: int, csc: CSC, num_nodes: Mapping[str, int], h: Mapping[str, torch.Tensor],
                   batch_size: int, device: torch.device, edge_feats=None) -> Dict[str, torch.Tensor]:
        out: Dict[str, torch.Tensor] = {}
        for t, n in num_nodes.items():
            chunks = []
            for dst in torch.arange(n).split(batch_size):
                block = full_neighbor_block(csc, {t: dst}, self.etypes)
                if edge_feats is not None and self.edge_feat_etypes:
                    block.edge_feats = edge_feats(block)
                h_src = {u: h[u][nodes].to(device) for u, nodes in block.src_nodes.items() if u in h}
                chunks.append(self.layer_forward(l, block.to(device), h_src)[t].cpu())
            if chunks:
                out[t] = torch.cat(chunks)
        return out
