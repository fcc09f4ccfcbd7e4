"""The assembled model: input encoder -> GNN encoder -> one decoder per task.

::

    h0  = input_encoder(input_nodes, feats)      # {ntype: [n_src, hidden]}   (features / sparse embeddings)
    emb = gnn(blocks, h0)                         # {ntype: [n_seeds, hidden]}
    out = decoders[task.name](emb[...])           # task head: logits, values, scores

The model knows nothing about tasks, samplers or files: tasks build their decoders, embedders
(:mod:`graphstorm_py.model.embed`) feed it blocks, and checkpoints
(:mod:`graphstorm_py.model.checkpoint`) save it by *layer*, GraphStorm's ``restore_model_layers``
vocabulary:

=============== =============================================================
layer           parameters
=============== =============================================================
``embed``       the input encoder (``dense_embed`` + ``sparse_embed``)
``dense_embed`` input projections and NGNN layers of the input encoder
``sparse_embed`` the learnable node-embedding tables (trained with SparseAdam)
``gnn``         the GNN encoder
``decoder``     every task head, ``decoders.<task name>``
=============== =============================================================
"""

from __future__ import annotations

from typing import Callable, Dict, Iterator, List, Mapping, Optional, Sequence

import torch
from torch import nn

from graphstorm_py.nn.encoders.base import GNNEncoder
from graphstorm_py.nn.input_encoder import NodeInputEncoder
from graphstorm_py.sampling.block import Block

__all__ = ["GNNModel", "LAYER_PREFIXES", "SPARSE_EMBED_PREFIX"]

SPARSE_EMBED_PREFIX = "input_encoder.embeds."
# a linear input encoder hands an rgcn first layer (feat, projection) pairs, so the projection runs on the
# aggregated destination rows only (see rgcn.LinearInput); False: project every input node first (the old path)
_FUSE_INPUT = True
LAYER_PREFIXES: Dict[str, List[str]] = {
    "embed": ["input_encoder."],
    "dense_embed": ["input_encoder."],      # minus the sparse tables, see GNNModel.layer_of
    "sparse_embed": [SPARSE_EMBED_PREFIX],
    "gnn": ["gnn."],
    "decoder": ["decoders."],
}

FeatureFn = Callable[[Mapping[str, torch.Tensor]], Dict[str, torch.Tensor]]


class GNNModel(nn.Module):
    """Input encoder, GNN encoder and task decoders (a ``ModuleDict`` keyed by task name).

    Args:
        input_encoder: features / learnable embeddings -> ``hidden_size``.
        gnn: a :class:`~graphstorm_py.nn.encoders.base.GNNEncoder`.
        decoders: ``{task name: head}``; a head maps embeddings of the task's targets to outputs.
    """

    def __init__(self, input_encoder: NodeInputEncoder, gnn: GNNEncoder, decoders: Mapping[str, nn.Module]):
        super().__init__()
        self.input_encoder = input_encoder
        self.gnn = gnn
        self.decoders = nn.ModuleDict(dict(decoders))

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @property
    def out_dims(self) -> int:
        return self.gnn.out_size

    def forward(self, blocks: Sequence[Block], input_nodes: Mapping[str, torch.Tensor],
                feats: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """Embeddings of the output nodes of ``blocks[-1]``, ``{ntype: [n_seeds, out_dims]}``.

        ``input_nodes`` are ``blocks[0].src_nodes`` and ``feats`` their features (featured types).
        """
        if hasattr(self.input_encoder, "set_seeds"):     # LM input layer: seeds are the input nodes' prefix
            self.input_encoder.set_seeds(blocks[-1].dst_nodes if blocks else input_nodes)
        if _FUSE_INPUT and len(blocks) > 0 and self._first_layer_takes_linear_input():
            h = self.input_encoder(input_nodes, feats, lazy=True)   # rgcn projects after aggregating
        else:
            h = self.input_encoder(input_nodes, feats)
        return self.gnn(blocks, h)

    def _first_layer_takes_linear_input(self) -> bool:
        from graphstorm_py.nn.encoders.rgcn import RelGraphConvLayer
        layers = getattr(self.gnn, "layers", None)
        return (bool(layers) and isinstance(layers[0], RelGraphConvLayer)
                and type(self.gnn).layer_forward is GNNEncoder.layer_forward
                and type(self.gnn).forward is GNNEncoder.forward and getattr(self.input_encoder, "is_linear", False))

    @torch.no_grad()
    def full_graph_embeddings(self, csc, num_nodes: Mapping[str, int], features: FeatureFn,
                              batch_size: int = 4096, device=None) -> Dict[str, torch.Tensor]:
        """Exact embeddings of *every* node by layer-wise full-neighbour inference (on CPU).

        The input layer is computed batch by batch from ``features`` (e.g. a
        :class:`~graphstorm_py.model.features.NodeFeatureSource`); then each GNN layer runs
        once over all nodes (:meth:`GNNEncoder.full_inference`). The model is put in eval mode
        for the call and restored after.
        """
        was_training = self.training
        self.eval()
        try:
            def h0(nids: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
                return self.input_encoder(nids, features(nids))
            return self.gnn.full_inference(csc, num_nodes, h0, batch_size=batch_size, device=device)
        finally:
            self.train(was_training)

    # ---- parameter groups -------------------------------------------------------------
    def sparse_parameters(self) -> Iterator[nn.Parameter]:
        """The node-embedding tables, for ``torch.optim.SparseAdam``."""
        return self.input_encoder.sparse_parameters()

    def dense_parameters(self) -> Iterator[nn.Parameter]:
        """Everything else, for ``torch.optim.Adam``."""
        sparse = {id(p) for p in self.sparse_parameters()}
        return (p for p in self.parameters() if id(p) not in sparse)

    @staticmethod
    def layer_of(key: str) -> str:
        """The checkpoint layer (``sparse_embed``, ``dense_embed``, ``gnn``, ``decoder``) of a state key."""
        if key.startswith(SPARSE_EMBED_PREFIX):
            return "sparse_embed"
        for layer in ("dense_embed", "gnn", "decoder"):
            if any(key.startswith(p) for p in LAYER_PREFIXES[layer]):
                return layer
        raise KeyError(f"state key {key!r} belongs to no model layer")

    @staticmethod
    def expand_layers(layers: Sequence[str]) -> set:
        """``restore_model_layers`` names as the set of fine layers they cover."""
        out = set()
        for layer in layers:
            out |= {"dense_embed", "sparse_embed"} if layer == "embed" else {layer}
        return out
