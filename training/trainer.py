"""The one training loop. Tasks plug in; policies are callbacks.

Per step the trainer takes one :class:`~graphstorm_py.tasks.TaskBatch` from every task
(:func:`step_batches`), asks the training embedder for the batch's embeddings (neighbour
sampling with ``fanout``), sums the tasks' weighted losses, and takes one optimiser step::

    for epoch in range(start, num_epochs):
        for batches in step_batches(tasks, epoch):            # [(task, batch), ...]
            loss = sum(task.weight * task.loss(decoder, embedder(batch.seeds, ...), batch))
            loss.backward(); optimizers.step()
            evaluate every eval_frequency steps -> callbacks.on_evaluate (may STOP)
            callbacks.on_step_end                              (step-frequency checkpoints)
        evaluate at epoch end -> callbacks.on_evaluate, on_epoch_end (checkpoint, top-k)

Evaluation (:meth:`Trainer.evaluate`) asks every task for its val and test metrics with the
run's evaluation embedder: mini-batch with ``eval_fanout``, or layer-wise full-graph inference
computed once per evaluation (``use_mini_batch_infer: false``). The trainer knows nothing
about any particular task, early stopping or top-k; those are callbacks.
"""

from __future__ import annotations

import logging
import time
from itertools import cycle, islice
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import torch

from graphstorm_py.model.assemble import Assembly
from graphstorm_py.model.checkpoint import save_checkpoint
from graphstorm_py.model.embed import MiniBatchEmbedder
from graphstorm_py.progress import progress
from graphstorm_py.tasks import Task, TaskBatch
from graphstorm_py.training.callbacks import STOP, Callback, EvalRecord, call_all
from graphstorm_py.training.optim import Optimizers
from graphstorm_py.training.state import TrainState

__all__ = ["Trainer", "step_batches"]

log = logging.getLogger(__name__)


def step_batches(tasks: Sequence[Task], epoch: int) -> Iterator[List[Tuple[Task, TaskBatch]]]:
    """One ``[(task, batch)]`` list per step; an epoch lasts as long as the longest task's loader,
    shorter ones start over (GraphStorm's multi-task loader). One task: one batch per step."""
    longest = max(t.num_train_batches() for t in tasks)

    def stream(task: Task) -> Iterator[TaskBatch]:
        if task.num_train_batches() == longest:
            return task.train_batches(epoch)
        return islice((b for _ in cycle([None]) for b in task.train_batches(epoch)), longest)

    streams = [stream(t) for t in tasks]
    for _ in range(longest):
        yield [(t, next(s)) for t, s in zip(tasks, streams)]


