"""The task registry: task section name → task model, and the union of all task models."""

from __future__ import annotations

from typing import Annotated, Dict, Type, Union

from pydantic import Field

from graphstorm_py.config.task_base import TaskConfigBase
from graphstorm_py.config.task_edge import EdgeClassificationConfig, EdgeRegressionConfig
from graphstorm_py.config.task_lp import LinkPredictionConfig
from graphstorm_py.config.task_node import NodeClassificationConfig, NodeRegressionConfig
from graphstorm_py.config.task_reconstruct import ReconstructEdgeFeatConfig, ReconstructNodeFeatConfig

__all__ = ["TASK_MODELS", "TaskConfig", "UNSUPPORTED_TASKS", "MULTI_TASK_SECTION"]

TASK_MODELS: Dict[str, Type[TaskConfigBase]] = {
    "node_classification": NodeClassificationConfig,
    "node_regression": NodeRegressionConfig,
    "edge_classification": EdgeClassificationConfig,
    "edge_regression": EdgeRegressionConfig,
    "link_prediction": LinkPredictionConfig,
    "reconstruct_node_feat": ReconstructNodeFeatConfig,
    "reconstruct_edge_feat": ReconstructEdgeFeatConfig,
}
"""Task section names as in GraphStorm's YAML, each with its model."""

UNSUPPORTED_TASKS: tuple = ()
"""GraphStorm tasks graphstorm_py does not have yet."""

MULTI_TASK_SECTION = "multi_task_learning"

TaskConfig = Annotated[
    Union[NodeClassificationConfig, NodeRegressionConfig, EdgeClassificationConfig,
          EdgeRegressionConfig, LinkPredictionConfig, ReconstructNodeFeatConfig, ReconstructEdgeFeatConfig],
    Field(discriminator="task_type"),
]
"""Any task model; ``task.task_type`` says which."""
