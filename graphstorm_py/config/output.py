"""Where models, embeddings, predictions and results are saved, and what is restored."""

from __future__ import annotations

from typing import Any, List, Optional

from pydantic import Field, field_validator, model_validator

from graphstorm_py.config.fields import NameList, StrictModel, none_string_to_none

__all__ = ["OutputConfig", "MODEL_LAYERS", "MODEL_LAYER_OPTIONS"]

MODEL_LAYERS = ["embed", "gnn", "decoder"]
"""The layers of a model checkpoint, all restored by default."""
MODEL_LAYER_OPTIONS = MODEL_LAYERS + ["dense_embed", "sparse_embed"]

_PATHS = ("save_model_path", "save_embed_path", "save_prediction_path", "save_perf_results_path",
          "restore_model_path", "restore_optimizer_path", "resume_from_checkpoint")


class OutputConfig(StrictModel):
    """GraphStorm's save/restore keys (usually in ``input:`` and ``output:`` sections).

    Every path may be local or ``s3://``; the string ``none`` means no path, as in GraphStorm.

    Attributes:
        save_model_path: where checkpoints go; ``None`` saves none.
        save_model_frequency: also save every N iterations; -1 only at epoch ends. Default -1.
        topk_model_to_save: keep only the K best checkpoints; ``None`` keeps all.
        save_embed_path: where node embeddings go; ``None`` saves none.
        save_prediction_path: where predictions go. Defaults to ``save_embed_path``.
        save_perf_results_path: where evaluation results go; ``None`` saves none.
        restore_model_path: a checkpoint whose weights the model starts from (GraphStorm's
            meaning: training then runs from epoch 0 with a fresh optimizer); ``None``: random.
        restore_model_layers: which checkpoint layers to load, from :data:`MODEL_LAYER_OPTIONS`
            (``"embed,gnn"`` or a list). Default all of :data:`MODEL_LAYERS`.
        restore_optimizer_path: optimizer state to restore with the model; ``None``: fresh.
        resume_from_checkpoint: continue an interrupted run from one of its checkpoints: model,
            optimizer, random streams, early-stop and top-k state and the epoch counter (a
            graphstorm_py key; the config must have the checkpoint's task sections).
        infer_all_target_nodes: predict every node of the target type, not only the test set.
            Default ``False``.
    """

    save_model_path: Optional[str] = None
    save_model_frequency: int = -1
    topk_model_to_save: Optional[int] = Field(None, gt=0)
    save_embed_path: Optional[str] = None
    save_prediction_path: Optional[str] = None
    save_perf_results_path: Optional[str] = None
    restore_model_path: Optional[str] = None
    restore_model_layers: NameList = Field(default_factory=lambda: list(MODEL_LAYERS))
    restore_optimizer_path: Optional[str] = None
    resume_from_checkpoint: Optional[str] = None
    infer_all_target_nodes: bool = False

    @field_validator(*_PATHS, mode="before")
    @classmethod
    def _none_path(cls, value: Any) -> Any:
        return none_string_to_none(value)

    @field_validator("save_model_frequency")
    @classmethod
    def _frequency(cls, value: int) -> int:
        if value != -1 and value <= 0:
            raise ValueError(f"must be > 0, or -1 to save only at epoch ends (got {value})")
        return value

    @field_validator("restore_model_layers")
    @classmethod
    def _layers(cls, value: List[str]) -> List[str]:
        bad = [v for v in value if v not in MODEL_LAYER_OPTIONS]
        if bad or not value:
            raise ValueError(f"layers {bad or value} are not among {', '.join(MODEL_LAYER_OPTIONS)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "OutputConfig":
        if self.save_model_path is None:
            for key in ("save_model_frequency", "topk_model_to_save"):
                if getattr(self, key) not in (None, -1):
                    raise ValueError(f"'{key}' needs 'save_model_path'")
        if self.resume_from_checkpoint and (self.restore_model_path or self.restore_optimizer_path):
            raise ValueError("'resume_from_checkpoint' restores model and optimizer itself; drop "
                             "'restore_model_path' / 'restore_optimizer_path'")
        if self.restore_model_path is None and self.restore_model_layers != MODEL_LAYERS:
            raise ValueError("'restore_model_layers' needs 'restore_model_path'")
        if self.save_prediction_path is None:
            self.save_prediction_path = self.save_embed_path
        return self
