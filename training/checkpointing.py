"""When to save checkpoints and which to keep: GraphStorm's ``save_model_frequency`` and ``topk_model_to_save``.

Checkpoints go to ``save_model_path/epoch-N/`` at the end of epoch ``N`` (counted from 0, as
GraphStorm does) and, with ``save_model_frequency: K``, to ``save_model_path/epoch-N-iter-S/``
every ``K`` steps (``S`` = global step). A checkpoint is saved right after the evaluation of the
same step, so it carries that evaluation's validation score.

With ``topk_model_to_save: k`` only the ``k`` best checkpoints by that score are kept (ties:
the older one stays); without validation scores, the ``k`` most recent. The others are deleted
as soon as they drop out of the top ``k``.
"""

from __future__ import annotations

import logging
from typing import List, Optional, Tuple

from graphstorm_py import io
from graphstorm_py.eval import Metric
from graphstorm_py.training.callbacks import Callback, EvalRecord

__all__ = ["CheckpointSaver"]

log = logging.getLogger(__name__)


class CheckpointSaver(Callback):
    """Saves through ``trainer.save_checkpoint(path, record)``; keeps the top-k.

    Args:
        root: ``save_model_path``.
        metric: decides which score is better.
        frequency: also save every this many steps (``-1``: only at epoch ends).
        topk: keep this many (``None``: all).
    """

    def __init__(self, root: str, metric: Metric, frequency: int = -1, topk: Optional[int] = None):
        self.root, self.metric, self.frequency, self.topk = root, metric, frequency, topk
        self.kept: List[Tuple[Optional[float], int, str]] = []    # (score, step, path), oldest first
        self._last_step = -1
        self.delete_files = True      # False on the workers of a job other than rank 0: same list, no deleting

    def on_step_end(self, trainer, loss: float) -> None:
        step = trainer.state.step
        if self.frequency > 0 and step % self.frequency == 0:
            self._save(trainer, f"epoch-{trainer.state.epoch}-iter-{step}")

    def on_epoch_end(self, trainer, epoch: int) -> None:
        self._save(trainer, f"epoch-{epoch}")

    def _save(self, trainer, name: str) -> None:
        step = trainer.state.step
        if step == self._last_step:     # the step-frequency save already covered this step
            return
        self._last_step = step
        record = trainer.state.last_eval if trainer.state.last_eval and trainer.state.last_eval.step == step else None
        path = io.join(self.root, name)
        trainer.save_checkpoint(path, record)
        score = record.score if record is not None else None
        self.kept.append((score, step, path))
        self._prune()

    def _prune(self) -> None:
        if self.topk is None or len(self.kept) <= self.topk:
            return
        scored = all(s is not None for s, _, _ in self.kept)
        if scored:
            # rank best first; among equal scores the older (smaller step) ranks higher
            ranked = sorted(self.kept, key=lambda k: k[1])
            order: List[Tuple[Optional[float], int, str]] = []
            for item in ranked:
                pos = next((i for i, o in enumerate(order) if self.metric.better(item[0], o[0])), len(order))
                order.insert(pos, item)
            drop = order[self.topk:]
        else:
            drop = self.kept[:-self.topk]
        for item in drop:
            if self.delete_files:
                log.info("removing checkpoint %s (not in the top %d)", item[2], self.topk)
                io.remove(item[2])
            self.kept.remove(item)

    def state_dict(self):
        return {"kept": [list(k) for k in self.kept], "last_step": self._last_step}

    def load_state_dict(self, state) -> None:
        # only checkpoints under this run's root: never prune another run's folder
        self.kept = [tuple(k) for k in state.get("kept", [])  # type: ignore[misc]
                     if str(k[2]).startswith(str(self.root).rstrip("/") + "/") and io.exists(k[2])]
        self._last_step = int(state.get("last_step", -1))
