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
``dense_embed`` input projections and NGNN layers of the input encoder (and the edge input
                encoder of ``edge_feat_name``)
``sparse_embed`` the learnable node-embedding tables (trained with SparseAdam)
``gnn``         the GNN encoder (and the feature constructor of ``construct_feat_ntype``)
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
    "dense_embed": ["input_encoder.", "edge_input_encoder."],   # minus the sparse tables, see GNNModel.layer_of
    "sparse_embed": [SPARSE_EMBED_PREFIX],
    "gnn": ["gnn.", "feature_constructor."],
    "decoder": ["decoders."],
}

FeatureFn = Callable[[Mapping[str, torch.Tensor]], Dict[str, torch.Tensor]]


class GNNModel(nn.Module):
    """Input encoder, GNN encoder and task decoders (a ``ModuleDict`` keyed by task name).

    Args:
        input_encoder: features / learnable embeddings -> ``hidden_size``.
        gnn: a :class:`~graphstorm_py.nn.encoders.base.GNNEncoder`.
        decoders: ``{task name: head}``; a head maps embeddings of the task's targets to outputs.
        edge_input_encoder: projects raw edge features to ``hidden_size`` for message passing
            (``edge_feat_name``); ``None`` without edge features.
        feature_constructor: computes the inputs of featureless types from their neighbours on an
            extra first block (``construct_feat_ntype``,
            :class:`~graphstorm_py.nn.feature_construct.FeatureConstructor`); ``None``: off.
    """

    def __init__(self, input_encoder: NodeInputEncoder, gnn: GNNEncoder, decoders: Mapping[str, nn.Module],
                 edge_input_encoder: Optional[nn.Module] = None, feature_constructor: Optional[nn.Module] = None):
        super().__init__()
        self.input_encoder = input_encoder
        self.gnn = gnn
        self.decoders = nn.ModuleDict(dict(decoders))
        self.edge_input_encoder = edge_input_encoder
        self.feature_constructor = feature_constructor

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @property
    def out_dims(self) -> int:
        return self.gnn.out_size

    def forward(self, blocks: Sequence[Block], input_nodes: Mapping[str, torch.Tensor],
                feats: Mapping[str, torch.Tensor], edge_feats: Optional[Sequence[Mapping]] = None
                ) -> Dict[str, torch.Tensor]:
        """Embeddings of the output nodes of ``blocks[-1]``, ``{ntype: [n_seeds, out_dims]}``.

        ``input_nodes`` are ``blocks[0].src_nodes`` and ``feats`` their features (featured types).
        ``edge_feats``: raw edge features of each block's edges (``{etype: [E, d]}`` per block),
        projected by the edge input encoder into ``block.edge_feats`` for message passing.
        """
        if hasattr(self.input_encoder, "set_seeds"):     # LM input layer: seeds are the input nodes' prefix
            self.input_encoder.set_seeds(blocks[-1].dst_nodes if blocks else input_nodes)
        if edge_feats is not None and self.edge_input_encoder is not None:
            for block, raw in zip(blocks, edge_feats):
                block.edge_feats = self.edge_input_encoder(raw)
        if self.feature_constructor is not None:   # blocks[0] constructs the featureless types' inputs
            h = self.input_encoder(input_nodes, feats)
            built = self.feature_constructor(blocks[0], h)
            h = {t: x[: blocks[0].num_dst(t)] for t, x in h.items()}   # dst of blocks[0] = src of blocks[1]
            h.update(built)
            return self.gnn(blocks[1:], h)
        if _FUSE_INPUT and len(blocks) > 0 and self._first_layer_takes_linear_input():
            h = self.input_encoder(input_nodes, feats, lazy=True)   # rgcn projects after aggregating
        else:
            h = self.input_encoder(input_nodes, feats)
        return self.gnn(blocks, h)

    def _first_layer_takes_linear_input(self) -> bool:
        from graphstorm_py.nn.encoders.rgcn import RelGraphConvLayer
        layers = getattr(self.gnn, "layers", None)
        return (bool(layers) and isinstance(layers[0], RelGraphConvLayer) and self.feature_constructor is None
                and type(self.gnn).layer_forward is GNNEncoder.layer_forward
                and type(self.gnn).forward is GNNEncoder.forward and getattr(self.input_encoder, "is_linear", False))

    @torch.no_grad()
    def full_graph_embeddings(self, csc, num_nodes: Mapping[str, int], features: FeatureFn,
                              batch_size: int = 4096, device=None, edge_features=None) -> Dict[str, torch.Tensor]:
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
            if self.feature_constructor is not None:
                h0 = self._constructed_inputs(csc, num_nodes, h0, batch_size, device)
            efn = None
            if edge_features is not None and self.edge_input_encoder is not None:
                def efn(block: Block) -> Dict:
                    return self.edge_input_encoder(edge_features(block.eids))
            return self.gnn.full_inference(csc, num_nodes, h0, batch_size=batch_size, device=device, edge_feats=efn)
        finally:
            self.train(was_training)

    def _constructed_inputs(self, csc, num_nodes: Mapping[str, int], h0, batch_size: int, device):
        """``h0`` with the constructed types' inputs computed once from all their neighbours."""
        from graphstorm_py.nn.full_blocks import full_neighbor_block
        fc = self.feature_constructor
        device = torch.device(device) if device is not None else self.device
        table: Dict[str, torch.Tensor] = {}
        for t in fc.ntypes:
            chunks = []
            for ids in torch.arange(num_nodes.get(t, 0)).split(batch_size):
                block = full_neighbor_block(csc, {t: ids}, fc.etypes)
                h_src = {u: x.to(device) for u, x in h0({u: n for u, n in block.src_nodes.items() if u != t}).items()}
                chunks.append(fc(block.to(device), h_src)[t].cpu())
            if chunks:
                table[t] = torch.cat(chunks)

        def h0_built(nids: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
            out = h0({t: v for t, v in nids.items() if t not in table})
            out.update({t: table[t][v.cpu()].to(device) for t, v in nids.items() if t in table})
            return out
        return h0_built

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
