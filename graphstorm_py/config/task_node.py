"""Node classification and node regression task sections."""

from __future__ import annotations

from typing import Any, List, Literal, Optional, Union

from pydantic import field_serializer, field_validator, model_validator

from graphstorm_py.config.task_base import ClassificationFields, RegressionFields, TaskConfigBase

__all__ = ["NodeTaskBase", "NodeClassificationConfig", "NodeRegressionConfig"]


class NodeTaskBase(TaskConfigBase):
    """Keys of node tasks.

    Attributes:
        target_ntype: the node type whose labels are predicted, or a list of them (GraphStorm's
            several target node types: each gets its own decoder, a mini-batch may mix them, and
            their losses are averaged over the batch's nodes). Required.
        eval_target_ntype: the target type that validation, test and gs-infer predictions use
            (GraphStorm evaluates one type). Default: the first target type.
        label_field: the node label to predict (the same name on every target type). Required.
    """

    target_ntype: Union[str, List[str]]
    eval_target_ntype: Optional[str] = None
    label_field: str

    @field_validator("target_ntype", mode="before")
    @classmethod
    def _ntypes(cls, value: Any) -> Any:
        if isinstance(value, str) and "," in value:
            value = [v.strip() for v in value.split(",")]
        if isinstance(value, list):
            if not value or len(set(value)) != len(value):
                raise ValueError(f"must name one node type or a list of distinct ones, got {value!r}")
            if len(value) == 1:
                return value[0]
        return value

    @model_validator(mode="after")
    def _eval_ntype(self) -> "NodeTaskBase":
        if self.eval_target_ntype is None:
            self.eval_target_ntype = self.target_ntypes[0]
        elif self.eval_target_ntype not in self.target_ntypes:
            raise ValueError(f"'eval_target_ntype' {self.eval_target_ntype!r} is not one of the target_ntype "
                             f"{self.target_ntypes}")
        return self

    @property
    def target_ntypes(self) -> List[str]:
        """The target node types as a list."""
        return [self.target_ntype] if isinstance(self.target_ntype, str) else list(self.target_ntype)


class NodeClassificationConfig(ClassificationFields, NodeTaskBase):
    """``node_classification:`` — predict a class per node of ``target_ntype``."""

    task_type: Literal["node_classification"] = "node_classification"


class NodeRegressionConfig(RegressionFields, NodeTaskBase):
    """``node_regression:`` — predict a number per node of ``target_ntype``."""

    task_type: Literal["node_regression"] = "node_regression"
