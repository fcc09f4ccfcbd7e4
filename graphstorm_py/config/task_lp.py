"""The link prediction task section: targets, negative sampling, score function, loss."""

from __future__ import annotations

from typing import Any, ClassVar, FrozenSet, List, Literal, Optional

from pydantic import Field, field_serializer, field_validator, model_validator

from graphstorm_py.config import syntax
from graphstorm_py.config.fields import EtypeIntMap, EtypeList, EtypeStrMap, ReverseEtypeMap
from graphstorm_py.config.task_base import LINK_PREDICTION_METRICS, TaskConfigBase
from graphstorm_py.typing import EdgeType

__all__ = ["LinkPredictionConfig", "LP_NEG_SAMPLERS", "LP_NEG_SAMPLERS_NOT_IMPLEMENTED",
           "LP_DECODERS", "LP_LOSSES"]

LP_NEG_SAMPLERS = ("uniform", "joint", "inbatch_joint", "localuniform", "localjoint",
                   "all_etype_uniform", "all_etype_joint", "fast_uniform", "fast_joint",
                   "fast_localuniform", "fast_localjoint")
"""Negative samplers graphstorm_py implements. ``fast_<x>`` draws negatives as ``<x>`` but trims
held-out (val/test) edges from the sampled neighbourhoods after sampling instead of excluding
them before (so a node may get fewer than ``fanout`` neighbours); ``all_etype_<x>`` draws
negatives as ``<x>`` and puts edges of every training edge type in every mini-batch."""
LP_NEG_SAMPLERS_NOT_IMPLEMENTED: tuple = ()
"""GraphStorm samplers the config accepts but the trainer does not implement yet."""
LP_DECODERS = ("dot_product", "distmult", "rotate", "transe_l1", "transe_l2")
LP_LOSSES = ("cross_entropy", "logsigmoid", "contrastive", "bpr")

Sampler = Literal["uniform", "joint", "inbatch_joint", "localuniform", "localjoint",
                  "all_etype_uniform", "all_etype_joint", "fast_uniform", "fast_joint",
                  "fast_localuniform", "fast_localjoint"]


