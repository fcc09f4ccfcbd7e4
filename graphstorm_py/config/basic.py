"""Environment settings: the distributed backend, logging, profiling, where the graph is."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, field_validator

from graphstorm_py.config.fields import StrictModel, none_string_to_none

__all__ = ["BasicConfig", "TASK_TRACKERS", "TENSORBOARD_TRACKER"]

TENSORBOARD_TRACKER = "tensorboard_task_tracker"
TASK_TRACKERS = ("sagemaker_task_tracker", TENSORBOARD_TRACKER)
"""GraphStorm's task trackers; ``tensorboard_task_tracker:LOGDIR`` names the event folder."""


class BasicConfig(StrictModel):
    """GraphStorm's environment keys (usually in a ``basic:`` section).

    Attributes:
        backend: torch.distributed backend, ``gloo`` (CPU) or ``nccl`` (GPU). Validated even
            when one process runs and nothing is initialised. Default ``gloo``.
        verbose: print more while running. Default ``False``.
        logging_level: ``debug``, ``info``, ``warning`` or ``error``. Default ``info``.
        logging_file: also write the log to this file. ``None``: stderr only.
        part_config: the graph dataset to train on (GraphStorm's ``--part-config``; for us a
            graph dataset directory or its ``metadata.json``). Usually given on the command line.
        num_trainers: worker processes per machine (GraphStorm's launcher flag; ``--num-trainers``
            overrides it). Default 1.
        log_report_frequency: report training state every N iterations. Default 1000.
        task_tracker: where metrics go besides the log: ``sagemaker_task_tracker`` (GraphStorm's
            default: the log only) or ``tensorboard_task_tracker[:LOGDIR]`` (TensorBoard event
            files in LOGDIR, default ``./runs/<time>_<host>``).
        profile_path: write per-step timings (``profile-rank0.csv``) into this folder.
            ``None``: no profile.
    """

    backend: Literal["gloo", "nccl"] = "gloo"
    verbose: bool = False
    logging_level: Literal["debug", "info", "warning", "error"] = "info"
    logging_file: Optional[str] = None
    part_config: Optional[str] = None
    num_trainers: int = Field(1, ge=1)
    log_report_frequency: int = Field(1000, gt=0)
    task_tracker: str = "sagemaker_task_tracker"
    profile_path: Optional[str] = None

    @field_validator("logging_level", mode="before")
    @classmethod
    def _lower(cls, value):
        return value.lower() if isinstance(value, str) else value

    @field_validator("logging_file", "profile_path", mode="before")
    @classmethod
    def _none_path(cls, value):
        return none_string_to_none(value)

    @field_validator("task_tracker")
    @classmethod
    def _tracker(cls, value: str) -> str:
        name = value.split(":", 1)[0]
        if name not in TASK_TRACKERS or (name != TENSORBOARD_TRACKER and ":" in value):
            raise ValueError(f"must be one of {', '.join(TASK_TRACKERS)} (the TensorBoard one optionally "
                             f"as '{TENSORBOARD_TRACKER}:LOGDIR'), got {value!r}")
        return value

    @property
    def tensorboard_dir(self) -> Optional[str]:
        """``""`` for TensorBoard's default folder, the given LOGDIR, or ``None`` without TensorBoard."""
        name, _, path = self.task_tracker.partition(":")
        return path if name == TENSORBOARD_TRACKER else None
