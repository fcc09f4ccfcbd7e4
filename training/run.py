"""One training run from a config: seed, assemble, restore, train, report.

:func:`train` is what ``gs-train`` calls, and what tests and notebooks can call directly::

    cfg = load_train_config("cora.yaml", ["--num-epochs", "5"])
    results = train(cfg, "graphs/cora")          # the results.json dict

Starting from a checkpoint:

* ``restore_model_path`` (GraphStorm's meaning): the requested ``restore_model_layers`` are
  loaded (e.g. the encoder of a link-prediction model into a node-classification run), decoders
  the checkpoint does not have start fresh, the optimisers start fresh (unless
  ``restore_optimizer_path`` names a checkpoint to load them from), and training runs from
  epoch 0 to ``num_epochs``.
* ``resume_from_checkpoint`` (``--resume-from-checkpoint``): continue an interrupted run. The
  checkpoint must come from a run with the same task sections; model, optimisers, random
  streams, history, early-stop and top-k state are restored, and training continues after the
  checkpoint's epoch up to ``num_epochs``.
"""

from __future__ import annotations

import logging
import random
import tempfile
from typing import Any, Dict, List, Optional

import numpy as np
import torch

from graphstorm_py.config.homogeneous import resolve_targets
from graphstorm_py.errors import ConfigError
from graphstorm_py.model import (assemble, is_checkpoint, load_checkpoint_config, load_checkpoint_file,
                                 open_graph, restore_model)
from graphstorm_py.model.checkpoint import read_checkpoint_info
from graphstorm_py.training.callbacks import Callback
from graphstorm_py.training.checkpointing import CheckpointSaver
from graphstorm_py.training.early_stop import EarlyStopping
from graphstorm_py.training.optim import Optimizers
from graphstorm_py.training.results import build_results, write_results
from graphstorm_py.training.trackers import build_trackers
from graphstorm_py.training.trainer import Trainer

__all__ = ["train", "seed_everything", "build_callbacks", "write_outputs"]

log = logging.getLogger(__name__)


def seed_everything(seed: int) -> None:
    """Seed torch, numpy and random, so that one process reproduces a run exactly."""
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)


def write_outputs(cfg, graph_path: str, results: Dict[str, Any], device=None) -> Dict[str, Any]:
    """gs-train's ``save_embed_path``/``save_prediction_path``: the best model's outputs, as gs-infer writes them."""
    from graphstorm_py.outputs.infer import infer

    out = cfg.output
    ckpt = results.get("best_checkpoint")
    if not ckpt:
        raise ConfigError("no checkpoint was kept to write embeddings from (no validation set, or "
                          "save_model_frequency/topk_model_to_save kept none); run gs-infer on a checkpoint instead")
    return infer(cfg, graph_path, ckpt, embed_path=out.save_embed_path, pred_path=out.save_prediction_path,
                 infer_all=out.infer_all_target_nodes, device=device)


def build_callbacks(cfg, tasks) -> List[Callback]:
    """The policies a config asks for: early stopping, checkpoint saving with top-k, then the
    trackers (TensorBoard, profile), last so a resumed run finds the policies' state in order."""
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
        if cfg.lm.lm_train_nodes != 0 and cfg.lm.freeze_lm_encoder_epochs >= cfg.hyperparam.num_epochs:
            log.warning("freeze_lm_encoder_epochs %d >= num_epochs %d: the LM stays frozen for the whole run",
                        cfg.lm.freeze_lm_encoder_epochs, cfg.hyperparam.num_epochs)
        callbacks.append(LMFreeze(cfg.lm.freeze_lm_encoder_epochs))
    return callbacks + build_trackers(cfg.basic)