class Trainer:
    """Runs the loop of the module docstring.

    Args:
        run: the assembled pieces (model, tasks, graph, features, config).
        optimizers: dense + sparse optimisers.
        callbacks: policies (early stopping, checkpoints, ...).
        eval_frequency: evaluate every this many steps too (``sys.maxsize``: epoch ends only).
        no_validation: never evaluate.
        alpha_l2norm: weight of the squared L2 norm of the dense parameters added to the loss.
        log_every: log the loss every this many steps.
    """

    def __init__(self, run: Assembly, optimizers: Optimizers, callbacks: Sequence[Callback] = (), *,
                 eval_frequency: int, no_validation: bool = False, alpha_l2norm: float = 0.0,
                 log_every: int = 1000):
        self.run, self.model, self.tasks = run, run.model, run.tasks
        self.optimizers = optimizers
        self.callbacks: List[Callback] = list(callbacks)
        self.eval_frequency, self.no_validation = eval_frequency, no_validation
        self.alpha_l2norm, self.log_every = alpha_l2norm, log_every
        cfg = run.config
        self.sampler = run.sampler(cfg.gnn.fanout, seed=cfg.hyperparam.seed)
        self.embedder = MiniBatchEmbedder(run.model, self.sampler, run.features, run.device,
                                          getattr(run, "edge_features", None))
        self.state = TrainState()

    # ---- the loop -------------------------------------------------------------------------
    def fit(self, num_epochs: int) -> TrainState:
        st = self.state
        st.start_epoch = st.epoch if st.step == 0 else st.epoch + 1
        call_all(self.callbacks, "on_train_begin", self)
        for epoch in range(st.start_epoch, num_epochs):
            st.epoch = epoch
            if self._run_epoch(epoch):
                break
        call_all(self.callbacks, "on_train_end", self)
        return st

    def _run_epoch(self, epoch: int) -> bool:
        """One epoch; True when a callback stopped training."""
        st = self.state
        self.model.train()
        self.sampler.set_epoch(epoch)
        steps, n = self.epoch_steps(epoch)
        bar = progress(steps, total=n, desc=f"epoch {epoch}", unit="step", leave=False)
        train_time, stop = 0.0, False
        tick = time.perf_counter()
        for batches in bar:                       # the clock runs over batch loading and the step only
            loss = self._step(batches)
            train_time += time.perf_counter() - tick
            st.step += 1
            bar.set_postfix(loss=f"{loss:.4f}")
            if st.step % self.log_every == 0:
                log.info("epoch %d step %d: loss %.4f", epoch, st.step, loss)
            if not self.no_validation and st.step % self.eval_frequency == 0:
                stop = self._evaluate_and_decide()
                if stop:
                    break
            call_all(self.callbacks, "on_step_end", self, loss)
            tick = time.perf_counter()
        bar.close()
        st.epoch_times.append(train_time)
        log.info("epoch %d: %d steps in %.2fs", epoch, n, train_time)
        if not stop and not self.no_validation and (st.last_eval is None or st.last_eval.step != st.step):
            stop = self._evaluate_and_decide()
        call_all(self.callbacks, "on_epoch_end", self, epoch)
        st.stopped_early = bool(stop)
        return bool(stop)

    def epoch_steps(self, epoch: int) -> Tuple[Iterator[List[Tuple[Task, TaskBatch]]], int]:
        """The epoch's steps and their number (a distributed trainer shards them)."""
        return step_batches(self.tasks, epoch), max(t.num_train_batches() for t in self.tasks)

    def _step(self, batches: List[Tuple[Task, TaskBatch]]) -> float:
        self.optimizers.zero_grad()
        total: Optional[torch.Tensor] = None
        for task, batch in batches:
            with task.forward_context(self.model):
                emb = self.embedder(batch.seeds, batch.exclude_eids, batch.exclude_etypes)
            loss = task.weight * task.loss(self.model.decoders[task.name], emb, batch)
            total = loss if total is None else total + loss
        if self.alpha_l2norm:
            total = total + self.alpha_l2norm * sum(p.square().sum() for p in self.model.dense_parameters())
        total.backward()
        self.optimizers.step()
        return float(total.detach())

    # ---- evaluation -----------------------------------------------------------------------
    def evaluate(self) -> EvalRecord:
        """Val and test metrics of every task with the current weights."""
        cfg = self.run.config
        embedder = self.run.eval_embedder()
        was_training = self.model.training
        self.model.eval()
        metrics: Dict[str, Dict[str, Any]] = {}
        try:
            for task in self.tasks:
                decoder = self.model.decoders[task.name]
                metrics[task.name] = {split: self.task_metrics(task, decoder, embedder, split,
                                                               cfg.hyperparam.eval_batch_size)
                                      for split in ("val", "test")}
        finally:
            self.model.train(was_training)
        first = self.tasks[0]
        val = metrics[first.name]["val"]
        score = None if val is None else _scalar(val[first.main_metric.name])
        return EvalRecord(epoch=self.state.epoch, step=self.state.step, metrics=metrics, score=score)

    def task_metrics(self, task: Task, decoder, embedder, split: str, batch_size: int) -> Optional[Dict[str, Any]]:
        """One task's metrics on one split (a distributed trainer shards the work)."""
        return task.evaluate(decoder, embedder, split, batch_size)

    def _evaluate_and_decide(self) -> bool:
        st = self.state
        record = self.evaluate()
        st.history.append(record)
        st.last_eval = record
        main = self.tasks[0].main_metric
        if record.score is not None and (st.best is None or main.better(record.score, st.best.score)):
            st.best = record
        log.info("evaluation at epoch %d step %d: %s", record.epoch, record.step, _fmt(record.metrics))
        return any(d == STOP for d in call_all(self.callbacks, "on_evaluate", self, record))

    # ---- checkpoints ----------------------------------------------------------------------
    def save_checkpoint(self, path: str, record: Optional[EvalRecord]) -> str:
        """Model, sparse embeddings, optimiser state, trainer state and resolved config at ``path``."""
        if record is not None:
            record.checkpoint = path
        trainer_state = {"state": self.state.to_dict(), "torch_rng": torch.get_rng_state(),
                         "sampler_rng": self.sampler.generator.get_state(),
                         "tasks": {t.name: t.state_dict() for t in self.tasks},
                         "callbacks": [cb.state_dict() for cb in self.callbacks]}
        info = {"epoch": self.state.epoch, "step": self.state.step,
                "val": None if record is None else {k: v["val"] for k, v in record.metrics.items()},
                "score": None if record is None else record.score}
        save_checkpoint(path, self.model, config=self.run.config.resolved_dict(),
                        optimizer_state=self.optimizers.state_dict(), trainer_state=trainer_state, info=info)
        call_all(self.callbacks, "on_save", self, path, record)
        return path

    def load_trainer_state(self, saved: Dict[str, Any]) -> None:
        """Continue from a checkpoint's ``trainer_state.pt`` (the model and optimisers are restored apart)."""
        self.state = TrainState.from_dict(saved["state"])
        torch.set_rng_state(saved["torch_rng"])
        self.sampler.generator.set_state(saved["sampler_rng"])
        for task in self.tasks:
            task.load_state_dict(saved.get("tasks", {}).get(task.name, {}))
        for cb, cb_state in zip(self.callbacks, saved.get("callbacks", [])):
            cb.load_state_dict(cb_state)


def _scalar(value) -> float:
    if isinstance(value, dict):           # per_class_f1_score: its mean selects models
        return sum(value.values()) / max(len(value), 1)
    return float(value)


def _fmt(metrics: Dict[str, Dict[str, Any]]) -> str:
    parts = []
    for task, splits in metrics.items():
        for split, vals in splits.items():
            if vals:
                parts.append(f"{task} {split} " + ", ".join(
                    f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in vals.items()))
    return "; ".join(parts) or "no metrics"