class LinkPredictionConfig(TaskConfigBase):
    """``link_prediction:`` — score node pairs; learn from positive and sampled negative edges.

    Attributes:
        train_etype / eval_etype: edge types to train / evaluate on, ``["src,rel,dst", ...]``;
            ``None`` uses every edge type.
        lp_decoder_type: score function, one of :data:`LP_DECODERS`. Default ``distmult``.
        gamma: margin / initialisation scale of ``distmult``, ``rotate`` and ``transe_*``.
            Default 40.0 for ``distmult`` (GraphStorm's DistMult relation init), else 12.0.
        train_negative_sampler / eval_negative_sampler: defaults ``uniform`` / ``joint``;
            see :data:`LP_NEG_SAMPLERS` and :data:`LP_NEG_SAMPLERS_NOT_IMPLEMENTED`.
        num_negative_edges / num_negative_edges_eval: negatives per positive edge in training /
            evaluation. Defaults 16 / 1000.
        lp_loss_func: one of :data:`LP_LOSSES`. Default ``cross_entropy``.
        adversarial_temperature: makes cross-entropy adversarial (harder negatives weigh more).
        contrastive_loss_temperature: for ``contrastive`` only; default 1.0 then.
        lp_embed_normalizer: ``l2_norm`` or ``None``; default ``l2_norm`` with ``contrastive``.
        lp_edge_weight_for_loss: edge weight field per edge type, ``["src,rel,dst:weight"]`` or
            ``["weight"]`` (every type, key :data:`~graphstorm_py.config.syntax.ANY_ETYPE`).
        exclude_training_targets: drop the batch's target edges (and reverses) from message
            passing. Default ``True``.
        reverse_edge_types_map: reverse edge types, ``["head,rel,rev_rel,tail", ...]``.
        report_eval_per_type: report metrics per edge type, not only their mean. Default ``False``.
        model_select_etype: the edge type whose metric selects the best model; ``None`` (GraphStorm
            ``ALL``) uses the mean over edge types.
        train_etypes_negative_dstnode / eval_etypes_negative_dstnode: edge feature holding hard /
            fixed negative destination nodes, per edge type as ``lp_edge_weight_for_loss``.
        num_train_hard_negatives: hard negatives per positive edge: an integer for every edge type
            (``5`` or ``["5"]``) or per edge type (``["src,rel,dst:5"]``).
        eval_metric: ``mrr`` and/or ``hit_at_K``. Default ``["mrr"]``.
        lp_eval_ranking: ``sampled`` (default; ranks against ``num_negative_edges_eval`` negatives
            from ``eval_negative_sampler``, reported as ``mrr``/``hit_at_K``) or ``full`` (exact,
            filtered ranking against every destination node, reported as ``full_mrr``/``full_hit_at_K``).
    """

    METRICS: ClassVar[FrozenSet[str]] = LINK_PREDICTION_METRICS
    HIT_AT_K: ClassVar[bool] = True

    task_type: Literal["link_prediction"] = "link_prediction"
    eval_metric: List[str] = Field(default_factory=lambda: ["mrr"])
    train_etype: Optional[EtypeList] = None
    eval_etype: Optional[EtypeList] = None
    lp_decoder_type: Literal["dot_product", "distmult", "rotate", "transe_l1", "transe_l2"] = "distmult"
    gamma: Optional[float] = None
    train_negative_sampler: Sampler = "uniform"
    eval_negative_sampler: Sampler = "joint"
    num_negative_edges: int = Field(16, gt=0)
    num_negative_edges_eval: int = Field(1000, gt=0)
    lp_loss_func: Literal["cross_entropy", "logsigmoid", "contrastive", "bpr"] = "cross_entropy"
    adversarial_temperature: Optional[float] = Field(None, gt=0)
    contrastive_loss_temperature: Optional[float] = Field(None, gt=0)
    lp_embed_normalizer: Optional[Literal["l2_norm"]] = None
    lp_edge_weight_for_loss: Optional[EtypeStrMap] = None
    exclude_training_targets: bool = True
    reverse_edge_types_map: ReverseEtypeMap = Field(default_factory=dict)
    report_eval_per_type: bool = False
    model_select_etype: Optional[EdgeType] = None
    train_etypes_negative_dstnode: Optional[EtypeStrMap] = None
    eval_etypes_negative_dstnode: Optional[EtypeStrMap] = None
    num_train_hard_negatives: Optional[EtypeIntMap] = None
    lp_eval_ranking: Literal["sampled", "full"] = "sampled"

    @field_validator("lp_decoder_type", "lp_embed_normalizer", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("num_train_hard_negatives", mode="before")
    @classmethod
    def _hard_int(cls, value: Any) -> Any:
        # GraphStorm also takes a plain integer for every edge type
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("model_select_etype", mode="before")
    @classmethod
    def _select(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and value.upper() == "ALL"):
            return None
        return syntax.parse_etype_text(value)

    @field_serializer("model_select_etype")
    def _dump_select(self, value: Optional[EdgeType]) -> Optional[str]:
        return None if value is None else syntax.dump_etype(value)

    @model_validator(mode="after")
    def _consistent(self) -> "LinkPredictionConfig":
        contrastive = self.lp_loss_func == "contrastive"
        if self.gamma is None:
            self.gamma = 40.0 if self.lp_decoder_type == "distmult" else 12.0
        if self.contrastive_loss_temperature is not None and not contrastive:
            raise ValueError("'contrastive_loss_temperature' needs 'lp_loss_func: contrastive'")
        if contrastive:
            if self.contrastive_loss_temperature is None:
                self.contrastive_loss_temperature = 1.0
            if self.lp_embed_normalizer is None:
                self.lp_embed_normalizer = "l2_norm"
        if self.train_etype is not None:
            for key in ("lp_edge_weight_for_loss", "train_etypes_negative_dstnode",
                        "num_train_hard_negatives"):
                for etype in getattr(self, key) or {}:
                    if etype != syntax.ANY_ETYPE and etype not in self.train_etype:
                        raise ValueError(f"'{key}': edge type {syntax.dump_etype(etype)!r} "
                                         "is not in 'train_etype'")
        return self

    @property
    def sampler_implemented(self) -> bool:
        """Whether both negative samplers are ones graphstorm_py implements."""
        return {self.train_negative_sampler, self.eval_negative_sampler} <= set(LP_NEG_SAMPLERS)

    @staticmethod
    def base_sampler(name: str) -> str:
        """The negative draw of a sampler name: ``fast_joint`` -> ``joint``, ``all_etype_uniform`` -> ``uniform``."""
        for prefix in ("fast_", "all_etype_"):
            if name.startswith(prefix):
                return name[len(prefix):]
        return name
