"""The trainer's progress as plain data: where it is, what it measured, what was best.

:class:`TrainState` is what callbacks read and what a checkpoint saves (``trainer_state.pt``)
so that a resumed run continues with the same epoch counter, history, best record and random
streams.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from graphstorm_py.training.callbacks import EvalRecord

__all__ = ["TrainState"]


@dataclass
class TrainState:
    """Attributes:
        epoch: the current (or last) epoch, from 0.
        step: global optimisation steps taken.
        start_epoch: the first epoch this process ran (> 0 after a resume).
        epoch_times: seconds of training per finished epoch (evaluation and saving excluded).
        history: every evaluation, in order.
        best: the evaluation with the best validation score so far.
        last_eval: the most recent evaluation.
        stopped_early: whether a callback ended training.
    """

    epoch: int = 0
    step: int = 0
    start_epoch: int = 0
    epoch_times: List[float] = field(default_factory=list)
    history: List[EvalRecord] = field(default_factory=list)
    best: Optional[EvalRecord] = None
    last_eval: Optional[EvalRecord] = None
    stopped_early: bool = False

    def to_dict(self) -> Dict[str, Any]:
        return {"epoch": self.epoch, "step": self.step, "epoch_times": list(self.epoch_times),
                "history": [r.to_json() for r in self.history],
                "best": self.best.to_json() if self.best else None, "stopped_early": self.stopped_early}

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> "TrainState":
        history = [EvalRecord(**r) for r in d.get("history", [])]
        best = EvalRecord(**d["best"]) if d.get("best") else None
        return cls(epoch=d["epoch"], step=d["step"], epoch_times=list(d.get("epoch_times", [])),
                   history=history, best=best, last_eval=history[-1] if history else None,
                   stopped_early=d.get("stopped_early", False))
