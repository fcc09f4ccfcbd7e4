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
    "ip_config": "not used by graphstorm_py: workers start with --num-workers or on Ray",
    "profile_path": _NOT_YET,
    "use_wholegraph_embed": f"{_NOT_YET} (WholeGraph)",
    "use_graphbolt": f"{_NOT_YET} (GraphBolt)",
    "save_embed_format": f"{_NOT_YET}: embeddings are written as parquet",
    "max_seq_len": f"{_NOT_YET} (distillation)", "textual_data_path": f"{_NOT_YET} (distillation)",
    "max_distill_step": f"{_NOT_YET} (distillation)",
    "construct_feat_ntype": f"{_NOT_YET} (feature construction)",
    "construct_feat_encoder": f"{_NOT_YET} (feature construction)",
    "construct_feat_fanout": f"{_NOT_YET} (feature construction)",
    "use_pseudolabel": _NOT_YET,
    "eval_target_ntype": f"{_NOT_YET} (several target node types)",
    "edge_feat_name": f"{_NOT_YET} (edge features in message passing)",
    "edge_feat_mp_op": f"{_NOT_YET} (edge features in message passing)",
    "reconstruct_nfeat_name": f"{_NOT_YET} (the reconstruct_node_feat task)",
}
"""GraphStorm training keys we know but do not support, each with the reason given."""

UNSUPPORTED_TOP_LEVEL: Dict[str, str] = {
    "udf": f"{_NOT_YET} (user-defined config keys)",
}


def tasks_with_key(key: str) -> List[str]:
    """Names of the tasks whose model has ``key``."""
    return [name for name, model in TASK_MODELS.items() if key in model.model_fields]
