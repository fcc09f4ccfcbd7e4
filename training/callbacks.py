"""Callbacks: the trainer's extension points, called on named events.

The trainer (:mod:`graphstorm_py.training.trainer`) runs one loop and announces what happens:

===================  ============================================================
event                when
===================  ============================================================
``on_train_begin``   before the first step (after a resume, with the restored state)
``on_step_end``      after every optimisation step, with the loss
``on_evaluate``      after each evaluation, with its :class:`EvalRecord`; may return
                     :data:`STOP` to end training (early stopping)
``on_epoch_end``     after each epoch (after its evaluation)
``on_save``          when the trainer saves a checkpoint, with its path and record
``on_train_end``     once, at the end
===================  ============================================================

Policies are small callbacks: :class:`~graphstorm_py.training.early_stop.EarlyStopping`,
:class:`~graphstorm_py.training.checkpointing.CheckpointSaver` (top-k). A callback sees the
trainer (``trainer.state``, ``trainer.run``) but changes training only by what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

__all__ = ["Callback", "EvalRecord", "STOP"]

STOP = "stop"
"""What ``on_evaluate`` returns to end training."""


@dataclass
class EvalRecord:
    """One evaluation: where it happened and the metrics per task and split.

    ``metrics[task_name]["val"]`` is ``{metric: value}`` (or ``None`` if the split is empty).
    ``score`` is the first task's main metric on the validation split, which selects models.
    """

    epoch: int
    step: int
    metrics: Dict[str, Dict[str, Optional[Dict[str, Any]]]] = field(default_factory=dict)
    score: Optional[float] = None
    checkpoint: Optional[str] = None

    def to_json(self) -> Dict[str, Any]:
        return {"epoch": self.epoch, "step": self.step, "metrics": self.metrics, "score": self.score,
                "checkpoint": self.checkpoint}


class Callback:
    """Base class: every event is a no-op. Override what you need."""

    def on_train_begin(self, trainer) -> None:
        pass

    def on_step_end(self, trainer, loss: float) -> None:
        pass

    def on_evaluate(self, trainer, record: EvalRecord) -> Optional[str]:
        return None

    def on_epoch_end(self, trainer, epoch: int) -> None:
        pass

    def on_save(self, trainer, path: str, record: Optional[EvalRecord]) -> None:
        pass

    def on_train_end(self, trainer) -> None:
        pass

    def state_dict(self) -> Dict[str, Any]:
        """What a resumed run needs to continue this policy."""
        return {}

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        pass


def call_all(callbacks: List[Callback], event: str, *args) -> List[Any]:
    return [getattr(cb, event)(*args) for cb in callbacks]
