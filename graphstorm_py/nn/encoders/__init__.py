"""GNN encoders, by the names GraphStorm's ``model_encoder_type`` uses: rgcn, rgat, hgt, sage, gat, gatv2,
and ``learnable_embed`` (no message passing: learnable node embeddings only).

Build one from the graph metadata and the config::

    from graphstorm_py.nn.encoders import build_gnn_encoder
    enc = build_gnn_encoder("rgcn", ntypes, etypes, hidden_size=128, num_layers=2, num_bases=4)
    out = enc(batch.blocks, h)                    # mini-batch: {ntype: [n_seeds, out_size]}
    emb = enc.full_inference(csc, num_nodes, h0)  # all nodes, exact, layer by layer

See :class:`~graphstorm_py.nn.encoders.base.GNNEncoder` for the shared constructor arguments.
"""

from __future__ import annotations

from typing import Sequence

from graphstorm_py.registry import Registry
from graphstorm_py.typing import EdgeType

GNN_ENCODERS: Registry = Registry("gnn encoder")

from graphstorm_py.nn.encoders.base import GNNEncoder, LayerTail  # noqa: E402
from graphstorm_py.nn.encoders.gat import GATEncoder  # noqa: E402
from graphstorm_py.nn.encoders.gatv2 import GATv2Encoder  # noqa: E402
from graphstorm_py.nn.encoders.hgt import HGTEncoder  # noqa: E402
from graphstorm_py.nn.encoders.learnable_embed import LearnableEmbedEncoder  # noqa: E402
from graphstorm_py.nn.encoders.no_gnn import NoGNNEncoder  # noqa: E402
from graphstorm_py.nn.encoders.rgat import RGATEncoder  # noqa: E402
from graphstorm_py.nn.encoders.rgcn import RGCNEncoder  # noqa: E402
from graphstorm_py.nn.encoders.sage import SAGEEncoder  # noqa: E402

__all__ = ["GNN_ENCODERS", "GNNEncoder", "LayerTail", "build_gnn_encoder", "RGCNEncoder", "RGATEncoder",
           "HGTEncoder", "SAGEEncoder", "GATEncoder", "GATv2Encoder",
           "LearnableEmbedEncoder"]


def build_gnn_encoder(name: str, ntypes: Sequence[str], etypes: Sequence[EdgeType], hidden_size: int,
                      num_layers: int, **kwargs) -> GNNEncoder:
    """The encoder registered as ``name`` (unknown names raise ``ConfigError`` listing the choices)."""
    return GNN_ENCODERS.get(name, key="model_encoder_type")(ntypes, etypes, hidden_size, num_layers, **kwargs)
