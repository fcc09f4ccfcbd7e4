"""The key set, declared once: which model owns each GraphStorm training key.

GraphStorm merges the keys of all ``gsf:`` sections into one flat namespace; so do we. A key
belongs to a *concern* model (:data:`CONCERNS`) or to the task models. Everything that reads
or overrides keys (the loader, the command-line overrides, the error hints) derives from the
models' fields here, so adding a field to a model is all it takes to support a key.
"""

from __future__ import annotations

from typing import Dict, List, Type

from pydantic import BaseModel

from graphstorm_py.config.basic import BasicConfig
from graphstorm_py.config.evaluation import EvalConfig
from graphstorm_py.config.gnn import GNNConfig
from graphstorm_py.config.graphstorm_keys import ACCEPTED
from graphstorm_py.config.hyperparam import HyperparamConfig
from graphstorm_py.config.lm import LMConfig
from graphstorm_py.config.output import OutputConfig
from graphstorm_py.config.tasks import TASK_MODELS

__all__ = ["CONCERNS", "CONCERN_OF", "TASK_KEYS", "ALL_KEYS", "UNSUPPORTED_KEYS",
           "UNSUPPORTED_TOP_LEVEL", "tasks_with_key"]

CONCERNS: Dict[str, Type[BaseModel]] = {
    "basic": BasicConfig,
    "gnn": GNNConfig,
    "hyperparam": HyperparamConfig,
    "evaluation": EvalConfig,
    "output": OutputConfig,
    "lm": LMConfig,
}
"""TrainConfig field name → concern model. Also the section names of a resolved config."""

CONCERN_OF: Dict[str, str] = {key: name for name, model in CONCERNS.items()
                              for key in model.model_fields}
"""Key → the concern that owns it. A key both a concern and a task declare (``batch_size``)
belongs to the concern at top level and to the task inside ``multi_task_learning``."""

TASK_KEYS = frozenset(key for model in TASK_MODELS.values() for key in model.model_fields
                      if key not in CONCERN_OF)
ALL_KEYS = frozenset(CONCERN_OF) | TASK_KEYS

_NOT_YET = "not supported by graphstorm_py yet"
_LM = f"{_NOT_YET} (language-model encoders)"
UNSUPPORTED_KEYS: Dict[str, str] = {
    "max_seq_len": f"{_NOT_YET} (distillation)", "textual_data_path": f"{_NOT_YET} (distillation)",
    "max_distill_step": f"{_NOT_YET} (distillation)",
    "use_pseudolabel": _NOT_YET,
}
UNSUPPORTED_KEYS = {k: v for k, v in UNSUPPORTED_KEYS.items() if k not in ACCEPTED and k not in ALL_KEYS}
"""GraphStorm training keys we know but do not support, each with the reason given. (A key we
implement or accept, see :mod:`~graphstorm_py.config.graphstorm_keys`, is never among them.)"""

UNSUPPORTED_TOP_LEVEL: Dict[str, str] = {
}


def tasks_with_key(key: str) -> List[str]:
    """Names of the tasks whose model has ``key``."""
    return [name for name, model in TASK_MODELS.items() if key in model.model_fields]
