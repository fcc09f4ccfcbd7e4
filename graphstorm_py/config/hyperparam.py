"""Optimisation hyper-parameters: learning rates, epochs, batch sizes, regularisation."""

from __future__ import annotations

import math
from typing import Any, Literal, Optional, Union

from pydantic import Field, field_validator, model_validator

from graphstorm_py.config.fields import StrictModel

__all__ = ["HyperparamConfig"]


class HyperparamConfig(StrictModel):
    """GraphStorm's training hyper-parameters (usually in a ``hyperparam:`` section).

    Attributes:
        lr: learning rate of the dense parameters (input encoder, GNN, decoder). Required.
        sparse_optimizer_lr: learning rate of learnable node embeddings. Defaults to ``lr``.
        num_epochs: training epochs; 0 only evaluates/infers. Default 0.
        batch_size: mini-batch size per worker (global = workers × batch_size). Required.
        eval_batch_size: mini-batch size when computing embeddings for evaluation. Default 10000.
        wd_l2norm: Adam weight decay. Default 0.
        alpha_l2norm: weight of the L2 norm of dense parameters added to the loss. Default 0.
        max_grad_norm: clip gradients to this norm; ``None`` does not clip.
        grad_norm_type: the p of the clipping norm, a number or ``"inf"``. Default 2.0.
        seed: random seed for sampling and initialisation (a graphstorm_py addition, so that
            runs reproduce). Default 42.
    """

    lr: float = Field(gt=0)
    sparse_optimizer_lr: Optional[float] = Field(None, gt=0)
    num_epochs: int = Field(0, ge=0)
    batch_size: int = Field(gt=0)
    eval_batch_size: int = Field(10000, gt=0)
    wd_l2norm: float = 0.0
    alpha_l2norm: float = 0.0
    max_grad_norm: Optional[float] = Field(None, gt=0)
    grad_norm_type: Union[Literal["inf"], float] = 2.0
    seed: int = 42

    @field_validator("grad_norm_type", mode="before")
    @classmethod
    def _inf_text(cls, value: Any) -> Any:
        # YAML's .inf is a float; keep GraphStorm's "inf" so the value survives JSON.
        return "inf" if isinstance(value, float) and math.isinf(value) and value > 0 else value

    @model_validator(mode="after")
    def _resolve(self) -> "HyperparamConfig":
        if isinstance(self.grad_norm_type, float) and self.grad_norm_type <= 0:
            raise ValueError(f"'grad_norm_type' must be > 0 or 'inf', got {self.grad_norm_type}")
        if self.sparse_optimizer_lr is None:
            self.sparse_optimizer_lr = self.lr
        return self
