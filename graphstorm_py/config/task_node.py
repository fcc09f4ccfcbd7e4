"""Node classification and node regression task sections."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator

from graphstorm_py.config.task_base import ClassificationFields, RegressionFields, TaskConfigBase

__all__ = ["NodeTaskBase", "NodeClassificationConfig", "NodeRegressionConfig"]


class NodeTaskBase(TaskConfigBase):
    """Keys of node tasks.

    Attributes:
        target_ntype: the node type whose labels are predicted. Required.
        label_field: the node label to predict. Required.
    """

    target_ntype: str
    label_field: str

    @field_validator("target_ntype", mode="before")
    @classmethod
    def _one_ntype(cls, value: Any) -> Any:
        if isinstance(value, list):
            raise ValueError("several target node types are not supported by graphstorm_py yet; "
                             "give one node type")
        return value


class NodeClassificationConfig(ClassificationFields, NodeTaskBase):
    """``node_classification:`` — predict a class per node of ``target_ntype``."""

    task_type: Literal["node_classification"] = "node_classification"


class NodeRegressionConfig(RegressionFields, NodeTaskBase):
    """``node_regression:`` — predict a number per node of ``target_ntype``."""

    task_type: Literal["node_regression"] = "node_regression"
