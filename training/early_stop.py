"""Early stopping, with GraphStorm's two strategies, as a callback.

After ``early_stop_burnin_rounds`` evaluations, the policy keeps a window of the last
``early_stop_rounds`` validation scores (the first task's main metric) and, once the window
is full, stops training when the new score is not better than

* ``average_increase``: the window's average, or
* ``consecutive_increase``: every score in the window,

where "better" follows the metric's direction (higher accuracy, lower RMSE). Evaluations
without a validation score (``no_validation``, an empty split) are ignored.
"""

from __future__ import annotations

from statistics import mean
from typing import List, Optional

from graphstorm_py.eval import Metric
from graphstorm_py.training.callbacks import STOP, Callback, EvalRecord

__all__ = ["EarlyStopping"]


class EarlyStopping(Callback):
    """Returns :data:`STOP` from ``on_evaluate`` when the validation score stops improving.

    Args:
        metric: the metric whose direction decides "better".
        rounds: window length (``early_stop_rounds``).
        burnin: evaluations ignored at the start (``early_stop_burnin_rounds``).
        strategy: ``average_increase`` or ``consecutive_increase``.
    """

    def __init__(self, metric: Metric, rounds: int = 3, burnin: int = 0, strategy: str = "average_increase"):
        if strategy not in ("average_increase", "consecutive_increase"):
            raise ValueError(f"unknown early_stop_strategy {strategy!r}")
        self.metric, self.rounds, self.burnin, self.strategy = metric, rounds, burnin, strategy
        self.calls = 0
        self.window: List[float] = []

    def should_stop(self, score: float) -> bool:
        self.calls += 1
        if self.calls <= self.burnin:
            return False
        if len(self.window) < self.rounds:
            self.window.append(score)
            return False
        if self.strategy == "average_increase":
            stop = not self.metric.better(score, mean(self.window))
        else:
            stop = all(not self.metric.better(score, old) for old in self.window)
        self.window = self.window[1:] + [score]
        return stop

    def on_evaluate(self, trainer, record: EvalRecord) -> Optional[str]:
        if record.score is None:
            return None
        return STOP if self.should_stop(record.score) else None

    def state_dict(self):
        return {"calls": self.calls, "window": list(self.window)}

    def load_state_dict(self, state) -> None:
        self.calls, self.window = int(state.get("calls", 0)), list(state.get("window", []))
