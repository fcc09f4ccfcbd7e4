"""Where training reports besides the log: GraphStorm's ``task_tracker`` and ``profile_path``.

* ``task_tracker: sagemaker_task_tracker`` (GraphStorm's default) prints metrics; the trainer's
  log lines already do, so it adds no callback.
* ``task_tracker: tensorboard_task_tracker[:LOGDIR]`` → :class:`TensorBoardTracker`: TensorBoard
  event files (``torch.utils.tensorboard.SummaryWriter``) with the training loss per step
  (``train/loss``) and every scalar metric per evaluation (``<task>/<split>_<metric>``).
* ``profile_path: DIR`` → :class:`StepProfiler`: ``DIR/profile-rank0.csv`` with one row per
  optimisation step (epoch, step, seconds since the previous step, loss), written at the end.
"""

from __future__ import annotations

import io as _io
import logging
import time
from typing import List, Optional, Tuple

from graphstorm_py import io
from graphstorm_py.errors import ConfigError
from graphstorm_py.training.callbacks import Callback, EvalRecord

__all__ = ["TensorBoardTracker", "StepProfiler", "build_trackers"]

log = logging.getLogger(__name__)


class TensorBoardTracker(Callback):
    """TensorBoard event files in ``log_dir`` (``None``: TensorBoard's ``./runs/<time>_<host>``)."""

    def __init__(self, log_dir: Optional[str] = None):
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as exc:   # the tensorboard package is a dependency; a broken install
            raise ConfigError(f"task_tracker tensorboard_task_tracker needs the 'tensorboard' package: {exc}") from None
        self.writer = SummaryWriter(log_dir=log_dir or None)
        log.info("TensorBoard events go to %s", self.writer.log_dir)

    def on_step_end(self, trainer, loss: float) -> None:
        self.writer.add_scalar("train/loss", loss, trainer.state.step)

    def on_evaluate(self, trainer, record: EvalRecord) -> None:
        for task, splits in record.metrics.items():
            for split, values in splits.items():
                for name, value in (values or {}).items():
                    if isinstance(value, (int, float)):
                        self.writer.add_scalar(f"{task}/{split}_{name}", float(value), record.step)
        self.writer.flush()
        return None

    def on_train_end(self, trainer) -> None:
        self.writer.close()


class StepProfiler(Callback):
    """Per-step wall time and loss, written as ``profile-rank0.csv`` into ``path``."""

    def __init__(self, path: str):
        self.path = path
        self.rows: List[Tuple[int, int, float, float]] = []
        self._last = 0.0

    def on_train_begin(self, trainer) -> None:
        self._last = time.perf_counter()

    def on_step_end(self, trainer, loss: float) -> None:
        now = time.perf_counter()
        self.rows.append((trainer.state.epoch, trainer.state.step, now - self._last, loss))
        self._last = now

    def on_train_end(self, trainer) -> None:
        out = _io.StringIO()
        out.write("epoch,step,seconds,loss\n")
        for epoch, step, seconds, loss in self.rows:
            out.write(f"{epoch},{step},{seconds:.6f},{loss:.6f}\n")
        io.makedirs(self.path)
        target = io.join(self.path, "profile-rank0.csv")
        io.write_bytes(target, out.getvalue().encode())
        log.info("profile of %d steps written to %s", len(self.rows), target)


def build_trackers(basic) -> List[Callback]:
    """The callbacks ``basic.task_tracker`` and ``basic.profile_path`` ask for."""
    out: List[Callback] = []
    if basic.tensorboard_dir is not None:
        out.append(TensorBoardTracker(basic.tensorboard_dir))
    if basic.profile_path:
        out.append(StepProfiler(basic.profile_path))
    return out
