"""What node and edge tasks with labels share: the label check and the loss built from config."""

from __future__ import annotations

from typing import Optional

import torch
from torch import nn

from graphstorm_py.errors import ConfigError, DataError
from graphstorm_py.nn.losses import CLASS_LOSSES, REGRESSION_LOSSES

__all__ = ["check_class_ids", "classification_loss", "regression_loss"]


def check_class_ids(config, y: torch.Tensor, task_type: str, owner: str, where: str) -> None:
    """Integer class ids in ``[0, num_classes)``; ``owner`` names the node or edge type."""
    if y.numel() == 0 or config.multilabel_of(owner):
        return
    if y.is_floating_point():
        raise DataError(f"{task_type}: label {config.label_field!r} of {owner!r} holds floats; "
                        "class ids must be integers (is it a regression label?)")
    lo, hi = int(y.min()), int(y.max())
    n = config.classes_of(owner) if isinstance(config.num_classes, dict) else config.num_classes
    if lo < 0 or hi >= max(n, 2):
        raise DataError(f"{task_type}: label {config.label_field!r} of {owner!r} has class ids in "
                        f"[{lo}, {hi}] on masked {where}, but num_classes is {n}")


def classification_loss(config, ntype: Optional[str] = None) -> nn.Module:
    """``class_loss_func`` with ``imbalance_class_weights`` / ``multilabel_weights`` (those of
    target type ``ntype`` when they are given per node type)."""
    c = config
    if c.class_loss_func == "focal":
        if c.any_multilabel or max(c.num_classes.values() if isinstance(c.num_classes, dict) else [c.num_classes]) > 2:
            raise ConfigError("class_loss_func 'focal' is binary: it needs num_classes 1 or 2 and no multilabel")
        return CLASS_LOSSES.get("focal")(alpha=c.alpha, gamma=c.gamma)
    weights, pos = (c.weights_of(k, ntype) for k in ("imbalance_class_weights", "multilabel_weights"))
    return CLASS_LOSSES.get(c.class_loss_func, key="class_loss_func")(
        multilabel=c.multilabel_of(ntype), class_weights=None if weights is None else torch.tensor(weights),
        multilabel_weights=None if pos is None else torch.tensor(pos))


def regression_loss(config) -> nn.Module:
    """``regression_loss_func`` (``shrinkage`` takes ``alpha`` and ``gamma``)."""
    c = config
    kwargs = {"alpha": c.alpha, "gamma": c.gamma} if c.regression_loss_func == "shrinkage" else {}
    return REGRESSION_LOSSES.get(c.regression_loss_func, key="regression_loss_func")(**kwargs)
