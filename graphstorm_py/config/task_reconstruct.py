"""Feature reconstruction task sections: ``reconstruct_node_feat`` and ``reconstruct_edge_feat``.

GraphStorm uses them as auxiliary tasks of ``multi_task_learning``: the encoder learns to predict
a node (edge) feature from the neighbourhood, a self-supervised signal. The target feature plays
the part of a regression label; the metrics are the regression ones (default ``mse``).
"""

from __future__ import annotations

from typing import Any, ClassVar, FrozenSet, List, Literal, Optional

from pydantic import Field, model_validator

from graphstorm_py.config.task_base import REGRESSION_METRICS, TaskConfigBase
from graphstorm_py.config.task_edge import EdgeTaskBase

__all__ = ["ReconstructNodeFeatConfig", "ReconstructEdgeFeatConfig"]


class ReconstructNodeFeatConfig(TaskConfigBase):
    """``reconstruct_node_feat:`` — predict the node feature ``reconstruct_nfeat_name`` of
    ``target_ntype`` from its neighbourhood (the last GNN layer's self-loop is skipped, so the node's
    own feature does not reach its prediction directly).

    Attributes:
        target_ntype: the node type whose feature is reconstructed. Required.
        reconstruct_nfeat_name: the node feature to reconstruct. Required.
        eval_metric: ``mse`` (default), ``rmse`` or ``mae``.
    """

    METRICS: ClassVar[FrozenSet[str]] = REGRESSION_METRICS

    task_type: Literal["reconstruct_node_feat"] = "reconstruct_node_feat"
    eval_metric: List[str] = Field(default_factory=lambda: ["mse"])
    target_ntype: str
    reconstruct_nfeat_name: str


class ReconstructEdgeFeatConfig(EdgeTaskBase):
    """``reconstruct_edge_feat:`` — predict the edge feature ``reconstruct_efeat_name`` of
    ``target_etype`` from its endpoints' embeddings (an MLP decoder over both endpoints).

    Attributes:
        target_etype, remove_target_edge_type, reverse_edge_types_map: as for edge tasks.
        reconstruct_efeat_name: the edge feature to reconstruct. Required.
        eval_metric: ``mse`` (default), ``rmse`` or ``mae``.
    """

    METRICS: ClassVar[FrozenSet[str]] = REGRESSION_METRICS

    task_type: Literal["reconstruct_edge_feat"] = "reconstruct_edge_feat"
    eval_metric: List[str] = Field(default_factory=lambda: ["mse"])
    reconstruct_efeat_name: str
    label_field: Optional[str] = Field(None, exclude=True)
    decoder_type: Literal["MLPDecoder"] = "MLPDecoder"

    @model_validator(mode="before")
    @classmethod
    def _no_label(cls, data: Any) -> Any:
        if isinstance(data, dict) and "label_field" in data:
            raise ValueError("reconstruct_edge_feat has no 'label_field': the target is "
                             "'reconstruct_efeat_name'")
        return data

    @model_validator(mode="after")
    def _feature_is_label(self) -> "ReconstructEdgeFeatConfig":
        self.label_field = self.reconstruct_efeat_name
        return self
