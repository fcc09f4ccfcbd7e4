"""One training run from a config: seed, assemble, restore, train, report.

:func:`train` is what ``gs-train`` calls, and what tests and notebooks can call directly::

    cfg = load_train_config("cora.yaml", ["--num-epochs", "5"])
    results = train(cfg, "graphs/cora")          # the results.json dict

Restoring (``restore_model_path``):

* **resume**: the checkpoint was trained with the same task sections and every layer is
  restored, and it holds a trainer state: the optimisers, random streams, history and policies
  are restored too, and training continues after the checkpoint's epoch up to ``num_epochs``.
* **warm start** otherwise: the requested ``restore_model_layers`` are loaded (e.g. the
  encoder of a link-prediction model into a node-classification run), decoders the checkpoint
  does not have start fresh, and training starts at epoch 0.

``restore_optimizer_path`` loads optimiser state from another checkpoint.
"""

from __future__ import annotations

import logging
import random
from typing import Any, Dict, List, Optional

import numpy as np
import torch

from graphstorm_py.errors import ConfigError
from graphstorm_py.model import (assemble, is_checkpoint, load_checkpoint_config, load_checkpoint_file,
                                 open_graph, restore_model)
from graphstorm_py.model.checkpoint import read_checkpoint_info
from graphstorm_py.training.callbacks import Callback
from graphstorm_py.training.checkpointing import CheckpointSaver
from graphstorm_py.training.early_stop import EarlyStopping
from graphstorm_py.training.optim import Optimizers
from graphstorm_py.training.results import build_results, write_results
from graphstorm_py.training.trainer import Trainer

__all__ = ["train", "seed_everything", "build_callbacks", "write_outputs"]

log = logging.getLogger(__name__)


def seed_everything(seed: int) -> None:
    """Seed torch, numpy and random, so that one process reproduces a run exactly."""
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)


def check_supported(cfg) -> None:
    """Keys whose needs can be checked before training starts."""
    out = cfg.output
    if (out.save_embed_path or out.save_prediction_path) and not out.save_model_path:
        raise ConfigError("'save_embed_path' / 'save_prediction_path' write the best checkpoint's outputs after "
                          "training, so they need 'save_model_path' (--save-model-path) too")


def write_outputs(cfg, graph_path: str, results: Dict[str, Any], device=None) -> Dict[str, Any]:
    """gs-train's ``save_embed_path``/``save_prediction_path``: the best model's outputs, as gs-infer writes them."""
    from graphstorm_py.outputs.infer import infer

    out = cfg.output
    ckpt = results.get("best_checkpoint")
    if not ckpt:
        raise ConfigError("no checkpoint was kept to write embeddings from (no validation set, or "
                          "save_model_frequency/topk_model_to_save kept none); run gs-infer on a checkpoint instead")
    return infer(cfg, graph_path, ckpt, embed_path=out.save_embed_path, pred_path=out.save_prediction_path,
                 device=device)


def build_callbacks(cfg, tasks) -> List[Callback]:
    """The policies a config asks for: early stopping, checkpoint saving with top-k."""
    ev, out = cfg.evaluation, cfg.output
    callbacks: List[Callback] = []
    if ev.use_early_stop and not ev.no_validation:
        callbacks.append(EarlyStopping(tasks[0].main_metric, ev.early_stop_rounds, ev.early_stop_burnin_rounds,
                                       ev.early_stop_strategy))
    if out.save_model_path:
        callbacks.append(CheckpointSaver(out.save_model_path, tasks[0].main_metric, out.save_model_frequency,
                                         out.topk_model_to_save))
    if cfg.lm_model is not None and cfg.lm.freeze_lm_encoder_epochs:
        from graphstorm_py.training.lm_freeze import LMFreeze
        callbacks.append(LMFreeze(cfg.lm.freeze_lm_encoder_epochs))
    return callbacks


def train(cfg, graph_path: Optional[str] = None, device=None) -> Dict[str, Any]:
    """Train as ``cfg`` says on the graph at ``graph_path`` (default ``basic.part_config``).

    Returns the results dict, also written as ``results.json`` into ``save_model_path`` and
    ``save_perf_results_path`` when they are set.
    """
    check_supported(cfg)
    graph_path = graph_path or cfg.basic.part_config
    if not graph_path:
        raise ConfigError("no graph given: pass --part-config GRAPH_DIR (or set part_config)")
    method = cfg.lm.training_method
    if method is not None and method.name == "glem":
        from graphstorm_py.training.glem import glem_train
        seed_everything(cfg.hyperparam.seed)
        return glem_train(cfg, graph_path, device)
    dataset = open_graph(graph_path)
    seed_everything(cfg.hyperparam.seed)
    run = assemble(cfg, dataset, device)
    for task in run.tasks:          # read labels and masks now: errors before any training
        task.num_train_batches()
    optimizers = Optimizers.from_config(run.model, cfg.hyperparam)
    trainer = Trainer(run, optimizers, build_callbacks(cfg, run.tasks),
                      eval_frequency=cfg.evaluation.eval_frequency, no_validation=cfg.evaluation.no_validation,
                      alpha_l2norm=cfg.hyperparam.alpha_l2norm, log_every=cfg.basic.log_report_frequency)
    _restore(cfg, run, trainer, optimizers)
    state = trainer.fit(cfg.hyperparam.num_epochs)
    results = build_results(state, run.tasks, cfg)
    write_results(results, cfg.output.save_model_path, cfg.output.save_perf_results_path)
    if cfg.output.save_embed_path or cfg.output.save_prediction_path:
        results["outputs"] = write_outputs(cfg, graph_path, results, device)
    return results


def _restore(cfg, run, trainer: Trainer, optimizers: Optimizers) -> None:
    out = cfg.output
    if out.restore_model_path:
        path = out.restore_model_path
        read_checkpoint_info(path)
        restore_model(path, run.model, out.restore_model_layers)
        saved_cfg = load_checkpoint_config(path)
        same_tasks = [t.model_dump() for t in saved_cfg.tasks] == [t.model_dump() for t in cfg.tasks]
        all_layers = set(run.model.expand_layers(out.restore_model_layers)) >= {"dense_embed", "sparse_embed",
                                                                               "gnn", "decoder"}
        trainer_state = load_checkpoint_file(path, "trainer_state.pt") if same_tasks and all_layers else None
        if trainer_state is not None:
            optimizers.load_state_dict(load_checkpoint_file(path, "optimizer.pt"))
            trainer.load_trainer_state(trainer_state)
            log.info("resuming from %s after epoch %d (step %d)", path, trainer.state.epoch, trainer.state.step)
        else:
            log.info("warm start from %s: layers %s restored, training starts at epoch 0",
                     path, ", ".join(out.restore_model_layers))
    if out.restore_optimizer_path:
        if not is_checkpoint(out.restore_optimizer_path):
            raise ConfigError(f"restore_optimizer_path {out.restore_optimizer_path} is not a complete checkpoint")
        state = load_checkpoint_file(out.restore_optimizer_path, "optimizer.pt")
        if state is None:
            raise ConfigError(f"restore_optimizer_path {out.restore_optimizer_path} holds no optimizer.pt")
        optimizers.load_state_dict(state)
