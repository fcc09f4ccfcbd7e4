"""Build a :class:`~graphstorm_py.model.gnn_model.GNNModel` from the ``gnn`` config and the graph.

Every GraphStorm model key maps to one constructor argument here, and the encoder itself
comes from the :data:`~graphstorm_py.nn.encoders.GNN_ENCODERS` registry (``model_encoder_type``),
so a new encoder needs no change in this file::

    model = build_model(cfg.gnn, num_nodes, etypes, features.dims,
                        {task.name: task.build_decoder(cfg.gnn.hidden_size) for task in tasks})
"""

from __future__ import annotations

from typing import Mapping, Sequence

from torch import nn

from graphstorm_py.config.gnn import GNNConfig
from graphstorm_py.model.gnn_model import GNNModel
from graphstorm_py.nn.encoders import build_gnn_encoder
from graphstorm_py.nn.input_encoder import NodeInputEncoder
from graphstorm_py.typing import EdgeType

__all__ = ["build_model"]


def build_model(gnn: GNNConfig, num_nodes: Mapping[str, int], etypes: Sequence[EdgeType],
                feat_dims: Mapping[str, int], decoders: Mapping[str, nn.Module], lm_inputs=None) -> GNNModel:
    """Input encoder + the configured GNN encoder + the given task decoders.

    Args:
        gnn: the resolved ``gnn`` concern of the training config.
        num_nodes: ``{ntype: count}`` (sizes the sparse embedding tables).
        etypes: canonical edge types; the encoder has parameters per type, in this order.
        feat_dims: ``{ntype: input feature width}`` of the featured node types.
        decoders: ``{task name: head}`` built by the tasks.
        lm_inputs: LM input-layer arguments (:func:`graphstorm_py.lm.build.lm_input_args`), or None.
    """
    encoder_cls, extra_in = NodeInputEncoder, {}
    if lm_inputs is not None:
        from graphstorm_py.lm.input_layer import LMNodeInputEncoder
        encoder_cls, extra_in = LMNodeInputEncoder, dict(lm_inputs)
    input_encoder = encoder_cls(
        num_nodes, feat_dims, gnn.hidden_size, use_node_embeddings=gnn.use_node_embeddings,
        dropout=gnn.dropout, activation=None if gnn.input_activate == "none" else gnn.input_activate,
        num_ffn_layers_in_input=gnn.num_ffn_layers_in_input, **extra_in)
    extra = {"aggregator": gnn.sage_aggregator} if gnn.model_encoder_type == "sage" else {}
    encoder = build_gnn_encoder(
        gnn.model_encoder_type, list(num_nodes), etypes, gnn.hidden_size, gnn.num_layers,
        dropout=gnn.dropout, norm=gnn.gnn_norm, num_ffn_layers_in_gnn=gnn.num_ffn_layers_in_gnn,
        num_bases=gnn.num_bases, num_heads=gnn.num_heads, use_self_loop=gnn.use_self_loop, **extra)
    return GNNModel(input_encoder, encoder, decoders)
