"""The model architecture: input encoder, GNN encoder and sampling fanouts."""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional

from pydantic import Field, field_serializer, field_validator, model_validator

from graphstorm_py.config import syntax
from graphstorm_py.config.fields import NameList, NodeFeatMap, StrictModel, none_string_to_none
from graphstorm_py.typing import EdgeType

__all__ = ["GNNConfig", "GNN_ENCODERS", "UNSUPPORTED_ENCODERS"]

GNN_ENCODERS = ("rgcn", "rgat", "hgt", "sage", "gat", "gatv2", "learnable_embed")
NO_GNN_ENCODERS = ("lm", "mlp")
"""No message passing: the input layer (LM and/or projections) plus an MLP (GraphStorm's lm / mlp)."""
UNSUPPORTED_ENCODERS: tuple = ()
"""GraphStorm encoders that graphstorm_py does not have yet."""


class GNNConfig(StrictModel):
    """GraphStorm's model keys (usually in ``gnn:``, ``rgcn:``, ``rgat:`` ... sections).

    Attributes:
        model_encoder_type: the GNN, one of :data:`GNN_ENCODERS`. Required. ``learnable_embed``
            has no GNN layers: every node gets a learnable embedding and ``fanout`` is not sampled.
        num_layers: GNN layers, >= 1. Required.
        hidden_size: width of every hidden layer. Required.
        fanout: neighbours sampled per layer in training, GraphStorm syntax, kept as text:
            ``"10,5"``, ``"user/rates/movie:10@movie/rated-by/user:5,..."`` or by relation name
            ``"rates:10@rated-by:5,..."`` (the sampler resolves names). One layer per
            ``num_layers`` (input layer first). Required. :attr:`fanouts` parses it.
        eval_fanout: the same for evaluation and inference. Default ``-1`` per layer (all).
        dropout: in [0, 1). Default 0.
        num_bases: RGCN weight bases; -1 shares nothing. Default -1.
        num_heads: attention heads of RGAT/HGT/GAT. Default 4.
        use_self_loop: add a self-loop relation in RGCN/RGAT. Default ``True``.
        num_ffn_layers_in_input / num_ffn_layers_in_gnn / num_ffn_layers_in_decoder:
            extra MLP layers after the input projection / between GNN layers / in edge
            decoders. Default 0.
        gnn_norm: ``batch`` or ``layer`` normalisation between GNN layers; ``None``: none.
        decoder_norm: ``batch`` or ``layer`` normalisation inside task decoders: before the
            output layer of node heads, between the layers of ``MLPDecoder`` with
            ``decoder_edge_feat``; ``None``: none.
        decoder_bias: add a learnable bias to the output layer of node task heads.
            Default ``False``.
        input_activate: activation after the input projection, ``none`` or ``relu``.
        use_mini_batch_infer: mini-batch (``True``) or layer-wise full-graph (``False``)
            inference. Default: ``False`` for link prediction only, else ``True``.
        node_feat_name: features per node type, ``{ntype: [feat, ...]}``; GraphStorm's
            ``["user:age,gender", "movie:title"]``. A name without ``ntype:`` applies to every
            node type (key :data:`~graphstorm_py.config.syntax.ANY_NTYPE`). ``None``: no features.
        use_node_embeddings: give every node a learnable embedding too. Default ``False``.
        sage_aggregator: neighbour aggregation of ``sage``: ``pool`` (GraphStorm's built-in
            choice, the default) or ``mean`` (GraphSAGE-mean, better on small citation graphs).
            A graphstorm_py key; GraphStorm has no way to choose.
        edge_feat_name: edge features used in message passing, ``{etype: [feat, ...]}``;
            GraphStorm's ``["user,rating,movie:rate,time"]`` (a name without ``etype:`` applies to
            every edge type). rgcn, rgat, hgt and gat only. ``None``: no edge features.
        edge_feat_mp_op: how an edge feature meets the source node's embedding in a message:
            ``concat``, ``add``, ``sub``, ``mul`` or ``div``. Default ``concat`` (GraphStorm's).
        construct_feat_ntype: featureless node types whose input vectors are computed from their
            neighbours by one extra layer instead of learnable embeddings. Default: none.
        construct_feat_encoder: that layer's kind; GraphStorm has ``rgcn`` only (the default).
        construct_feat_fanout: neighbours sampled per relation for it. Default 5.
    """

    model_encoder_type: Literal["rgcn", "rgat", "hgt", "sage", "gat", "gatv2", "learnable_embed", "lm", "mlp"]
    num_layers: int = Field(0, ge=0)
    hidden_size: int = Field(gt=0)
    fanout: str = ""
    eval_fanout: Optional[str] = None
    dropout: float = Field(0.0, ge=0.0, lt=1.0)
    num_bases: int = -1
    num_heads: int = Field(4, gt=0)
    use_self_loop: bool = True
    num_ffn_layers_in_input: int = Field(0, ge=0)
    num_ffn_layers_in_gnn: int = Field(0, ge=0)
    num_ffn_layers_in_decoder: int = Field(0, ge=0)
    gnn_norm: Optional[Literal["batch", "layer"]] = None
    decoder_norm: Optional[Literal["batch", "layer"]] = None
    decoder_bias: bool = False
    input_activate: Literal["none", "relu"] = "none"
    use_mini_batch_infer: Optional[bool] = None
    sage_aggregator: Literal["pool", "mean"] = "pool"
    node_feat_name: Optional[NodeFeatMap] = None
    use_node_embeddings: bool = False
    edge_feat_name: Optional[Dict[EdgeType, List[str]]] = None
    edge_feat_mp_op: Literal["concat", "add", "sub", "mul", "div"] = "concat"
    construct_feat_ntype: Optional[NameList] = None
    construct_feat_encoder: Literal["rgcn"] = "rgcn"
    construct_feat_fanout: int = Field(5, ge=-1)

    @field_validator("edge_feat_name", mode="before")
    @classmethod
    def _edge_feats(cls, value: Any) -> Any:
        if value is None or isinstance(value, dict):
            return value
        out = {}
        for etype, names in syntax.parse_etype_values(value).items():
            feats = [f.strip() for f in names.split(",")]
            if not all(feats):
                raise ValueError(f"edge feature list {names!r} has an empty name")
            out[etype] = feats
        return out

    @field_serializer("edge_feat_name")
    def _dump_edge_feats(self, value: Optional[Dict[EdgeType, List[str]]]) -> Optional[List[str]]:
        return None if value is None else syntax.dump_etype_values({et: ",".join(f) for et, f in value.items()})

    @field_validator("gnn_norm", "decoder_norm", mode="before")
    @classmethod
    def _norm_none(cls, value: Any) -> Any:
        return none_string_to_none(value)

    @field_validator("model_encoder_type", mode="before")
    @classmethod
    def _known_encoder(cls, value: Any) -> Any:
        if isinstance(value, str) and value.lower() in UNSUPPORTED_ENCODERS:
            raise ValueError(f"encoder {value!r} is not supported by graphstorm_py yet; "
                             f"use one of {', '.join(GNN_ENCODERS)}")
        return value.lower() if isinstance(value, str) else value

    @field_validator("fanout", "eval_fanout", mode="before")
    @classmethod
    def _fanout_text(cls, value: Any) -> Any:
        # ``fanout: 4`` is an int in YAML; GraphStorm's syntax is text.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("fanout", "eval_fanout")
    @classmethod
    def _fanout_syntax(cls, value: Optional[str]) -> Optional[str]:
        if value:
            syntax.fanout_layers(value)
        return value

    @field_validator("num_bases")
    @classmethod
    def _bases(cls, value: int) -> int:
        if value != -1 and value <= 0:
            raise ValueError(f"must be > 0, or -1 for no basis sharing (got {value})")
        return value

    @model_validator(mode="after")
    def _edge_feat_encoder(self) -> "GNNConfig":
        if self.edge_feat_name and self.model_encoder_type not in ("rgcn", "rgat", "hgt", "gat"):
            raise ValueError(f"'edge_feat_name' needs an encoder that uses edge features in message passing "
                             f"(rgcn, rgat, hgt or gat), not {self.model_encoder_type!r}")
        return self

    @model_validator(mode="after")
    def _layers_match(self) -> "GNNConfig":
        if self.model_encoder_type in NO_GNN_ENCODERS:      # GraphStorm: num_layers is 0, fanouts unused
            self.num_layers, self.fanout, self.eval_fanout = 0, "", ""
            return self
        if self.num_layers < 1:
            raise ValueError(f"'num_layers' must be >= 1 for the GNN encoder {self.model_encoder_type!r}")
        if not self.fanout:
            raise ValueError("'fanout' is required for a GNN encoder")
        if self.eval_fanout is None:
            self.eval_fanout = ",".join(["-1"] * self.num_layers)
        for key in ("fanout", "eval_fanout"):
            if self.model_encoder_type == "learnable_embed":
                break   # no GNN layers: the fanouts are never sampled
            text = getattr(self, key)
            n = syntax.fanout_layers(text)
            if n != self.num_layers:
                raise ValueError(f"'{key}' {text!r} gives {n} layer(s) but 'num_layers' is "
                                 f"{self.num_layers}")
        return self

    @property
    def fanouts(self) -> List[Any]:
        """:attr:`fanout` per layer: ints, or ``{etype: int}`` for per-edge-type layers."""
        return _parse_layers(self.fanout)

    @property
    def eval_fanouts(self) -> List[Any]:
        """:attr:`eval_fanout` per layer, as :attr:`fanouts`."""
        return _parse_layers(self.eval_fanout or "")

    def node_feats(self, ntype: str) -> List[str]:
        """Feature names of ``ntype`` (its own, else the ones for every type, else none)."""
        return list(syntax.lookup(self.node_feat_name, ntype, []))


def _parse_layers(text: str) -> List[Any]:
    out: List[Any] = []
    for layer in text.split(","):
        if ":" not in layer:
            out.append(int(layer))
            continue
        entries = {}
        for entry in layer.split("@"):
            name, _, num = entry.rpartition(":")
            entries[tuple(p.strip() for p in name.split("/"))] = int(num)
        out.append(entries)
    return out
