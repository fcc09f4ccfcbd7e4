"""Edge classification and edge regression task sections."""

from __future__ import annotations

from typing import Any, List, Literal, Optional

from pydantic import (Field, ValidationInfo, field_serializer, field_validator,
                      model_validator)

from graphstorm_py.config import syntax
from graphstorm_py.config.fields import EtypeList, ReverseEtypeMap
from graphstorm_py.config.task_base import ClassificationFields, RegressionFields, TaskConfigBase
from graphstorm_py.typing import EdgeType

__all__ = ["EdgeTaskBase", "EdgeClassificationConfig", "EdgeRegressionConfig"]


class EdgeTaskBase(TaskConfigBase):
    """Keys of edge tasks.

    Attributes:
        target_etype: the edge type whose labels are predicted, as GraphStorm's one-item list
            ``["user,rating,movie"]`` (a plain string is accepted). Required.
        label_field: the edge label to predict. Required.
        decoder_type: ``DenseBiDecoder`` (GCMC's bilinear decoder) or ``MLPDecoder``.
        num_decoder_basis: bases of ``DenseBiDecoder``, > 1. Default 2.
        decoder_edge_feat: edge features of ``target_etype`` fed to the decoder, GraphStorm's
            ``["feat"]`` or ``["user,rating,movie:feat0,feat1"]``; stored as feature names.
        remove_target_edge_type: drop ``target_etype`` (and its reverse) from message passing,
            to avoid leaking labels. Default ``True``.
        reverse_edge_types_map: reverse edge types, ``["head,rel,rev_rel,tail", ...]``.
    """

    target_etype: EtypeList
    label_field: str
    decoder_type: Literal["DenseBiDecoder", "MLPDecoder"] = "DenseBiDecoder"
    num_decoder_basis: int = Field(2, gt=1)
    decoder_edge_feat: Optional[List[str]] = None
    remove_target_edge_type: bool = True
    reverse_edge_types_map: ReverseEtypeMap = Field(default_factory=dict)

    @field_validator("decoder_edge_feat", mode="before")
    @classmethod
    def _edge_feats(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        feats = syntax.parse_etype_values(value)
        targets = info.data.get("target_etype") or []
        for etype in feats:
            if etype != syntax.ANY_ETYPE and etype not in targets:
                raise ValueError(f"edge type {syntax.dump_etype(etype)!r} is not the target_etype")
        return [f.strip() for names in feats.values() for f in names.split(",")]

    @field_serializer("decoder_edge_feat")
    def _dump_edge_feats(self, value: Optional[List[str]]) -> Optional[List[str]]:
        # GraphStorm's per-edge-type form, the only one that holds several names.
        return None if value is None else [f"{syntax.dump_etype(self.etype)}:{','.join(value)}"]

    @model_validator(mode="after")
    def _single_target_etype(self) -> "EdgeTaskBase":
        if len(self.target_etype) != 1:
            raise ValueError("'target_etype' must name exactly one edge type; several are not "
                             "supported by graphstorm_py yet")
        return self

    @property
    def etype(self) -> EdgeType:
        """The target edge type."""
        return self.target_etype[0]


class EdgeClassificationConfig(ClassificationFields, EdgeTaskBase):
    """``edge_classification:`` — predict a class per edge of ``target_etype``."""

    task_type: Literal["edge_classification"] = "edge_classification"


class EdgeRegressionConfig(RegressionFields, EdgeTaskBase):
    """``edge_regression:`` — predict a number per edge of ``target_etype``."""

    task_type: Literal["edge_regression"] = "edge_regression"
