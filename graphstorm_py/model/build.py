"""Build a :class:`~graphstorm_py.model.gnn_model.GNNModel` from the ``gnn`` config and the graph.

Every GraphStorm model key maps to one constructor argument here, and the encoder itself
comes from the :data:`~graphstorm_py.nn.encoders.GNN_ENCODERS` registry (``model_encoder_type``),
so a new encoder needs no change in this file::

    model = build_model(cfg.gnn, num_nodes, etypes, features.dims,
                        {task.name: task.build_decoder(cfg.gnn.hidden_size) for task in tasks})
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

from torch import nn

from graphstorm_py.config.gnn import GNNConfig
from graphstorm_py.model.gnn_model import GNNModel
from graphstorm_py.errors import ConfigError
from graphstorm_py.nn.edge_input_encoder import EdgeInputEncoder
from graphstorm_py.nn.feature_construct import FeatureConstructor, construct_relations
from graphstorm_py.nn.encoders import build_gnn_encoder
from graphstorm_py.nn.input_encoder import NodeInputEncoder
from graphstorm_py.typing import EdgeType

__all__ = ["build_model"]


def build_model(gnn: GNNConfig, num_nodes: Mapping[str, int], etypes: Sequence[EdgeType],
                feat_dims: Mapping[str, int], decoders: Mapping[str, nn.Module],
                edge_feat_dims: Optional[Mapping[EdgeType, int]] = None, lm_inputs=None,
                make_embedding=None) -> GNNModel:
    """Input encoder + the configured GNN encoder + the given task decoders.

    Args:
        gnn: the resolved ``gnn`` concern of the training config.
        num_nodes: ``{ntype: count}`` (sizes the sparse embedding tables).
        etypes: canonical edge types; the encoder has parameters per type, in this order.
        feat_dims: ``{ntype: input feature width}`` of the featured node types.
        decoders: ``{task name: head}`` built by the tasks.
        edge_feat_dims: ``{etype: raw edge feature width}`` of ``edge_feat_name`` (message passing
            with edge features, combined by ``edge_feat_mp_op``); ``None``: no edge features.
        lm_inputs: LM input-layer arguments (:func:`graphstorm_py.lm.build.lm_input_args`), or None.
        make_embedding: makes the learnable tables (see :class:`NodeInputEncoder`); None: whole tables.
    """
    learnable = gnn.model_encoder_type == "learnable_embed"   # embeddings are the whole encoder
    constructed = list(gnn.construct_feat_ntype or [])
    for t in constructed:
        if t not in num_nodes:
            raise ConfigError(f"construct_feat_ntype names node type {t!r}, which the graph does not have; "
                              f"node types: {', '.join(num_nodes)}")
        if feat_dims.get(t):
            raise ConfigError(f"construct_feat_ntype: node type {t!r} has node features; only featureless "
                              "types get constructed features")
    if constructed and not construct_relations(etypes, constructed):
        raise ConfigError(f"construct_feat_ntype: no edge type leads into {', '.join(constructed)} from a "
                          "node type with input, so there is nothing to construct features from")
    encoder_cls, extra_in = NodeInputEncoder, {}
    if lm_inputs is not None:
        from graphstorm_py.lm.input_layer import LMNodeInputEncoder
        encoder_cls, extra_in = LMNodeInputEncoder, dict(lm_inputs)
    if constructed:
        extra_in["no_input"] = constructed
    if make_embedding is not None:
        extra_in["make_embedding"] = make_embedding
    input_encoder = encoder_cls(
        num_nodes, feat_dims, gnn.hidden_size, use_node_embeddings=gnn.use_node_embeddings or learnable,
        dropout=gnn.dropout, activation=None if gnn.input_activate == "none" else gnn.input_activate,
        num_ffn_layers_in_input=gnn.num_ffn_layers_in_input, **extra_in)
    extra = {"aggregator": gnn.sage_aggregator} if gnn.model_encoder_type == "sage" else {}
    edge_encoder = None
    if edge_feat_dims:
        extra.update(edge_feat_etypes=list(edge_feat_dims), edge_feat_mp_op=gnn.edge_feat_mp_op)
        edge_encoder = EdgeInputEncoder(edge_feat_dims, gnn.hidden_size)
    encoder = build_gnn_encoder(
        gnn.model_encoder_type, list(num_nodes), etypes, gnn.hidden_size, gnn.num_layers,
        dropout=gnn.dropout, norm=gnn.gnn_norm, num_ffn_layers_in_gnn=gnn.num_ffn_layers_in_gnn,
        num_bases=gnn.num_bases, num_heads=gnn.num_heads, use_self_loop=gnn.use_self_loop, **extra)
    constructor = FeatureConstructor(constructed, etypes, gnn.hidden_size) if constructed else None
    return GNNModel(input_encoder, encoder, decoders, edge_encoder, constructor)
