"""Language-model keys: GraphStorm's top-level ``lm_model:`` block and its ``lm_*`` training keys.

GraphStorm's layout (``lm_model`` sits beside ``gsf``; the ``lm_*`` keys go in any gsf section)::

    lm_model:
      node_lm_models:
        - lm_type: bert
          model_name: all-MiniLM-L6-v2      # local folder, packaged name, or a name in the HF cache
          gradient_checkpoint: true
          node_types: [paper]
          pooling: mean                     # beyond GraphStorm: cls | mean | pooler (default: the model's own)
    gsf:
      lm:
        lm_train_nodes: 16                  # LM nodes with gradients per batch; -1 all; 0 none (frozen LM)
        lm_infer_batch_size: 32
        freeze_lm_encoder_epochs: 0
        lm_tune_lr: 1e-5                    # default: lr
        lm_warmup_steps: 100                # beyond GraphStorm: the LM's lr rises linearly over its first N steps
        lm_cache: cached                    # beyond GraphStorm: 'recompute' re-embeds like GraphStorm
        lm_model_name: lm_stage             # beyond GraphStorm: replaces every node_lm_models model_name
      training_method: {name: glem, kwargs: {...}}

Defaults are GraphStorm's (``graphstorm/config/argument.py``): ``lm_train_nodes`` 0,
``lm_infer_batch_size`` 32, ``freeze_lm_encoder_epochs`` 0, ``lm_tune_lr`` = ``lr``.

``model_name`` sits in the top-level block, which the ``gsf`` key flags do not reach; the
``lm_model_name`` key (flag ``--lm-model-name PATH``) replaces it in every ``node_lm_models``
entry, so a GALM or stage-wise chain points a YAML at the LM the previous step exported.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional

from pydantic import Field, field_validator, model_validator

from graphstorm_py.config.fields import StrictModel

__all__ = ["NodeLMModel", "LMModelConfig", "LMConfig", "TrainingMethod", "POOLINGS", "with_model_name"]

POOLINGS = ("cls", "mean", "pooler")


class NodeLMModel(StrictModel):
    """One entry of ``node_lm_models``: an HF encoder over the tokens of some node types."""

    lm_type: str = "bert"
    model_name: str = Field(min_length=1)
    gradient_checkpoint: bool = False
    node_types: List[str] = Field(min_length=1)
    pooling: Optional[Literal["cls", "mean", "pooler"]] = None


class LMModelConfig(StrictModel):
    """GraphStorm's top-level ``lm_model`` block."""

    node_lm_models: List[NodeLMModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_lm_per_type(self) -> "LMModelConfig":
        seen: Dict[str, int] = {}
        for i, entry in enumerate(self.node_lm_models):
            for t in entry.node_types:
                if t in seen:
                    raise ValueError(f"node type {t!r} is in node_lm_models[{seen[t]}] and node_lm_models[{i}]")
                seen[t] = i
        return self

    def lm_of(self, ntype: str) -> Optional[NodeLMModel]:
        for entry in self.node_lm_models:
            if ntype in entry.node_types:
                return entry
        return None

    @property
    def ntypes(self) -> List[str]:
        return [t for e in self.node_lm_models for t in e.node_types]


class GLEMKwargs(StrictModel):
    """GraphStorm's GLEM ``training_method.kwargs`` (``em_order_gnn_first`` ... ``num_pretrain_epochs``)."""

    em_order_gnn_first: bool = False
    inference_using_gnn: bool = True
    pl_weight: float = Field(0.5, ge=0.0)
    num_pretrain_epochs: int = Field(1, ge=0)
    # beyond GraphStorm: GNN epochs per pre-training stage and per M-step (a GNN epoch over the
    # LM-embedding table costs seconds, an LM epoch minutes; GraphStorm runs one of each)
    num_gnn_epochs: int = Field(1, ge=1)
    # beyond GraphStorm: LM pre-training epochs (None: num_pretrain_epochs); 0 when model_name is
    # an LM already fine-tuned on the task (the stage-wise recipe's export)
    num_pretrain_lm_epochs: Optional[int] = Field(None, ge=0)


class TrainingMethod(StrictModel):
    name: Literal["default", "glem"] = "default"
    kwargs: Dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_kwargs(self) -> "TrainingMethod":
        if self.name == "glem":
            GLEMKwargs(**self.kwargs)
        elif self.kwargs:
            raise ValueError(f"training_method {self.name!r} takes no kwargs (got {sorted(self.kwargs)})")
        return self

    @property
    def glem(self) -> GLEMKwargs:
        return GLEMKwargs(**self.kwargs)


class LMConfig(StrictModel):
    """The ``lm_*`` training keys (any gsf section)."""

    lm_train_nodes: int = Field(0, ge=-1)
    lm_infer_batch_size: int = Field(32, gt=0)
    freeze_lm_encoder_epochs: int = Field(0, ge=0)
    cache_lm_embed: Optional[bool] = None
    lm_tune_lr: Optional[float] = Field(None, gt=0)
    lm_warmup_steps: int = Field(0, ge=0)       # beyond GraphStorm: see the module doc
    lm_cache: Literal["cached", "recompute"] = "cached"
    lm_model_name: Optional[str] = Field(None, min_length=1)   # beyond GraphStorm: see the module doc
    training_method: Optional[TrainingMethod] = None

    @field_validator("training_method", mode="before")
    @classmethod
    def _method_name(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value


def with_model_name(lm_model: Optional[LMModelConfig], name: Optional[str]) -> Optional[LMModelConfig]:
    """``lm_model`` with ``model_name`` replaced by ``name`` in every entry (``name`` None: unchanged)."""
    if name is None or lm_model is None:
        return lm_model
    entries = [e.model_copy(update={"model_name": name}) for e in lm_model.node_lm_models]
    return lm_model.model_copy(update={"node_lm_models": entries})
