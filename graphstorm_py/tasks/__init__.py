"""Tasks: what gs-train learns and evaluates. A task = target loader + decoder + loss + metrics.

:data:`TASKS` maps a YAML task section name (``node_classification``, ...) to a
:class:`~graphstorm_py.tasks.base.Task` class; :func:`build_tasks` makes one task per section of
a :class:`~graphstorm_py.config.TrainConfig`. Adding a task is writing a ``Task`` subclass and
registering it here; the trainer, model and checkpoints need no change.
"""

from __future__ import annotations

from typing import List, Mapping, Optional

from graphstorm_py.registry import Registry
from graphstorm_py.tasks.base import SPLITS, Task, TaskBatch
from graphstorm_py.tasks.edge import EdgeClassificationTask, EdgeRegressionTask, EdgeTask
from graphstorm_py.tasks.link_prediction import LinkPredictionTask
from graphstorm_py.tasks.node import NodeClassificationTask, NodeRegressionTask, NodeTask
from graphstorm_py.tasks.node_targets import NodeTargetLoader, NodeTargets
from graphstorm_py.tasks.reconstruct import ReconstructEdgeFeatTask, ReconstructNodeFeatTask
from graphstorm_py.typing import EdgeType

__all__ = ["TASKS", "build_tasks", "Task", "TaskBatch", "SPLITS", "NodeTask", "NodeClassificationTask",
           "NodeRegressionTask", "NodeTargets", "NodeTargetLoader", "EdgeTask", "EdgeClassificationTask",
           "EdgeRegressionTask"]

TASKS: Registry = Registry("task")
TASKS.register("node_classification")(NodeClassificationTask)
TASKS.register("node_regression")(NodeRegressionTask)
TASKS.register("link_prediction")(LinkPredictionTask)
TASKS.register("edge_classification")(EdgeClassificationTask)
TASKS.register("edge_regression")(EdgeRegressionTask)
TASKS.register("reconstruct_node_feat")(ReconstructNodeFeatTask)
TASKS.register("reconstruct_edge_feat")(ReconstructEdgeFeatTask)


def build_tasks(cfg, dataset, *, inference: bool = False,
                decoder_etypes: Optional[Mapping[str, List[EdgeType]]] = None) -> List[Task]:
    """One task per task section of ``cfg`` (a ``TrainConfig``), with unique names.

    Task ``i`` shuffles with seed ``hyperparam.seed + i``. ``inference``: tasks for gs-infer, which
    need no label or mask (see :class:`Task`); ``decoder_etypes``: ``{task name: edge types}`` of
    the trained link-prediction decoders (from the checkpoint).
    """
    tasks: List[Task] = []
    for i, tcfg in enumerate(cfg.tasks):
        cls = TASKS.get(tcfg.task_type, key="task section")
        extra = {"decoder_etypes": decoder_etypes} if decoder_etypes and tcfg.task_type == "link_prediction" else {}
        task = cls(tcfg, dataset, seed=cfg.hyperparam.seed + i, inference=inference,
                   decoder_ffn_layers=cfg.gnn.num_ffn_layers_in_decoder, dropout=cfg.gnn.dropout, **extra)
        task.decoder_norm, task.decoder_bias = cfg.gnn.decoder_norm, cfg.gnn.decoder_bias
        if any(t.name == task.name for t in tasks):
            task.name = f"{task.name}-{i}"
        tasks.append(task)
    return tasks
