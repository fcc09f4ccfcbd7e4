"""Config schemas and the helpers that turn validation failures into clear errors.

The training config is GraphStorm's YAML read into small pydantic models, one per concern:

=====================  ===============================================  ==============================
``TrainConfig`` field  model                                            module
=====================  ===============================================  ==============================
``basic``              :class:`BasicConfig`                             :mod:`.basic`
``gnn``                :class:`GNNConfig`                               :mod:`.gnn`
``hyperparam``         :class:`HyperparamConfig`                        :mod:`.hyperparam`
``evaluation``         :class:`EvalConfig`                              :mod:`.evaluation`
``output``             :class:`OutputConfig`                            :mod:`.output`
``tasks``              node/edge classification/regression, link pred.  :mod:`.task_node` ...
=====================  ===============================================  ==============================

:func:`load_train_config` reads the YAML and command-line overrides; see :mod:`.loader`.
"""

from importlib import import_module

_EXPORTS = {
    "TrainConfig": "train", "load_train_config": "loader", "load_train_config_dict": "loader",
    "BasicConfig": "basic", "GNNConfig": "gnn", "HyperparamConfig": "hyperparam",
    "EvalConfig": "evaluation", "EVAL_AT_EPOCH_END": "evaluation", "OutputConfig": "output",
    "NodeClassificationConfig": "task_node", "NodeRegressionConfig": "task_node",
    "EdgeClassificationConfig": "task_edge", "EdgeRegressionConfig": "task_edge",
    "LinkPredictionConfig": "task_lp", "TaskConfig": "tasks", "TASK_MODELS": "tasks",
    "ANY_NTYPE": "syntax", "ANY_ETYPE": "syntax",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    # Lazy, so that ``graphstorm_py.config.suggest`` (used by gconstruct) stays cheap to import.
    if name in _EXPORTS:
        return getattr(import_module(f"graphstorm_py.config.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'graphstorm_py.config' has no attribute {name!r}")
