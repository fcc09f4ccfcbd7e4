"""``results.json``: what a training run achieved, written at the end and printed.

Fields:

==========================  ====================================================================
``task_type``               the task section (``multi_task`` for several tasks)
``eval_metric``             the metric that selected the best model (first task's first metric)
``best_epoch``              epoch (from 0) of the best validation score; ``null`` without validation
``best_step``               global step of that evaluation
``best_checkpoint``         the checkpoint saved at that evaluation, if one was
``val`` / ``test``          the first task's metrics at that evaluation: the test metrics are
                            those of the same model as the best validation score
``tasks``                   ``{task name: {"val": ..., "test": ...}}`` at that evaluation, every task
``last``                    the metrics of the final evaluation, in the same shape as ``tasks``
``epochs_run``              epochs trained by this process; ``stopped_early``
``time_per_epoch_s``        mean training seconds per epoch (no evaluation, no saving);
                            ``epoch_times_s`` lists them
``seed``                    the run's seed
==========================  ====================================================================
"""

from __future__ import annotations

import json
from statistics import mean
from typing import Any, Dict, Optional

from graphstorm_py import io
from graphstorm_py.training.state import TrainState

__all__ = ["build_results", "write_results", "TIMING_FIELDS"]

TIMING_FIELDS = ("time_per_epoch_s", "epoch_times_s")
"""Fields that differ between otherwise identical runs."""


def build_results(state: TrainState, tasks, cfg) -> Dict[str, Any]:
    best, last = state.best, state.last_eval
    first = tasks[0]
    chosen = best or (last if last is not None and last.score is None else None)
    per_task = chosen.metrics if chosen else {}
    return {
        "task_type": cfg.task_type,
        "eval_metric": first.main_metric.name,
        "best_epoch": best.epoch if best else None,
        "best_step": best.step if best else None,
        "best_checkpoint": best.checkpoint if best else None,
        "val": (per_task.get(first.name) or {}).get("val"),
        "test": (per_task.get(first.name) or {}).get("test"),
        "tasks": per_task,
        "last": last.metrics if last else None,
        "epochs_run": len(state.epoch_times),
        "stopped_early": state.stopped_early,
        "time_per_epoch_s": round(mean(state.epoch_times), 4) if state.epoch_times else None,
        "epoch_times_s": [round(t, 4) for t in state.epoch_times],
        "seed": cfg.hyperparam.seed,
    }


def write_results(results: Dict[str, Any], *dirs: Optional[str]) -> None:
    """Write ``results.json`` into every given directory (``None`` entries are skipped)."""
    for d in dirs:
        if d:
            io.makedirs(d)
            io.write_json(io.join(d, "results.json"), results)


def dumps(results: Dict[str, Any]) -> str:
    return json.dumps(results, indent=2, default=str)