def train(cfg, graph_path: Optional[str] = None, device=None) -> Dict[str, Any]:
    """Train as ``cfg`` says on the graph at ``graph_path`` (default ``basic.part_config``).

    Returns the results dict, also written as ``results.json`` into ``save_model_path`` and
    ``save_perf_results_path`` when they are set.
    """
    out = cfg.output
    if (out.save_embed_path or out.save_prediction_path) and not out.save_model_path:
        # GraphStorm writes outputs without saving the model: keep the best checkpoint in a scratch folder
        with tempfile.TemporaryDirectory(prefix="gs-train-best-") as scratch:
            keep = out.model_copy(update={"save_model_path": scratch, "topk_model_to_save": 1})
            results = train(cfg.model_copy(update={"output": keep}), graph_path, device)
        results["best_checkpoint"] = None
        return results
    graph_path = graph_path or cfg.basic.part_config
    if not graph_path:
        raise ConfigError("no graph given: pass --part-config GRAPH_DIR (or set part_config)")
    method = cfg.lm.training_method
    if method is not None and method.name == "glem":
        from graphstorm_py.training.glem import glem_train
        seed_everything(cfg.hyperparam.seed)
        return glem_train(cfg, graph_path, device)
    dataset = open_graph(graph_path)
    cfg = resolve_targets(cfg, dataset.ntypes, dataset.etypes)
    seed_everything(cfg.hyperparam.seed)
    run = assemble(cfg, dataset, device, encoder_of=restored_encoder(cfg))
    for task in run.tasks:          # read labels and masks now: errors before any training
        task.num_train_batches()
    optimizers = Optimizers.from_config(run.model, cfg.hyperparam)
    trainer = Trainer(run, optimizers, build_callbacks(cfg, run.tasks),
                      eval_frequency=cfg.evaluation.eval_frequency, no_validation=cfg.evaluation.no_validation,
                      alpha_l2norm=cfg.hyperparam.alpha_l2norm, log_every=cfg.basic.log_report_frequency)
    _restore(cfg, run, trainer, optimizers)
    state = trainer.fit(cfg.hyperparam.num_epochs)
    results = build_results(state, run.tasks, cfg)
    _log_best(results)
    write_results(results, cfg.output.save_model_path, cfg.output.save_perf_results_path)
    if cfg.output.save_embed_path or cfg.output.save_prediction_path:
        results["outputs"] = write_outputs(cfg, graph_path, results, device)
    return results


def _log_best(results: Dict[str, Any]) -> None:
    """GraphStorm's closing log lines (its tests grep them): ``Best Test accuracy: N/A`` without a test set."""
    metric = results["eval_metric"]
    for split, name in (("val", "Validation"), ("test", "Test")):
        value = (results.get(split) or {}).get(metric)
        log.info("Best %s %s: %s", name, metric, "N/A" if value is None else value)


def restored_encoder(cfg) -> Optional[dict]:
    """The ``checkpoint.json`` whose GNN this run loads: its per-relation weights keep their edge-type order."""
    out = cfg.output
    path = out.resume_from_checkpoint or (out.restore_model_path if "gnn" in out.restore_model_layers else None)
    return read_checkpoint_info(path) if path else None


def _restore(cfg, run, trainer: Trainer, optimizers: Optimizers) -> None:
    out = cfg.output
    if out.resume_from_checkpoint:
        _resume(cfg, run, trainer, optimizers, out.resume_from_checkpoint)
        return
    if out.restore_model_path:
        path = out.restore_model_path
        read_checkpoint_info(path)
        restore_model(path, run.model, out.restore_model_layers)
        log.info("model restored from %s (layers %s); training starts at epoch 0", path,
                 ", ".join(out.restore_model_layers))
    if out.restore_optimizer_path:
        if not is_checkpoint(out.restore_optimizer_path):
            raise ConfigError(f"restore_optimizer_path {out.restore_optimizer_path} is not a complete checkpoint")
        state = load_checkpoint_file(out.restore_optimizer_path, "optimizer.pt")
        if state is None:
            raise ConfigError(f"restore_optimizer_path {out.restore_optimizer_path} holds no optimizer.pt")
        path = out.restore_optimizer_path
        optimizers.load_state_dict(state, path, read_checkpoint_info(path))


def _resume(cfg, run, trainer: Trainer, optimizers: Optimizers, path: str) -> None:
    read_checkpoint_info(path)
    saved_cfg = load_checkpoint_config(path)
    if [t.model_dump() for t in saved_cfg.tasks] != [t.model_dump() for t in cfg.tasks]:
        raise ConfigError(f"resume_from_checkpoint {path}: the checkpoint was trained with other task "
                          "settings; to start a new run from its weights use --restore-model-path")
    trainer_state = load_checkpoint_file(path, "trainer_state.pt")
    optimizer_state = load_checkpoint_file(path, "optimizer.pt")
    if trainer_state is None or optimizer_state is None:
        raise ConfigError(f"resume_from_checkpoint {path} holds no trainer/optimizer state; "
                          "use --restore-model-path to start from its weights")
    restore_model(path, run.model)
    optimizers.load_state_dict(optimizer_state, path, read_checkpoint_info(path))
    trainer.load_trainer_state(trainer_state)
    log.info("resuming from %s after epoch %d (step %d)", path, trainer.state.epoch, trainer.state.step)
