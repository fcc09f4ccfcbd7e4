"""What every task section has, and the label-kind mixins (classification, regression).

A task model is one task section of the YAML (``node_classification:``, ...) or one entry of
``multi_task_learning:``. Concrete tasks combine a target (node / edge / link) with a label
kind; see :mod:`~graphstorm_py.config.task_node`, :mod:`~graphstorm_py.config.task_edge`
and :mod:`~graphstorm_py.config.task_lp`.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Dict, FrozenSet, List, Literal, Optional, Union

from pydantic import Field, field_validator, model_validator

from graphstorm_py.config.fields import FloatList, NameList, StrictModel
from graphstorm_py.config.syntax import parse_float_list

__all__ = [
    "TaskConfigBase", "ClassificationFields", "RegressionFields", "CLASSIFICATION_METRICS",
    "REGRESSION_METRICS", "LINK_PREDICTION_METRICS", "UNSUPPORTED_METRICS", "DEFAULT_MASKS",
]

CLASSIFICATION_METRICS = frozenset({"accuracy", "precision_recall", "roc_auc", "f1_score",
                                    "per_class_f1_score", "per_class_roc_auc", "precision"})
REGRESSION_METRICS = frozenset({"rmse", "mse", "mae"})
LINK_PREDICTION_METRICS = frozenset({"mrr", "amri"})
UNSUPPORTED_METRICS: tuple = ()
"""GraphStorm metrics (or metric prefixes) that graphstorm_py does not compute yet."""
BINARY_METRIC_PREFIXES = ("precision_at_recall_", "recall_at_precision_", "fscore_at_beta_")
"""Classification metrics named with their parameter, for binary tasks only."""
DEFAULT_MASKS = ["train_mask", "val_mask", "test_mask"]
_HIT_AT = re.compile(r"hit_at_[1-9][0-9]*")
_FSCORE_AT = re.compile(r"fscore_at_([0-9.]+)")   # fscore_at_X: another spelling of fscore_at_beta_X


class TaskConfigBase(StrictModel):
    """Keys every task has.

    Attributes:
        eval_metric: metrics to report; the first one selects the best model. A string or a
            list; ``hit_at_K`` (K an integer) where the task allows it. Default per task.
        mask_fields: names of the train / validation / test masks. Default
            :data:`DEFAULT_MASKS`. (GraphStorm reads it in multi-task learning only.)
        task_weight: weight of this task's loss in multi-task learning. Default 1.0.
        batch_size: this task's mini-batch size in multi-task learning; resolved to
            ``hyperparam.batch_size`` when not given.
    """

    METRICS: ClassVar[FrozenSet[str]] = frozenset()
    HIT_AT_K: ClassVar[bool] = False
    BINARY_METRICS: ClassVar[bool] = False

    eval_metric: List[str]
    mask_fields: NameList = Field(default_factory=lambda: list(DEFAULT_MASKS))
    task_weight: float = Field(1.0, gt=0)
    batch_size: Optional[int] = Field(None, gt=0)

    @field_validator("eval_metric", mode="before")
    @classmethod
    def _metrics(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise ValueError(f"must be a metric name or a non-empty list of them, got {value!r}")
        out = [_FSCORE_AT.sub(r"fscore_at_beta_\1", v.strip().lower()) for v in value]
        for metric in out:
            if UNSUPPORTED_METRICS and metric.startswith(UNSUPPORTED_METRICS):
                raise ValueError(f"metric {metric!r} is not supported by graphstorm_py yet")
            if cls.BINARY_METRICS and metric.startswith(BINARY_METRIC_PREFIXES):
                from graphstorm_py.eval.metrics import parametric_value
                if parametric_value(metric) is None:
                    raise ValueError(f"metric {metric!r}: the number after the prefix must be in (0, 1] "
                                     "(fscore_at_beta_: > 0), e.g. precision_at_recall_0.8")
                continue
            if metric not in cls.METRICS and not (cls.HIT_AT_K and _HIT_AT.fullmatch(metric)):
                allowed = sorted(cls.METRICS) + (["hit_at_K (e.g. hit_at_10)"] if cls.HIT_AT_K else [])
                if cls.BINARY_METRICS:
                    allowed += [p + "X" for p in BINARY_METRIC_PREFIXES]
                raise ValueError(f"unknown metric {metric!r}; allowed: {', '.join(allowed)}")
        return out

    @field_validator("mask_fields")
    @classmethod
    def _three_masks(cls, value: List[str]) -> List[str]:
        if len(value) != 3:
            raise ValueError(f"must be [train_mask, val_mask, test_mask], got {value!r}")
        return value

    @property
    def task_name(self) -> str:
        return self.task_type  # type: ignore[attr-defined]


class ClassificationFields(StrictModel):
    """Keys of classification tasks (node and edge).

    Attributes:
        num_classes: number of classes (1 or 2 for binary). Required.
        multilabel: multi-label classification (one sigmoid per class). Default ``False``.
        multilabel_weights: positive weight per class for multi-label BCE ("0.1,0.2" or a list).
        imbalance_class_weights: loss weight per class ("0.1,0.9" or a list), each > 0.
            With several target node types these three may be given per node type
            (``{movie: true, user: false}``, ``{user: "0.1,0.2"}``, as GraphStorm allows); a type
            left out is not multi-label / has no weights. Read them with :meth:`multilabel_of`
            and :meth:`weights_of`.
        class_loss_func: ``cross_entropy`` or ``focal`` (binary). Default ``cross_entropy``.
        alpha / gamma: focal-loss parameters, default 0.25 / 2.0 when ``focal``, else ``None``.
        return_proba: predictions as class probabilities (``True``) or the argmax. Default ``True``.
    """

    METRICS: ClassVar[FrozenSet[str]] = CLASSIFICATION_METRICS
    HIT_AT_K: ClassVar[bool] = True
    BINARY_METRICS: ClassVar[bool] = True

    eval_metric: List[str] = Field(default_factory=lambda: ["accuracy"])
    num_classes: Union[int, Dict[str, int]]
    multilabel: Union[bool, Dict[str, bool]] = False
    multilabel_weights: Optional[Union[Dict[str, List[float]], FloatList]] = None
    imbalance_class_weights: Optional[Union[Dict[str, List[float]], FloatList]] = None
    class_loss_func: Literal["cross_entropy", "focal"] = "cross_entropy"
    alpha: Optional[float] = None
    gamma: Optional[float] = None
    return_proba: bool = True

    @field_validator("num_classes", mode="before")
    @classmethod
    def _num_classes(cls, value: Any) -> Any:
        # per node type (several target node types): {ntype: n} or GraphStorm's ["ntype:n", ...]
        if isinstance(value, (list, tuple)) or (isinstance(value, str) and ":" in value):
            items = value.split(",") if isinstance(value, str) else value
            out = {}
            for item in items:
                ntype, sep, num = str(item).rpartition(":")
                if not sep or not ntype.strip():
                    raise ValueError(f"per-node-type num_classes {item!r} must look like 'ntype:N'")
                out[ntype.strip()] = num.strip()
            value = out
        return value

    @field_validator("num_classes")
    @classmethod
    def _positive_classes(cls, value: Any) -> Any:
        for n in (value.values() if isinstance(value, dict) else [value]):
            if n <= 0:
                raise ValueError(f"must be > 0, got {n}")
        return value

    @field_validator("multilabel_weights", "imbalance_class_weights", mode="before")
    @classmethod
    def _per_type_weights(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): parse_float_list(v) for k, v in value.items()}
        return value

    def multilabel_of(self, ntype: Optional[str] = None) -> bool:
        """``multilabel`` of a target type (the only value unless it is given per node type)."""
        return bool(self.multilabel.get(ntype, False)) if isinstance(self.multilabel, dict) else self.multilabel

    def weights_of(self, key: str, ntype: Optional[str] = None) -> Optional[List[float]]:
        """``multilabel_weights`` / ``imbalance_class_weights`` of a target type, or None."""
        value = getattr(self, key)
        return value.get(ntype) if isinstance(value, dict) else value

    @property
    def any_multilabel(self) -> bool:
        """Whether some target type is multi-label."""
        return any(self.multilabel.values()) if isinstance(self.multilabel, dict) else self.multilabel

    def classes_of(self, ntype: Optional[str] = None) -> int:
        """``num_classes`` of a target type (the only value unless it is given per node type)."""
        if not isinstance(self.num_classes, dict):
            return self.num_classes
        if ntype not in self.num_classes:
            raise ValueError(f"num_classes has no entry for node type {ntype!r}")
        return self.num_classes[ntype]

    @model_validator(mode="after")
    def _class_weights(self) -> "ClassificationFields":
        per_type = isinstance(self.num_classes, dict)
        ntypes = getattr(self, "target_ntypes", None)
        if per_type and ntypes is not None and set(self.num_classes) != set(ntypes):
            raise ValueError(f"per-node-type 'num_classes' names {sorted(self.num_classes)} but target_ntype is "
                             f"{ntypes}")
        if per_type and ntypes is None:
            raise ValueError("'num_classes' per node type needs a node task")
        for key in ("multilabel", "multilabel_weights", "imbalance_class_weights"):
            value = getattr(self, key)
            if isinstance(value, dict) and ntypes is None:
                raise ValueError(f"'{key}' per node type needs a node task")
            if isinstance(value, dict) and not set(value) <= set(ntypes):
                raise ValueError(f"per-node-type '{key}' names {sorted(set(value) - set(ntypes))}, which "
                                 f"target_ntype {ntypes} lacks")
        for key, positive in (("multilabel_weights", False), ("imbalance_class_weights", True)):
            value = getattr(self, key)
            for ntype, weights in (value.items() if isinstance(value, dict) else [(None, value)]):
                if weights is None:
                    continue
                where = f"'{key}' of {ntype!r}" if ntype else f"'{key}'"
                if ntype is None and per_type and len(set(self.num_classes.values())) > 1:
                    raise ValueError(f"'{key}' needs one num_classes for every target node type (or give it "
                                     "per node type)")
                n = self.classes_of(ntype if ntype else next(iter(self.num_classes)) if per_type else None)
                if len(weights) != n:
                    raise ValueError(f"{where} has {len(weights)} weights but 'num_classes' is {n}")
                if any(w < 0 or (positive and w == 0) for w in weights):
                    raise ValueError(f"{where} must be {'> 0' if positive else '>= 0'}: {weights}")
                if key == "multilabel_weights" and not (self.multilabel_of(ntype) if ntype else self.any_multilabel):
                    raise ValueError(f"{where} needs 'multilabel: true'" + (f" for {ntype!r}" if ntype else ""))
        binary = [m for m in self.eval_metric if m.startswith(BINARY_METRIC_PREFIXES)]
        if binary and (self.any_multilabel or max(self.num_classes.values() if per_type else [self.num_classes]) > 2):
            raise ValueError(f"metric {binary[0]!r} is for binary classification: it needs num_classes "
                             "1 or 2 and no multilabel")
        if self.class_loss_func == "focal":
            self.alpha = 0.25 if self.alpha is None else self.alpha
            self.gamma = 2.0 if self.gamma is None else self.gamma
        return self


class RegressionFields(StrictModel):
    """Keys of regression tasks (node and edge).

    Attributes:
        regression_loss_func: ``mse`` or ``shrinkage``. Default ``mse``.
        alpha / gamma: shrinkage-loss parameters, default 10.0 / 0.2 when ``shrinkage``.
    """

    METRICS: ClassVar[FrozenSet[str]] = REGRESSION_METRICS

    eval_metric: List[str] = Field(default_factory=lambda: ["rmse"])
    regression_loss_func: Literal["mse", "shrinkage"] = "mse"
    alpha: Optional[float] = None
    gamma: Optional[float] = None

    @model_validator(mode="after")
    def _shrinkage_defaults(self) -> "RegressionFields":
        if self.regression_loss_func == "shrinkage":
            self.alpha = 10.0 if self.alpha is None else self.alpha
            self.gamma = 0.2 if self.gamma is None else self.gamma
        return self
