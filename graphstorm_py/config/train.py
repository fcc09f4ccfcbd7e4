"""The whole training config: one model per concern plus the task(s)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from pydantic import Field, model_validator

from graphstorm_py.config.basic import BasicConfig
from graphstorm_py.config.evaluation import EVAL_AT_EPOCH_END, EvalConfig
from graphstorm_py.config.fields import StrictModel
from graphstorm_py.config.gnn import GNNConfig
from graphstorm_py.config.hyperparam import HyperparamConfig
from graphstorm_py.config.lm import LMConfig, LMModelConfig
from graphstorm_py.config.output import OutputConfig
from graphstorm_py.config.schema import CONCERNS
from graphstorm_py.config.tasks import MULTI_TASK_SECTION, TaskConfig
from graphstorm_py.errors import ConfigError

__all__ = ["TrainConfig", "CONFIG_VERSION"]

CONFIG_VERSION = 1.0
"""The only ``version:`` of GraphStorm's training YAML."""


class TrainConfig(StrictModel):
    """A validated training config with every default resolved.

    Build it with :func:`graphstorm_py.config.load_train_config` (YAML + command-line
    overrides) or :meth:`from_resolved`; :meth:`resolved_dict` writes it back.

    Attributes:
        basic, gnn, hyperparam, evaluation, output: the concern models.
        tasks: the task models, one per task section; several with ``multi_task_learning``.
            Each task's ``task_type`` is its section name, e.g. ``"node_classification"``.
    """

    basic: BasicConfig = Field(default_factory=BasicConfig)
    gnn: GNNConfig
    hyperparam: HyperparamConfig
    evaluation: EvalConfig = Field(default_factory=EvalConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    tasks: List[TaskConfig] = Field(min_length=1)
    lm: LMConfig = Field(default_factory=LMConfig)
    lm_model: Optional[LMModelConfig] = None      # GraphStorm's top-level lm_model block

    @model_validator(mode="after")
    def _resolve(self) -> "TrainConfig":
        # Resolve on copies: the caller's models stay as given.
        if self.gnn.use_mini_batch_infer is None:
            # GraphStorm: full-graph inference is faster for link prediction, mini-batch otherwise.
            all_lp = all(t.task_type == "link_prediction" for t in self.tasks)
            self.gnn = self.gnn.model_copy(update={"use_mini_batch_infer": not all_lp})
        self.tasks = [t if t.batch_size is not None else
                      t.model_copy(update={"batch_size": self.hyperparam.batch_size})
                      for t in self.tasks]
        out, freq = self.output, self.evaluation.eval_frequency
        if out.topk_model_to_save and out.save_model_frequency > 0 and freq != EVAL_AT_EPOCH_END \
                and out.save_model_frequency % freq:
            raise ValueError(f"'save_model_frequency' ({out.save_model_frequency}) must be a "
                             f"multiple of 'eval_frequency' ({freq}) to keep the top-k models")
        return self

    @property
    def is_multi_task(self) -> bool:
        return len(self.tasks) > 1

    @property
    def task(self) -> TaskConfig:
        """The task of a single-task config (see :attr:`tasks` for multi-task learning)."""
        if self.is_multi_task:
            raise ConfigError(f"this config has {len(self.tasks)} tasks ({MULTI_TASK_SECTION}); "
                              "use .tasks")
        return self.tasks[0]

    @property
    def task_type(self) -> str:
        """The task section name, or ``"multi_task"`` for multi-task learning."""
        return "multi_task" if self.is_multi_task else self.tasks[0].task_type

    def resolved_dict(self) -> Dict[str, Any]:
        """Every resolved value as plain data shaped like GraphStorm's YAML.

        One ``gsf`` section per concern plus the task section(s); ``yaml.safe_dump`` /
        ``json.dumps`` write it, and :meth:`from_resolved` (or GraphStorm-style loading)
        reads it back to an equal config. Saved with checkpoints.
        """
        gsf: Dict[str, Any] = {name: getattr(self, name).model_dump(mode="json") for name in CONCERNS}
        if self.is_multi_task:
            gsf[MULTI_TASK_SECTION] = [{t.task_type: t.model_dump(mode="json", exclude={"task_type"})}
                                       for t in self.tasks]
        else:
            task = self.tasks[0]
            # batch_size at top level is hyperparam's; the task copy is resolved from it.
            gsf[task.task_type] = task.model_dump(mode="json", exclude={"task_type", "batch_size"})
        out = {"version": CONFIG_VERSION, "gsf": gsf}
        if self.lm_model is not None:
            out["lm_model"] = self.lm_model.model_dump(mode="json")
        return out

    @classmethod
    def from_resolved(cls, data: Dict[str, Any], source: str = "<resolved config>") -> "TrainConfig":
        """Rebuild a config from :meth:`resolved_dict` output (or any GraphStorm-shaped dict)."""
        from graphstorm_py.config.loader import load_train_config_dict

        return load_train_config_dict(data, source=source)
