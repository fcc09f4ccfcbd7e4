"""GLEM (``training_method: glem``): the LM and the GNN take turns, each learning from the other's
pseudo labels (Zhao et al., "Learning on Large-scale Text-attributed Graphs via Variational
Inference", ICLR'23), as GraphStorm runs it for node classification.

Two models share one LM and one LM-embedding table:

* the **LM model**: the LM + a head, no message passing; ``lm_train_nodes`` nodes of each batch
  get LM gradients (0 or -1: every batch node), the others read the LM-embedding table;
* the **GNN model**: the config's GNN over the LM's embeddings (frozen while the GNN trains).

Schedule (GraphStorm's kwargs): ``num_pretrain_epochs`` epochs of each on the gold labels, then per
epoch one EM round: the E-step trains the LM on the gold labels plus the GNN's pseudo labels of
the unlabelled (non-train) target nodes, the M-step trains the GNN on the gold labels plus the
LM's pseudo labels, ``loss = (1 - pl_weight) * gold + pl_weight * pseudo``; ``em_order_gnn_first``
swaps the two steps. Beyond GraphStorm, ``num_gnn_epochs`` runs that many GNN epochs per
pre-training stage and per M-step (cheap: the GNN reads the LM-embedding table), and
``num_pretrain_lm_epochs`` sets the LM's pre-training epochs apart (0: ``model_name`` is already
fine-tuned on the task, e.g. the stage-wise recipe's exported LM).

After each round the model named by ``inference_using_gnn`` is evaluated and checkpointed
(``epoch-R``). When that is the GNN, each earlier GNN epoch of the round's M-step is evaluated too
and saved (``epoch-R-gnn-K``) when it is the best so far, so the kept model is the one with the
best validation score, as in a plain run's per-epoch evaluation. The GNN model's checkpoint holds
the shared LM, so gs-infer reads it like a co-training checkpoint, and ``restore_model_path``
starts a new GLEM run from it (the GNN and the shared LM; the LM side's head starts fresh).
``resume_from_checkpoint`` and ``restore_optimizer_path`` are exit 2: the two models and the
schedule are not checkpointed as one run.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, Optional

import torch

from graphstorm_py import io
from graphstorm_py.errors import ConfigError
from graphstorm_py.model import restore_model
from graphstorm_py.model.assemble import Assembly, assemble, open_graph
from graphstorm_py.progress import progress
from graphstorm_py.tasks import TaskBatch
from graphstorm_py.training.optim import Optimizers
from graphstorm_py.training.results import build_results, write_results
from graphstorm_py.training.run import restored_encoder
from graphstorm_py.training.trainer import Trainer, step_batches

__all__ = ["glem_train"]

log = logging.getLogger(__name__)


def _configs(cfg):
    if cfg.lm_model is None:
        raise ConfigError("training_method glem needs a top-level lm_model block")
    if cfg.is_multi_task or cfg.task.task_type != "node_classification":
        raise ConfigError(f"training_method glem supports node_classification only, got {cfg.task_type}")
    gnn_cfg = cfg.model_copy(update={"lm": cfg.lm.model_copy(update={"lm_train_nodes": 0})})
    lm_gnn = cfg.gnn.model_copy(update={"model_encoder_type": "lm", "num_layers": 0, "fanout": "", "eval_fanout": ""})
    # the LM side: lm_train_nodes of each batch (and of each pseudo-label batch) with LM gradients, the
    # rest read from the LM-embedding table; 0 or -1: every batch node (an E-step then costs 2 LM epochs)
    lm_train = cfg.lm.lm_train_nodes if cfg.lm.lm_train_nodes > 0 else -1
    lm_cfg = cfg.model_copy(update={"gnn": lm_gnn, "lm": cfg.lm.model_copy(update={"lm_train_nodes": lm_train})})
    return lm_cfg, gnn_cfg


class _Side:
    """One of the two models with its optimiser and a trainer (for embedders, evaluation, checkpoints)."""

    def __init__(self, run: Assembly, name: str):
        self.run, self.name = run, name
        self.opt = Optimizers.from_config(run.model, run.config.hyperparam)
        self.trainer = Trainer(run, self.opt, eval_frequency=10 ** 12, no_validation=True)
        self.layer = run.model.input_encoder

    @torch.no_grad()
    def pseudo_labels(self, nids: torch.Tensor) -> torch.Tensor:
        task = self.run.tasks[0]
        self.run.model.eval()
        try:
            embedder = self.run.eval_embedder()
            out = [self.run.model.decoders[task.name](embedder({task.ntype: ids})[task.ntype]).argmax(1).cpu()
                   for ids in nids.split(self.run.config.hyperparam.eval_batch_size)]
        finally:
            self.run.model.train()
        return torch.cat(out) if out else torch.zeros(0, dtype=torch.long)

    def train_epoch(self, epoch: int, pseudo: Optional[tuple], weight: float, train_lm: bool) -> float:
        run, task = self.run, self.run.tasks[0]
        self.layer.set_lm_frozen(not train_lm)
        run.model.train()
        decoder = run.model.decoders[task.name]
        n = task.num_train_batches()
        total = 0.0
        for batches in progress(step_batches(run.tasks, epoch), total=n, desc=f"glem {self.name} {epoch}",
                                unit="step", leave=False):
            _, batch = batches[0]
            self.opt.zero_grad()
            loss = task.loss(decoder, self.trainer.embedder(batch.seeds), batch)
            if pseudo is not None and weight > 0:
                pool, labels = pseudo
                pick = torch.unique(torch.randint(len(pool), (int(batch.labels.numel()),)))
                pb = TaskBatch(seeds={task.ntype: pool[pick]}, labels=labels[pick])
                loss = (1 - weight) * loss + weight * task.loss(decoder, self.trainer.embedder(pb.seeds), pb)
            loss.backward()
            self.opt.step()
            total += float(loss.detach())
        return total / max(n, 1)


def _evaluate_is_best(trainer: Trainer) -> bool:
    trainer._evaluate_and_decide()
    return trainer.state.best is trainer.state.last_eval


def glem_train(cfg, graph_path: str, device=None) -> Dict[str, Any]:
    """Train with GLEM; returns the results dict as :func:`graphstorm_py.training.run.train` does."""
    kw = cfg.lm.training_method.glem
    lm_cfg, gnn_cfg = _configs(cfg)
    out = cfg.output
    for key in ("resume_from_checkpoint", "restore_optimizer_path"):
        if getattr(out, key):
            raise ConfigError(f"{key} is not supported with training_method glem (its two models and their "
                              "schedule are not checkpointed as one run); start GLEM from a checkpoint's model "
                              "with restore_model_path (--restore-model-path) instead")
    dataset = open_graph(graph_path)
    lm_side = _Side(assemble(lm_cfg, dataset, device), "lm")
    gnn_run = assemble(gnn_cfg, dataset, device, encoder_of=restored_encoder(cfg))
    # share the LM and its embedding table: the GNN always reads the LM's latest embeddings
    gnn_layer = gnn_run.model.input_encoder
    gnn_layer.lm, gnn_layer.tables = lm_side.layer.lm, lm_side.layer.tables
    if out.restore_model_path:      # the GNN model's checkpoint (a GLEM or co-training one): GNN and shared LM
        restore_model(out.restore_model_path, gnn_run.model, out.restore_model_layers)
        log.info("glem: model restored from %s (layers %s)", out.restore_model_path,
                 ", ".join(out.restore_model_layers))
    gnn_layer.disk_cache = False
    gnn_side = _Side(gnn_run, "gnn")
    task = gnn_run.tasks[0]
    train_ids = task.target_nids("train")
    everyone = torch.arange(gnn_run.graph.num_nodes[task.ntype])
    is_train = torch.zeros(len(everyone), dtype=torch.bool)
    is_train[train_ids] = True
    pool = everyone[~is_train]

    def refresh_table():
        lm_side.layer._dirty = True
        lm_side.run.model.eval()                # refreshes the shared table with the LM's new weights
        lm_side.run.model.train()

    epoch, t0 = 0, time.perf_counter()
    lm_pre = kw.num_pretrain_epochs if kw.num_pretrain_lm_epochs is None else kw.num_pretrain_lm_epochs
    for e in range(lm_pre):
        log.info("glem pre-training %d: LM loss %.4f", e, lm_side.train_epoch(epoch, None, 0.0, True))
        epoch += 1
    if lm_pre:
        refresh_table()
    else:                       # an LM fine-tuned before (stage-wise export): its table may be on disk
        lm_side.layer.ensure_tables()
    for e in range(kw.num_pretrain_epochs * kw.num_gnn_epochs):
        log.info("glem pre-training %d: GNN loss %.4f", e, gnn_side.train_epoch(epoch, None, 0.0, False))
        epoch += 1
    pretrain_s = time.perf_counter() - t0
    final = gnn_side if kw.inference_using_gnn else lm_side
    state_trainer = final.trainer
    validate = not cfg.evaluation.no_validation
    for r in range(cfg.hyperparam.num_epochs):
        t0 = time.perf_counter()
        steps = [(gnn_side, lm_side), (lm_side, gnn_side)]
        if not kw.em_order_gnn_first:
            steps.reverse()
        state = state_trainer.state
        state.epoch = r
        for side, teacher in steps:
            labels = teacher.pseudo_labels(pool)
            n_epochs = 1 if side is lm_side else kw.num_gnn_epochs
            for k in range(n_epochs):
                loss = side.train_epoch(epoch, (pool, labels), kw.pl_weight, side is lm_side)
                epoch += 1
                # the GNN is the final model: every M-step epoch is a candidate (an evaluation costs
                # a pass over the table); the new best of a round is saved before training moves on
                if side is gnn_side and final is gnn_side and validate and k < n_epochs - 1:
                    state.step += 1
                    if _evaluate_is_best(state_trainer) and out.save_model_path:
                        state_trainer.save_checkpoint(io.join(out.save_model_path, f"epoch-{r}-gnn-{k}"),
                                                      state.last_eval)
            log.info("glem round %d: %s step loss %.4f", r, side.name, loss)
            if side is lm_side:
                refresh_table()
        state.step += 1
        state.epoch_times.append(time.perf_counter() - t0)      # one EM round, refresh and evaluations included
        if validate:
            state_trainer._evaluate_and_decide()
            if out.save_model_path and final is gnn_side:
                state_trainer.save_checkpoint(io.join(out.save_model_path, f"epoch-{r}"), state.last_eval)
    results = build_results(state_trainer.state, final.run.tasks, cfg)
    results["training_method"] = "glem"
    results["glem_pretrain_s"] = round(pretrain_s, 1)
    write_results(results, out.save_model_path, out.save_perf_results_path)
    return results
